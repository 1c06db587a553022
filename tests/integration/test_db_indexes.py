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
from tickets.calls import calls_queued_between, list_calls
from tickets.db import session_factory
from tickets.records import SeatAttempt
from tickets.seats import seat_states_between
from tickets.store import write_batch

Query = Callable[[AsyncSession], Awaitable[object]]

REPORT_QUERIES: dict[str, Query] = {
    "a month of one line": lambda s: list_calls(s, start=at(0), end=at(30 * 86_400), line="12345"),
    "a month of one seat": lambda s: list_calls(s, start=at(0), end=at(30 * 86_400), seat="seat1"),
    "a caller's history": lambda s: list_calls(s, caller_number="13800000000"),
    "the newest calls": lambda s: list_calls(s, limit=50),
    "the calls of a day": lambda s: calls_queued_between(s, at(0), at(86_400)),
    "seat states of a day": lambda s: seat_states_between(s, at(0), at(86_400)),
}
WHOLE_TABLE_SCAN = re.compile(r"(^|\s)SCAN (calls|call_attempts|seat_states)\s*$")
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
            for plan in await _plans(engine, statements):
                whole_table = "Seq Scan" in plan or any(
                    WHOLE_TABLE_SCAN.search(line) or WHOLE_HISTORY.search(line)
                    for line in plan.splitlines()
                )
                assert not whole_table, f"{name}:\n{plan}"
