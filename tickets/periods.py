"""Periods over the interval tables (seat states, agent sessions): which stretches of time
overlap a half-open period ``[start, end)``, in a form the indexes serve."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy.orm import InstrumentedAttribute

_END_OF_TIME = datetime(9999, 1, 1, tzinfo=UTC)


def overlapping(
    started_at: InstrumentedAttribute[datetime],
    ended_at: InstrumentedAttribute[datetime | None],
    start: datetime,
    end: datetime,
) -> ColumnElement[bool]:
    """Stretches overlapping [start, end), open ones (``ended_at`` NULL) included.

    Three index ranges: began inside the period, or began before it and ended after its
    start or not at all. The table needs an index on ``started_at`` and one on
    ``(ended_at, started_at)``. The always-true upper bound on ``ended_at`` tells SQLite's
    planner (which has no statistics) to take the ended_at index, not every row that
    started before the period.
    """
    return or_(
        and_(started_at >= start, started_at < end),
        and_(ended_at > start, ended_at < _END_OF_TIME, started_at < start),
        and_(ended_at.is_(None), started_at < start),
    )
