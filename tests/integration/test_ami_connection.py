"""AmiConnection against the simulated Asterisk over real TCP: coming up, going down, silence."""

from __future__ import annotations

import asyncio
import logging
import random
from pathlib import Path

import pytest

from telephony.clock import FakeClock
from telephony.connection import (
    AmiNotConnected,
    Backoff,
)
from telephony.facts import LinkDown, LinkUp
from telephony.simulator import CallerScript
from telephony.wire import AmiMessage
from tests.integration.ami_kit import (
    actions,
    asterisk_and_link,
    label,
    linked,
    probe,
    scaled_clock,
    simulated_asterisk,
    until,
    waiting,
)

WAITS_FOREVER = CallerScript(patience=None)


# -- coming up -----------------------------------------------------------------------------


async def test_link_up_tells_the_live_calls_after_login_and_fully_booted(tmp_path: Path) -> None:
    clock = scaled_clock()
    async with simulated_asterisk(tmp_path, clock) as sim:
        early = await sim.place_call("12345", "13800138000", "王秀英", WAITS_FOREVER)
        async with linked(sim, clock) as (conn, handler):
            later = await sim.place_call("962121", "02164001234", "李建国", WAITS_FOREVER)
            await until(clock, lambda: waiting(handler, later), 10)
            assert conn.ready
    ((up, channels),) = handler.ups
    assert not up.restarted
    assert early in {item["Uniqueid"] for item in channels}
    told = [label(item) for item in handler.told]
    assert told.index("FullyBooted") < told.index("LinkUp")
    of_later_call = [
        i
        for i, item in enumerate(handler.told)
        if isinstance(item, AmiMessage) and item.get("Uniqueid") == later
    ]
    assert min(of_later_call) > told.index("LinkUp")
    (login,) = actions(sim, "Login")
    assert login.message["Events"] == "on"


async def test_a_dropped_link_comes_back_resynced_and_is_not_a_restart(tmp_path: Path) -> None:
    clock = scaled_clock()
    async with asterisk_and_link(tmp_path, clock) as (sim, conn, handler):
        call_id = await sim.place_call("12345", "13800138000", "王秀英", WAITS_FOREVER)
        await until(clock, lambda: waiting(handler, call_id), 10)
        await sim.drop_connections()
        await until(clock, lambda: len(handler.ups) == 2, 20, "the link back up")
        stats = conn.stats
    kinds = [type(item) for item in handler.told if isinstance(item, LinkUp | LinkDown)]
    assert kinds == [LinkUp, LinkDown, LinkUp, LinkDown]  # the last one: stopped
    up, channels = handler.ups[1]
    assert not up.restarted
    assert call_id in {item["Uniqueid"] for item in channels}
    assert stats.reconnects == 1
    assert handler.downs[-1].reason == "stopped"


async def test_an_asterisk_restart_is_told_apart_from_a_reconnect(tmp_path: Path) -> None:
    clock = scaled_clock()
    async with asterisk_and_link(tmp_path, clock) as (sim, conn, handler):
        call_id = await sim.place_call("12345", "13800138000", "王秀英", WAITS_FOREVER)
        await until(clock, lambda: waiting(handler, call_id), 10)
        await clock.sleep(5)
        await sim.restart()
        await until(clock, lambda: len(handler.ups) == 2, 20, "the link back up")
        restarts = conn.stats.restarts
    assert handler.named("Shutdown")
    up, channels = handler.ups[1]
    assert up.restarted
    assert call_id not in {item.get("Uniqueid") for item in channels}
    assert restarts == 1


async def test_after_a_shutdown_the_link_retries_with_backoff_until_asterisk_is_back(
    tmp_path: Path,
) -> None:
    clock = scaled_clock()
    async with simulated_asterisk(tmp_path, clock) as sim:
        port = sim.port
        async with linked(sim, clock, backoff_initial=1.0) as (conn, handler):
            await sim.shutdown()
            await until(clock, lambda: bool(handler.downs), 10, "link down")
            assert not conn.ready
            with pytest.raises(AmiNotConnected):
                await conn.send({"Action": "Ping"})
            await until(clock, lambda: conn.backoff.attempt >= 4, 60, "several retries")
            async with simulated_asterisk(tmp_path, clock, port=port):
                await conn.wait_ready(60)
    assert handler.downs[0].reason == "Asterisk shut down"
    assert len(handler.ups) == 2


async def test_a_wrong_secret_is_logged_without_the_secret_and_retried_with_backoff(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "not-the-secret-4711"
    clock = scaled_clock()
    caplog.set_level(logging.DEBUG)
    async with asterisk_and_link(tmp_path, clock, secret=secret, wait=False) as (
        sim,
        conn,
        handler,
    ):
        start = clock.monotonic()
        await until(clock, lambda: clock.monotonic() - start > 60, 70)
        attempts = len(actions(sim, "Login"))
        assert not conn.ready
    # 1 s for Asterisk to refuse, then 0.5-1, 1-2, 2-4, 4-8, 8-16, 15-30 s between tries
    assert 3 <= attempts <= 8
    assert handler.ups == []
    failures = [r for r in caplog.records if "authentication failed" in r.getMessage()]
    assert failures
    assert all(secret not in r.getMessage() for r in caplog.records)


async def test_a_hung_asterisk_during_login_is_left_and_tried_again(tmp_path: Path) -> None:
    clock = scaled_clock()
    async with simulated_asterisk(tmp_path, clock) as sim:
        sim.faults.frozen = True
        async with linked(sim, clock, wait=False) as (conn, handler):
            await until(clock, lambda: conn.stats.timeouts >= 1, 30, "the login to time out")
            sim.faults.frozen = False
            await conn.wait_ready(60)
    assert len(handler.ups) == 1


# -- silence ---------------------------------------------------------------------------------


async def settle() -> None:
    for _ in range(100):
        await asyncio.sleep(0)


async def advance(clock: FakeClock, seconds: float, step: float = 0.5) -> None:
    """Move fake time in steps, letting the sockets work between steps."""
    for _ in range(round(seconds / step)):
        await clock.advance(step)
        await settle()


async def test_a_silent_link_is_dropped_within_15_seconds(tmp_path: Path) -> None:
    clock = FakeClock()
    async with asterisk_and_link(tmp_path, clock) as (sim, _, handler):
        await settle()
        sim.faults.frozen = True
        await advance(clock, 15.0)
        assert handler.downs
        assert handler.downs[0].reason.startswith("silent for 15")
        sim.faults.frozen = False
        await advance(clock, 5.0)
        assert len(handler.ups) == 2


async def test_an_idle_link_is_pinged_and_stays_up(tmp_path: Path) -> None:
    clock = FakeClock()
    async with asterisk_and_link(tmp_path, clock) as (sim, conn, handler):
        await advance(clock, 60.0)
        assert conn.ready
    assert len(actions(sim, "Ping")) >= 60 / 5 - 1
    assert len(handler.ups) == 1


async def test_any_byte_counts_as_life_even_when_pings_go_unanswered(tmp_path: Path) -> None:
    clock = FakeClock()
    async with asterisk_and_link(tmp_path, clock) as (sim, conn, handler):
        sim.faults.ignore_actions = {"Ping"}
        for seq in range(12):
            sim.faults.inject(probe(seq))
            await advance(clock, 4.0)
        assert conn.ready
    assert handler.downs[-1].reason == "stopped"
    assert len(handler.ups) == 1


# -- backoff -----------------------------------------------------------------------------------


def test_backoff_doubles_with_jitter_up_to_its_maximum() -> None:
    backoff = Backoff(1.0, 30.0, random.Random(11))
    delays = [backoff.next_delay() for _ in range(8)]
    steps = [1, 2, 4, 8, 16, 30, 30, 30]
    assert all(step / 2 <= delay <= step for delay, step in zip(delays, steps, strict=True))
    assert len(set(delays)) == len(delays)


def test_backoff_starts_over_after_a_reset() -> None:
    backoff = Backoff(1.0, 30.0, random.Random(5))
    for _ in range(6):
        backoff.next_delay()
    backoff.reset()
    assert backoff.next_delay() <= 1.0
