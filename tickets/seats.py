"""The seats table and the stored seat state intervals.

A seat is named by its softphone endpoint (``PJSIP/<seat>``); seats are retired,
never deleted, so old calls and reports keep naming them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Table, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tickets.mapping import seat_state_from_row
from tickets.models import SeatRow, SeatStateRow
from tickets.records import SeatStateInterval
from tickets.store import upsert

_END_OF_TIME = datetime(9999, 1, 1, tzinfo=UTC)
_SEATS: Table = SeatRow.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class SeatInfo:
    seat_id: str
    name: str
    lines: tuple[str, ...]
    temporary: bool
    created_at: datetime
    retired_at: datetime | None = None


def _seat_from_row(row: SeatRow) -> SeatInfo:
    return SeatInfo(
        seat_id=row.id,
        name=row.name,
        lines=tuple(line for line in row.lines.split(",") if line),
        temporary=row.temporary,
        created_at=row.created_at,
        retired_at=row.retired_at,
    )


async def upsert_seat(
    session: AsyncSession,
    seat_id: str,
    name: str,
    lines: Iterable[str],
    temporary: bool,
    *,
    at: datetime | None = None,
) -> None:
    """Create the seat or update it (a retired seat comes back); the caller commits."""
    values = {
        "id": seat_id,
        "name": name,
        "lines": ",".join(lines),
        "temporary": temporary,
        "created_at": at or datetime.now(UTC),
        "retired_at": None,
    }
    stmt = upsert(session.get_bind().dialect.name, _SEATS).values(values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["id"],
        set_={key: stmt.excluded[key] for key in ("name", "lines", "temporary", "retired_at")},
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
    # three index ranges: began inside the period, or began before it and ended after
    # its start or not at all. The always-true upper bound on ended_at tells SQLite's
    # planner (which has no statistics) to take the ended_at index, not every row
    # that started before the period.
    overlapping = or_(
        and_(SeatStateRow.started_at >= start, SeatStateRow.started_at < end),
        and_(
            SeatStateRow.ended_at > start,
            SeatStateRow.ended_at < _END_OF_TIME,
            SeatStateRow.started_at < start,
        ),
        and_(SeatStateRow.ended_at.is_(None), SeatStateRow.started_at < start),
    )
    query = select(SeatStateRow).where(overlapping)
    if seat is not None:
        query = query.where(SeatStateRow.seat == seat)
    intervals = [seat_state_from_row(row) for row in await session.scalars(query)]
    # sorted here: an ORDER BY would tempt the planner to walk the whole (seat, started_at) index
    return sorted(intervals, key=lambda interval: (interval.seat, interval.started_at))
