"""Idempotent upserts of records, for the write-behind writer: one call per batch.

Each statement is ``INSERT … ON CONFLICT (key) DO UPDATE … WHERE <the stored row is
older>``, so a batch can be written again after a failure, and a snapshot arriving
late never overwrites a newer one:
- calls: the higher ``version`` wins; the attempts of a call are replaced whenever
  its row is;
- seat_states: a closed interval is never reopened;
- work_orders: a draft is rewritten only while the order is still a draft;
- agent_sessions: a closed session is never reopened;
- callback_tasks: the higher ``version`` wins;
- audit_log: an entry is inserted once and never changed.

``is_row_problem`` tells a write that failed because of its rows from one that failed
because of the database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Table, and_, delete, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncConnection

from tickets.mapping import (
    agent_session_values,
    attempt_values,
    audit_values,
    call_values,
    callback_task_values,
    order_values,
    seat_state_values,
)
from tickets.models import (
    AgentSessionRow,
    AuditRow,
    CallAttemptRow,
    CallbackTaskRow,
    CallRow,
    SeatStateRow,
    WorkOrderRow,
)
from tickets.pending import Writable
from tickets.records import (
    AgentSession,
    AuditEntry,
    CallbackTask,
    CallRecord,
    SeatStateInterval,
    WorkOrderDraft,
)

_CALLS: Table = CallRow.__table__  # type: ignore[assignment]
_ATTEMPTS: Table = CallAttemptRow.__table__  # type: ignore[assignment]
_SEAT_STATES: Table = SeatStateRow.__table__  # type: ignore[assignment]
_ORDERS: Table = WorkOrderRow.__table__  # type: ignore[assignment]
_AGENT_SESSIONS: Table = AgentSessionRow.__table__  # type: ignore[assignment]
_CALLBACK_TASKS: Table = CallbackTaskRow.__table__  # type: ignore[assignment]
_AUDIT: Table = AuditRow.__table__  # type: ignore[assignment]

# the columns a newer draft may change; the rest belong to the order's life cycle
_DRAFT_COLUMNS = ("line", "caller_number", "seat", "agent")


def upsert(dialect_name: str, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that takes ``on_conflict_do_update`` on this database."""
    if dialect_name == "postgresql":
        return postgresql.insert(table)
    if dialect_name == "sqlite":
        return sqlite.insert(table)
    raise ValueError(f"no upsert for the {dialect_name} dialect")


async def write_batch(conn: AsyncConnection, items: Iterable[Writable]) -> None:
    """Store the items inside the caller's transaction; keys must be unique in one batch."""
    by_kind: dict[type, list[Any]] = defaultdict(list)
    for item in items:
        if type(item) not in _WRITERS:
            raise TypeError(f"not a record the database keeps: {item!r}")
        by_kind[type(item)].append(item)
    for kind, write in _WRITERS.items():
        if by_kind[kind]:
            await write(conn, by_kind[kind])


async def write_calls(conn: AsyncConnection, records: Sequence[CallRecord]) -> None:
    if not records:
        return
    stmt = upsert(conn.dialect.name, _CALLS)
    updated = {
        name: stmt.excluded[name]
        for name in call_values(records[0])
        if name not in ("server", "call_id")
    }
    stmt = stmt.on_conflict_do_update(
        index_elements=["server", "call_id"],
        set_=updated,
        where=_CALLS.c.version < stmt.excluded.version,
    )
    # RETURNING names only the rows inserted or updated: those get their new attempts
    result = await conn.execute(
        stmt.returning(_CALLS.c.server, _CALLS.c.call_id), [call_values(r) for r in records]
    )
    changed = {(row.server, row.call_id) for row in result}
    if changed:
        await _replace_attempts(conn, [r for r in records if r.key in changed])


async def _replace_attempts(conn: AsyncConnection, records: Sequence[CallRecord]) -> None:
    by_server: dict[str, list[str]] = defaultdict(list)
    for record in records:
        by_server[record.server].append(record.call_id)
    for server, call_ids in by_server.items():
        await conn.execute(
            delete(_ATTEMPTS).where(
                and_(_ATTEMPTS.c.server == server, _ATTEMPTS.c.call_id.in_(call_ids))
            )
        )
    rows: list[dict[str, Any]] = [row for record in records for row in attempt_values(record)]
    if rows:
        await conn.execute(insert(_ATTEMPTS), rows)


async def write_seat_states(conn: AsyncConnection, intervals: Sequence[SeatStateInterval]) -> None:
    stmt = upsert(conn.dialect.name, _SEAT_STATES)
    stmt = stmt.on_conflict_do_update(
        index_elements=["seat", "started_at"],
        set_={name: stmt.excluded[name] for name in ("state", "ended_at", "reason", "agent")},
        where=_SEAT_STATES.c.ended_at.is_(None),
    )
    await conn.execute(stmt, [seat_state_values(interval) for interval in intervals])


async def write_orders(conn: AsyncConnection, drafts: Sequence[WorkOrderDraft]) -> None:
    stmt = upsert(conn.dialect.name, _ORDERS)
    stmt = stmt.on_conflict_do_update(
        index_elements=["number"],
        set_={name: stmt.excluded[name] for name in _DRAFT_COLUMNS},
        where=and_(
            _ORDERS.c.status == "draft",
            _ORDERS.c.server == stmt.excluded.server,
            _ORDERS.c.call_id == stmt.excluded.call_id,
        ),
    )
    await conn.execute(stmt, [order_values(draft) for draft in drafts])


async def write_agent_sessions(conn: AsyncConnection, sessions: Sequence[AgentSession]) -> None:
    stmt = upsert(conn.dialect.name, _AGENT_SESSIONS)
    stmt = stmt.on_conflict_do_update(
        index_elements=["agent", "started_at"],
        set_={name: stmt.excluded[name] for name in ("seat", "ended_at", "ended_by")},
        where=_AGENT_SESSIONS.c.ended_at.is_(None),
    )
    await conn.execute(stmt, [agent_session_values(session) for session in sessions])


async def write_callback_tasks(conn: AsyncConnection, tasks: Sequence[CallbackTask]) -> None:
    stmt = upsert(conn.dialect.name, _CALLBACK_TASKS)
    values = [callback_task_values(task) for task in tasks]
    stmt = stmt.on_conflict_do_update(
        index_elements=["task_id"],
        set_={name: stmt.excluded[name] for name in values[0] if name != "task_id"},
        where=_CALLBACK_TASKS.c.version < stmt.excluded.version,
    )
    await conn.execute(stmt, values)


async def write_audit(conn: AsyncConnection, entries: Sequence[AuditEntry]) -> None:
    stmt = upsert(conn.dialect.name, _AUDIT).on_conflict_do_nothing(index_elements=["entry_id"])
    await conn.execute(stmt, [audit_values(entry) for entry in entries])


_WRITERS: dict[type, Callable[[AsyncConnection, Sequence[Any]], Awaitable[None]]] = {
    CallRecord: write_calls,
    SeatStateInterval: write_seat_states,
    WorkOrderDraft: write_orders,
    AgentSession: write_agent_sessions,
    CallbackTask: write_callback_tasks,
    AuditEntry: write_audit,
}


# SQLSTATE classes of errors caused by the values written: 22 data exception,
# 23 integrity constraint violation (asyncpg reports some, e.g. an integer out of
# range, as a plain DBAPIError that carries only the SQLSTATE)
_ROW_SQLSTATE_CLASSES = ("22", "23")


def is_row_problem(error: Exception) -> bool:
    """A failure caused by the rows written (retrying them alone will fail again),
    as opposed to the database being away, locked, or not migrated yet."""
    if isinstance(error, DBAPIError):
        if error.connection_invalidated:
            return False
        if isinstance(error, IntegrityError | DataError):
            return True
        sqlstate = getattr(error.orig, "sqlstate", None)
        return isinstance(sqlstate, str) and sqlstate[:2] in _ROW_SQLSTATE_CLASSES
    # a value refused while binding parameters, before the driver saw it
    return isinstance(error, StatementError)
