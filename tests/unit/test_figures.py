"""The contract's figures from call records: each definition checked on a hand-made day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from acd.figures import FigureRules, compute_figures, last_minutes
from tickets.records import CallRecord, SeatAttempt

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def call(
    n: int,
    wait: float,
    talk: float | None = None,
    seat: str = "8001",
    outcome: str | None = None,
    **kw: object,
) -> CallRecord:
    queued = T0 + timedelta(minutes=n)
    answered = queued + timedelta(seconds=wait) if talk is not None else None
    ended = (
        (answered + timedelta(seconds=talk))
        if answered and talk is not None
        else queued + timedelta(seconds=wait)
    )
    return CallRecord(
        server="pbx1",
        call_id=f"c{n}",
        linked_id=f"c{n}",
        line="12345",
        caller_number="13800138000",
        queued_at=queued,
        answered_at=answered,
        ended_at=ended,
        seat=seat if talk is not None else None,
        outcome=outcome or ("answered" if talk is not None else "abandoned"),  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


def test_fifteen_second_rate_and_connection_rate() -> None:
    records = [
        call(1, wait=3, talk=60),
        call(2, wait=15, talk=30),  # exactly 15 s counts as within 15 s
        call(3, wait=16, talk=30),
        call(4, wait=40),  # abandoned
    ]
    figures = compute_figures(records)
    assert figures.offered == 4
    assert figures.answered == 3
    assert figures.answered_in_target == 2
    assert figures.answer_rate_in_target == pytest.approx(0.5)
    assert figures.connection_rate == pytest.approx(0.75)
    assert figures.abandoned == 1
    assert figures.asa == pytest.approx((3 + 15 + 16) / 3)
    assert figures.average_talk == pytest.approx(40)
    assert figures.longest_wait_answered == pytest.approx(16)


def test_short_abandons_are_counted_apart_and_excluded_only_when_the_contract_says_so() -> None:
    records = [call(1, wait=2), call(2, wait=10, talk=5)]
    plain = compute_figures(records, FigureRules(short_abandon=5))
    assert (plain.offered, plain.short_abandoned, plain.abandoned) == (2, 1, 1)
    excluded = compute_figures(records, FigureRules(short_abandon=5, exclude_short_abandons=True))
    assert excluded.offered == 1
    assert excluded.connection_rate == pytest.approx(1.0)


def test_a_caller_still_waiting_is_not_offered_yet() -> None:
    waiting = CallRecord("pbx1", "w", "w", "12345", "139", queued_at=T0)
    figures = compute_figures([waiting, call(1, wait=3, talk=10)])
    assert figures.offered == 1


def test_an_answered_call_still_talking_counts_as_answered_without_talk_time() -> None:
    talking = CallRecord(
        "pbx1",
        "t",
        "t",
        "12345",
        "139",
        queued_at=T0,
        answered_at=T0 + timedelta(seconds=4),
        seat="8002",
    )
    figures = compute_figures([talking])
    assert (figures.offered, figures.answered, figures.talk_counted) == (1, 1, 0)


def test_per_seat_answered_missed_and_talk() -> None:
    missed = SeatAttempt("8002", T0, T0 + timedelta(seconds=15), "NOANSWER")
    cancelled = SeatAttempt("8003", T0, T0 + timedelta(seconds=2), "CANCEL")
    records = [
        call(
            1,
            wait=20,
            talk=100,
            seat="8001",
            attempts=(missed, SeatAttempt("8001", T0, T0, "ANSWER")),
        ),
        call(2, wait=5, talk=50, seat="8002"),
        call(3, wait=9, attempts=(cancelled,)),
    ]
    seats = {s.seat: s for s in compute_figures(records).per_seat}
    assert (seats["8001"].answered, seats["8001"].missed, seats["8001"].talk_seconds) == (1, 0, 100)
    assert (seats["8002"].answered, seats["8002"].missed) == (1, 1)
    assert "8003" not in seats or seats["8003"].missed == 0


def test_satisfaction_counts() -> None:
    records = [
        call(1, 3, 10, survey_score=1),
        call(2, 3, 10, survey_score=2),
        call(3, 3, 10, survey_score=3),
    ]
    figures = compute_figures(records)
    assert (figures.rated, figures.satisfied, figures.basically_satisfied) == (3, 1, 1)


def test_other_outcomes_are_offered_but_not_abandoned() -> None:
    records = [
        call(1, wait=300, outcome="timeout"),
        call(2, wait=1, outcome="no_seat"),
        call(3, wait=9, outcome="lost"),
    ]
    figures = compute_figures(records)
    assert (figures.offered, figures.abandoned, figures.timeout, figures.no_seat, figures.lost) == (
        3,
        0,
        1,
        1,
        1,
    )


def test_last_thirty_minutes_window() -> None:
    records = [call(n, wait=3, talk=10) for n in range(0, 60, 10)]
    now = T0 + timedelta(minutes=60)
    assert [r.call_id for r in last_minutes(records, now, 30)] == ["c30", "c40", "c50"]


def test_no_calls_no_rates() -> None:
    figures = compute_figures([])
    assert figures.answer_rate_in_target is None
    assert figures.connection_rate is None
    assert figures.asa is None
