"""Writing the bench year into PostgreSQL: a database of its own (created, migrated by
``tickets.migrate``, dropped at the end), the rows of every day copied in large batches
with ``COPY`` (asyncpg's ``copy_records_to_table``) while the next days are generated
in a thread, the id sequences moved past the ids written, and ``VACUUM ANALYZE`` so the
planner knows the tables as it would after a year of service.

Call, attempt, seat-state, sign-in and callback-task rows go through ``tickets.mapping``,
the writer's own mapping: the bench stores exactly what the service stores.
"""

from __future__ import annotations

import asyncio
import queue
import random
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from bench.order_handling import CALLBACK_AGENTS, CachedCalendar
from bench.order_story import (
    ASSIGNMENT_COLUMNS,
    EVENT_COLUMNS,
    EXTENSION_COLUMNS,
    ORDER_COLUMNS,
    REPLY_COLUMNS,
    REVISIT_COLUMNS,
)
from bench.year_calls import RECORDING_COLUMNS, CallMaker, DayCalls
from bench.year_orders import OrderMaker
from bench.year_qa import (
    FORM_COLUMNS,
    PLAN_COLUMNS,
    REVIEW_COLUMNS,
    SAMPLE_COLUMNS,
    QaMaker,
    form_row,
)
from bench.year_shape import ZONE, DayShape, YearPlan, year_days
from bench.year_staff import CALLS_PER_AGENT_PLANNED, CallerPool, Roster
from tickets.deadlines import DeadlineRules
from tickets.mapping import (
    agent_session_values,
    attempt_values,
    call_values,
    callback_task_values,
    seat_state_values,
)
from tickets.records import CallbackTask, CallRecord

Progress = Callable[[str], None]
BATCH_ROWS = 200_000
# parents before children (foreign keys)
TABLES = (
    "agents",
    "seats",
    "calls",
    "call_attempts",
    "seat_states",
    "agent_sessions",
    "callback_tasks",
    "recordings",
    "work_orders",
    "order_events",
    "order_assignments",
    "order_replies",
    "order_revisits",
    "order_extensions",
    "qa_forms",
    "qa_plans",
    "qa_samples",
    "qa_reviews",
)
# tables whose ids the bench writes itself (other rows name them)
OWN_IDS = ("work_orders", "qa_forms", "qa_plans", "qa_samples")
_SAMPLE_AT = datetime(2026, 1, 1, tzinfo=ZONE)
_SAMPLE_CALL = CallRecord("s", "c", "c", "12345", "", _SAMPLE_AT)
_SAMPLE_TASK = CallbackTask("t", "s", "c", "12345", "", "missed", _SAMPLE_AT, _SAMPLE_AT)
COLUMNS: dict[str, tuple[str, ...]] = {
    "agents": ("id", "name", "active", "created_at"),
    "seats": ("id", "name", "lines", "skills", "temporary", "created_at"),
    "calls": tuple(call_values(_SAMPLE_CALL)),
    "call_attempts": ("server", "call_id", "seq", "seat", "rang_at", "ended_at", "result"),
    "seat_states": ("seat", "state", "started_at", "ended_at", "reason", "agent"),
    "agent_sessions": ("agent", "seat", "started_at", "ended_at", "ended_by"),
    "callback_tasks": tuple(callback_task_values(_SAMPLE_TASK)),
    "recordings": RECORDING_COLUMNS,
    "work_orders": ORDER_COLUMNS,
    "order_events": EVENT_COLUMNS,
    "order_assignments": ASSIGNMENT_COLUMNS,
    "order_replies": REPLY_COLUMNS,
    "order_revisits": REVISIT_COLUMNS,
    "order_extensions": EXTENSION_COLUMNS,
    "qa_forms": FORM_COLUMNS,
    "qa_plans": PLAN_COLUMNS,
    "qa_samples": SAMPLE_COLUMNS,
    "qa_reviews": REVIEW_COLUMNS,
}

Rows = dict[str, list[tuple[Any, ...]]]


@dataclass
class LoadReport:
    plan: YearPlan
    database: str
    rows: Counter[str] = field(default_factory=Counter)
    inbound_calls: int = 0
    callback_calls: int = 0
    orders: int = 0
    seconds: float = 0.0
    copy_seconds: float = 0.0  # waiting for COPY (the rest: generating, overlapped)
    vacuum_seconds: float = 0.0


def server_url(url: str) -> str:
    """``postgresql+asyncpg://user@host:port`` of a URL (plain or SQLAlchemy's), without
    the database."""
    rest = url.split("://", 1)[1]
    return "postgresql+asyncpg://" + rest.split("/", 1)[0].split("?", 1)[0]


def bench_engine(url: str, **options: Any) -> AsyncEngine:
    """An engine without the service's timeouts or pool (a COPY may take a while)."""
    return create_async_engine(
        server_url(url) + "/" + _database_of(url), poolclass=NullPool, **options
    )


def _database_of(url: str) -> str:
    rest = url.split("://", 1)[1]
    return rest.split("/", 1)[1].split("?", 1)[0] if "/" in rest else "postgres"


async def _admin(url: str, statement: str) -> None:
    engine = bench_engine(server_url(url) + "/postgres", isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


async def create_database(url: str) -> tuple[str, str]:
    """A new empty database on the server of ``url``: (its name, its URL)."""
    name = f"hotline_bench_{secrets.token_hex(4)}"
    await _admin(url, f'CREATE DATABASE "{name}"')
    return name, f"{server_url(url)}/{name}"


async def drop_database(url: str, name: str) -> None:
    await _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- generating --------------------------------------------------------------------------


class YearRows:
    """The rows of the plan's year, day by day, from one seeded random stream."""

    def __init__(self, plan: YearPlan) -> None:
        self.plan = plan
        rng = random.Random(plan.seed)
        self.days = year_days(plan, rng)
        busiest = max(day.calls for day in self.days)
        self.roster = Roster.of(
            rng, max(2, round(busiest * 0.97 / CALLS_PER_AGENT_PLANNED * 1.15) + 1)
        )
        callers = CallerPool(rng, int(plan.calls * 0.45))
        self.calls = CallMaker(rng, self.roster, callers, plan.now)
        calendar = CachedCalendar(ZONE)
        self.orders = OrderMaker(rng, callers, plan.now, DeadlineRules(), calendar)
        self.qa = QaMaker(rng, plan.now)
        self.seats: set[str] = set()

    def __iter__(self) -> Iterator[tuple[DayShape, Rows]]:
        for day in self.days:
            yield day, self.day_rows(day)

    def day_rows(self, day: DayShape) -> Rows:
        calls = self.calls.day(day)
        self.seats |= calls.seats
        answered = calls.answered()
        orders = self.orders.day(day, answered)
        qa = self.qa.day(day, answered, orders.by_call)
        rows = _call_rows(calls)
        rows["work_orders"] = [story.order_row() for story in orders.stories]
        rows["order_events"] = orders.events
        for story in orders.stories:
            for table, side in story.side_rows().items():
                rows.setdefault(table, []).extend(side)
        rows.update(qa_plans=qa.plans, qa_samples=qa.samples, qa_reviews=qa.reviews)
        return rows

    def fixed_rows(self) -> Rows:
        """Agents and seats: written once the year has shown which seats it used."""
        at = self.days[0].start - timedelta(days=30)
        agents = [
            (a, n, True, at) for a, n in zip(self.roster.agents, self.roster.names, strict=True)
        ]
        agents += [(a, f"回访员{a}", True, at) for a in CALLBACK_AGENTS]
        lines = "12345,962121"
        seats = [(s, f"{s}号座席", lines, "", False, at) for s in sorted(self.seats)]
        seats += [(f"{8101 + n}", f"回访座席{n + 1}", lines, "", False, at) for n in range(10)]
        return {"agents": agents, "seats": seats}


def _call_rows(calls: DayCalls) -> Rows:
    records = [*calls.inbound, *calls.callbacks]
    call_columns = COLUMNS["calls"]
    return {
        "calls": [_ordered(call_values(r), call_columns) for r in records],
        "call_attempts": [
            _ordered(values, COLUMNS["call_attempts"])
            for r in records
            for values in attempt_values(r)
        ],
        "seat_states": [
            _ordered(seat_state_values(w), COLUMNS["seat_states"]) for w in calls.wrapups
        ],
        "agent_sessions": [
            _ordered(agent_session_values(s), COLUMNS["agent_sessions"]) for s in calls.sessions
        ],
        "callback_tasks": [
            _ordered(callback_task_values(t), COLUMNS["callback_tasks"]) for t in calls.tasks
        ],
        "recordings": calls.recordings,
    }


def _ordered(values: dict[str, Any], columns: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(values[name] for name in columns)


# -- copying -------------------------------------------------------------------------------


class Copier:
    """Rows waiting for ``COPY``, flushed table by table, parents first."""

    def __init__(self, conn: Any, report: LoadReport) -> None:
        self.conn = conn
        self.report = report
        self.waiting: Rows = {table: [] for table in TABLES}

    def add(self, rows: Rows) -> int:
        for table, found in rows.items():
            self.waiting[table].extend(found)
        return sum(len(found) for found in self.waiting.values())

    async def flush(self) -> None:
        started = time.perf_counter()
        for table in TABLES:
            found, self.waiting[table] = self.waiting[table], []
            if found:
                await self.conn.copy_records_to_table(
                    table, records=found, columns=list(COLUMNS[table])
                )
                self.report.rows[table] += len(found)
        self.report.copy_seconds += time.perf_counter() - started


_DONE = object()


def _produce(year: YearRows, out: queue.Queue[Any]) -> None:
    try:
        for item in year:
            out.put(item)
        out.put(_DONE)
    except BaseException as exc:  # handed to the consumer, raised there
        out.put(exc)


async def load_year(url: str, plan: YearPlan, progress: Progress) -> LoadReport:
    """Generate the plan's year into the (migrated, empty) database at ``url``."""
    started = time.perf_counter()
    report = LoadReport(plan, _database_of(url))
    year = YearRows(plan)
    engine = bench_engine(url)
    try:
        async with engine.connect() as connection:
            # asyncpg's own connection: COPY, and no transaction around VACUUM
            conn = (await connection.get_raw_connection()).driver_connection
            await _copy_year(conn, year, report, progress)
    finally:
        await engine.dispose()
    report.seconds = time.perf_counter() - started
    return report


async def _copy_year(conn: Any, year: YearRows, report: LoadReport, progress: Progress) -> None:
    await conn.execute("SET synchronous_commit = off")
    copier = Copier(conn, report)
    copier.add({"qa_forms": [form_row(year.days[0].start)]})
    await _copy_days(year, copier, report, progress)
    copier.add(year.fixed_rows())
    await copier.flush()
    await _move_sequences(conn)
    progress("VACUUM ANALYZE …")
    vacuum_started = time.perf_counter()
    await conn.execute("VACUUM ANALYZE")
    report.vacuum_seconds = time.perf_counter() - vacuum_started


async def _copy_days(
    year: YearRows, copier: Copier, report: LoadReport, progress: Progress
) -> None:
    days: queue.Queue[Any] = queue.Queue(maxsize=4)
    producer = threading.Thread(target=_produce, args=(year, days), daemon=True)
    producer.start()
    while (item := await asyncio.to_thread(days.get)) is not _DONE:
        if isinstance(item, BaseException):
            raise item
        day, rows = item
        report.inbound_calls += day.calls
        report.callback_calls += len(rows["calls"]) - day.calls
        report.orders += len(rows["work_orders"])
        if copier.add(rows) >= BATCH_ROWS:
            await copier.flush()
        if (day.day + timedelta(days=1)).day == 1:
            progress(
                f"{day.day:%Y-%m} generated: {report.inbound_calls:,} calls, "
                f"{report.orders:,} orders so far ({report.inbound_calls / year.plan.calls:.0%})"
            )
    await copier.flush()
    producer.join()


async def _move_sequences(conn: Any) -> None:
    for table in OWN_IDS:
        await conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"coalesce(max(id), 0) + 1, false) FROM {table}"
        )
