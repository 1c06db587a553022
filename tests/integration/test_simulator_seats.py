"""PJSIP seats on the deploy dialplan: ringing, never answering, busy, unavailable, unreachable."""

from __future__ import annotations

from pathlib import Path

from telephony.clock import FakeClock, utc_from_epoch
from telephony.fact_maker import FactMaker
from telephony.facts import SeatMissed
from telephony.simulator import CallerScript, SeatBehaviour, SimulatedAsterisk
from tests.integration.sim_calls import config, route, waiting_caller
from tests.integration.sim_client import EventTimes, client, run_clock, running


async def test_a_seat_that_never_answers_sends_the_caller_back_to_hold_after_the_ring_timeout(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    sim = SimulatedAsterisk(config(tmp_path), clock)
    sim.set_seat("8002", SeatBehaviour(mode="noanswer"))
    times = EventTimes(sim, clock)
    await sim.start()
    try:
        async with client(sim) as ami:
            waiting = await waiting_caller(sim, ami, clock, CallerScript(patience=None))
            await route(ami, clock, waiting, "8002")
            await ami.wait_for(lambda m: m.event == "DialState", clock)
            await run_clock(clock, 13.0)
            assert ami.events("DialEnd") == []
            failed = await ami.wait_for(lambda m: m.get("UserEvent") == "HotlineDialFailed", clock)
            dialled = times.time_of(lambda m: m.event == "DialBegin")
            # HOTLINE_RING_TIMEOUT = 15: the seat rings for 15 s, then the caller goes back
            assert times.time_of(lambda m: m.event == "DialEnd") - dialled == 15.0
            assert (failed["Seat"], failed["DialStatus"]) == ("8002", "NOANSWER")
            back = await ami.wait_for(lambda m: m.get("Reason") == "NOANSWER", clock)
            assert back["UserEvent"] == "HotlineWaiting"
            assert ami.events("DialEnd")[0]["DialStatus"] == "NOANSWER"
            await ami.wait_for(
                lambda m: m.event == "MusicOnHoldStart" and m["Context"] == "hotline-hold", clock
            )
    finally:
        await sim.stop()


async def test_busy_and_unavailable_softphones_give_their_dial_status(tmp_path: Path) -> None:
    clock = FakeClock()
    sim = SimulatedAsterisk(config(tmp_path), clock)
    sim.set_seat("8001", SeatBehaviour(mode="busy"))
    sim.set_seat("8002", SeatBehaviour(mode="unavail"))
    await sim.start()
    try:
        async with client(sim) as ami:
            waiting = await waiting_caller(sim, ami, clock, CallerScript(patience=None))
            statuses = []
            for seat in ("8001", "8002"):
                await route(ami, clock, waiting, seat)
                failed = await ami.wait_for(
                    lambda m, s=seat: (
                        m.get("UserEvent") == "HotlineDialFailed" and m.get("Seat") == s
                    ),
                    clock,
                )
                statuses.append(failed["DialStatus"])
            assert statuses == ["BUSY", "CHANUNAVAIL"]
    finally:
        await sim.stop()


async def test_an_unreachable_softphone_is_unavailable_and_never_rings(tmp_path: Path) -> None:
    clock = FakeClock()
    async with running(config(tmp_path), clock) as sim, client(sim) as ami:
        sim.set_seat_reachable("8001", False)
        state = await ami.wait_for(
            lambda m: m.event == "DeviceStateChange" and m["Device"] == "PJSIP/8001", clock
        )
        assert state["State"] == "UNAVAILABLE"
        waiting = await waiting_caller(sim, ami, clock, CallerScript(patience=None))
        await route(ami, clock, waiting, "8001")
        failed = await ami.wait_for(lambda m: m.get("UserEvent") == "HotlineDialFailed", clock)
        assert failed["DialStatus"] == "CHANUNAVAIL"
        assert ami.events("DialBegin") == []
        sim.set_seat_reachable("8001", True)
        back = await ami.wait_for(
            lambda m: m.get("State") == "NOT_INUSE" and m.get("Device") == "PJSIP/8001", clock
        )
        assert back["Event"] == "DeviceStateChange"


async def test_a_seat_offered_two_calls_at_once_is_busy_for_the_second(tmp_path: Path) -> None:
    clock = FakeClock()
    async with running(config(tmp_path), clock) as sim, client(sim) as ami:
        first = await waiting_caller(
            sim, ami, clock, CallerScript(talk_seconds=60.0), number="13800000001"
        )
        second = await waiting_caller(
            sim, ami, clock, CallerScript(patience=None), number="13800000002"
        )
        await route(ami, clock, first, "8001")
        await ami.wait_for(
            lambda m: m.event == "BridgeEnter" and m["Uniqueid"] == first["Uniqueid"], clock
        )
        busy_state = await ami.wait_for(
            lambda m: m.get("Device") == "PJSIP/8001" and m.get("State") == "BUSY", clock
        )
        assert busy_state["Event"] == "DeviceStateChange"
        await route(ami, clock, second, "8001")
        failed = await ami.wait_for(lambda m: m.get("UserEvent") == "HotlineDialFailed", clock)
        assert failed["DialStatus"] == "BUSY"
        facts = FactMaker("pbx1")
        missed = [
            f
            for m in ami.frames
            for f in facts.feed(m, utc_from_epoch(0))
            if isinstance(f, SeatMissed)
        ]
        assert [(f.seat, f.status) for f in missed] == [("8001", "BUSY")]


async def test_a_caller_who_gives_up_while_the_seat_rings_cancels_the_dial(tmp_path: Path) -> None:
    clock = FakeClock()
    sim = SimulatedAsterisk(config(tmp_path), clock)
    sim.set_seat("8001", SeatBehaviour(answer_delay=30.0))
    await sim.start()
    try:
        async with client(sim) as ami:
            waiting = await waiting_caller(sim, ami, clock, CallerScript(patience=8.0))
            await route(ami, clock, waiting, "8001")
            cancelled = await ami.wait_for(lambda m: m.event == "DialEnd", clock)
            seat = await ami.wait_for(
                lambda m: m.event == "Hangup" and m["Channel"] == cancelled["DestChannel"], clock
            )
            assert (cancelled["DialStatus"], seat["Cause"]) == ("CANCEL", "16")
            await ami.wait_for(
                lambda m: m.event == "Hangup" and m["Uniqueid"] == waiting["Uniqueid"], clock
            )
            assert ami.user_events("HotlineDialFailed") == []
    finally:
        await sim.stop()
