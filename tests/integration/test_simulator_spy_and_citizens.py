"""A supervisor's ChanSpy on a seat's call, and the citizens a callback dials over the trunk."""

from __future__ import annotations

from pathlib import Path

from telephony.clock import FakeClock
from telephony.simulator import CallerScript, CitizenBehaviour, SeatBehaviour, SimulatedAsterisk
from telephony.simulator.channels import CHANNEL_FIELDS
from telephony.wire import AmiMessage
from tests.integration.sim_calls import config, route, waiting_caller
from tests.integration.sim_client import AmiTestClient, EventTimes, client, run_clock, running

SUPERVISOR = "8009"
CITIZEN = "13912345678"


async def seat_in_a_call(
    sim: SimulatedAsterisk, ami: AmiTestClient, clock: FakeClock, talk: float
) -> AmiMessage:
    """A caller talking with seat 8001; returns the seat's DialEnd ANSWER."""
    sim.set_seat("8001", SeatBehaviour(answer_delay=1.0))
    waiting = await waiting_caller(sim, ami, clock, CallerScript(talk_seconds=talk))
    await route(ami, clock, waiting, "8001")
    return await ami.wait_for(
        lambda m: m.event == "DialEnd" and m.get("DialStatus") == "ANSWER", clock
    )


def spy(ami: AmiTestClient, options: str, seat: str = "8001") -> str:
    return ami.send(
        "Originate",
        Channel=f"PJSIP/{SUPERVISOR}",
        Application="ChanSpy",
        Data=f"PJSIP/{seat},{options}",
        Timeout="15000",
        Async="true",
    )


def block(message: AmiMessage, prefix: str) -> list[str]:
    return [name for name, _ in message.headers if name.startswith(prefix)]


async def test_a_supervisor_rings_then_spies_on_the_seats_call_until_the_caller_hangs_up(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    async with running(config(tmp_path), clock) as sim, client(sim) as ami:
        sim.set_seat(SUPERVISOR, SeatBehaviour(answer_delay=2.0))
        times = EventTimes(sim, clock)
        answered = await seat_in_a_call(sim, ami, clock, talk=30.0)
        spy(ami, "q")
        start = await ami.wait_for(lambda m: m.event == "ChanSpyStart", clock)
        assert start["SpyerChannel"].startswith(f"PJSIP/{SUPERVISOR}-")
        assert start["SpyeeChannel"] == answered["DestChannel"]
        assert start["SpyeeLinkedid"] == answered["Linkedid"]  # the caller's call
        assert block(start, "Spyer") == [f"Spyer{name}" for name in CHANNEL_FIELDS]
        assert block(start, "Spyee") == [f"Spyee{name}" for name in CHANNEL_FIELDS]
        rung = times.time_of(lambda m: m.event == "DialBegin" and "Channel" not in m)
        assert times.time_of(lambda m: m.event == "ChanSpyStart") - rung == 2.0
        stop = await ami.wait_for(lambda m: m.event == "ChanSpyStop", clock)
        spyer_gone = await ami.wait_for(
            lambda m: m.event == "Hangup" and m["Channel"] == start["SpyerChannel"], clock
        )
        assert stop["SpyerChannel"] == start["SpyerChannel"]
        assert "SpyeeChannel" not in stop  # the seat's channel hung up first: no snapshot left
        spyee_gone = times.time_of(
            lambda m: m.event == "Hangup" and m["Channel"] == start["SpyeeChannel"]
        )
        assert times.time_of(lambda m: m.event == "ChanSpyStop") == spyee_gone
        assert spyer_gone["Uniqueid"] == start["SpyerUniqueid"]
        live = [channel.context for channel in sim.live_channels()]
        assert live == ["hotline-survey"]  # the caller rates the call; the supervisor is gone


async def test_the_supervisor_hanging_up_ends_the_spy_and_the_call_goes_on(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    async with running(config(tmp_path), clock) as sim, client(sim) as ami:
        sim.set_seat(SUPERVISOR, SeatBehaviour(answer_delay=1.0))
        answered = await seat_in_a_call(sim, ami, clock, talk=60.0)
        spy(ami, "qB")
        start = await ami.wait_for(lambda m: m.event == "ChanSpyStart", clock)
        await ami.action("Hangup", clock, Channel=start["SpyerChannel"])
        stop = await ami.wait_for(lambda m: m.event == "ChanSpyStop", clock)
        assert (stop["SpyerChannel"], stop["SpyeeChannel"]) == (
            start["SpyerChannel"],
            answered["DestChannel"],
        )
        live = {channel.name for channel in sim.live_channels()}
        assert answered["DestChannel"] in live
        assert start["SpyerChannel"] not in live


async def test_chanspy_with_nobody_on_the_seat_returns_at_once(tmp_path: Path) -> None:
    clock = FakeClock()
    async with running(config(tmp_path), clock) as sim, client(sim) as ami:
        sim.set_seat(SUPERVISOR, SeatBehaviour(answer_delay=1.0))
        times = EventTimes(sim, clock)
        action_id = spy(ami, "qw", seat="8002")
        response = await ami.wait_for(lambda m: m.event == "OriginateResponse", clock)
        await ami.wait_for(lambda m: m.event == "Hangup", clock)
        assert (response["ActionID"], response["Response"]) == (action_id, "Success")
        assert ami.events("ChanSpyStart") == []
        started = times.time_of(lambda m: m.get("Application") == "ChanSpy")
        assert times.time_of(lambda m: m.event == "Hangup") == started
        assert sim.live_channels() == []


async def callback_to(ami: AmiTestClient, clock: FakeClock) -> AmiMessage:
    """Originate a callback from seat 8002 to the citizen; returns the citizen's DialEnd."""
    ami.send(
        "Originate",
        Channel="PJSIP/8002",
        Context="hotline-callback",
        Exten=CITIZEN,
        Priority="1",
        Variable="HOTLINE_LINE=12345",
        Async="true",
    )
    return await ami.wait_for(
        lambda m: m.event == "DialEnd" and m.get("Context") == "hotline-callback", clock
    )


async def test_a_citizen_who_does_not_answer_rings_out_the_dial_timeout(tmp_path: Path) -> None:
    clock = FakeClock()
    async with running(config(tmp_path), clock) as sim, client(sim) as ami:
        sim.set_citizen(CITIZEN, CitizenBehaviour(mode="noanswer"))
        times = EventTimes(sim, clock)
        ended = await callback_to(ami, clock)
        dialled = times.time_of(lambda m: m.event == "DialBegin" and "Channel" in m)
        assert ended["DialStatus"] == "NOANSWER"
        assert times.time_of(lambda m: m.event == "DialEnd" and "Channel" in m) - dialled == 60.0


async def test_a_busy_citizen_answers_busy_at_once(tmp_path: Path) -> None:
    clock = FakeClock()
    async with running(config(tmp_path), clock) as sim, client(sim) as ami:
        sim.set_citizen(CITIZEN, CitizenBehaviour(mode="busy"))
        ended = await callback_to(ami, clock)
        assert ended["DialStatus"] == "BUSY"


async def test_a_citizen_answers_after_their_delay_and_the_agent_ends_after_the_talk(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    async with running(config(tmp_path), clock) as sim, client(sim) as ami:
        sim.set_citizen(CITIZEN, CitizenBehaviour(answer_delay=7.0, talk_seconds=12.0))
        sim.set_citizen("13700000000", CitizenBehaviour(mode="busy"))  # someone else
        times = EventTimes(sim, clock)
        ended = await callback_to(ami, clock)
        seat = await ami.wait_for(
            lambda m: m.event == "Hangup" and m["Channel"].startswith("PJSIP/8002-"), clock
        )
        dialled = times.time_of(lambda m: m.event == "DialBegin" and "Channel" in m)
        answered = times.time_of(lambda m: m.event == "DialEnd" and "Channel" in m)
        trunk_gone = times.time_of(
            lambda m: m.event == "Hangup" and m["Channel"].startswith("PJSIP/trunk-")
        )
        assert ended["DialStatus"] == "ANSWER"
        assert answered - dialled == 7.0
        assert trunk_gone - answered == 12.0
        assert seat["Cause"] == "16"
        await run_clock(clock, 1.0)
        assert sim.live_channels() == []


async def test_numbers_never_set_answer_as_before(tmp_path: Path) -> None:
    clock = FakeClock()
    async with running(config(tmp_path), clock) as sim, client(sim) as ami:
        times = EventTimes(sim, clock)
        ended = await callback_to(ami, clock)
        dialled = times.time_of(lambda m: m.event == "DialBegin" and "Channel" in m)
        assert ended["DialStatus"] == "ANSWER"
        assert times.time_of(lambda m: m.event == "DialEnd" and "Channel" in m) - dialled == 3.0
