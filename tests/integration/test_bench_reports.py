"""The reports bench's year, made small (2,000 calls, 600 work orders), written into the
test's PostgreSQL database: the rows it says it wrote are the rows in the tables, every
order's history is one the life cycle allows and ends in the order's status, and the
monthly assessment of every example contract runs over it and counts the calls that are
there."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path

import asyncpg
import pytest

from bench.year_load import LoadReport, load_year
from bench.year_shape import ZONE, YearPlan
from tests.conftest import REPO
from tickets.lifecycle import Status, Step, check_step
from tickets.migrate import upgrade_to_head
from tickets.reports.contract import load_contract
from tickets.reports.period import Period
from web.reports_root import run_assessment
from web.settings import Settings

MONTH = "2026-10"
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
CONTRACTS = sorted((REPO / "deploy" / "contracts").glob("*.yaml"))


@pytest.fixture
async def year(postgres_url: str) -> AsyncIterator[tuple[asyncpg.Connection, LoadReport]]:
    await upgrade_to_head(postgres_url)
    plan = YearPlan(calls=2_000, orders=600, month=MONTH, seed=7, now=NOW)
    report = await load_year(postgres_url, plan, lambda _: None)
    conn = await asyncpg.connect(postgres_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        yield conn, report
    finally:
        await conn.close()


async def test_the_tables_hold_the_rows_the_year_was_made_of(
    year: tuple[asyncpg.Connection, LoadReport],
) -> None:
    conn, report = year
    assert report.inbound_calls == 2_000
    assert report.orders == 600
    assert await conn.fetchval("SELECT count(*) FROM calls WHERE direction = 'in'") == 2_000
    callbacks = await conn.fetchval("SELECT count(*) FROM calls WHERE direction = 'callback'")
    assert callbacks == report.callback_calls > 0
    for table, rows in report.rows.items():
        assert await conn.fetchval(f"SELECT count(*) FROM {table}") == rows, table
    assert report.rows["work_orders"] == 600
    assert report.rows["order_events"] > 600
    assert report.rows["qa_reviews"] > 0


async def test_every_order_history_is_allowed_and_ends_in_the_orders_status(
    year: tuple[asyncpg.Connection, LoadReport],
) -> None:
    conn, _ = year
    orders = {
        row["id"]: row for row in await conn.fetch("SELECT id, status, call_id FROM work_orders")
    }
    events = await conn.fetch(
        "SELECT order_id, step, from_status, to_status FROM order_events ORDER BY order_id, id"
    )
    assert {event["order_id"] for event in events} == set(orders)
    for order_id, history in groupby(events, key=lambda e: e["order_id"]):
        # a call's order is a draft from the answer on; others are born by their first step
        status = None if orders[order_id]["call_id"] is None else Status.DRAFT.value
        for event in history:
            if event["step"] == Step.MERGE.value and event["from_status"] == event["to_status"]:
                continue  # the note on the order another one was merged into
            assert event["from_status"] == status, (order_id, event)
            if status is not None:
                allowed = check_step(
                    "", Status(status), Step(event["step"]), Status(event["to_status"])
                )
                assert allowed.value == event["to_status"]
            status = event["to_status"]
        assert status == orders[order_id]["status"]


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda path: path.stem)
async def test_the_assessment_of_the_month_counts_the_calls_of_the_month(
    year: tuple[asyncpg.Connection, LoadReport], postgres_url: str, contract: Path
) -> None:
    conn, _ = year
    terms = load_contract(contract)
    period = Period.month(MONTH, ZONE)
    lines = list(terms.lines) or ["12345", "962121"]
    in_month = await conn.fetchval(
        "SELECT count(*) FROM calls WHERE direction = 'in' AND line = ANY($1) "
        "AND queued_at >= $2 AND queued_at < $3",
        lines,
        period.start,
        period.end,
    )
    assessment = await run_assessment(
        Settings(database_url=postgres_url), terms, period, NOW, {}, lambda _: None
    )
    assert in_month > 0
    assert assessment.values["offered"] == in_month
    assert len(assessment.results) == len(terms.metrics)
    assert all(result.deduction >= 0 for result in assessment.results)
