"""Defects of panoramisk 1.4 that this product cannot live with, each shown on both clients.

Every test runs twice against the same simulated Asterisk over real TCP: with bare
``panoramisk.Manager`` (expected to fail, strictly: the defect is real) and with our
``AmiConnection`` (passes: the defect is fixed in our layer).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from telephony.simulator import CallerScript, SimulatedAsterisk
from telephony.wire import AmiMessage
from tests.integration.ami_kit import (
    Client,
    Outcome,
    client_session,
    defect,
    until,
)

WAITS_FOREVER = CallerScript(patience=None)
SMUGGLED = (
    "8001\r\n\r\nAction: Originate\r\nChannel: Local/caller@callers\r\n"
    "Context: hotline-inbound\r\nExten: 12345\r\nPriority: 1"
)


def user_event(seq: int) -> bytes:
    return f"Event: UserEvent\r\nUserEvent: Probe\r\nSeq: {seq}\r\n\r\n".encode()


def probes(client: Client) -> list[int]:
    return [int(m["Seq"]) for m in client.events if m.get("UserEvent") == "Probe"]


def saw(client: Client, user_event_name: str) -> bool:
    return any(m.get("UserEvent") == user_event_name for m in client.events)


@pytest.mark.parametrize(
    "client_type", defect("decodes each TCP read on its own, dropping split characters")
)
async def test_a_chinese_caller_name_split_across_reads_keeps_every_character(
    client_type: type[Client], tmp_path: Path
) -> None:
    async with client_session(client_type, tmp_path, chop_into=5) as (sim, client, clock):
        sim.faults.split_writes = 5
        call_id = await sim.place_call("12345", "13800138000", "王秀英", WAITS_FOREVER)
        # every frame arrives in 5-byte writes: a slow path; the wait is only a liveness bound
        await until(clock, lambda: saw(client, "HotlineWaiting"), 60, "HotlineWaiting")
    names = {
        m["CallerIDName"]
        for m in client.events
        if m.get("Uniqueid") == call_id and m.get("CallerIDName") not in (None, "", "<unknown>")
    }
    assert names == {"王秀英"}


@pytest.mark.parametrize("client_type", defect("pings, but never checks for an answer"))
async def test_a_hung_asterisk_is_noticed(client_type: type[Client], tmp_path: Path) -> None:
    async with client_session(client_type, tmp_path) as (sim, client, clock):
        sim.faults.frozen = True
        deadline = clock.monotonic() + 20.0
        while client.links_down() == 0 and clock.monotonic() < deadline:
            await clock.sleep(0.1)
        noticed = client.links_down() > 0
    assert noticed


@pytest.mark.parametrize(
    "client_type", defect("re-sends actions that got no answer once it has reconnected")
)
async def test_an_action_whose_answer_was_lost_is_not_sent_again(
    client_type: type[Client], tmp_path: Path
) -> None:
    async with client_session(client_type, tmp_path) as (sim, client, clock):
        call_id = await sim.place_call("12345", "13800138000", "王秀英", WAITS_FOREVER)
        await until(clock, lambda: saw(client, "HotlineWaiting"), 10, "HotlineWaiting")
        channel = next(m["Channel"] for m in client.events if m.get("Uniqueid") == call_id)
        sim.faults.drop_before_response = {"Redirect"}
        redirect = {
            "Action": "Redirect",
            "Channel": channel,
            "Context": "hotline-connect",
            "Exten": "8001",
            "Priority": "1",
        }
        await client.send(redirect, within=1.0)
        sim.faults.drop_before_response = set()
        await until(clock, lambda: client.links_up() >= 2, 20, "the link back up")
        assert await client.send({"Action": "Ping"}) is Outcome.ANSWERED
    redirects = [a for a in sim.actions_log if a.message.get("Action") == "Redirect"]
    assert len(redirects) == 1


@pytest.mark.parametrize("client_type", defect("writes header values as they are, CR/LF and all"))
async def test_a_header_value_with_crlf_cannot_smuggle_a_second_action(
    client_type: type[Client], tmp_path: Path
) -> None:
    async with client_session(client_type, tmp_path) as (sim, client, _):
        await client.send({"Action": "Setvar", "Variable": "SEAT", "Value": SMUGGLED})
        assert await client.send({"Action": "Ping"}) is Outcome.ANSWERED
    sent = [a.message.get("Action") for a in sim.actions_log]
    assert "Originate" not in sent
    assert "Setvar" not in sent


@pytest.mark.parametrize("client_type", defect("action futures never time out"))
async def test_an_unanswered_action_fails_with_a_timeout(
    client_type: type[Client], tmp_path: Path
) -> None:
    async with client_session(client_type, tmp_path) as (sim, client, _):
        sim.faults.ignore_actions = {"Getvar"}
        getvar = {"Action": "Getvar", "Variable": "HOTLINE_RING_TIMEOUT"}
        outcome = await client.send(getvar, limit=2.0, within=10.0)
    assert outcome is Outcome.TIMED_OUT


@pytest.mark.parametrize(
    "client_type", defect("runs each async handler as its own task, concurrently")
)
async def test_events_are_handled_one_at_a_time_in_arrival_order(
    client_type: type[Client], tmp_path: Path
) -> None:
    finished: list[int] = []
    running = {"now": 0, "most": 0}

    async def slower_for_earlier_events(message: AmiMessage) -> None:
        if message.get("UserEvent") != "Probe":
            return
        running["now"] += 1
        running["most"] = max(running["most"], running["now"])
        for _ in range((5 - int(message["Seq"])) * 3):
            await asyncio.sleep(0)
        running["now"] -= 1
        finished.append(int(message["Seq"]))

    async with client_session(client_type, tmp_path, slower_for_earlier_events) as (sim, _, clock):
        sim.faults.inject(b"".join(user_event(seq) for seq in range(5)))
        await until(clock, lambda: len(finished) == 5, 10, "five probes handled")
    assert finished == [0, 1, 2, 3, 4]
    assert running["most"] == 1


class HandlerBug(RuntimeError):
    pass


@pytest.mark.parametrize(
    "client_type", defect("leaves a failing handler's error to asyncio's garbage collector")
)
async def test_a_failing_handler_is_reported_with_its_event_and_later_events_still_arrive(
    client_type: type[Client], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async def fail_on_probe_1(message: AmiMessage) -> None:
        if message.get("UserEvent") == "Probe" and message["Seq"] == "1":
            raise HandlerBug("probe 1")

    caplog.set_level(logging.ERROR)
    async with client_session(client_type, tmp_path, fail_on_probe_1) as (sim, client, clock):
        sim.faults.inject(user_event(0) + user_event(1) + user_event(2))
        await until(clock, lambda: probes(client) == [0, 1, 2], 10, "three probes")
        await asyncio.sleep(0)
    reports = [
        record
        for record in caplog.records
        if record.exc_info
        and isinstance(record.exc_info[1], HandlerBug)
        and "UserEvent" in record.getMessage()
    ]
    assert len(reports) == 1


@pytest.mark.parametrize(
    "client_type", defect("takes an event carrying a pending ActionID for that action's answer")
)
async def test_an_event_carrying_our_action_id_is_an_event_not_the_answer(
    client_type: type[Client], tmp_path: Path
) -> None:
    async with client_session(client_type, tmp_path) as (sim, client, clock):
        sim.faults.ignore_actions = {"Getvar"}
        getvar = {"Action": "Getvar", "ActionID": "probe-1", "Variable": "X"}
        asking = asyncio.create_task(client.send(getvar, limit=3.0, within=5.0))
        await until(clock, lambda: _received(sim, "probe-1"), 5, "the Getvar at the server")
        sim.faults.inject(
            b"Event: OriginateResponse\r\nActionID: probe-1\r\nResponse: Failure\r\n"
            b"Channel: Local/x@y\r\nReason: 0\r\n\r\n"
        )
        outcome = await asking
    seen = [m.get("ActionID") for m in client.events if m.event == "OriginateResponse"]
    assert seen == ["probe-1"]
    assert outcome is Outcome.TIMED_OUT


def _received(sim: SimulatedAsterisk, action_id: str) -> bool:
    return any(a.message.get("ActionID") == action_id for a in sim.actions_log)


@pytest.mark.parametrize(
    "client_type", defect("a frame that lost its end swallows the next one, or drops the link")
)
async def test_a_truncated_frame_does_not_swallow_the_next_event(
    client_type: type[Client], tmp_path: Path
) -> None:
    async with client_session(client_type, tmp_path) as (sim, client, clock):
        truncated = b"Event: VarSet\r\nChannel: Local/x@y-00000001;1\r\n"
        sim.faults.inject(user_event(0) + truncated + user_event(1) + user_event(2))
        await until(clock, lambda: 2 in probes(client), 5, "probe 2")
        downs = client.links_down()
    assert probes(client) == [0, 1, 2]
    assert downs == 0
