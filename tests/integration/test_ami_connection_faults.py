"""AmiConnection against the simulated Asterisk over real TCP: actions, bad input, handlers."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any

import pytest

from telephony.actions import core_show_channels
from telephony.connection import (
    AmiActionFailed,
    AmiConnection,
    AmiEndpoint,
    AmiLinkLost,
    AmiNotConnected,
    AmiTimeout,
    UnsafeHeader,
)
from telephony.protocol import PROCESS_INSTANCE
from telephony.simulator import CallerScript
from tests.integration.ami_kit import (
    RecordingHandler,
    actions,
    asterisk_and_link,
    endpoint,
    linked,
    probe,
    probes,
    scaled_clock,
    simulated_asterisk,
    until,
    waiting,
)

WAITS_FOREVER = CallerScript(patience=None)


# -- actions ---------------------------------------------------------------------------------


async def test_list_actions_collect_items_until_eventlist_complete(tmp_path: Path) -> None:
    clock = scaled_clock()
    async with asterisk_and_link(tmp_path, clock) as (sim, conn, handler):
        assert await core_show_channels(conn) == []
        one = await sim.place_call("12345", "13800138000", "王秀英", WAITS_FOREVER)
        two = await sim.place_call("962121", "13900139000", "", WAITS_FOREVER)
        await until(clock, lambda: waiting(handler, one) and waiting(handler, two), 10)
        channels = await core_show_channels(conn)
    assert {one, two} <= {item["Uniqueid"] for item in channels}
    assert not handler.named("CoreShowChannel")  # items are the answer, not events


async def test_an_unknown_action_fails_with_asterisks_message_and_its_event_still_arrives(
    tmp_path: Path,
) -> None:
    clock = scaled_clock()
    async with asterisk_and_link(tmp_path, clock) as (_, conn, handler):
        with pytest.raises(AmiActionFailed) as failure:
            await conn.send({"Action": "NoSuchAction"})
        await until(clock, lambda: bool(handler.named("RequestBadFormat")), 5)
    assert failure.value.message.startswith("Invalid/unknown command: NoSuchAction.")


async def test_an_event_with_another_clients_action_id_is_an_event(tmp_path: Path) -> None:
    clock = scaled_clock()
    async with asterisk_and_link(tmp_path, clock) as (sim, _, handler):
        sim.faults.inject(
            b"Event: OriginateResponse\r\nActionID: harness-2\r\nResponse: Success\r\n\r\n"
        )
        await until(clock, lambda: bool(handler.named("OriginateResponse")), 5)


async def test_an_unanswered_action_times_out_and_is_never_sent_again(tmp_path: Path) -> None:
    clock = scaled_clock()
    async with asterisk_and_link(tmp_path, clock) as (sim, conn, handler):
        sim.faults.ignore_actions = {"Getvar"}
        with pytest.raises(AmiTimeout):
            await conn.send({"Action": "Getvar", "Variable": "X"}, timeout=2.0)
        sim.faults.ignore_actions = set()
        await sim.drop_connections()
        await until(clock, lambda: len(handler.ups) == 2, 20)
        await conn.send({"Action": "Ping"})
        timeouts = conn.stats.timeouts
    assert len(actions(sim, "Getvar")) == 1
    assert timeouts == 1


async def test_pending_actions_fail_with_link_lost_when_the_link_drops(tmp_path: Path) -> None:
    clock = scaled_clock()
    async with asterisk_and_link(tmp_path, clock, action_timeout=30.0) as (sim, conn, handler):
        sim.faults.ignore_actions = {"Getvar"}
        asking = asyncio.create_task(conn.send({"Action": "Getvar", "Variable": "X"}))
        await until(clock, lambda: bool(actions(sim, "Getvar")), 5)
        await sim.drop_connections()
        with pytest.raises(AmiLinkLost, match="not re-sent"):
            await asking
        sim.faults.ignore_actions = set()
        await until(clock, lambda: len(handler.ups) == 2, 20)
        await conn.send({"Action": "Ping"})
    assert len(actions(sim, "Getvar")) == 1


async def test_nothing_is_sent_while_the_link_is_down(tmp_path: Path) -> None:
    clock = scaled_clock()
    async with simulated_asterisk(tmp_path, clock) as sim:
        handler = RecordingHandler()
        conn = AmiConnection(endpoint(sim), handler, clock)
        with pytest.raises(AmiNotConnected):
            await conn.send({"Action": "Ping"})
        with pytest.raises(UnsafeHeader):
            await conn.send({"Action": "Setvar", "Variable": "A", "Value": "1\r\n"})
        await conn.stop()
    assert sim.actions_log == []


async def test_action_ids_are_unique_and_name_this_process(tmp_path: Path) -> None:
    clock = scaled_clock()
    async with asterisk_and_link(tmp_path, clock) as (sim, conn, _):
        await asyncio.gather(*(conn.send({"Action": "Ping"}) for _ in range(20)))
    ids = [a.message["ActionID"] for a in sim.actions_log]
    assert len(ids) == len(set(ids))
    assert all(i.startswith(f"hotline-{PROCESS_INSTANCE}-") for i in ids)


async def test_stop_logs_off_tells_link_down_and_may_be_called_twice(tmp_path: Path) -> None:
    clock = scaled_clock()
    async with simulated_asterisk(tmp_path, clock) as sim:
        async with linked(sim, clock) as (conn, handler):
            pass
        await conn.stop()
        with pytest.raises(AmiNotConnected):
            await conn.send({"Action": "Ping"})
    assert len(actions(sim, "Logoff")) == 1
    assert [d.reason for d in handler.downs] == ["stopped"]
    assert handler.told[-1] == handler.downs[-1]


async def test_wait_ready_gives_up_when_nothing_listens() -> None:
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        port = probe_socket.getsockname()[1]
    clock = scaled_clock()
    nowhere = AmiEndpoint("pbx1", "127.0.0.1", port, "hotline", "secret")
    conn = AmiConnection(nowhere, RecordingHandler(), clock)
    await conn.start()
    try:
        with pytest.raises(AmiNotConnected):
            await conn.wait_ready(5)
        assert conn.backoff.attempt >= 2
    finally:
        await conn.stop()


# -- bad input and handlers --------------------------------------------------------------------


async def test_bad_input_is_skipped_without_dropping_the_link(tmp_path: Path) -> None:
    clock = scaled_clock()
    async with asterisk_and_link(tmp_path, clock, max_message_bytes=64 * 1024) as (
        sim,
        conn,
        handler,
    ):
        sim.faults.inject(b"this is not AMI\r\n\r\n")
        sim.faults.inject(bytes(range(256)) * 8 + b"\r\n\r\n")
        sim.faults.inject(b"Event: Huge\r\nData: " + b"x" * 100_000 + b"\r\n\r\n")
        sim.faults.inject(b"Event: VarSet\r\nChannel: Local/x@y-00000001;1\r\n")
        call_id = await sim.place_call("12345", "13800138000", "王秀英", WAITS_FOREVER)
        await until(clock, lambda: waiting(handler, call_id), 10)
        stats = conn.stats
    assert stats.skipped_garbage >= 2
    assert stats.skipped_oversized == 1
    assert stats.reconnects == 0
    assert len(handler.ups) == 1
    (hotline_waiting,) = [m for m in handler.events if m.get("UserEvent") == "HotlineWaiting"]
    assert hotline_waiting["CallerIDName"] == "王秀英"


async def test_a_failing_handler_is_counted_and_logged_with_its_traceback(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async def fail_on_probe_1(message: Any) -> None:
        if message.get("Seq") == "1":
            raise ValueError("bad probe")

    clock = scaled_clock()
    async with asterisk_and_link(tmp_path, clock, fail_on_probe_1) as (sim, conn, handler):
        sim.faults.inject(probe(0) + probe(1) + probe(2))
        await until(clock, lambda: probes(handler) == [0, 1, 2], 5)
        await until(clock, lambda: conn.stats.queue_depth == 0, 5)
        errors = conn.stats.handler_errors
    assert errors == 1
    (report,) = [r for r in caplog.records if "handler failed" in r.getMessage()]
    assert report.exc_info is not None
    assert isinstance(report.exc_info[1], ValueError)


class ConsumerKiller(BaseException):
    """Not an Exception: it gets past the handler guard and ends the consumer task."""


async def test_a_consumer_task_that_dies_is_started_again(tmp_path: Path) -> None:
    async def kill_on_probe_1(message: Any) -> None:
        if message.get("Seq") == "1":
            raise ConsumerKiller()

    clock = scaled_clock()
    async with asterisk_and_link(tmp_path, clock, kill_on_probe_1) as (sim, conn, handler):
        sim.faults.inject(probe(0) + probe(1) + probe(2))
        await until(clock, lambda: probes(handler) == [0, 1, 2], 5)
        sim.faults.inject(probe(3))
        await until(clock, lambda: 3 in probes(handler), 5)
        restarts = conn.stats.consumer_restarts
    assert restarts == 1
    assert handler.downs[-1].reason == "stopped"
