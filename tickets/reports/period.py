"""Periods of a report: half-open ``[start, end)`` in aware datetimes, the local days and
hours they cover in the centre's time zone, and the month ``YYYY-MM`` of an assessment."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, slots=True)
class Period:
    start: datetime
    end: datetime
    zone: tzinfo

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("a period's start and end must be aware datetimes")
        if self.end <= self.start:
            raise ValueError(f"the period ends ({self.end}) before it starts ({self.start})")

    @classmethod
    def month(cls, text: str, zone: tzinfo) -> Period:
        """``2026-11``: from the 1st 00:00 to the next month's 1st 00:00, local time."""
        found = _MONTH.match(text.strip())
        if found is None or not 1 <= int(found[2]) <= 12:
            raise ValueError(f"{text!r} is not a month (YYYY-MM, e.g. 2026-11)")
        year, month = int(found[1]), int(found[2])
        following = date(year + month // 12, month % 12 + 1, 1)
        return cls.days(date(year, month, 1), following, zone)

    @classmethod
    def days(cls, first: date, after_last: date, zone: tzinfo) -> Period:
        """Local days ``first`` up to, not including, ``after_last``."""
        return cls(_midnight(first, zone), _midnight(after_last, zone), zone)

    @classmethod
    def day(cls, day: date, zone: tzinfo) -> Period:
        return cls.days(day, day + timedelta(days=1), zone)

    def local_days(self) -> list[date]:
        """Every local day the period touches, in order."""
        first = self.start.astimezone(self.zone).date()
        last = (self.end - timedelta(microseconds=1)).astimezone(self.zone).date()
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]

    def day_windows(self) -> Iterator[tuple[date, datetime, datetime]]:
        """Each local day with its part of the period ``[start, end)``."""
        for day in self.local_days():
            start = max(self.start, _midnight(day, self.zone))
            end = min(self.end, _midnight(day + timedelta(days=1), self.zone))
            yield day, start, end

    def previous(self) -> Period:
        """The period of the same length just before this one (for trends); a whole
        month's previous period is the whole month before."""
        local_start = self.start.astimezone(self.zone)
        local_end = self.end.astimezone(self.zone)
        if _is_month(local_start, local_end):
            before = (local_start.date() - timedelta(days=1)).replace(day=1)
            return Period.days(before, local_start.date(), self.zone)
        return Period(self.start - (self.end - self.start), self.start, self.zone)

    def label(self) -> str:
        local_start = self.start.astimezone(self.zone)
        local_end = self.end.astimezone(self.zone)
        if _is_month(local_start, local_end):
            return local_start.strftime("%Y-%m")
        if local_start.time() == time(0) and local_end.time() == time(0):
            last = local_end.date() - timedelta(days=1)
            if last == local_start.date():
                return last.isoformat()
            return f"{local_start.date().isoformat()} – {last.isoformat()}"
        begins, ends = (m.isoformat(timespec="minutes") for m in (local_start, local_end))
        return f"{begins} – {ends}"

    def as_json(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat(), "label": self.label()}


def _midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def _is_month(local_start: datetime, local_end: datetime) -> bool:
    if local_start.time() != time(0) or local_end.time() != time(0) or local_start.day != 1:
        return False
    start = local_start.date()
    following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return local_end.date() == following
