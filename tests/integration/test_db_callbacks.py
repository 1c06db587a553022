"""Callback tasks read back as they were written, listed open ones due soonest first, on
SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.db_kit import at, callback_task, migrated_engine
from tickets.callbacks import get_callback_task, list_callback_tasks, open_callback_tasks
from tickets.db import session_factory
from tickets.records import CallbackTask
from tickets.store import write_batch


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    async with migrated_engine(database_url) as engine:
        yield engine


async def store(engine: AsyncEngine, *tasks: CallbackTask) -> None:
    async with engine.begin() as conn:
        await write_batch(conn, tasks)


def reached_task() -> CallbackTask:
    return callback_task(
        "1732345678.42",
        version=1_795_458_400_000_000,
        line="962121",
        caller="13912345678",
        reason="kept_place",
        status="reached",
        attempts=2,
        last_attempt_at=at(1_800),
        agent="1001",
        seat="seat02",
        result_call_id="1732347478.51",
        note="已回拨，市民表示满意",
        closed_at=at(1_900),
    )


async def test_a_task_reads_back_equal_to_what_was_written(engine: AsyncEngine) -> None:
    task = reached_task()
    await store(engine, task)
    async with session_factory(engine)() as session:
        assert await get_callback_task(session, task.task_id) == task
        assert await get_callback_task(session, "pbx1/nope") is None


def a_day_of_tasks() -> list[CallbackTask]:
    return [
        callback_task("late", due=7_200),
        callback_task("soon", due=600, line="962121"),
        callback_task("calling", due=900, status="calling", agent="1001"),
        callback_task("done", due=300, status="reached", agent="1001", closed_at=at(400)),
        callback_task("dropped", due=100, status="not_needed", caller="13800000009"),
        callback_task("mine", due=1_200, agent="1001", caller="13800000009"),
    ]


async def test_open_tasks_come_first_due_soonest_first(engine: AsyncEngine) -> None:
    await store(engine, *a_day_of_tasks())
    async with session_factory(engine)() as session:
        page, total = await list_callback_tasks(session)
        second, _ = await list_callback_tasks(session, limit=2, offset=2)
        opened = await open_callback_tasks(session)
    assert [task.call_id for task in page] == ["soon", "calling", "mine", "late", "dropped", "done"]
    assert total == 6
    assert [task.call_id for task in second] == ["mine", "late"]
    assert [task.call_id for task in opened] == ["soon", "calling", "mine", "late"]


FILTERED: list[tuple[dict[str, Any], list[str]]] = [
    ({"status": "open"}, ["soon", "calling", "mine", "late"]),
    ({"status": "closed"}, ["dropped", "done"]),
    ({"status": "pending"}, ["soon", "mine", "late"]),
    ({"status": "reached"}, ["done"]),
    ({"line": "962121"}, ["soon"]),
    ({"agent": "1001"}, ["calling", "mine", "done"]),
    ({"agent": "1001", "status": "open"}, ["calling", "mine"]),
    ({"caller_number": "13800000009"}, ["mine", "dropped"]),
    ({"due_before": at(1_000)}, ["soon", "calling", "dropped", "done"]),
    ({"status": "open", "line": "12345", "due_before": at(1_000)}, ["calling"]),
]


async def test_the_task_list_filters_and_counts(engine: AsyncEngine) -> None:
    await store(engine, *a_day_of_tasks())
    async with session_factory(engine)() as session:
        for filters, expected in FILTERED:
            found, total = await list_callback_tasks(session, **filters)
            assert ([task.call_id for task in found], total) == (expected, len(expected)), filters


async def test_an_unknown_status_is_refused(engine: AsyncEngine) -> None:
    async with session_factory(engine)() as session:
        with pytest.raises(ValueError, match="status"):
            await list_callback_tasks(session, status="done")  # type: ignore[arg-type]


async def test_a_task_closed_by_a_newer_version_leaves_the_open_list(engine: AsyncEngine) -> None:
    pending = callback_task("c1", version=1)
    await store(engine, pending)
    await store(engine, callback_task("c1", version=2, status="cancelled", closed_at=at(50)))
    await store(engine, pending)  # late: the older version changes nothing
    async with session_factory(engine)() as session:
        opened = await open_callback_tasks(session)
        stored = await get_callback_task(session, "pbx1/c1")
    assert opened == []
    assert stored is not None
    assert (stored.status, stored.version) == ("cancelled", 2)
