"""The seats table (lines and skills) and the stored seat state intervals.

A seat is named by its softphone endpoint (``PJSIP/<seat>``); seats are retired,
never deleted, so old calls and reports keep naming them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tickets.mapping import seat_state_from_row
from tickets.models import SeatRow, SeatStateRow
from tickets.periods import overlapping
from tickets.records import SeatStateInterval
from tickets.store import upsert

_SEATS: Table = SeatRow.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class SeatInfo:
    seat_id: str
    name: str
    lines: tuple[str, ...]
    temporary: bool
    created_at: datetime
    retired_at: datetime | None = None
    skills: tuple[str, ...] = ()


def _seat_from_row(row: SeatRow) -> SeatInfo:
    return SeatInfo(
        seat_id=row.id,
        name=row.name,
        lines=_split(row.lines),
        temporary=row.temporary,
        created_at=row.created_at,
        retired_at=row.retired_at,
        skills=_split(row.skills),
    )


def _split(text: str) -> tuple[str, ...]:
    return tuple(value for value in text.split(",") if value)


def _joined(what: str, values: Iterable[str]) -> str:
    """Comma-separated values; a value holding a comma could never be read back whole."""
    values = list(values)
    if any("," in value for value in values):
        raise ValueError(f"a seat's {what} cannot hold a comma: {values!r}")
    return ",".join(values)


async def upsert_seat(
    session: AsyncSession,
    seat_id: str,
    name: str,
    lines: Iterable[str],
    temporary: bool,
    *,
    skills: Iterable[str] = (),
    at: datetime | None = None,
) -> None:
    """Create the seat or update it (a retired seat comes back); the caller commits."""
    values = {
        "id": seat_id,
        "name": name,
        "lines": _joined("lines", lines),
        "skills": _joined("skills", skills),
        "temporary": temporary,
        "created_at": at or datetime.now(UTC),
        "retired_at": None,
    }
    stmt = upsert(session.get_bind().dialect.name, _SEATS).values(values)
    changing = ("name", "lines", "skills", "temporary", "retired_at")
    stmt = stmt.on_conflict_do_update(
        index_elements=["id"], set_={key: stmt.excluded[key] for key in changing}
    )
    await session.execute(stmt)


async def retire_seat(session: AsyncSession, seat_id: str, at: datetime) -> bool:
    """Mark the seat retired (a temporary seat closed); False if there is no such seat."""
    result = await session.execute(
        update(SeatRow).where(SeatRow.id == seat_id).values(retired_at=at).returning(SeatRow.id)
    )
    return result.first() is not None


async def list_seats(session: AsyncSession, *, include_retired: bool = False) -> list[SeatInfo]:
    query = select(SeatRow).order_by(SeatRow.id)
    if not include_retired:
        query = query.where(SeatRow.retired_at.is_(None))
    return [_seat_from_row(row) for row in await session.scalars(query)]


async def seat_states_between(
    session: AsyncSession, start: datetime, end: datetime, *, seat: str | None = None
) -> list[SeatStateInterval]:
    """Intervals overlapping [start, end) (open ones included), by seat then start."""
    query = select(SeatStateRow).where(
        overlapping(SeatStateRow.started_at, SeatStateRow.ended_at, start, end)
    )
    if seat is not None:
        query = query.where(SeatStateRow.seat == seat)
    intervals = [seat_state_from_row(row) for row in await session.scalars(query)]
    # sorted here: an ORDER BY would tempt the planner to walk the whole (seat, started_at) index
    return sorted(intervals, key=lambda interval: (interval.seat, interval.started_at))
