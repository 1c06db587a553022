"""The write-behind writer against real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from telephony.clock import FakeClock
from tests.integration.db_kit import at, call, call_version, migrated_engine
from tickets.calls import get_call, list_calls
from tickets.db import create_engine, session_factory
from tickets.migrate import upgrade_to_head
from tickets.models import CallRow
from tickets.orders import get_order_for_call
from tickets.records import SeatStateInterval, WorkOrderDraft
from tickets.seats import seat_states_between
from tickets.writer import WriteBehind


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    async with migrated_engine(database_url) as engine:
        yield engine


@pytest.fixture
async def writer(engine: AsyncEngine) -> AsyncIterator[WriteBehind]:
    writer = WriteBehind(engine, batch_size=50)
    await writer.start()
    yield writer
    await writer.stop()


async def stored_calls(engine: AsyncEngine) -> int:
    async with session_factory(engine)() as session:
        return await session.scalar(select(func.count()).select_from(CallRow)) or 0


async def test_only_the_highest_version_of_a_call_is_stored(
    engine: AsyncEngine, writer: WriteBehind
) -> None:
    for version in (1, 2, 4, 3):  # 3 arrives late: it must not win
        writer.submit_call(call_version("c1", version))
    await writer.flush()
    writer.submit_call(call_version("c1", 2))  # an old snapshot, in a later batch
    await writer.flush()
    async with session_factory(engine)() as session:
        stored = await get_call(session, "pbx1", "c1")
    assert stored == call_version("c1", 4)


async def test_a_newer_version_replaces_the_attempts_of_the_call(
    engine: AsyncEngine, writer: WriteBehind
) -> None:
    writer.submit_call(call_version("c1", 5))
    await writer.flush()
    writer.submit_call(call_version("c1", 6))
    await writer.flush()
    async with session_factory(engine)() as session:
        stored = await get_call(session, "pbx1", "c1")
    assert stored is not None
    assert stored.attempts == call_version("c1", 6).attempts


async def test_the_same_snapshot_twice_is_one_row(engine: AsyncEngine, writer: WriteBehind) -> None:
    record = call_version("c1", 3)
    writer.submit_call(record)
    await writer.flush()
    writer.submit_call(record)
    writer.submit_call(call("c2"))
    await writer.flush()
    assert await stored_calls(engine) == 2
    assert writer.health().written_total == 3


async def test_a_closed_seat_state_is_never_reopened(
    engine: AsyncEngine, writer: WriteBehind
) -> None:
    opened = SeatStateInterval("seat01", "talking", at(0), agent="1001")
    closed = SeatStateInterval("seat01", "talking", at(0), at(90), agent="1001")
    writer.submit_seat_state(closed)
    writer.submit_seat_state(opened)  # coalesced in memory: the closed one stays
    await writer.flush()
    writer.submit_seat_state(opened)  # late, in its own batch: the database keeps it closed
    await writer.flush()
    async with session_factory(engine)() as session:
        assert await seat_states_between(session, at(-10), at(10)) == [closed]


async def test_a_draft_order_is_rewritten_while_it_is_a_draft(
    engine: AsyncEngine, writer: WriteBehind
) -> None:
    draft = WorkOrderDraft("12345-20261123-AAAA", "pbx1", "c1", "12345", "138", at(0), "seat01")
    writer.submit_order(draft)
    await writer.flush()
    writer.submit_order(dataclasses.replace(draft, seat="seat02"))
    await writer.flush()
    async with session_factory(engine)() as session:
        order = await get_order_for_call(session, "pbx1", "c1")
    assert order is not None
    assert (order.number, order.seat, order.status) == (draft.number, "seat02", "draft")


async def test_a_refused_record_is_dead_lettered_and_the_rest_is_stored(
    engine: AsyncEngine, writer: WriteBehind
) -> None:
    writer.submit_call(call("good1"))
    writer.submit_call(call("bad", outcome="no-such-outcome"))  # breaks a CHECK constraint
    writer.submit_call(call("huge", end_cause=2**40))  # out of the column's range on PostgreSQL
    writer.submit_call(call("good2"))
    await writer.flush()
    health = writer.health()
    dead = {letter.key for letter in health.dead_letters}
    assert "('call', 'pbx1', 'bad')" in dead
    async with session_factory(engine)() as session:
        stored, total = await list_calls(session)
    stored_ids = {record.call_id for record in stored}
    assert {"good1", "good2"} <= stored_ids
    assert "bad" not in stored_ids
    assert total + len(dead) == 4
    assert health.db_ok


async def test_a_burst_beyond_max_pending_spills_and_is_all_stored(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    spill = tmp_path / "unwritten.jsonl"
    writer = WriteBehind(engine, max_pending=10, batch_size=8, spill_path=spill)
    await writer.start()
    for n in range(300):  # no await in between: the writer cannot write meanwhile
        writer.submit_call(call_version(f"c{n}", 1 + n % 4))
    health = writer.health()
    assert health.pending <= 10
    assert health.spilled == 290
    assert health.alarm
    await writer.flush()
    assert await stored_calls(engine) == 300
    health = writer.health()
    assert (health.spilled, health.pending, health.alarm) == (0, 0, False)
    assert not spill.exists()
    await writer.stop()


async def test_records_left_at_stop_are_stored_by_the_next_start(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    spill = tmp_path / "unwritten.jsonl"
    first = WriteBehind(engine, max_pending=10, spill_path=spill)  # never started
    for n in range(40):
        first.submit_call(call_version(f"c{n}", 3))
    draft = WorkOrderDraft("12345-20261123-BBBB", "pbx1", "c1", "12345", "138", at(0), "seat01")
    first.submit_order(draft)
    await first.stop()
    assert spill.exists()

    second = WriteBehind(engine, spill_path=spill)
    await second.start()
    second.submit_order(dataclasses.replace(draft, seat="seat09"))  # newer
    await second.flush()
    await second.stop()
    assert await stored_calls(engine) == 40
    assert not spill.exists()
    async with session_factory(engine)() as session:
        order = await get_order_for_call(session, "pbx1", "c1")
    assert order is not None
    assert order.seat == "seat09"


async def test_alarm_rises_when_writes_keep_failing_and_clears_when_they_succeed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'not-yet' / 'hotline.db'}"  # no such directory
    engine = create_engine(url)
    clock = FakeClock()
    writer = WriteBehind(engine, clock=clock, retry_initial=0.5, retry_max=2.0, alarm_after=5.0)
    await writer.start()
    caplog.set_level(logging.INFO, logger="tickets.writer")
    writer.submit_call(call("c1"))  # never raises, never waits
    await clock.advance(0.2)
    await _until(lambda: not writer.health().db_ok)
    assert not writer.health().alarm
    for _ in range(8):
        await clock.advance(1.0)
    health = writer.health()
    assert health.alarm
    assert "failing" in health.alarm_reason
    assert health.pending == 1
    assert health.oldest_pending_seconds >= 8

    (tmp_path / "not-yet").mkdir()
    await upgrade_to_head(url)
    for _ in range(3):
        await clock.advance(2.0)
    await _until(lambda: writer.health().written_total == 1)
    assert not writer.health().alarm
    alarms = [r for r in caplog.records if r.levelno == logging.ERROR and "alarm" in r.message]
    cleared = [r for r in caplog.records if r.levelno == logging.INFO and "cleared" in r.message]
    assert (len(alarms), len(cleared)) == (1, 1)
    await writer.stop()
    await engine.dispose()


async def test_pending_near_its_limit_raises_the_alarm(engine: AsyncEngine) -> None:
    writer = WriteBehind(engine, max_pending=10)  # not started: nothing drains
    for n in range(7):
        writer.submit_call(call(f"c{n}"))
    assert not writer.health().alarm
    writer.submit_call(call("c7"))
    health = writer.health()
    assert health.alarm
    assert "8 records pending" in health.alarm_reason


async def _until(condition: Callable[[], bool], rounds: int = 2_000) -> None:
    """Let the writer's real I/O (a thread for SQLite) run until ``condition()`` holds."""
    for _ in range(rounds):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("condition never held")
