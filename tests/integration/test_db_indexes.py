"""The report queries can be served by indexes: the SQL they really send is explained,
and no plan reads a whole table (on PostgreSQL with sequential scans discouraged, so
an empty table still shows which index the planner could use)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests.integration.db_kit import at, call, migrated_engine
from tickets.agents import agent_sessions_between
from tickets.audit import list_audit
from tickets.callbacks import get_callback_task, list_callback_tasks, open_callback_tasks
from tickets.calls import callers_since, calls_queued_between, list_calls
from tickets.db import session_factory
from tickets.orders import open_orders_by_caller
from tickets.records import SeatAttempt
from tickets.seats import seat_states_between
from tickets.store import write_batch

Query = Callable[[AsyncSession], Awaitable[object]]
DAYS_30 = 30 * 86_400

REPORT_QUERIES: dict[str, Query] = {
    "a month of one line": lambda s: list_calls(s, start=at(0), end=at(30 * 86_400), line="12345"),
    "a month of one seat": lambda s: list_calls(s, start=at(0), end=at(30 * 86_400), seat="seat1"),
    "a caller's history": lambda s: list_calls(s, caller_number="13800000000"),
    "the newest calls": lambda s: list_calls(s, limit=50),
    "the calls of a day": lambda s: calls_queued_between(s, at(0), at(86_400)),
    "seat states of a day": lambda s: seat_states_between(s, at(0), at(86_400)),
    "a month of one agent": lambda s: list_calls(s, start=at(0), end=at(DAYS_30), agent="1001"),
    "callers of the last day": lambda s: callers_since(s, at(0)),
    "open orders by caller": open_orders_by_caller,
    "agent sessions of a day": lambda s: agent_sessions_between(s, at(0), at(86_400)),
    "an agent's sessions": lambda s: agent_sessions_between(s, at(0), at(DAYS_30), agent="1001"),
    "a seat's sessions": lambda s: agent_sessions_between(s, at(0), at(DAYS_30), seat="seat1"),
    "a callback task": lambda s: get_callback_task(s, "pbx1/c1"),
    "the callback list": list_callback_tasks,
    "open callbacks of a line": lambda s: list_callback_tasks(s, status="open", line="12345"),
    "open callbacks of an agent": lambda s: list_callback_tasks(s, status="open", agent="1001"),
    "callbacks due soon": lambda s: list_callback_tasks(s, status="pending", due_before=at(60)),
    "a caller's callbacks": lambda s: list_callback_tasks(s, caller_number="13800000000"),
    "every open callback": open_callback_tasks,
    "the newest audit entries": list_audit,
    "audit of a day": lambda s: list_audit(s, start=at(0), end=at(86_400)),
    "audit of an actor": lambda s: list_audit(s, actor="supervisor1"),
    "audit of a target": lambda s: list_audit(s, target="seat:8001"),
    "audit of an action": lambda s: list_audit(s, action="call.listen"),
}
TABLES = "calls|call_attempts|seat_states|work_orders|agent_sessions|callback_tasks|audit_log"
WHOLE_TABLE_SCAN = re.compile(rf"(^|\s)SCAN ({TABLES})\s*$")
# SQLite walking a whole index: fine for a page in index order (LIMIT) or a count of the
# whole table (no WHERE), a whole-table read for anything else
WHOLE_INDEX_SCAN = re.compile(rf"(^|\s)SCAN ({TABLES}) USING (COVERING )?INDEX")
# an index range open towards the past reads the whole history before a period
WHOLE_HISTORY = re.compile(r"SEARCH \w+ USING (COVERING )?INDEX \w+ \((started_at|queued_at)<\?\)")


async def _sent_sql(engine: AsyncEngine, query: Query) -> list[tuple[str, Any]]:
    sent: list[tuple[str, Any]] = []

    def remember(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", remember)
    try:
        async with session_factory(engine)() as session:
            await query(session)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", remember)
    return [(sql, params) for sql, params in sent if sql.lstrip().upper().startswith("SELECT")]


async def _plans(engine: AsyncEngine, statements: list[tuple[str, Any]]) -> list[str]:
    plans = []
    async with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            await conn.exec_driver_sql("SET enable_seqscan = off")
            prefix = "EXPLAIN "
        else:
            prefix = "EXPLAIN QUERY PLAN "
        for sql, params in statements:
            rows = (await conn.exec_driver_sql(prefix + sql, params)).all()
            plans.append("\n".join(str(row[-1]) for row in rows))
    return plans


async def test_report_queries_never_read_a_whole_table(database_url: str) -> None:
    async with migrated_engine(database_url) as engine:
        # one answered call with attempts, so the attempt query is sent too
        record = call("c1", seat="seat1", attempts=(SeatAttempt("seat1", at(1)),))
        async with engine.begin() as conn:
            await write_batch(conn, [record])
        for name, query in REPORT_QUERIES.items():
            statements = await _sent_sql(engine, query)
            assert statements, name
            for (sql, _), plan in zip(statements, await _plans(engine, statements), strict=True):
                assert not _reads_a_whole_table(sql, plan), f"{name}:\n{sql}\n{plan}"


def _reads_a_whole_table(sql: str, plan: str) -> bool:
    bounded = re.search(r"\bLIMIT\b", sql) or not re.search(r"\bWHERE\b", sql)
    return "Seq Scan" in plan or any(
        WHOLE_TABLE_SCAN.search(line)
        or WHOLE_HISTORY.search(line)
        or (WHOLE_INDEX_SCAN.search(line) and not bounded)
        for line in plan.splitlines()
    )
