"""The migrations build exactly the schema of the models, on SQLite and PostgreSQL, and keep
the rows of a database they upgrade."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.db_kit import at, call, migrated_engine
from tickets.calls import get_call
from tickets.db import create_engine, session_factory
from tickets.migrate import (
    current_revision,
    downgrade_to,
    head_revision,
    load_models,
    upgrade_to,
    upgrade_to_head,
)
from tickets.models import Base
from tickets.orders import get_order
from tickets.records import CallRecord, SeatAttempt
from tickets.seats import list_seats
from tickets.store import write_batch


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_migrated_schema_matches_the_models(database_url: str) -> None:
    load_models()
    async with migrated_engine(database_url) as engine, engine.connect() as conn:
        differences = await conn.run_sync(_differences)
    assert differences == []


async def test_empty_database_has_no_revision_until_upgraded(database_url: str) -> None:
    assert await current_revision(database_url) is None
    await upgrade_to_head(database_url)
    assert head_revision() is not None
    assert await current_revision(database_url) == head_revision()


async def test_upgrading_an_up_to_date_database_changes_nothing(database_url: str) -> None:
    await upgrade_to_head(database_url)
    await upgrade_to_head(database_url)
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            tables = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    finally:
        await engine.dispose()
    expected = {"calls", "call_attempts", "seats", "seat_states", "work_orders", "alembic_version"}
    expected |= {"agents", "agent_sessions", "callback_tasks", "audit_log"}
    assert expected <= tables
    assert await current_revision(database_url) == head_revision()


async def test_plain_urls_get_the_async_driver(postgres_url: str) -> None:
    plain = postgres_url.replace("postgresql+asyncpg://", "postgresql://")
    await upgrade_to_head(plain)
    assert await current_revision(postgres_url) == head_revision()


# rows as revision 0001 stored them, written with the SQL of that schema
ROWS_OF_0001 = [
    """INSERT INTO calls (server, call_id, linked_id, line, caller_number, caller_name, channel,
        style, queued_at, answered_at, ended_at, seat, outcome, end_cause, end_cause_text,
        wait_seconds, talk_seconds, version)
       VALUES ('pbx1', 'c1', 'c1', '12345', '13800000001', '张三', 'PJSIP/trunk-1', 'routed',
        :t0, :t10, :t100, 'seat02', 'answered', 16, 'Normal Clearing', 10.0, 90.0, 7)""",
    """INSERT INTO call_attempts (server, call_id, seq, seat, rang_at, ended_at, result)
       VALUES ('pbx1', 'c1', 0, 'seat01', :t0, :t5, 'NOANSWER'),
              ('pbx1', 'c1', 1, 'seat02', :t5, :t10, 'ANSWER')""",
    """INSERT INTO seats (id, name, lines, temporary, created_at)
       VALUES ('seat02', '王芳', '12345,962121', false, :t0)""",
    """INSERT INTO work_orders (number, server, call_id, line, caller_number, seat, status,
        created_at, updated_at)
       VALUES ('12345-20261123-AAAAAAAA', 'pbx1', 'c1', '12345', '13800000001', 'seat02',
        'draft', :t10, :t10)""",
]
CALL_OF_0001 = call(
    "c1",
    version=7,
    caller="13800000001",
    caller_name="张三",
    channel="PJSIP/trunk-1",
    answered_at=at(10),
    ended_at=at(100),
    seat="seat02",
    outcome="answered",
    end_cause=16,
    end_cause_text="Normal Clearing",
    attempts=(
        SeatAttempt("seat01", at(0), at(5), "NOANSWER"),
        SeatAttempt("seat02", at(5), at(10), "ANSWER"),
    ),
)


async def _fill_as_0001(engine: AsyncEngine) -> None:
    # naive UTC on SQLite, as UtcDateTime stores it there
    naive = engine.dialect.name == "sqlite"
    times = {f"t{s}": at(s).replace(tzinfo=None) if naive else at(s) for s in (0, 5, 10, 100)}
    async with engine.begin() as conn:
        for statement in ROWS_OF_0001:
            await conn.execute(text(statement), times)


async def _store(engine: AsyncEngine, *records: CallRecord) -> None:
    async with engine.begin() as conn:
        await write_batch(conn, records)


async def test_upgrading_a_database_of_0001_keeps_its_rows(database_url: str) -> None:
    await upgrade_to(database_url, "0001")
    engine = create_engine(database_url)
    try:
        await _fill_as_0001(engine)
        await upgrade_to_head(database_url)
        async with session_factory(engine)() as session:
            stored = await get_call(session, "pbx1", "c1")
            (seat,) = await list_seats(session)
            order = await get_order(session, "12345-20261123-AAAAAAAA")
    finally:
        await engine.dispose()
    assert stored == CALL_OF_0001  # the attempts too: the rebuilt table cascaded nothing
    assert (stored.agent, stored.skill, stored.priority, stored.emergency) == (None, "", 0, False)
    assert (stored.direction, stored.callback_of) == ("in", None)
    assert (seat.seat_id, seat.lines, seat.skills) == ("seat02", ("12345", "962121"), ())
    assert order is not None
    assert (order.seat, order.agent, order.status) == ("seat02", None, "draft")


async def test_an_upgraded_database_takes_the_new_outcome_and_checks_the_direction(
    database_url: str,
) -> None:
    await upgrade_to(database_url, "0001")
    await upgrade_to_head(database_url)
    kept_place = call("c2", outcome="kept_place", agent="1001", priority=1, emergency=True)
    callback = call("c3", direction="callback", callback_of="c2", outcome="answered")
    async with migrated_engine(database_url) as engine:
        await _store(engine, kept_place, callback)
        with pytest.raises(IntegrityError):
            await _store(engine, call("c4", direction="outbound"))
        async with session_factory(engine)() as session:
            assert await get_call(session, "pbx1", "c2") == kept_place
            assert await get_call(session, "pbx1", "c3") == callback


async def test_downgrading_to_0001_and_upgrading_again_keeps_the_calls(database_url: str) -> None:
    await upgrade_to(database_url, "0001")
    engine = create_engine(database_url)
    try:
        await _fill_as_0001(engine)
        await upgrade_to_head(database_url)
        await downgrade_to(database_url, "0001")
        assert await current_revision(database_url) == "0001"
        await upgrade_to_head(database_url)
        async with session_factory(engine)() as session:
            stored = await get_call(session, "pbx1", "c1")
        async with engine.connect() as conn:
            differences = await conn.run_sync(_differences)
    finally:
        await engine.dispose()
    assert stored == CALL_OF_0001
    assert differences == []


async def test_a_call_only_the_new_schema_can_hold_stops_the_downgrade(database_url: str) -> None:
    async with migrated_engine(database_url) as engine:
        await _store(engine, dataclasses.replace(CALL_OF_0001, outcome="kept_place"))
    with pytest.raises(IntegrityError):
        await downgrade_to(database_url, "0001")
    assert await current_revision(database_url) == head_revision()
    async with migrated_engine(database_url) as engine, engine.connect() as conn:
        assert await conn.run_sync(_differences) == []
