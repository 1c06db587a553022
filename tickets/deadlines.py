"""The contract's work-order deadlines (时限), computed: dispatch, first response, signing
for, re-handling, callback, closure, supervision checkpoints, the 962121 property urge,
and how urgent an open step is (催办 before the deadline, 督办 after it).

Pure: the rules, the working-day calendar and every moment are passed in. Every moment
must be timezone-aware; results are aware (in the calendar's zone where one is passed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime, time, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from tickets.workdays import WorkCalendar

DEADLINE_LABELS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "dispatch": "派单时限",
        "response": "响应时限",
        "sign": "签收时限",
        "rehandle": "重办时限",
        "callback": "回访时限",
        "close": "办结时限",
        "property_phone": "物业催办时限",
    }
)


@dataclass(frozen=True, slots=True)
class DeadlineRules:
    """The numbers of one contract; the defaults are the common ones (see DOMAIN.md)."""

    dispatch_minutes: int = 30  # routine orders dispatched within 30 min of acceptance
    urgent_dispatch_minutes: int = 5  # "at once": threats (扬言), emergencies
    response_hours: float = 2.0  # first contact with the citizen within 2 h ...
    day_starts: time = time(8, 0)  # ... for orders accepted 08:00–22:00;
    day_ends: time = time(22, 0)  # night orders: the 2 h count from 08:00
    urgent_response_minutes: int = 15
    sign_working_days: int = 1  # the unit signs for (签收) within 1 working day of dispatch
    rehandle_days: int = 2  # a returned / re-opened order re-handled within 2 days
    callback_days: int = 2  # callback (回访) within 2 days of the unit's reply
    close_days: int = 7  # closure (办结) within 7 days of acceptance
    working_days: bool = True  # the day counts above are working days (False: calendar days)
    follow_up_hours: tuple[float, ...] = (2.0, 24.0, 168.0)  # supervision at 2 h, 24 h, 7 days
    property_silent_minutes: int = 15  # 962121: property company silent 15 min after dispatch
    property_phone_minutes: int = 30  # ... then the hotline phones it within 30 min
    due_soon_fraction: float = 0.2  # 催办 when less than 20% of the allowed time remains ...
    due_soon_min_minutes: int = 10  # ... or less than 10 minutes, whichever is longer

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
                raise ValueError(f"{field.name} must not be negative, got {value}")
        if any(hours < 0 for hours in self.follow_up_hours):
            raise ValueError(f"follow_up_hours must not be negative, got {self.follow_up_hours}")
        if not self.day_starts < self.day_ends:
            raise ValueError(
                f"day_starts ({self.day_starts}) must be earlier than day_ends ({self.day_ends})"
            )
        if not 0 < self.due_soon_fraction < 1:
            raise ValueError(
                f"due_soon_fraction must be between 0 and 1, got {self.due_soon_fraction}"
            )


class Urgency(StrEnum):
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"  # 催办: little of the allowed time is left
    OVERDUE = "overdue"  # 督办: the deadline has passed


URGENCY_LABELS: Final[Mapping[Urgency, str]] = MappingProxyType(
    {Urgency.ON_TIME: "正常", Urgency.DUE_SOON: "催办", Urgency.OVERDUE: "督办"}
)


def dispatch_due(rules: DeadlineRules, accepted_at: datetime, *, urgent: bool) -> datetime:
    """Dispatch (派单) deadline: minutes after acceptance, at any hour."""
    minutes = rules.urgent_dispatch_minutes if urgent else rules.dispatch_minutes
    return _aware(accepted_at, "accepted_at") + timedelta(minutes=minutes)


def response_due(
    rules: DeadlineRules, calendar: WorkCalendar, accepted_at: datetime, *, urgent: bool
) -> datetime:
    """First-response (响应) deadline. Service runs every day of the year, so holidays do not
    stop this count. Accepted between ``day_starts`` (included) and ``day_ends`` (excluded),
    local time: ``response_hours`` later. Accepted at night: ``response_hours`` after the
    next ``day_starts`` (the same day before it, the next day after ``day_ends``). Urgent:
    ``urgent_response_minutes`` later at any hour."""
    local = _aware(accepted_at, "accepted_at").astimezone(calendar.zone)
    if urgent:
        return local + timedelta(minutes=rules.urgent_response_minutes)
    clock = local.time()
    if rules.day_starts <= clock < rules.day_ends:
        count_from = local
    else:
        day = local.date() if clock < rules.day_starts else local.date() + timedelta(days=1)
        count_from = datetime.combine(day, rules.day_starts, tzinfo=calendar.zone)
    return count_from + timedelta(hours=rules.response_hours)


def sign_due(rules: DeadlineRules, calendar: WorkCalendar, dispatched_at: datetime) -> datetime:
    """Signing-for (签收) deadline for the unit, counted from dispatch."""
    return add_days(rules, calendar, dispatched_at, rules.sign_working_days)


def rehandle_due(rules: DeadlineRules, calendar: WorkCalendar, reopened_at: datetime) -> datetime:
    """Re-handling (重办) deadline of a returned or re-opened order."""
    return add_days(rules, calendar, reopened_at, rules.rehandle_days)


def callback_due(rules: DeadlineRules, calendar: WorkCalendar, replied_at: datetime) -> datetime:
    """Callback (回访) deadline, counted from the unit's reply."""
    return add_days(rules, calendar, replied_at, rules.callback_days)


def close_due(rules: DeadlineRules, calendar: WorkCalendar, accepted_at: datetime) -> datetime:
    """Closure (办结) deadline, counted from acceptance."""
    return add_days(rules, calendar, accepted_at, rules.close_days)


def follow_up_times(rules: DeadlineRules, accepted_at: datetime) -> tuple[datetime, ...]:
    """Supervision (督办) checkpoints: elapsed hours after acceptance, holidays included."""
    start = _aware(accepted_at, "accepted_at")
    return tuple(start + timedelta(hours=hours) for hours in rules.follow_up_hours)


def property_urge_times(rules: DeadlineRules, dispatched_at: datetime) -> tuple[datetime, datetime]:
    """962121 repair orders, around the clock: (silent_from, phone_by). From ``silent_from``
    on, a property company that has not responded is silent; the hotline must then phone
    and urge it by ``phone_by``, ``property_phone_minutes`` after ``silent_from``."""
    silent_from = _aware(dispatched_at, "dispatched_at") + timedelta(
        minutes=rules.property_silent_minutes
    )
    return silent_from, silent_from + timedelta(minutes=rules.property_phone_minutes)


def urgency(rules: DeadlineRules, started_at: datetime, due_at: datetime, now: datetime) -> Urgency:
    """OVERDUE after ``due_at`` (the deadline itself is still in time); DUE_SOON when less
    than max(``due_soon_fraction`` of the allowed time, ``due_soon_min_minutes``) remains;
    else ON_TIME."""
    allowed = _aware(due_at, "due_at") - _aware(started_at, "started_at")
    remaining = due_at - _aware(now, "now")
    if remaining < timedelta(0):
        return Urgency.OVERDUE
    warning = max(allowed * rules.due_soon_fraction, timedelta(minutes=rules.due_soon_min_minutes))
    return Urgency.DUE_SOON if remaining < warning else Urgency.ON_TIME


def add_days(rules: DeadlineRules, calendar: WorkCalendar, moment: datetime, days: int) -> datetime:
    """``moment`` plus ``days`` days: working days by ``calendar.add_working_days`` when
    ``rules.working_days``, else calendar days at the same clock time in the calendar's zone."""
    if rules.working_days:
        return calendar.add_working_days(moment, days)
    if days < 0:
        raise ValueError(f"days must not be negative, got {days}")
    local = _aware(moment, "moment").astimezone(calendar.zone)
    return datetime.combine(local.date() + timedelta(days=days), local.time(), tzinfo=calendar.zone)


def _aware(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")
    return moment
