"""Fault injection and the life of the simulated Asterisk itself: restart, shutdown, lost links."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from telephony.clock import FakeClock
from telephony.simulator import CallerScript, SimulatorConfig
from tests.integration.sim_client import AmiTestClient, client, run_clock, running

WAITS = CallerScript(patience=None)


def deploy(tmp_path: Path) -> SimulatorConfig:
    return SimulatorConfig(seats=("8001",), recordings_dir=tmp_path)


async def test_split_writes_reach_the_client_in_separate_reads(tmp_path: Path) -> None:
    async with running(deploy(tmp_path), FakeClock()) as sim:
        sim.faults.split_writes = 7
        async with client(sim) as ami:
            pong = await ami.action("Ping")
            assert pong["Ping"] == "Pong"
            assert max(len(chunk) for chunk in ami.reads) <= 7
            assert len(ami.reads) > len(ami.frames)


async def test_a_frozen_asterisk_answers_nothing_until_it_thaws(tmp_path: Path) -> None:
    clock = FakeClock()
    async with running(deploy(tmp_path), clock) as sim, client(sim) as ami:
        sim.faults.frozen = True
        ping = ami.send("Ping")
        await sim.place_call("12345", "13800138000", "", WAITS)
        await run_clock(clock, 3.0)
        assert not [m for m in ami.frames if m.get("ActionID") == ping]
        assert ami.events("Newchannel") == []
        assert not ami.eof
        sim.faults.frozen = False
        await ami.response(ping, clock)
        await ami.wait_for(lambda m: m.event == "Newchannel", clock)


async def test_an_ignored_action_gets_no_response_and_does_nothing(tmp_path: Path) -> None:
    clock = FakeClock()
    async with running(deploy(tmp_path), clock) as sim, client(sim) as ami:
        call = await sim.place_call("12345", "13800138000", "", WAITS)
        waiting = await ami.wait_for(lambda m: m.get("UserEvent") == "HotlineWaiting", clock)
        sim.faults.ignore_actions = {"hangup"}
        hangup = ami.send("Hangup", Channel=waiting["Channel"])
        await ami.action("Ping")  # answered: the ignored Hangup was read before it
        assert not [m for m in ami.frames if m.get("ActionID") == hangup]
        assert [c.uniqueid for c in sim.live_channels()] == [call]
        ignored = next(a for a in sim.actions_log if a.message.get("ActionID") == hangup)
        assert ignored.executed is False


async def test_a_lost_response_after_the_action_took_effect(tmp_path: Path) -> None:
    clock = FakeClock()
    async with running(deploy(tmp_path), clock) as sim, client(sim) as watcher:
        call = await sim.place_call("12345", "13800138000", "", WAITS)
        waiting = await watcher.wait_for(lambda m: m.get("UserEvent") == "HotlineWaiting", clock)
        sim.faults.drop_before_response = {"Hangup"}
        async with client(sim) as backend:
            hangup = backend.send("Hangup", Channel=waiting["Channel"])
            await backend.wait_eof()
            assert not [m for m in backend.frames if m.get("ActionID") == hangup]
        await watcher.wait_for(lambda m: m.event == "Hangup" and m["Uniqueid"] == call, clock)


async def test_injected_bytes_reach_logged_in_sessions_as_they_are(tmp_path: Path) -> None:
    async with running(deploy(tmp_path), FakeClock()) as sim, client(sim) as ami:
        anonymous = await AmiTestClient.connect(sim.port)
        try:
            sim.faults.inject(b"\x00\xffgarbage\r\n\r\n")
            await ami.action("Ping")
            assert b"\x00\xffgarbage\r\n\r\n" in bytes(ami.raw)
            await anonymous.action("Ping")  # Permission denied: not logged in
            assert b"garbage" not in bytes(anonymous.raw)
        finally:
            await anonymous.close()


async def test_dropped_connections_leave_the_calls_up(tmp_path: Path) -> None:
    clock = FakeClock()
    async with running(deploy(tmp_path), clock) as sim, client(sim) as ami:
        call = await sim.place_call("12345", "13800138000", "", WAITS)
        await ami.wait_for(lambda m: m.get("UserEvent") == "HotlineWaiting", clock)
        await sim.drop_connections()
        await ami.wait_eof()
        assert [c.uniqueid for c in sim.live_channels()] == [call]
        async with client(sim) as again:
            await again.action("CoreShowChannels")
            listed = await again.wait_for(lambda m: m.event == "CoreShowChannel")
            assert listed["Uniqueid"] == call


async def test_restart_says_shutdown_and_forgets_every_channel_without_hangups(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    async with running(deploy(tmp_path), clock) as sim, client(sim) as ami:
        await sim.place_call("12345", "13800138000", "", WAITS)
        await ami.wait_for(lambda m: m.get("UserEvent") == "HotlineWaiting", clock)
        await run_clock(clock, 5.0)
        await sim.restart()
        shutdown = await ami.wait_for(lambda m: m.event == "Shutdown")
        await ami.wait_eof()
        assert (shutdown["Shutdown"], shutdown["Restart"]) == ("Cleanly", "True")
        assert ami.events("Hangup") == []
        assert sim.live_channels() == []
        async with client(sim) as again:
            booted = await again.wait_for(lambda m: m.event == "FullyBooted")
            assert booted["Uptime"] == "0"
            await sim.place_call("12345", "13800138000", "", WAITS)
            new = await again.wait_for(lambda m: m.event == "Newchannel", clock)
            assert new["Channel"] == "PJSIP/trunk-00000000"  # the counters start again


async def test_shutdown_says_so_then_closes_and_stops_listening(tmp_path: Path) -> None:
    clock = FakeClock()
    async with running(deploy(tmp_path), clock) as sim, client(sim) as ami:
        port = sim.port
        stopping = asyncio.create_task(sim.shutdown())
        shutdown = await ami.wait_for(lambda m: m.event == "Shutdown")
        await run_clock(clock, 0.5)
        await stopping
        await ami.wait_eof()
        assert (shutdown["Shutdown"], shutdown["Restart"]) == ("Cleanly", "False")
        with pytest.raises(ConnectionRefusedError):
            await asyncio.open_connection("127.0.0.1", port)
