"""Clients that misbehave: garbage, huge or truncated frames, disappearing mid-call."""

from __future__ import annotations

from pathlib import Path

from telephony.clock import FakeClock
from telephony.simulator import CallerScript, SimulatorConfig
from tests.integration.sim_client import AmiTestClient, client, running


def deploy(tmp_path: Path) -> SimulatorConfig:
    return SimulatorConfig(seats=("8001",), recordings_dir=tmp_path)


async def test_garbage_from_a_client_is_ignored_and_its_session_goes_on(tmp_path: Path) -> None:
    async with running(deploy(tmp_path), FakeClock()) as sim, client(sim) as ami:
        ami.send_raw(b"no colon here at all\r\n\r\n")
        ami.send_raw(b"\x00\x01\x02\xff\xfe binary\r\n\r\n")
        ami.send_raw(b"ActionID: lonely\r\n\r\n")
        missing = await ami.response("lonely")
        pong = await ami.action("Ping")
        assert missing["Message"] == "Missing action in request"
        assert pong["Ping"] == "Pong"


async def test_a_huge_frame_is_skipped_and_the_next_action_answered(tmp_path: Path) -> None:
    async with running(deploy(tmp_path), FakeClock()) as sim, client(sim) as ami:
        ami.send_raw(b"Action: Ping\r\nActionID: huge\r\nX: " + b"x" * 200_000 + b"\r\n\r\n")
        pong = await ami.action("Ping")
        assert pong["Ping"] == "Pong"
        assert not [m for m in ami.frames if m.get("ActionID") == "huge"]


async def test_a_truncated_frame_and_a_vanished_client_do_not_disturb_others(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    async with running(deploy(tmp_path), clock) as sim, client(sim) as steady:
        rude = await AmiTestClient.connect(sim.port)
        await rude.login()
        rude.send_raw(b"Action: Originate\r\nChannel: PJSIP/80")
        await rude.close()
        call = await sim.place_call("12345", "13800138000", "", CallerScript(patience=None))
        waiting = await steady.wait_for(lambda m: m.get("UserEvent") == "HotlineWaiting", clock)
        assert waiting["Uniqueid"] == call
        assert (await steady.action("Ping"))["Ping"] == "Pong"


async def test_a_client_that_disconnects_mid_call_leaves_the_call_alone(tmp_path: Path) -> None:
    clock = FakeClock()
    async with running(deploy(tmp_path), clock) as sim, client(sim) as watcher:
        call = await sim.place_call("12345", "13800138000", "", CallerScript(talk_seconds=10.0))
        waiting = await watcher.wait_for(lambda m: m.get("UserEvent") == "HotlineWaiting", clock)
        backend = await AmiTestClient.connect(sim.port, sim)
        await backend.login()
        backend.send(
            "Redirect",
            Channel=waiting["Channel"],
            Context="hotline-connect",
            Exten="8001",
            Priority="1",
        )
        await backend.close()
        survey = await watcher.wait_for(lambda m: m.get("UserEvent") == "HotlineSurvey", clock)
        assert survey["Uniqueid"] == call
