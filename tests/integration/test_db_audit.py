"""The audit log read back as it was written, newest first, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.db_kit import at, audit_entry, migrated_engine
from tickets.audit import list_audit
from tickets.db import session_factory
from tickets.records import AuditEntry
from tickets.store import write_batch


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    async with migrated_engine(database_url) as engine:
        yield engine


async def store(engine: AsyncEngine, *entries: AuditEntry) -> None:
    async with engine.begin() as conn:
        await write_batch(conn, entries)


async def test_an_entry_reads_back_equal_to_what_was_written(engine: AsyncEngine) -> None:
    entry = audit_entry(
        "e1",
        actor="qa-zhang",
        action="call.listen",
        target="call:pbx1/1732345678.42",
        details={"range": "bytes=0-", "t": "not a time", "原因": "抽检"},
    )
    await store(engine, entry)
    async with session_factory(engine)() as session:
        assert await list_audit(session) == ([entry], 1)


async def test_an_entry_is_written_once_and_never_changed(engine: AsyncEngine) -> None:
    first = audit_entry("e1", actor="supervisor1")
    await store(engine, first)
    await store(engine, audit_entry("e1", actor="someone-else", details={}))
    async with session_factory(engine)() as session:
        assert await list_audit(session) == ([first], 1)


async def test_text_postgresql_cannot_hold_is_kept_with_a_stand_in(engine: AsyncEngine) -> None:
    await store(engine, audit_entry("e1", target="seat:80\x0001", details={"k\x00": "v\x00"}))
    async with session_factory(engine)() as session:
        (entry,), _ = await list_audit(session)
    assert entry.target == "seat:80\ufffd01"
    assert entry.details == {"k\ufffd": "v\ufffd"}


async def test_the_log_lists_newest_first_filters_and_counts(engine: AsyncEngine) -> None:
    entries = [
        audit_entry(
            f"e{n}",
            n * 60.0,
            actor="supervisor1" if n % 2 else "supervisor2",
            action="seat.force_pause" if n < 3 else "call.listen",
            target=f"seat:800{n % 3}",
        )
        for n in range(6)
    ]
    await store(engine, *entries)
    async with session_factory(engine)() as session:
        page, total = await list_audit(session, limit=2, offset=1)
        assert ([e.entry_id for e in page], total) == (["e4", "e3"], 6)
        window, total = await list_audit(session, start=at(60), end=at(180))
        assert ([e.entry_id for e in window], total) == (["e2", "e1"], 2)
        by_actor, total = await list_audit(session, actor="supervisor1")
        assert ([e.entry_id for e in by_actor], total) == (["e5", "e3", "e1"], 3)
        by_target, total = await list_audit(session, target="seat:8000")
        assert ([e.entry_id for e in by_target], total) == (["e3", "e0"], 2)
        by_action, total = await list_audit(session, action="seat.force_pause", actor="supervisor2")
        assert ([e.entry_id for e in by_action], total) == (["e2", "e0"], 2)
