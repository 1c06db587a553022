"""Records <-> table rows, in one place: what the writer inserts and what queries read back.

``*_values`` give the column values of a record (dicts for Core inserts);
``*_from_row`` turn loaded ORM rows back into the frozen records.
"""

from __future__ import annotations

from typing import Any, cast

from tickets.models import CallAttemptRow, CallRow, SeatStateRow
from tickets.records import (
    CallRecord,
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
    return CallRecord(**values, attempts=tuple(attempt_from_row(a) for a in row.attempts))


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
        "status": draft.status,
        "created_at": draft.created_at,
        "updated_at": draft.created_at,
    }
