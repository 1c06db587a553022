"""Queue calls through the simulated Asterisk read back as the service reads real ones.

The lab dialplan and queues.conf, callers originated as the capture harness
does; what the backend's AMI session received goes through the service's fact
maker and call ledger, and the calls come out as the real captures' do in
test_replay_captures (queue_answered, queue_abandon, queue_ringnoanswer).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from acd.ledger import CallLedger
from telephony.clock import FakeClock
from telephony.fact_maker import FactMaker
from tests.integration.sim_client import AmiTestClient, client, run_clock, running
from tests.integration.sim_replay import lab_config
from tickets.records import CallRecord

START = 1_795_458_401.05  # queue_answered's clock


async def originate(ami: AmiTestClient, clock: FakeClock, number: str, hang_up_after: int) -> None:
    await ami.action(
        "Originate",
        clock,
        Channel="Local/caller@callers",
        Context="hotline-queue",
        Exten="12345",
        Priority="1",
        CallerID=f'"Caller" <{number}>',
        Variable=f"CALLER_HANGUP_AFTER={hang_up_after}",
        Async="true",
    )


def calls_of(ami: AmiTestClient, clock: FakeClock) -> list[CallRecord]:
    """The backend's stream through the fact maker and the ledger (Asterisk's timestamps)."""
    maker, ledger = FactMaker("sim"), CallLedger()
    calls: dict[str, CallRecord] = {}
    for message in ami.frames:
        for fact in maker.feed(message, clock.now()):
            record = ledger.apply(fact)
            if record is not None:
                calls[record.call_id] = record
    return sorted(calls.values(), key=lambda c: c.queued_at)


async def test_an_answered_queue_call_is_measured_from_app_queue_events(tmp_path: Path) -> None:
    clock = FakeClock(start=START)
    config = lab_config(tmp_path, event_timestamps=True)
    async with running(config, clock) as sim, client(sim) as ami:
        await originate(ami, clock, "13800138000", 4)  # 8001 rings 1 s, talks 3 s
        await run_clock(clock, 8.0)
        (call,) = calls_of(ami, clock)
    assert (call.style, call.seat, call.outcome) == ("queue", "8001", "answered")
    assert call.wait_seconds == pytest.approx(1.0, abs=0.05)
    assert call.talk_seconds == pytest.approx(3.0, abs=0.05)
    assert str(call.recording_path).endswith(".wav")


async def test_a_queue_caller_hanging_up_while_a_seat_rings_is_abandoned(tmp_path: Path) -> None:
    clock = FakeClock(start=START)
    config = lab_config(tmp_path, event_timestamps=True)
    async with running(config, clock) as sim, client(sim) as ami:
        for seat in ("8001", "8002"):
            await ami.action("Setvar", clock, Variable=f"AGENT_DELAY_{seat}", Value="10")
        await originate(ami, clock, "13800138000", 5)
        await run_clock(clock, 8.0)
        (call,) = calls_of(ami, clock)
    assert call.outcome == "abandoned"
    assert [(a.seat, a.result) for a in call.attempts] == [("8001", "CANCEL")]
    assert call.misses == 0  # the seat did not miss it: the caller left
    assert call.wait_seconds == pytest.approx(5.0, abs=0.1)


async def test_a_member_who_does_not_answer_is_followed_by_the_next(tmp_path: Path) -> None:
    clock = FakeClock(start=START)
    config = lab_config(tmp_path, event_timestamps=True)
    async with running(config, clock) as sim, client(sim) as ami:
        await ami.action("Setvar", clock, Variable="AGENT_MODE_8001", Value="noanswer")
        await pause(ami, clock, "8002", True)
        await originate(ami, clock, "13800138000", 21)
        await run_clock(clock, 15.5)  # 8001 rings for the member timeout (15 s)
        await pause(ami, clock, "8002", False)  # retry 2 s later: 8002 rings, answers after 1 s
        await run_clock(clock, 10.0)
        (call,) = calls_of(ami, clock)
    assert [(a.seat, a.result) for a in call.attempts] == [("8001", "NOANSWER"), ("8002", "ANSWER")]
    assert call.wait_seconds == pytest.approx(18.0, abs=0.1)
    assert call.outcome == "answered"


async def pause(ami: AmiTestClient, clock: FakeClock, seat: str, paused: bool) -> None:
    await ami.action(
        "QueuePause",
        clock,
        Interface=f"Local/{seat}@agents/n",
        Queue="hotline",
        Paused="true" if paused else "false",
    )
