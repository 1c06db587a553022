"""telephony.actions against the simulated Asterisk: each action does what the service means."""

from __future__ import annotations

import contextlib
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from telephony import actions
from telephony.clock import Clock
from telephony.connection import AmiActionFailed, AmiConnection, UnsafeHeader
from telephony.simulator import CallerScript, SimulatedAsterisk
from tests.integration.ami_kit import (
    RecordingHandler,
    endpoint,
    scaled_clock,
    simulated_asterisk,
    until,
)


@dataclass
class OnHold:
    """A link up and one caller on hold."""

    sim: SimulatedAsterisk
    conn: AmiConnection
    handler: RecordingHandler
    clock: Clock
    call_id: str
    channel: str


@contextlib.asynccontextmanager
async def waiting_call(tmp_path: Path) -> AsyncIterator[OnHold]:
    clock = scaled_clock()
    async with simulated_asterisk(tmp_path, clock) as sim:
        handler = RecordingHandler()
        conn = AmiConnection(endpoint(sim), handler, clock, rng=random.Random(1))
        await conn.start()
        try:
            await conn.wait_ready(10)
            script = CallerScript(patience=None, talk_seconds=600)
            call_id = await sim.place_call("12345", "13800138000", "王秀英", script)
            await until(clock, lambda: _user_event(handler, "HotlineWaiting", call_id), 10)
            channel = next(m["Channel"] for m in handler.events if m.get("Uniqueid") == call_id)
            yield OnHold(sim, conn, handler, clock, call_id, channel)
        finally:
            await conn.stop()


def _user_event(handler: RecordingHandler, name: str, call_id: str | None = None) -> bool:
    return any(
        m.get("UserEvent") == name and (call_id is None or m.get("Uniqueid") == call_id)
        for m in handler.events
    )


def _sent(sim: SimulatedAsterisk) -> list[str]:
    return [a.message.get("Action") or "" for a in sim.actions_log]


async def test_redirect_moves_a_waiting_caller_to_the_seat(tmp_path: Path) -> None:
    async with waiting_call(tmp_path) as call:
        await actions.redirect(call.conn, call.channel, "hotline-connect", "8001")
        await until(
            call.clock, lambda: _user_event(call.handler, "HotlineConnecting", call.call_id), 10
        )
    (connecting,) = [m for m in call.handler.events if m.get("UserEvent") == "HotlineConnecting"]
    assert connecting["Seat"] == "8001"


async def test_redirect_of_a_channel_that_is_gone_fails_with_asterisks_message(
    tmp_path: Path,
) -> None:
    async with waiting_call(tmp_path) as call:
        with pytest.raises(AmiActionFailed) as failure:
            await actions.redirect(call.conn, "PJSIP/trunk-0000ffff", "hotline-connect", "8001")
    assert failure.value.message == "Channel does not exist: PJSIP/trunk-0000ffff"


async def test_originate_returns_the_action_id_its_originate_response_carries(
    tmp_path: Path,
) -> None:
    async with waiting_call(tmp_path) as call:
        action_id = await actions.originate(
            call.conn,
            "PJSIP/8002",
            context="hotline-callback",
            exten="13800138000",
            caller_id='"12345" <12345>',
            variables={"HOTLINE_LINE": "12345", "HOTLINE_ORDER": "GD20261123001"},
        )
        await until(call.clock, lambda: bool(call.handler.named("OriginateResponse")), 20)
        await until(call.clock, lambda: _user_event(call.handler, "HotlineCallback"), 20)
    (response,) = call.handler.named("OriginateResponse")
    assert response["ActionID"] == action_id
    (callback,) = [m for m in call.handler.events if m.get("UserEvent") == "HotlineCallback"]
    assert callback["Order"] == "GD20261123001"


async def test_hangup_ends_the_call_with_the_cause_given(tmp_path: Path) -> None:
    async with waiting_call(tmp_path) as call:
        await actions.hangup(call.conn, call.channel, cause=21)
        await until(
            call.clock,
            lambda: any(m.get("Uniqueid") == call.call_id for m in call.handler.named("Hangup")),
            10,
        )
    (hangup,) = [m for m in call.handler.named("Hangup") if m["Uniqueid"] == call.call_id]
    assert hangup["Cause"] == "21"


async def test_a_global_set_by_the_service_is_what_the_dialplan_reads(tmp_path: Path) -> None:
    async with waiting_call(tmp_path) as call:
        await actions.set_global(call.conn, "HOTLINE_RING_TIMEOUT", "20")
        answer = await call.conn.send({"Action": "Getvar", "Variable": "HOTLINE_RING_TIMEOUT"})
    assert answer.response["Value"] == "20"


async def test_a_channel_variable_is_set_on_that_channel(tmp_path: Path) -> None:
    async with waiting_call(tmp_path) as call:
        await actions.set_channel_var(call.conn, call.channel, "HOTLINE_ORDER", "GD20261123002")
        answer = await call.conn.send(
            {"Action": "Getvar", "Channel": call.channel, "Variable": "HOTLINE_ORDER"}
        )
    assert answer.response["Value"] == "GD20261123002"


async def test_mixmonitor_starts_and_stops_a_recording(tmp_path: Path) -> None:
    async with waiting_call(tmp_path) as call:
        before = len(call.handler.named("MixMonitorStop"))
        await actions.stop_mixmonitor(call.conn, call.channel)
        await until(call.clock, lambda: len(call.handler.named("MixMonitorStop")) > before, 10)
        started = len(call.handler.named("MixMonitorStart"))
        await actions.mixmonitor(call.conn, call.channel, str(tmp_path / "again.wav"))
        await until(call.clock, lambda: len(call.handler.named("MixMonitorStart")) > started, 10)


async def test_ping_and_core_show_channels_answer(tmp_path: Path) -> None:
    async with waiting_call(tmp_path) as call:
        await actions.ping(call.conn)
        channels = await actions.core_show_channels(call.conn)
    assert call.call_id in {item["Uniqueid"] for item in channels}


async def test_unsafe_values_are_refused_and_nothing_is_sent(tmp_path: Path) -> None:
    async with waiting_call(tmp_path) as call:
        before = _sent(call.sim)
        with pytest.raises(UnsafeHeader):
            await actions.redirect(
                call.conn, call.channel, "hotline-connect", "8001\r\nAction: Hangup"
            )
        with pytest.raises(UnsafeHeader):
            await actions.originate(
                call.conn,
                "PJSIP/8001",
                context="hotline-callback",
                exten="1",
                variables={"A=B": "1"},
            )
        with pytest.raises(UnsafeHeader):
            await actions.set_global(call.conn, "HOTLINE_LINE", "12345\x00")
        after = _sent(call.sim)
    assert after == before
