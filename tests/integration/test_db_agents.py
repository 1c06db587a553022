"""Agents and their sign-in sessions read back as they were written, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.db_kit import agent_session, at, migrated_engine
from tickets.agents import agent_sessions_between, get_agent, list_agents, upsert_agent
from tickets.db import session_factory
from tickets.records import AgentSession
from tickets.store import write_batch


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    async with migrated_engine(database_url) as engine:
        yield engine


async def store(engine: AsyncEngine, *sessions: AgentSession) -> None:
    async with engine.begin() as conn:
        await write_batch(conn, sessions)


async def test_an_agent_is_created_renamed_and_made_inactive(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        await upsert_agent(session, "1001", "王芳", at=at(0))
        await upsert_agent(session, "1002", "李强", at=at(10))
    async with sessions() as session, session.begin():
        await upsert_agent(session, "1001", "王芳芳", at=at(99))  # renamed; created_at kept
        await upsert_agent(session, "1002", "李强", active=False)
    async with sessions() as session:
        renamed = await get_agent(session, "1001")
        gone = await get_agent(session, "1002")
        unknown = await get_agent(session, "9999")
        active = await list_agents(session)
        everyone = await list_agents(session, include_inactive=True)
    assert renamed is not None
    assert (renamed.name, renamed.active, renamed.created_at) == ("王芳芳", True, at(0))
    assert gone is not None
    assert not gone.active
    assert unknown is None
    assert [agent.agent for agent in active] == ["1001"]
    assert [(agent.agent, agent.active) for agent in everyone] == [("1001", True), ("1002", False)]


async def test_an_inactive_agent_signing_up_again_is_active(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        await upsert_agent(session, "1001", "王芳", active=False, at=at(0))
    async with sessions() as session, session.begin():
        await upsert_agent(session, "1001", "王芳")
    async with sessions() as session:
        assert [agent.agent for agent in await list_agents(session)] == ["1001"]


async def test_a_session_reads_back_equal_to_what_was_written(engine: AsyncEngine) -> None:
    forced = agent_session("1001", "seat01", 0, 3_600, ended_by="supervisor1")
    await store(engine, forced)
    async with session_factory(engine)() as session:
        assert await agent_sessions_between(session, at(0), at(60)) == [forced]


async def test_sessions_overlapping_a_period_include_open_ones(engine: AsyncEngine) -> None:
    before = agent_session("1001", "seat01", -7_200, -3_600, ended_by="agent")
    across = agent_session("1001", "seat01", -600, 600, ended_by="agent")
    inside = agent_session("1002", "seat02", 100, 200, ended_by="agent")
    still_open = agent_session("1002", "seat03", 300)
    after = agent_session("1003", "seat01", 3_600)
    await store(engine, before, across, inside, still_open, after)
    async with session_factory(engine)() as session:
        found = await agent_sessions_between(session, at(0), at(900))
        of_agent = await agent_sessions_between(session, at(0), at(900), agent="1002")
        at_seat = await agent_sessions_between(session, at(-9_000), at(9_000), seat="seat01")
        both = await agent_sessions_between(session, at(0), at(900), agent="1002", seat="seat03")
    assert found == [across, inside, still_open]
    assert of_agent == [inside, still_open]
    assert at_seat == [before, across, after]
    assert both == [still_open]
