"""Helpers for the simulator's call tests on the deploy dialplan: callers, routing."""

from __future__ import annotations

from pathlib import Path

from telephony.clock import FakeClock
from telephony.simulator import CallerScript, SimulatedAsterisk, SimulatorConfig
from telephony.wire import AmiMessage
from tests.integration.sim_client import AmiTestClient

SEATS = ("8001", "8002")


def config(tmp_path: Path) -> SimulatorConfig:
    return SimulatorConfig(seats=SEATS, recordings_dir=tmp_path)


async def waiting_caller(
    sim: SimulatedAsterisk, ami: AmiTestClient, clock: FakeClock, script: CallerScript, **call: str
) -> AmiMessage:
    """Place a call and return its HotlineWaiting event."""
    uniqueid = await sim.place_call(
        call.get("line", "12345"),
        call.get("number", "13800138000"),
        call.get("name", "王秀英"),
        script,
    )
    return await ami.wait_for(
        lambda m: m.get("UserEvent") == "HotlineWaiting" and m.get("Uniqueid") == uniqueid, clock
    )


async def route(ami: AmiTestClient, clock: FakeClock, waiting: AmiMessage, seat: str) -> None:
    answer = await ami.action(
        "Redirect",
        clock,
        Channel=waiting["Channel"],
        Context="hotline-connect",
        Exten=seat,
        Priority="1",
    )
    assert answer["Message"] == "Redirect successful"
