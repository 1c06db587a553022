"""The lab dialplan on the simulator: Local seats steered by globals, Local callers by Originate."""

from __future__ import annotations

from pathlib import Path

from telephony.clock import FakeClock
from telephony.simulator import SimulatorConfig
from tests.integration.sim_client import AmiTestClient, EventTimes, client, running
from tests.integration.sim_replay import lab_config


async def originate_caller(ami: AmiTestClient, clock: FakeClock, hang_up_after: int) -> str:
    await ami.action(
        "Originate",
        clock,
        Channel="Local/caller@callers",
        Context="hotline-inbound",
        Exten="12345",
        Priority="1",
        CallerID='"Caller" <13800138000>',
        Variable=f"CALLER_HANGUP_AFTER={hang_up_after}",
        Async="true",
    )
    waiting = await ami.wait_for(lambda m: m.get("UserEvent") == "HotlineWaiting", clock)
    return waiting["Channel"]


async def route(ami: AmiTestClient, clock: FakeClock, channel: str, seat: str) -> None:
    await ami.action(
        "Redirect", clock, Channel=channel, Context="hotline-connect", Exten=seat, Priority="1"
    )


async def test_busy_and_unavailable_lab_seats(tmp_path: Path) -> None:
    clock = FakeClock()
    async with running(lab_config(tmp_path), clock) as sim, client(sim) as ami:
        await ami.action("Setvar", Variable="AGENT_MODE_8004", Value="unavail")
        caller = await originate_caller(ami, clock, 300)
        statuses = []
        for seat in ("8009", "8004"):  # 8009 is busy in the lab's globals
            await route(ami, clock, caller, seat)
            failed = await ami.wait_for(
                lambda m, s=seat: m.get("UserEvent") == "HotlineDialFailed" and m.get("Seat") == s,
                clock,
            )
            statuses.append(failed["DialStatus"])
        assert statuses == ["BUSY", "CONGESTION"]


async def test_a_lab_seat_hangs_up_after_its_talk_time_and_the_caller_with_it(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    async with running(lab_config(tmp_path), clock) as sim, client(sim) as ami:
        times = EventTimes(sim, clock)
        await ami.action("Setvar", Variable="AGENT_DELAY_8001", Value="2")
        await ami.action("Setvar", Variable="AGENT_TALK_8001", Value="4")
        caller = await originate_caller(ami, clock, 300)
        await route(ami, clock, caller, "8001")
        ended = await ami.wait_for(lambda m: m.event == "Hangup" and m["Channel"] == caller, clock)
        assert ended["Cause"] == "16"  # Dial without g: the caller ends with the seat
        answered = times.time_of(lambda m: m.event == "DialEnd" and m.get("Channel") == caller)
        dialled = times.time_of(lambda m: m.event == "DialBegin" and m.get("Channel") == caller)
        left = times.time_of(lambda m: m.event == "BridgeLeave")
        # rings AGENT_DELAY seconds, talks AGENT_TALK seconds (after Answer's 20 ms settle)
        assert (round(answered - dialled, 1), round(left - answered, 1)) == (2.0, 4.0)


async def test_a_lab_caller_hangs_up_after_caller_hangup_after(tmp_path: Path) -> None:
    clock = FakeClock()
    async with running(lab_config(tmp_path), clock) as sim, client(sim) as ami:
        times = EventTimes(sim, clock)
        caller = await originate_caller(ami, clock, 7)
        await ami.wait_for(lambda m: m.event == "Hangup" and m["Channel"] == caller, clock)
        waited = times.time_of(lambda m: m.get("Application") == "Wait")
        assert times.time_of(lambda m: m.get("Application") == "Hangup") - waited == 7.0


async def test_timestamp_events_carry_the_clock_after_the_privilege(tmp_path: Path) -> None:
    clock = FakeClock(start=1_795_458_492.090648)
    config = SimulatorConfig(event_timestamps=True, recordings_dir=tmp_path)
    async with running(config, clock) as sim, client(sim) as ami:
        await ami.action("Setvar", Variable="X", Value="1")
        varset = await ami.wait_for(lambda m: m.event == "VarSet")
        assert [name for name, _ in varset.headers][:3] == ["Event", "Privilege", "Timestamp"]
        assert varset["Timestamp"] == "1795458492.090648"
        assert "Timestamp" not in ami.events("FullyBooted")[0]


async def test_without_write_recordings_no_file_is_written(tmp_path: Path) -> None:
    clock = FakeClock()
    config = SimulatorConfig(write_recordings=False, recordings_dir=tmp_path)
    async with running(config, clock) as sim, client(sim) as ami:
        call = await sim.place_call(
            "12345",
            "13800138000",
            "",
        )
        await ami.wait_for(lambda m: m.get("UserEvent") == "HotlineWaiting", clock)
        await ami.action("Hangup", clock, Channel=sim.live_channels()[0].name)
        await ami.wait_for(lambda m: m.event == "Hangup" and m["Uniqueid"] == call, clock)
        await sim.recordings_flushed()
        assert sim.engine.recorder.written == []
