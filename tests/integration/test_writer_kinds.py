"""The write-behind writer with agent sessions, callback tasks and audit entries, against
real databases (SQLite and PostgreSQL): the same coalescing, dead letters and spill as calls."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.db_kit import (
    agent_session,
    at,
    audit_entry,
    call_version,
    callback_task,
    migrated_engine,
)
from tickets.agents import agent_sessions_between
from tickets.audit import list_audit
from tickets.callbacks import get_callback_task, list_callback_tasks
from tickets.calls import list_calls
from tickets.db import session_factory
from tickets.pending import Writable
from tickets.records import AgentSession, AuditEntry, CallbackTask, CallRecord
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


async def test_a_closed_agent_session_is_never_reopened(
    engine: AsyncEngine, writer: WriteBehind
) -> None:
    opened = agent_session("1001", "seat01", 0)
    closed = agent_session("1001", "seat01", 0, 3_600, ended_by="supervisor1")
    writer.submit_agent_session(closed)
    writer.submit_agent_session(opened)  # coalesced in memory: the closed one stays
    await writer.flush()
    writer.submit_agent_session(opened)  # late, in its own batch: the database keeps it closed
    await writer.flush()
    async with session_factory(engine)() as session:
        assert await agent_sessions_between(session, at(0), at(60)) == [closed]


async def test_only_the_highest_version_of_a_callback_task_is_stored(
    engine: AsyncEngine, writer: WriteBehind
) -> None:
    def version(n: int) -> CallbackTask:
        return callback_task("c1", version=n, attempts=n, status="calling" if n < 4 else "reached")

    for n in (1, 2, 4, 3):  # 3 arrives late: it must not win
        writer.submit_callback_task(version(n))
    await writer.flush()
    writer.submit_callback_task(version(2))  # an old snapshot, in a later batch
    await writer.flush()
    async with session_factory(engine)() as session:
        assert await get_callback_task(session, "pbx1/c1") == version(4)


async def test_an_audit_entry_is_stored_once_and_never_changed(
    engine: AsyncEngine, writer: WriteBehind
) -> None:
    first = audit_entry("e1", actor="supervisor1")
    writer.submit_audit(first)
    writer.submit_audit(audit_entry("e1", actor="coalesced-away"))  # same batch
    await writer.flush()
    writer.submit_audit(audit_entry("e1", actor="too-late"))  # a later batch
    writer.submit_audit(audit_entry("e2"))
    await writer.flush()
    async with session_factory(engine)() as session:
        entries, total = await list_audit(session)
    assert total == 2
    assert first in entries
    assert writer.health().dead_letters == ()


async def test_an_audit_entry_the_database_could_not_keep_is_refused_at_once(
    writer: WriteBehind,
) -> None:
    naive = dataclasses.replace(audit_entry("e1"), at=datetime(2026, 11, 23, 8, 0))
    with pytest.raises(ValueError, match="audit entry"):
        writer.submit_audit(naive)
    assert writer.health().pending == 0


async def test_a_refused_callback_task_is_dead_lettered_and_the_rest_is_stored(
    engine: AsyncEngine, writer: WriteBehind
) -> None:
    writer.submit_callback_task(callback_task("good"))
    writer.submit_callback_task(callback_task("bad", status="forgotten"))  # type: ignore[arg-type]
    writer.submit_agent_session(agent_session("1001", "seat01", 0))
    writer.submit_audit(audit_entry("e1"))
    await writer.flush()
    health = writer.health()
    assert [letter.key for letter in health.dead_letters] == ["('callback_task', 'pbx1/bad')"]
    async with session_factory(engine)() as session:
        tasks, _ = await list_callback_tasks(session)
        _, audited = await list_audit(session)
        sessions = await agent_sessions_between(session, at(0), at(1))
    assert [task.call_id for task in tasks] == ["good"]
    assert (audited, len(sessions)) == (1, 1)


def every_kind(count: int) -> list[Writable]:
    records: list[Writable] = []
    for n in range(count):
        records += [
            call_version(f"c{n}", 3),
            callback_task(f"c{n}", version=2, status="calling", agent="1001"),
            agent_session(f"{1000 + n}", f"seat{n}", n, n + 100, ended_by="agent"),
            audit_entry(f"e{n}", n, details={"t": "2026-11-23T08:00:00"}),
        ]
    return records


def submit(writer: WriteBehind, records: list[Writable]) -> None:
    for record in records:
        if isinstance(record, CallRecord):
            writer.submit_call(record)
        elif isinstance(record, CallbackTask):
            writer.submit_callback_task(record)
        elif isinstance(record, AgentSession):
            writer.submit_agent_session(record)
        elif isinstance(record, AuditEntry):
            writer.submit_audit(record)


async def assert_all_stored(engine: AsyncEngine, records: list[Writable]) -> None:
    count = len(records) // 4
    async with session_factory(engine)() as session:
        calls, calls_total = await list_calls(session, limit=count)
        tasks, tasks_total = await list_callback_tasks(session, limit=count)
        sessions = await agent_sessions_between(session, at(0), at(count + 100))
        entries, entries_total = await list_audit(session, limit=count)
    assert (calls_total, tasks_total, entries_total) == (count, count, count)
    stored = [*calls, *tasks, *sessions, *entries]
    assert sorted(map(repr, stored)) == sorted(map(repr, records))


async def test_a_burst_of_every_kind_beyond_max_pending_spills_and_is_all_stored(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    spill = tmp_path / "unwritten.jsonl"
    writer = WriteBehind(engine, max_pending=10, batch_size=8, spill_path=spill)
    await writer.start()
    records = every_kind(40)
    submit(writer, records)  # no await in between: the writer cannot write meanwhile
    assert writer.health().spilled == 150
    await writer.flush()
    assert (writer.health().spilled, writer.health().pending) == (0, 0)
    await writer.stop()
    assert not spill.exists()
    await assert_all_stored(engine, records)


async def test_every_kind_left_at_stop_is_stored_by_the_next_start(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    spill = tmp_path / "unwritten.jsonl"
    first = WriteBehind(engine, max_pending=10, spill_path=spill)  # never started
    records = every_kind(10)
    submit(first, records)
    await first.stop()
    assert spill.exists()

    second = WriteBehind(engine, spill_path=spill)
    await second.start()
    await second.flush()
    await second.stop()
    assert not spill.exists()
    await assert_all_stored(engine, records)
