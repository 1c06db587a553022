"""Reading calls back: the call list of the pages, one call, the calls of a period, and the
recent callers the ACD remembers at start.

Every query loads a call's attempts with it; rows never lazy-load. A page of calls or one
call is read as ORM rows (``selectinload``); the calls of a period, many thousand of them
for a month's figures, as plain columns, the attempts joined in the same statement.
Periods are half-open, ``start <= queued_at < end``, in aware datetimes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from tickets.mapping import (
    ATTEMPT_COLUMNS,
    CALL_COLUMNS,
    attempt_from_columns,
    call_from_columns,
    call_from_row,
)
from tickets.models import CallAttemptRow, CallRow
from tickets.records import CallRecord, SeatAttempt


def _with_attempts() -> Select[CallRow]:
    return select(CallRow).options(selectinload(CallRow.attempts))


def _call_filters(
    *,
    start: datetime | None,
    end: datetime | None,
    line: str | None,
    seat: str | None,
    agent: str | None,
    caller_number: str | None,
    outcome: str | None,
) -> list[Any]:
    conditions: list[Any] = []
    if start is not None:
        conditions.append(CallRow.queued_at >= start)
    if end is not None:
        conditions.append(CallRow.queued_at < end)
    if line is not None:
        conditions.append(CallRow.line == line)
    if seat is not None:
        conditions.append(CallRow.seat == seat)
    if agent is not None:
        conditions.append(CallRow.agent == agent)
    if caller_number is not None:
        conditions.append(CallRow.caller_number == caller_number)
    if outcome is not None:
        conditions.append(CallRow.outcome == outcome)
    return conditions


async def list_calls(
    session: AsyncSession,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    line: str | None = None,
    seat: str | None = None,
    agent: str | None = None,
    caller_number: str | None = None,
    outcome: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[CallRecord], int]:
    """One page of calls, newest first, and how many calls match in all."""
    conditions = _call_filters(
        start=start,
        end=end,
        line=line,
        seat=seat,
        agent=agent,
        caller_number=caller_number,
        outcome=outcome,
    )
    total = await session.scalar(select(func.count()).select_from(CallRow).where(*conditions))
    rows = await session.scalars(
        _with_attempts()
        .where(*conditions)
        .order_by(CallRow.queued_at.desc(), CallRow.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [call_from_row(row) for row in rows], total or 0


async def get_call(session: AsyncSession, server: str, call_id: str) -> CallRecord | None:
    row = await session.scalar(
        _with_attempts().where(CallRow.server == server, CallRow.call_id == call_id)
    )
    return None if row is None else call_from_row(row)


async def calls_queued_between(
    session: AsyncSession, start: datetime, end: datetime
) -> list[CallRecord]:
    """Every call queued in [start, end), oldest first: the input of the figures.

    One statement: each call's columns with those of one of its attempts (a call without
    attempts comes once, with NULLs), in the order of the calls, then of the attempts."""
    connection = await session.connection()
    rows = await connection.execute(
        select(CallRow.id, *CALL_COLUMNS, CallAttemptRow.seq, *ATTEMPT_COLUMNS)
        .outerjoin(
            CallAttemptRow,
            and_(
                CallAttemptRow.server == CallRow.server,
                CallAttemptRow.call_id == CallRow.call_id,
            ),
        )
        .where(CallRow.queued_at >= start, CallRow.queued_at < end)
        .order_by(CallRow.queued_at, CallRow.id, CallAttemptRow.seq)
    )
    return _records_of(rows)


def _records_of(rows: Iterable[Row[Any]]) -> list[CallRecord]:
    """The records of rows (call id, CALL_COLUMNS, attempt seq, ATTEMPT_COLUMNS), a call's
    rows one after the other."""
    seq_at = len(CALL_COLUMNS) + 1
    records: list[CallRecord] = []
    current: Row[Any] | None = None
    attempts: list[SeatAttempt] = []
    for row in rows:
        if current is None or row[0] != current[0]:
            if current is not None:
                records.append(call_from_columns(current[1:seq_at], attempts))
            current, attempts = row, []
        if row[seq_at] is not None:
            attempts.append(attempt_from_columns(row[seq_at + 1 :]))
    if current is not None:
        records.append(call_from_columns(current[1:seq_at], attempts))
    return records


async def callers_since(session: AsyncSession, since: datetime) -> dict[str, datetime]:
    """Caller number -> when their latest inbound call since ``since`` was queued
    (repeated calls within a day are routed with priority); withheld numbers ("") left out."""
    rows = await session.execute(
        select(CallRow.caller_number, CallRow.queued_at).where(
            CallRow.queued_at >= since, CallRow.direction == "in", CallRow.caller_number != ""
        )
    )
    # grouped here: a GROUP BY would tempt SQLite's planner to walk the whole
    # (caller_number, queued_at) index rather than the period's part of queued_at
    last: dict[str, datetime] = {}
    for number, queued in rows:
        if number not in last or queued > last[number]:
            last[number] = queued
    return last
