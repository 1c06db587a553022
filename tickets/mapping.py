"""Records <-> table rows, in one place: what the writer inserts and what queries read back.

``*_values`` give the column values of a record (dicts for Core inserts);
``*_from_row`` turn loaded ORM rows back into the frozen records, ``*_from_columns`` the
rows of a Core ``select()`` of the same columns (no ORM entity is built: periods of many
thousand calls are read that way).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement

from tickets.models import (
    AgentSessionRow,
    AuditRow,
    CallAttemptRow,
    CallbackTaskRow,
    CallRow,
    SeatStateRow,
)
from tickets.records import (
    AgentSession,
    AuditEntry,
    CallbackReason,
    CallbackStatus,
    CallbackTask,
    CallRecord,
    Direction,
    Outcome,
    SeatAttempt,
    SeatStateInterval,
    SeatStateName,
    WorkOrderDraft,
)

# CallRecord fields stored under the same column name
_CALL_FIELDS = (
    "server",
    "call_id",
    "linked_id",
    "line",
    "caller_number",
    "caller_name",
    "channel",
    "style",
    "queued_at",
    "answered_at",
    "talk_ended_at",
    "ended_at",
    "seat",
    "outcome",
    "end_cause",
    "end_cause_text",
    "queue_result",
    "recording_path",
    "recording_started_at",
    "recording_stopped_at",
    "survey_score",
    "agent",
    "skill",
    "priority",
    "emergency",
    "direction",
    "callback_of",
    "version",
)


def call_values(record: CallRecord) -> dict[str, Any]:
    values = {name: getattr(record, name) for name in _CALL_FIELDS}
    values["wait_seconds"] = record.wait_seconds
    values["talk_seconds"] = record.talk_seconds
    return values


def attempt_values(record: CallRecord) -> list[dict[str, Any]]:
    return [
        {
            "server": record.server,
            "call_id": record.call_id,
            "seq": seq,
            "seat": attempt.seat,
            "rang_at": attempt.rang_at,
            "ended_at": attempt.ended_at,
            "result": attempt.result,
        }
        for seq, attempt in enumerate(record.attempts)
    ]


def attempt_from_row(row: CallAttemptRow) -> SeatAttempt:
    return SeatAttempt(seat=row.seat, rang_at=row.rang_at, ended_at=row.ended_at, result=row.result)


def call_from_row(row: CallRow) -> CallRecord:
    """The record of a row loaded with its attempts (``selectinload(CallRow.attempts)``)."""
    values = {name: getattr(row, name) for name in _CALL_FIELDS}
    values["outcome"] = cast(Outcome | None, row.outcome)
    values["direction"] = cast(Direction, row.direction)
    return CallRecord(**values, attempts=tuple(attempt_from_row(a) for a in row.attempts))


# the columns of a CallRecord, in _CALL_FIELDS order, then those of its attempts
CALL_COLUMNS: tuple[ColumnElement[Any], ...] = tuple(
    getattr(CallRow, name).expression for name in _CALL_FIELDS
)
ATTEMPT_COLUMNS: tuple[ColumnElement[Any], ...] = (
    CallAttemptRow.seat.expression,
    CallAttemptRow.rang_at.expression,
    CallAttemptRow.ended_at.expression,
    CallAttemptRow.result.expression,
)


def attempt_from_columns(values: Sequence[Any]) -> SeatAttempt:
    """The attempt of the values of ``ATTEMPT_COLUMNS``."""
    seat, rang_at, ended_at, result = values
    return SeatAttempt(seat=seat, rang_at=rang_at, ended_at=ended_at, result=result)


def call_from_columns(values: Sequence[Any], attempts: Sequence[SeatAttempt]) -> CallRecord:
    """The record of the values of ``CALL_COLUMNS`` and its attempts, oldest first: the
    same record ``call_from_row`` gives of the loaded row."""
    fields = dict(zip(_CALL_FIELDS, values, strict=True))
    return CallRecord(**fields, attempts=tuple(attempts))


def seat_state_values(interval: SeatStateInterval) -> dict[str, Any]:
    return {
        "seat": interval.seat,
        "state": interval.state,
        "started_at": interval.started_at,
        "ended_at": interval.ended_at,
        "reason": interval.reason,
        "agent": interval.agent,
    }


def seat_state_from_row(row: SeatStateRow) -> SeatStateInterval:
    return SeatStateInterval(
        seat=row.seat,
        state=cast(SeatStateName, row.state),
        started_at=row.started_at,
        ended_at=row.ended_at,
        reason=row.reason,
        agent=row.agent,
    )


def order_values(draft: WorkOrderDraft) -> dict[str, Any]:
    return {
        "number": draft.number,
        "server": draft.server,
        "call_id": draft.call_id,
        "line": draft.line,
        "caller_number": draft.caller_number,
        "seat": draft.seat,
        "agent": draft.agent,
        "status": draft.status,
        "created_at": draft.created_at,
        "updated_at": draft.created_at,
    }


def agent_session_values(session: AgentSession) -> dict[str, Any]:
    return {
        "agent": session.agent,
        "seat": session.seat,
        "started_at": session.started_at,
        "ended_at": session.ended_at,
        "ended_by": session.ended_by,
    }


def agent_session_from_row(row: AgentSessionRow) -> AgentSession:
    return AgentSession(
        agent=row.agent,
        seat=row.seat,
        started_at=row.started_at,
        ended_at=row.ended_at,
        ended_by=row.ended_by,
    )


# CallbackTask fields stored under the same column name: all of them
_TASK_FIELDS = tuple(field.name for field in dataclasses.fields(CallbackTask))


def callback_task_values(task: CallbackTask) -> dict[str, Any]:
    values = {name: getattr(task, name) for name in _TASK_FIELDS}
    values["closed"] = not task.is_open
    return values


def callback_task_from_row(row: CallbackTaskRow) -> CallbackTask:
    values = {name: getattr(row, name) for name in _TASK_FIELDS}
    values["reason"] = cast(CallbackReason, row.reason)
    values["status"] = cast(CallbackStatus, row.status)
    return CallbackTask(**values)


# PostgreSQL text cannot hold U+0000; an audit entry is kept whatever its text holds
_NUL = "\x00"
_NUL_STANDIN = "\ufffd"


def _storable(text: str) -> str:
    return text.replace(_NUL, _NUL_STANDIN)


def check_audit_entry(entry: AuditEntry) -> None:
    """Refuse, at once, an audit entry that could only end as a dead letter."""
    if entry.at.tzinfo is None:
        raise ValueError(f"audit entry {entry.entry_id!r}: naive time {entry.at!r}")
    texts = [entry.entry_id, entry.actor, entry.action, entry.target, entry.source]
    texts += [text for pair in entry.details.items() for text in pair]
    if not all(isinstance(text, str) for text in texts):
        raise ValueError(f"audit entry {entry.entry_id!r}: every field and detail must be text")


def audit_values(entry: AuditEntry) -> dict[str, Any]:
    return {
        "entry_id": _storable(entry.entry_id),
        "at": entry.at,
        "actor": _storable(entry.actor),
        "action": _storable(entry.action),
        "target": _storable(entry.target),
        "details": {_storable(key): _storable(value) for key, value in entry.details.items()},
        "source": _storable(entry.source),
    }


def audit_from_row(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        entry_id=row.entry_id,
        at=row.at,
        actor=row.actor,
        action=row.action,
        target=row.target,
        details=dict(row.details),
        source=row.source,
    )
