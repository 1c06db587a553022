"""Every real Asterisk 22 capture replays through the real parser, fact maker and ledger,
and the calls come out as they happened (expectations checked by hand against the files)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from acd.replay import TranscriptReplay, replay_file
from telephony.facts import CallAnswered, CallerWaiting, LinkDown, LinkUp, SeatMissed
from telephony.transcript import TranscriptError, read_transcript
from tests.conftest import CAPTURES
from tickets.records import CallRecord
from web.cli import main

ALL_CAPTURES = sorted(CAPTURES.glob("*.amitrace"))
RECORDINGS = "/var/spool/hotline/recordings"


def calls_of(name: str) -> list[CallRecord]:
    return TranscriptReplay(read_transcript(CAPTURES / f"{name}.amitrace")).run().calls


def test_all_sixteen_captures_are_there() -> None:
    assert len(ALL_CAPTURES) == 16


@pytest.mark.parametrize("path", ALL_CAPTURES, ids=lambda p: p.stem)
def test_every_capture_replays_without_error(path: Path) -> None:
    result = TranscriptReplay(read_transcript(path)).run()
    assert any(isinstance(fact, LinkUp) for fact in result.facts)
    for call in result.calls:
        assert call.ended_at is not None, f"{call.call_id} never ended"
        assert call.outcome is not None


def test_routed_answered_call() -> None:
    (call,) = calls_of("routed_answered")
    assert (call.line, call.caller_number, call.seat, call.outcome) == (
        "12345",
        "13800138000",
        "8001",
        "answered",
    )
    assert call.style == "routed"
    assert call.wait_seconds == pytest.approx(3.007, abs=0.01)
    assert call.talk_seconds == pytest.approx(3.007, abs=0.01)
    assert call.recording_path == f"{RECORDINGS}/1795458352.0.wav"


def test_routed_seat_that_does_not_answer_is_followed_by_the_next_seat() -> None:
    (call,) = calls_of("routed_agent_noanswer")
    assert [(a.seat, a.result) for a in call.attempts] == [("8008", "NOANSWER"), ("8002", "ANSWER")]
    assert call.seat == "8002"
    assert call.outcome == "answered"
    assert call.wait_seconds == pytest.approx(23.0, abs=0.1)
    assert call.misses == 1


def test_routed_caller_who_hangs_up_on_hold_is_abandoned() -> None:
    (call,) = calls_of("routed_abandon")
    assert call.outcome == "abandoned"
    assert call.seat is None
    assert call.answered_at is None
    assert call.wait_seconds == pytest.approx(5.0, abs=0.05)
    assert call.end_cause == 16


def test_queue_answered_call_is_measured_from_app_queue_events() -> None:
    (call,) = calls_of("queue_answered")
    assert (call.style, call.seat, call.outcome) == ("queue", "8001", "answered")
    assert call.wait_seconds == pytest.approx(1.0, abs=0.05)
    assert call.talk_seconds == pytest.approx(3.0, abs=0.05)


def test_queue_caller_hanging_up_while_a_seat_rings_is_abandoned() -> None:
    (call,) = calls_of("queue_abandon")
    assert call.outcome == "abandoned"
    assert [(a.seat, a.result) for a in call.attempts] == [("8001", "CANCEL")]
    assert call.misses == 0  # the seat did not miss it: the caller left


def test_queue_ring_no_answer_then_next_member() -> None:
    (call,) = calls_of("queue_ringnoanswer")
    assert [(a.seat, a.result) for a in call.attempts] == [("8001", "NOANSWER"), ("8002", "ANSWER")]
    assert call.wait_seconds == pytest.approx(18.0, abs=0.1)


def test_three_callers_two_seats_third_waits_for_a_free_seat() -> None:
    calls = calls_of("queue_two_agents_three_callers")
    assert [c.seat for c in calls] == ["8001", "8002", "8001"]
    assert [c.outcome for c in calls] == ["answered"] * 3
    assert calls[2].wait_seconds == pytest.approx(8.0, abs=0.1)


def test_burst_of_fifty_has_46_answered_and_4_abandoned() -> None:
    calls = calls_of("burst_50")
    assert len(calls) == 50
    assert Counter(c.outcome for c in calls) == {"answered": 46, "abandoned": 4}
    assert {c.seat for c in calls if c.seat} == {"8001", "8002", "8003", "8004"}
    assert all(c.recording_path for c in calls)


def test_reconnect_keeps_the_call_and_sees_it_end_on_the_new_link() -> None:
    replay = TranscriptReplay(read_transcript(CAPTURES / "reconnect.amitrace"))
    result = replay.run()
    kinds = [type(f).__name__ for f in result.facts if isinstance(f, (LinkUp, LinkDown))]
    assert kinds[:3] == ["LinkUp", "LinkDown", "LinkUp"]
    (call,) = result.calls
    assert call.outcome == "answered"
    assert call.seat == "8001"
    assert call.talk_seconds == pytest.approx(5.0, abs=0.1)


def test_sip_caller_and_sip_agent() -> None:
    (call,) = calls_of("pjsip_queue_sip_agent")
    assert (call.caller_number, call.seat, call.outcome) == ("sipp", "sipagent", "answered")


def test_timestamp_header_gives_asterisk_time() -> None:
    replay = TranscriptReplay(read_transcript(CAPTURES / "queue_latency_20.amitrace"))
    result = replay.run()
    assert len(result.calls) == 20
    assert all(c.outcome == "answered" for c in result.calls)
    waits = [c.wait_seconds or 0.0 for c in result.calls]
    assert max(waits) < 0.01  # QueueCallerJoin -> AgentConnect is milliseconds on Asterisk's clock


def test_paused_member_is_skipped_and_unpaused_member_takes_the_waiting_caller() -> None:
    calls = calls_of("agent_pause")
    assert [c.seat for c in calls] == ["8002", "8003", "8001"]


def test_facts_are_keyed_by_the_caller_uniqueid() -> None:
    result = TranscriptReplay(read_transcript(CAPTURES / "routed_agent_noanswer.amitrace")).run()
    waits = [f for f in result.facts if isinstance(f, CallerWaiting)]
    assert [w.reason for w in waits] == ["new", "NOANSWER"]
    assert {w.call_id for w in waits} == {"1795458361.0"}
    missed = [f for f in result.facts if isinstance(f, SeatMissed)]
    answered = [f for f in result.facts if isinstance(f, CallAnswered)]
    assert [(m.seat, m.status) for m in missed] == [("8008", "NOANSWER")]
    assert [a.seat for a in answered] == ["8002"]


def test_replay_command_prints_facts_then_one_summary_per_call(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["ami", "replay", str(CAPTURES / "routed_answered.amitrace")]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    kinds = [item["type"] for item in lines]
    assert kinds[-1] == "call"
    assert kinds.count("call") == 1
    assert kinds.index("call") == len(kinds) - 1
    summary = lines[-1]
    for key in (
        "line",
        "caller_number",
        "queued_at",
        "answered_at",
        "ended_at",
        "seat",
        "outcome",
        "wait_seconds",
        "talk_seconds",
        "recording_path",
    ):
        assert key in summary
    assert summary["outcome"] == "answered"
    assert summary["queued_at"].startswith("2026-11-23T18:25:52")


def test_replay_command_rejects_a_missing_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["ami", "replay", str(tmp_path / "nope.amitrace")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_a_truncated_transcript_is_refused_with_its_offset(tmp_path: Path) -> None:
    data = (CAPTURES / "routed_answered.amitrace").read_bytes()
    broken = tmp_path / "broken.amitrace"
    broken.write_bytes(data[: len(data) // 2])
    with pytest.raises(TranscriptError, match="offset"):
        list(replay_file(broken))
