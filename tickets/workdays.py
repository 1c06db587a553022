"""The working-day calendar of mainland China: public holidays, the days off moved by the
State Council's yearly schedule and the weekend days worked in exchange (调休), and
moments counted forward in working days. Pure: no database, no clock.

The schedule comes from the ``holidays`` package; the operator can add dates the State
Council has published before the package has them, and those dates win.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from holidays import HolidayBase, country_holidays

CHINA_ZONE = ZoneInfo("Asia/Shanghai")
_DAY = timedelta(days=1)


@lru_cache(maxsize=16)
def _china_holidays(first_year: int, last_year: int) -> HolidayBase:
    # expand=False: one object is shared by every calendar covering these years, so it
    # must not grow behind their backs; a calendar asks for a wider range instead
    years = range(first_year, last_year + 1)
    return country_holidays("CN", years=years, language="zh_CN", expand=False)


class WorkCalendar:
    """Working days in mainland China, seen from one time zone.

    ``extra_workdays`` / ``extra_holidays``: dates the operator adds when the State
    Council publishes a schedule before the library has it; they win over the library.
    """

    def __init__(
        self,
        zone: ZoneInfo = CHINA_ZONE,
        *,
        extra_workdays: Iterable[date] = (),
        extra_holidays: Iterable[date] = (),
    ) -> None:
        self._zone = zone
        self._extra_workdays = frozenset(extra_workdays)
        self._extra_holidays = frozenset(extra_holidays)
        both = self._extra_workdays & self._extra_holidays
        if both:
            listed = ", ".join(day.isoformat() for day in sorted(both))
            raise ValueError(f"dates both in extra_workdays and extra_holidays: {listed}")
        self._years: range = range(0)
        self._holidays: HolidayBase | None = None

    @property
    def zone(self) -> ZoneInfo:
        return self._zone

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` (a calendar date in this calendar's zone) is worked."""
        _check_is_date(day)
        if day in self._extra_holidays:
            return False
        if day in self._extra_workdays:
            return True
        return self._library(day.year).is_working_day(day)

    def holiday_name(self, day: date) -> str | None:
        """The zh-CN name the library gives ``day`` (元旦, 国庆节, 休息日（由 … 调休）…), or
        None: a plain weekend, a working day, or a date the operator added."""
        _check_is_date(day)
        if day in self._extra_workdays:
            return None
        name = self._library(day.year).get(day)
        return name if isinstance(name, str) else None

    def has_official_schedule(self, year: int) -> bool:
        """Whether the library carries the State Council's schedule for ``year``: every
        schedule since 2001 moves days off against worked weekend days, so a year without
        a worked weekend day is one the library only guesses (statutory days alone)."""
        return any(day.year == year for day in self._library(year).weekend_workdays)

    def add_working_days(self, moment: datetime, days: int) -> datetime:
        """``moment`` plus ``days`` working days, the way the contract counts them.

        - ``moment`` must be aware (ValueError otherwise); the count is made in this
          calendar's zone and the result is aware in that zone.
        - From a working day: the ``days``-th following working day at the same clock time
          (Friday 10:00 + 1 = Monday 10:00; the day before a holiday + 1 = the first
          working day after it, 10:00).
        - From a non-working day: counting starts on the next working day, which counts
          as the first, and the result is the end (24:00, i.e. 00:00 of the next calendar
          day) of the ``days``-th working day (Saturday 15:00 + 1 = Monday 24:00 =
          Tuesday 00:00).
        - ``days`` = 0 returns ``moment`` unchanged; ``days`` < 0 is a ValueError.
        """
        local = self._local(moment)
        if days < 0:
            raise ValueError(f"days must not be negative, got {days}")
        if days == 0:
            return moment
        if self.is_working_day(local.date()):
            due_day = self._working_day_after(local.date(), days)
            return datetime.combine(due_day, local.time(), tzinfo=self._zone)
        first = self._working_day_after(local.date(), 1)
        last = self._working_day_after(first, days - 1)
        return self._midnight(last + _DAY)

    def next_working_start(self, moment: datetime) -> datetime:
        """``moment`` if it falls on a working day, else 00:00 (this calendar's zone) of
        the next working day."""
        local = self._local(moment)
        if self.is_working_day(local.date()):
            return moment
        return self._midnight(self._working_day_after(local.date(), 1))

    def working_days_between(self, start: datetime, end: datetime) -> float:
        """The time between ``start`` and ``end`` that falls on working days, in days of
        24 hours (Friday 10:00 to Monday 10:00 = 1.0); negative when ``end`` is earlier."""
        first, last = self._local(start), self._local(end)
        if last < first:
            return -self.working_days_between(end, start)
        worked = timedelta()
        day = first.date()
        while day <= last.date():
            if self.is_working_day(day):
                worked += min(last, self._midnight(day + _DAY)) - max(first, self._midnight(day))
            day += _DAY
        return worked / _DAY

    def _working_day_after(self, day: date, count: int) -> date:
        """The ``count``-th working day after ``day`` (``day`` itself for 0)."""
        while count > 0:
            day += _DAY
            if self.is_working_day(day):
                count -= 1
        return day

    def _midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=self._zone)

    def _local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("moment must be an aware datetime")
        return moment.astimezone(self._zone)

    def _library(self, year: int) -> HolidayBase:
        if self._holidays is None or year not in self._years:
            first = min(year, self._years.start) if self._years else year
            last = max(year, self._years.stop - 1) if self._years else year
            self._years = range(first, last + 1)
            self._holidays = _china_holidays(first, last)
        return self._holidays


def _check_is_date(day: date) -> None:
    # a datetime is a date to Python, but the day of a moment depends on the zone
    if isinstance(day, datetime):
        raise TypeError("pass a date; for a moment use moment.astimezone(calendar.zone).date()")
