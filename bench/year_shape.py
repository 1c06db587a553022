"""The shape of a busy centre's year, for ``hotline bench reports``: which twelve months,
how many calls and work orders fall on each day, at which hours, and how hard the day
presses on the seats.

* Days: Mondays busiest, weekends and public holidays quieter, a summer swell (water,
  power, heat), a handful of surge days (typhoon, rainstorm, cold wave, a district-wide
  outage) with twice the calls, and some thinly staffed days.
* Hours: 24×7 service with a morning peak (09–11), an afternoon peak (14–16) and quiet
  nights.
* Pressure: 1.0 is a day the rota was planned for; surges, thin staffing and the peak
  hours lengthen the waits (see ``bench.year_calls``).

Counts are shared out by largest remainder, so the year holds exactly the calls and
orders asked for.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tickets.reports.period import Period
from tickets.workdays import WorkCalendar

ZONE = ZoneInfo("Asia/Shanghai")
# share of each local hour's calls, 00:00 … 23:00
HOUR_WEIGHTS = (
    0.8, 0.5, 0.35, 0.3, 0.3, 0.5, 1.2, 2.6, 5.2, 7.6, 8.0, 7.0,
    5.0, 5.6, 7.0, 7.2, 6.6, 5.6, 4.4, 4.0, 3.6, 3.0, 2.0, 1.3,
)  # fmt: skip
# the rota has fewer seats at night and just too few at the peaks
HOUR_PRESSURE = (
    1.1, 1.1, 1.1, 1.1, 1.1, 1.1, 1.0, 1.0, 1.05, 1.15, 1.15, 1.1,
    1.0, 1.0, 1.1, 1.15, 1.1, 1.0, 1.0, 1.0, 1.0, 1.0, 1.05, 1.1,
)  # fmt: skip
WEEKDAY_WEIGHTS = (1.12, 1.05, 1.02, 1.0, 0.98, 0.82, 0.78)  # Monday … Sunday
HOLIDAY_WEIGHT = 0.8  # a public holiday that falls on a weekday
SURGE_SHARE = 0.02  # days with a typhoon, rainstorm, cold wave or outage
THIN_SHARE = 0.04  # days with sick leave or training: the same calls, fewer seats


@dataclass(frozen=True, slots=True)
class YearPlan:
    """What to generate: ``calls`` inbound calls and ``orders`` work orders over the
    twelve months that end with ``month`` (YYYY-MM); nothing later than ``now``."""

    calls: int = 1_000_000
    orders: int = 300_000
    month: str = ""
    seed: int = 12345
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __post_init__(self) -> None:
        if self.calls < 1 or self.orders < 0:
            raise ValueError("calls must be at least 1 and orders at least 0")
        if self.month_period().end > self.now:
            raise ValueError(f"month {self.month} has not ended yet")

    def month_period(self) -> Period:
        return Period.month(self.month or last_complete_month(self.now), ZONE)

    def year_period(self) -> Period:
        last = self.month_period().start.astimezone(ZONE).date()
        first = date(last.year - 1 + (last.month == 12), last.month % 12 + 1, 1)
        return Period.days(first, self.month_period().end.astimezone(ZONE).date(), ZONE)


def last_complete_month(now: datetime) -> str:
    """The month before ``now``'s, in the centre's time zone: ``2026-10`` in November."""
    first = now.astimezone(ZONE).date().replace(day=1)
    return (first - timedelta(days=1)).strftime("%Y-%m")


@dataclass(frozen=True, slots=True)
class DayShape:
    day: date
    start: datetime  # local midnight
    calls: int
    orders: int
    pressure: float
    surge: bool


def year_days(plan: YearPlan, rng: random.Random) -> list[DayShape]:
    """Every local day of the plan's year with its calls, orders and pressure."""
    days = plan.year_period().local_days()
    calendar = WorkCalendar(ZONE)
    surges = _pick_days(rng, days, SURGE_SHARE, summer_bias=True)
    thin = _pick_days(rng, days, THIN_SHARE, summer_bias=False) - surges
    call_weights, order_weights, pressures = [], [], []
    for day in days:
        weight = _base_weight(day, calendar) * math.exp(rng.gauss(0.0, 0.06))
        surge, pressure = 1.0, 1.0
        if day in surges:
            surge = rng.uniform(1.6, 2.4)
            pressure = 1.0 + (surge - 1.0) * 0.55
        elif day in thin:
            pressure = rng.uniform(1.15, 1.35)
        call_weights.append(weight * surge)
        # many callers of a surge report the same thing: fewer orders than calls
        order_weights.append(weight * surge**0.6)
        pressures.append(pressure)
    calls = share_out(plan.calls, call_weights)
    orders = share_out(plan.orders, order_weights)
    return [
        DayShape(
            day,
            datetime.combine(day, time(0), tzinfo=ZONE),
            calls[n],
            orders[n],
            pressures[n],
            day in surges,
        )
        for n, day in enumerate(days)
    ]


def _base_weight(day: date, calendar: WorkCalendar) -> float:
    weight = WEEKDAY_WEIGHTS[day.weekday()]
    if day.weekday() < 5 and not calendar.is_working_day(day):
        weight = HOLIDAY_WEIGHT
    # summer swell: highest in late July, lowest in late January
    return weight * (1.0 + 0.12 * math.sin(2 * math.pi * (day.timetuple().tm_yday - 115) / 365))


def _pick_days(
    rng: random.Random, days: Sequence[date], share: float, *, summer_bias: bool
) -> set[date]:
    count = max(1, round(len(days) * share)) if len(days) > 60 else 0
    weights = [3.0 if summer_bias and 6 <= day.month <= 9 else 1.0 for day in days]
    picked: set[date] = set()
    while len(picked) < count:
        picked.add(rng.choices(days, weights)[0])
    return picked


def share_out(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainder): sums to ``total``."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    counts = [int(x) for x in exact]
    short = total - sum(counts)
    by_remainder = sorted(range(len(exact)), key=lambda n: exact[n] - counts[n], reverse=True)
    for n in by_remainder[:short]:
        counts[n] += 1
    return counts


def moments_of_day(rng: random.Random, start: datetime, count: int) -> list[float]:
    """``count`` sorted epoch seconds in the local day from ``start``, by ``HOUR_WEIGHTS``.
    (Days of a DST change do not happen in Asia/Shanghai.)"""
    base = start.timestamp()
    hours = rng.choices(range(24), HOUR_WEIGHTS, k=count)
    return sorted(base + hour * 3600 + rng.random() * 3600 for hour in hours)


def hour_of(moment: float, day_start: float) -> int:
    return min(23, max(0, int((moment - day_start) // 3600)))
