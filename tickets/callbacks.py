"""Reading callback tasks (漏接回拨) back: one task, the task list of the pages, and the open
tasks the callback worker takes up at start.

Tasks are written by the write-behind writer (``submit_callback_task``); the database
keeps the highest version of each. Lists give the open tasks (pending, calling) first,
due soonest first, then the closed ones by due time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_args

from sqlalchemy import Select, false, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from tickets.mapping import callback_task_from_row
from tickets.models import CallbackTaskRow
from tickets.records import CallbackStatus, CallbackTask

# what the list filters on: one status, or every open / every closed one
StatusFilter = CallbackStatus | Literal["open", "closed"]
OPEN_STATUSES: tuple[CallbackStatus, ...] = ("pending", "calling")
CLOSED_STATUSES: tuple[CallbackStatus, ...] = tuple(
    status for status in get_args(CallbackStatus) if status not in OPEN_STATUSES
)


def _in_list_order(query: Select[Any]) -> Select[Any]:
    # closed is false for open tasks: one walk of a (…, closed, due_at) index
    return query.order_by(CallbackTaskRow.closed, CallbackTaskRow.due_at, CallbackTaskRow.id)


def _status_filters(status: StatusFilter) -> list[Any]:
    # "closed = false", never "closed IS false": PostgreSQL's indexes serve only the first
    if status == "open":
        return [CallbackTaskRow.closed == false()]
    if status == "closed":
        return [CallbackTaskRow.closed == true()]
    if status not in get_args(CallbackStatus):
        raise ValueError(f"no such callback status: {status!r}")
    closed = status in CLOSED_STATUSES
    return [CallbackTaskRow.closed == closed, CallbackTaskRow.status == status]


def _task_filters(
    *,
    status: StatusFilter | None,
    line: str | None,
    agent: str | None,
    caller_number: str | None,
    due_before: datetime | None,
) -> list[Any]:
    conditions = [] if status is None else _status_filters(status)
    if line is not None:
        conditions.append(CallbackTaskRow.line == line)
    if agent is not None:
        conditions.append(CallbackTaskRow.agent == agent)
    if caller_number is not None:
        conditions.append(CallbackTaskRow.caller_number == caller_number)
    if due_before is not None:
        conditions.append(CallbackTaskRow.due_at < due_before)
    return conditions


async def get_callback_task(session: AsyncSession, task_id: str) -> CallbackTask | None:
    row = await session.scalar(select(CallbackTaskRow).where(CallbackTaskRow.task_id == task_id))
    return None if row is None else callback_task_from_row(row)


async def list_callback_tasks(
    session: AsyncSession,
    *,
    status: StatusFilter | None = None,
    line: str | None = None,
    agent: str | None = None,
    caller_number: str | None = None,
    due_before: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[CallbackTask], int]:
    """One page of tasks, open ones due soonest first, and how many match in all.

    ``status`` is one status, "open" (pending or calling) or "closed" (any other)."""
    conditions = _task_filters(
        status=status, line=line, agent=agent, caller_number=caller_number, due_before=due_before
    )
    total = await session.scalar(
        select(func.count()).select_from(CallbackTaskRow).where(*conditions)
    )
    rows = await session.scalars(
        _in_list_order(select(CallbackTaskRow).where(*conditions)).limit(limit).offset(offset)
    )
    return [callback_task_from_row(row) for row in rows], total or 0


async def open_callback_tasks(session: AsyncSession) -> list[CallbackTask]:
    """Every open task (pending or calling), due soonest first."""
    rows = await session.scalars(
        _in_list_order(select(CallbackTaskRow).where(*_status_filters("open")))
    )
    return [callback_task_from_row(row) for row in rows]
