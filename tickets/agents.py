"""Agents (坐席员, named by staff number) and their stored sign-in sessions at seats.

Agents who leave are made inactive, never deleted, so old calls and reports keep
naming them. Sessions are written by the write-behind writer (``submit_agent_session``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from tickets.mapping import agent_session_from_row
from tickets.models import AgentRow, AgentSessionRow
from tickets.periods import overlapping
from tickets.records import AgentSession
from tickets.store import upsert

_AGENTS: Table = AgentRow.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class AgentInfo:
    agent: str  # staff number (工号)
    name: str
    active: bool
    created_at: datetime


def _agent_from_row(row: AgentRow) -> AgentInfo:
    return AgentInfo(agent=row.id, name=row.name, active=row.active, created_at=row.created_at)


async def upsert_agent(
    session: AsyncSession,
    agent: str,
    name: str,
    *,
    active: bool = True,
    at: datetime | None = None,
) -> None:
    """Create the agent or update the name and ``active``; ``created_at`` is kept from the
    first time. The caller commits."""
    values = {"id": agent, "name": name, "active": active, "created_at": at or datetime.now(UTC)}
    stmt = upsert(session.get_bind().dialect.name, _AGENTS).values(values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["id"], set_={key: stmt.excluded[key] for key in ("name", "active")}
    )
    await session.execute(stmt)


async def get_agent(session: AsyncSession, agent: str) -> AgentInfo | None:
    row = await session.get(AgentRow, agent)
    return None if row is None else _agent_from_row(row)


async def list_agents(session: AsyncSession, *, include_inactive: bool = False) -> list[AgentInfo]:
    """Agents by staff number (the whole, small, table)."""
    query = select(AgentRow).order_by(AgentRow.id)
    if not include_inactive:
        query = query.where(AgentRow.active.is_(True))
    return [_agent_from_row(row) for row in await session.scalars(query)]


async def agent_sessions_between(
    session: AsyncSession,
    start: datetime,
    end: datetime,
    *,
    agent: str | None = None,
    seat: str | None = None,
) -> list[AgentSession]:
    """Sessions overlapping [start, end) (open ones included), by agent then start."""
    query = select(AgentSessionRow).where(
        overlapping(AgentSessionRow.started_at, AgentSessionRow.ended_at, start, end)
    )
    if agent is not None:
        query = query.where(AgentSessionRow.agent == agent)
    if seat is not None:
        query = query.where(AgentSessionRow.seat == seat)
    sessions = [agent_session_from_row(row) for row in await session.scalars(query)]
    # sorted here, as seat states are: an ORDER BY would tempt the planner into a full walk
    return sorted(sessions, key=lambda found: (found.agent, found.started_at))
