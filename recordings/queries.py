"""Finding recordings: the filtered list the recordings page pages through (each with
its call and work order), a call's recording, and the log of who played what.

A recording belongs to a work order either as the recording of the call the order was
accepted on (``work_orders.server/call_id``) or as a callback (回访) call placed for
the order (``order_revisits.server/call_id``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from recordings.models import RecordingAccessRow, RecordingRow
from tickets.models import CallRow, WorkOrderRow
from tickets.order_models import OrderRevisitRow

ACCESS_ACTIONS = ("play", "download", "purge", "hold", "release")


@dataclass(frozen=True, slots=True)
class RecordingQuery:
    """Filters of the recording list; ``None`` filters nothing."""

    caller: str | None = None  # the caller's number (the citizen's, for a callback)
    agent: str | None = None  # staff number of the agent who answered
    seat: str | None = None
    line: str | None = None
    kind: str | None = None  # call, callback
    state: str | None = None
    start: datetime | None = None  # call started at or after
    end: datetime | None = None  # call started before
    min_seconds: float | None = None  # duration of the stored recording
    max_seconds: float | None = None
    order: str | None = None  # work order number (工单号)
    outcome: str | None = None  # the call's outcome (answered, abandoned, …)
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True, slots=True)
class RecordingHit:
    """A recording with the call it recorded (None if the call row is not stored yet)
    and the number of its work order (None if it has none)."""

    recording: RecordingRow
    call: CallRow | None
    order_number: str | None


def _call_order_number() -> Any:
    """The order accepted on the recorded call, or else the order the call called back for."""
    direct = (
        select(func.min(WorkOrderRow.number))
        .where(
            WorkOrderRow.server == RecordingRow.server,
            WorkOrderRow.call_id == RecordingRow.call_id,
        )
        .scalar_subquery()
    )
    revisit = (
        select(func.min(WorkOrderRow.number))
        .join(OrderRevisitRow, OrderRevisitRow.order_id == WorkOrderRow.id)
        .where(
            OrderRevisitRow.server == RecordingRow.server,
            OrderRevisitRow.call_id == RecordingRow.call_id,
        )
        .scalar_subquery()
    )
    return func.coalesce(direct, revisit)


def _belongs_to_order(number: str) -> ColumnElement[bool]:
    direct = exists().where(
        WorkOrderRow.number == number,
        WorkOrderRow.server == RecordingRow.server,
        WorkOrderRow.call_id == RecordingRow.call_id,
    )
    revisit = exists().where(
        WorkOrderRow.number == number,
        OrderRevisitRow.order_id == WorkOrderRow.id,
        OrderRevisitRow.server == RecordingRow.server,
        OrderRevisitRow.call_id == RecordingRow.call_id,
    )
    return or_(direct, revisit)


def _recording_conditions(query: RecordingQuery) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if query.line is not None:
        found.append(RecordingRow.line == query.line)
    if query.kind is not None:
        found.append(RecordingRow.kind == query.kind)
    if query.state is not None:
        found.append(RecordingRow.state == query.state)
    if query.start is not None:
        found.append(RecordingRow.started_at >= query.start)
    if query.end is not None:
        found.append(RecordingRow.started_at < query.end)
    if query.min_seconds is not None:
        found.append(RecordingRow.duration_seconds >= query.min_seconds)
    if query.max_seconds is not None:
        found.append(RecordingRow.duration_seconds <= query.max_seconds)
    if query.order is not None:
        found.append(_belongs_to_order(query.order))
    return found


def _call_conditions(query: RecordingQuery) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if query.caller is not None:
        found.append(CallRow.caller_number == query.caller)
    if query.agent is not None:
        found.append(CallRow.agent == query.agent)
    if query.seat is not None:
        found.append(CallRow.seat == query.seat)
    if query.outcome is not None:
        found.append(CallRow.outcome == query.outcome)
    return found


_CALL_OF_RECORDING = and_(
    CallRow.server == RecordingRow.server, CallRow.call_id == RecordingRow.call_id
)


async def search_recordings(
    session: AsyncSession, query: RecordingQuery
) -> tuple[list[RecordingHit], int]:
    """One page of the matching recordings, newest call first, and how many match in all."""
    conditions = _recording_conditions(query) + _call_conditions(query)
    total = await session.scalar(
        select(func.count())
        .select_from(RecordingRow)
        .outerjoin(CallRow, _CALL_OF_RECORDING)
        .where(*conditions)
    )
    result = await session.execute(
        select(RecordingRow, CallRow, _call_order_number().label("order_number"))
        .outerjoin(CallRow, _CALL_OF_RECORDING)
        .where(*conditions)
        .order_by(RecordingRow.started_at.desc(), RecordingRow.id.desc())
        .limit(query.limit)
        .offset(query.offset)
    )
    hits = [RecordingHit(recording, call, number) for recording, call, number in result.all()]
    return hits, int(total or 0)


async def recording_hit(session: AsyncSession, recording_id: int) -> RecordingHit | None:
    """Recording ``recording_id`` with its call and order number."""
    result = await session.execute(
        select(RecordingRow, CallRow, _call_order_number())
        .outerjoin(CallRow, _CALL_OF_RECORDING)
        .where(RecordingRow.id == recording_id)
    )
    found = result.first()
    if found is None:
        return None
    recording, call, number = found
    return RecordingHit(recording, call, number)


async def recording_of_call(
    session: AsyncSession, server: str, call_id: str
) -> RecordingRow | None:
    """The recording of call ``call_id`` on Asterisk ``server``, if one was made."""
    return await session.scalar(
        select(RecordingRow).where(RecordingRow.server == server, RecordingRow.call_id == call_id)
    )


async def recordings_of_order(session: AsyncSession, number: str) -> list[RecordingRow]:
    """Every recording of work order ``number``: its accepting call and its callbacks."""
    rows = await session.scalars(
        select(RecordingRow)
        .where(_belongs_to_order(number))
        .order_by(RecordingRow.started_at, RecordingRow.id)
    )
    return list(rows)


def log_access(
    session: AsyncSession,
    recording_id: int,
    *,
    at: datetime,
    actor: str,
    action: str,
    source: str = "",
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> RecordingAccessRow:
    """Add one access to the log; the caller commits it with the rest of its unit of work."""
    if action not in ACCESS_ACTIONS:
        raise ValueError(f"unknown recording access {action!r}: one of {ACCESS_ACTIONS}")
    row = RecordingAccessRow(
        recording_id=recording_id,
        at=at,
        actor=actor,
        action=action,
        source=source,
        reason=reason,
        details=dict(details or {}),
    )
    session.add(row)
    return row


async def access_log(
    session: AsyncSession, recording_id: int, limit: int = 200
) -> list[RecordingAccessRow]:
    """Who played, downloaded, held or purged recording ``recording_id``, newest first."""
    rows = await session.scalars(
        select(RecordingAccessRow)
        .where(RecordingAccessRow.recording_id == recording_id)
        .order_by(RecordingAccessRow.at.desc(), RecordingAccessRow.id.desc())
        .limit(limit)
    )
    return list(rows)
