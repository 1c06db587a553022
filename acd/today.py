"""The calls of the current local day, in memory: the rows the wallboard counts.

Every snapshot the ledger makes goes here and to the database writer, so the
live figures and the stored rows are the same records. A call belongs to the
day it was queued on (local time of the centre, Asia/Shanghai by default).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from tickets.records import CallRecord


def start_of_day(moment: datetime, zone: ZoneInfo) -> datetime:
    local = moment.astimezone(zone)
    return datetime.combine(local.date(), time(0), tzinfo=zone)


class TodayCalls:
    def __init__(self, zone: ZoneInfo, now: datetime) -> None:
        self.zone = zone
        self.day_start = start_of_day(now, zone)
        self._records: dict[tuple[str, str], CallRecord] = {}

    def update(self, record: CallRecord) -> None:
        current = self._records.get(record.key)
        if current is not None and current.version >= record.version:
            return
        if record.queued_at >= self.day_start or record.ended_at is None:
            self._records[record.key] = record

    def load(self, records: Iterable[CallRecord]) -> None:
        for record in records:
            self.update(record)

    def roll(self, now: datetime) -> bool:
        """At local midnight: forget yesterday's ended calls. True if the day changed."""
        day_start = start_of_day(now, self.zone)
        if day_start == self.day_start:
            return False
        self.day_start = day_start
        self._records = {
            key: record
            for key, record in self._records.items()
            if record.queued_at >= day_start or record.ended_at is None
        }
        return True

    def records(self) -> list[CallRecord]:
        return [r for r in self._records.values() if r.queued_at >= self.day_start]

    def recent(self, limit: int) -> list[CallRecord]:
        ordered = sorted(self._records.values(), key=lambda r: r.queued_at, reverse=True)
        return ordered[:limit]

    def next_midnight(self) -> datetime:
        return self.day_start + timedelta(days=1)

    def __len__(self) -> int:
        return len(self._records)
