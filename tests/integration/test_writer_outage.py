"""The writer across a PostgreSQL outage: a TCP proxy between the engine and the server is
cut (its connections closed, new ones refused) while records keep coming, then restored.
Nothing may be lost, nothing stored twice, and the newest version of every call wins."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from telephony.clock import ScaledClock
from tests.integration.db_kit import (
    TcpProxy,
    agent_session,
    at,
    audit_entry,
    call_version,
    callback_task,
    migrated_engine,
)
from tickets.agents import agent_sessions_between
from tickets.audit import list_audit
from tickets.callbacks import list_callback_tasks
from tickets.calls import list_calls
from tickets.db import create_engine, session_factory
from tickets.models import CallAttemptRow, CallRow
from tickets.records import AgentSession, AuditEntry, CallbackTask, CallRecord
from tickets.writer import WriteBehind

pytestmark = pytest.mark.postgres

CALLS = 300
VERSIONS = 12
# clock seconds run 50 times faster than real ones: the 5-second alarm comes in 0.1 s
SPEED = 50.0


@pytest.fixture
async def proxy(postgres_url: str) -> AsyncIterator[TcpProxy]:
    async with migrated_engine(postgres_url):
        pass
    proxy = TcpProxy("127.0.0.1", 5432)
    await proxy.start()
    yield proxy
    await proxy.close()


@pytest.fixture
async def proxied_engine(proxy: TcpProxy, postgres_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(proxy.url_for(postgres_url))
    yield engine
    await engine.dispose()


def version_stream(seed: int = 12345) -> list[CallRecord]:
    """Every version of every call, calls interleaved; about one version in ten arrives
    after a newer one of its call."""
    rng = random.Random(seed)
    cursors = {n: 0 for n in range(CALLS)}
    stream: list[CallRecord] = []
    while cursors:
        n = rng.choice(list(cursors))
        cursors[n] += 1
        version = cursors[n]
        if version > 1 and rng.random() < 0.1:
            stream.append(call_version(f"c{n}", version - 1, queued=n))
        stream.append(call_version(f"c{n}", version, queued=n))
        if version == VERSIONS:
            del cursors[n]
    return stream


async def submit(writer: WriteBehind, records: Iterable[CallRecord]) -> None:
    for count, record in enumerate(records):
        writer.submit_call(record)
        if count % 20 == 0:
            await asyncio.sleep(0)  # let the writer run between bursts


async def until(condition: Callable[[], bool], rounds: int = 4_000) -> None:
    for _ in range(rounds):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("condition never held")


async def assert_every_call_once_at_its_highest_version(engine: AsyncEngine) -> None:
    async with session_factory(engine)() as session:
        rows = await session.scalar(select(func.count()).select_from(CallRow))
        attempt_rows = await session.scalar(select(func.count()).select_from(CallAttemptRow))
        stored, total = await list_calls(session, limit=CALLS * 2)
    assert rows == total == CALLS
    expected = {f"c{n}": call_version(f"c{n}", VERSIONS, queued=n) for n in range(CALLS)}
    assert {record.call_id: record for record in stored} == expected
    assert attempt_rows == CALLS * (VERSIONS - 1)


async def test_an_outage_loses_nothing_and_keeps_the_newest_versions(
    proxy: TcpProxy, proxied_engine: AsyncEngine, postgres_url: str
) -> None:
    writer = WriteBehind(
        proxied_engine, batch_size=100, flush_interval=0.2, clock=ScaledClock(SPEED)
    )
    await writer.start()
    stream = version_stream()
    first, second, third = stream[:1000], stream[1000:2500], stream[2500:]

    await asyncio.create_task(submit(writer, first))
    await until(lambda: writer.health().written_total > 0)
    await proxy.cut()
    during = asyncio.create_task(submit(writer, second))
    await until(lambda: writer.health().alarm)
    health = writer.health()
    assert not health.db_ok
    assert "failing" in health.alarm_reason
    assert health.last_error
    await during
    assert writer.health().pending > 0

    await proxy.restore()
    await asyncio.create_task(submit(writer, third))
    await writer.flush()
    health = writer.health()
    assert (health.pending, health.db_ok, health.alarm) == (0, True, False)
    assert health.dead_letters == ()
    await writer.stop()

    async with migrated_engine(postgres_url) as direct:
        await assert_every_call_once_at_its_highest_version(direct)


async def test_an_outage_longer_than_memory_spills_to_disk_and_loses_nothing(
    proxy: TcpProxy, proxied_engine: AsyncEngine, postgres_url: str, tmp_path: Path
) -> None:
    spill = tmp_path / "unwritten.jsonl"
    writer = WriteBehind(
        proxied_engine, max_pending=50, batch_size=20, spill_path=spill, clock=ScaledClock(SPEED)
    )
    await writer.start()
    stream = version_stream(seed=7)
    await proxy.cut()
    await asyncio.create_task(submit(writer, stream[:2000]))
    await until(lambda: spill.exists() and writer.health().spilled > 0)
    health = writer.health()
    assert health.pending <= 50  # memory stays bounded
    assert health.alarm
    assert "spilled" in health.alarm_reason

    await proxy.restore()
    await asyncio.create_task(submit(writer, stream[2000:]))
    await writer.flush()
    assert writer.health().spilled == 0
    assert not spill.exists()
    await writer.stop()

    async with migrated_engine(postgres_url) as direct:
        await assert_every_call_once_at_its_highest_version(direct)


async def test_stopping_during_an_outage_keeps_everything_for_the_next_start(
    proxy: TcpProxy, proxied_engine: AsyncEngine, postgres_url: str, tmp_path: Path
) -> None:
    spill = tmp_path / "unwritten.jsonl"
    stream = version_stream(seed=99)
    writer = WriteBehind(proxied_engine, batch_size=50, spill_path=spill, clock=ScaledClock(SPEED))
    await writer.start()
    await asyncio.create_task(submit(writer, stream[:500]))
    await proxy.cut()
    await asyncio.create_task(submit(writer, stream[500:]))
    await writer.stop(timeout=2.0)  # the final flush cannot succeed
    assert spill.exists()

    await proxy.restore()
    async with migrated_engine(postgres_url) as direct:
        restarted = WriteBehind(direct, spill_path=spill)
        await restarted.start()
        await restarted.flush()
        await restarted.stop()
        assert not spill.exists()
        await assert_every_call_once_at_its_highest_version(direct)


def people_stream(seed: int = 3) -> list[AgentSession | CallbackTask | AuditEntry]:
    """Sessions opened then closed, every version of every callback task (some late),
    and audit entries, interleaved."""
    rng = random.Random(seed)
    stream: list[AgentSession | CallbackTask | AuditEntry] = []
    for n in range(100):
        stream.append(agent_session(f"{1000 + n}", f"seat{n}", n))
        stream.append(audit_entry(f"e{n}", n, target=f"seat:seat{n}"))
        for version in range(1, 6):
            stream.append(callback_task(f"c{n}", version=version, attempts=version - 1))
    rng.shuffle(stream)
    for n in range(100):  # each session closes after it opened
        stream.append(agent_session(f"{1000 + n}", f"seat{n}", n, n + 60, ended_by="agent"))
    return stream


def submit_people(
    writer: WriteBehind, stream: Iterable[AgentSession | CallbackTask | AuditEntry]
) -> None:
    for record in stream:
        if isinstance(record, AgentSession):
            writer.submit_agent_session(record)
        elif isinstance(record, CallbackTask):
            writer.submit_callback_task(record)
        else:
            writer.submit_audit(record)


async def test_an_outage_loses_no_audit_entry_session_or_callback_task(
    proxy: TcpProxy, proxied_engine: AsyncEngine, postgres_url: str, tmp_path: Path
) -> None:
    spill = tmp_path / "unwritten.jsonl"
    writer = WriteBehind(
        proxied_engine, max_pending=30, batch_size=20, spill_path=spill, clock=ScaledClock(SPEED)
    )
    await writer.start()
    stream = people_stream()
    await proxy.cut()
    submit_people(writer, stream[:400])
    await until(lambda: not writer.health().db_ok and writer.health().spilled > 0)
    await proxy.restore()
    submit_people(writer, stream[400:])
    await writer.flush()
    health = writer.health()
    assert (health.pending, health.spilled, health.dead_letters) == (0, 0, ())
    await writer.stop()

    async with migrated_engine(postgres_url) as direct, session_factory(direct)() as session:
        entries, audited = await list_audit(session, limit=200)
        tasks, tasks_total = await list_callback_tasks(session, limit=200)
        sessions = await agent_sessions_between(session, at(0), at(1_000))
    assert audited == 100
    assert {entry.entry_id: entry for entry in entries} == {
        f"e{n}": audit_entry(f"e{n}", n, target=f"seat:seat{n}") for n in range(100)
    }
    assert tasks_total == 100
    assert {task.version for task in tasks} == {5}
    assert len(sessions) == 100
    assert all(found.ended_at is not None for found in sessions)
