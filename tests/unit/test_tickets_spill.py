"""Spill lines: every record survives the trip to JSON and back."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from tickets.records import CallRecord, SeatAttempt, SeatStateInterval, WorkOrderDraft
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


@pytest.mark.parametrize(
    "record",
    [
        full_call(),
        SeatStateInterval("seat01", "paused", T0, T0 + timedelta(minutes=5), "午休", "1001"),
        SeatStateInterval("seat01", "ready", T0),
        WorkOrderDraft("12345-20261123-AAAA", "pbx1", "c1", "12345", "138", T0, None),
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
