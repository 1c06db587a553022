"""Spill lines: every record survives the trip to JSON and back."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from tickets.records import (
    AgentSession,
    AuditEntry,
    CallbackTask,
    CallRecord,
    SeatAttempt,
    SeatStateInterval,
    WorkOrderDraft,
)
from tickets.spill import decode, encode

T0 = datetime(2026, 11, 23, 8, 0, 0, 123456, tzinfo=UTC)


def full_call() -> CallRecord:
    return CallRecord(
        server="pbx1",
        call_id="1732345678.42",
        linked_id="1732345678.42",
        line="12345",
        caller_number="13912345678",
        queued_at=T0,
        caller_name="张三\n",
        channel="PJSIP/trunk-00000007",
        answered_at=(T0 + timedelta(seconds=12)).astimezone(timezone(timedelta(hours=8))),
        ended_at=T0 + timedelta(seconds=200),
        seat="seat02",
        outcome="answered",
        end_cause=16,
        survey_score=3,
        attempts=(
            SeatAttempt("seat01", T0, T0 + timedelta(seconds=5), "NOANSWER"),
            SeatAttempt("seat02", T0 + timedelta(seconds=6)),
        ),
        version=1_795_458_400_000_000,
    )


def full_task() -> CallbackTask:
    return CallbackTask(
        task_id="pbx1/1732345678.42",
        server="pbx1",
        call_id="1732345678.42",
        line="962121",
        caller_number="13912345678",
        reason="kept_place",
        created_at=T0,
        due_at=T0 + timedelta(hours=2),
        status="reached",
        attempts=2,
        last_attempt_at=T0 + timedelta(minutes=30),
        agent="1001",
        seat="seat02",
        result_call_id="1732347478.51",
        note="已回拨",
        closed_at=T0 + timedelta(minutes=31),
        version=1_795_458_400_000_000,
    )


@pytest.mark.parametrize(
    "record",
    [
        full_call(),
        SeatStateInterval("seat01", "paused", T0, T0 + timedelta(minutes=5), "午休", "1001"),
        SeatStateInterval("seat01", "ready", T0),
        WorkOrderDraft("12345-20261123-AAAA", "pbx1", "c1", "12345", "138", T0, None),
        WorkOrderDraft("12345-20261123-BBBB", "pbx1", "c2", "12345", "138", T0, "seat01", "1001"),
        AgentSession("1001", "seat01", T0),
        AgentSession("1001", "seat01", T0, T0 + timedelta(hours=8), ended_by="supervisor1"),
        full_task(),
        AuditEntry("e1", T0, "supervisor1", "seat.force_pause", "seat:8001"),
        AuditEntry(
            "e2",
            T0,
            "qa-zhang",
            "call.listen",
            "call:pbx1/1732345678.42",
            {"原因": "抽检\n", "range": "bytes=0-"},
            "10.0.0.7",
        ),
        # details shaped like a stored time stay details, whatever their text
        AuditEntry("e3", T0, "a", "b", "c", {"t": "2026-11-23T08:00:00+00:00"}),
        AuditEntry("e4", T0, "a", "b", "c", {"t": "not a time"}),
    ],
)
def test_a_record_survives_a_spill_line(record: object) -> None:
    line = encode(record, 42)  # type: ignore[arg-type]
    assert line.endswith("\n")
    assert line.count("\n") == 1  # one record, one line, whatever its text holds
    assert decode(line) == (42, record)


def test_a_damaged_line_is_refused() -> None:
    line = encode(full_call(), 1)
    with pytest.raises(json.JSONDecodeError):
        decode(line[: len(line) // 2])
