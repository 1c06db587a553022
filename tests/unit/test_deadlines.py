"""Work-order deadlines: the contract's numbers over the 2026 calendar (National Day 1–7 Oct,
20 Sep (Sun) and 10 Oct (Sat) worked)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from tickets.deadlines import (
    DEADLINE_LABELS,
    DeadlineRules,
    Urgency,
    add_days,
    callback_due,
    close_due,
    dispatch_due,
    follow_up_times,
    property_urge_times,
    rehandle_due,
    response_due,
    sign_due,
    urgency,
)
from tickets.workdays import CHINA_ZONE, WorkCalendar

RULES = DeadlineRules()
CALENDAR_DAYS = DeadlineRules(working_days=False)
CALENDAR = WorkCalendar()


def _at(month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=CHINA_ZONE)


def test_a_routine_order_is_dispatched_within_30_minutes_an_urgent_one_within_5() -> None:
    assert dispatch_due(RULES, _at(3, 10, 10), urgent=False) == _at(3, 10, 10, 30)
    assert dispatch_due(RULES, _at(3, 10, 10), urgent=True) == _at(3, 10, 10, 5)


def test_dispatch_runs_through_the_night_and_holidays() -> None:
    assert dispatch_due(RULES, _at(10, 1, 23, 50), urgent=False) == _at(10, 2, 0, 20)


@pytest.mark.parametrize(
    ("accepted", "due"),
    [
        (_at(3, 10, 0, 30), _at(3, 10, 10)),
        (_at(3, 10, 7, 59), _at(3, 10, 10)),
        (_at(3, 10, 8), _at(3, 10, 10)),
        (_at(3, 10, 21, 59), _at(3, 10, 23, 59)),
        (_at(3, 10, 22), _at(3, 11, 10)),
        (_at(3, 10, 23, 30), _at(3, 11, 10)),
    ],
    ids=["00:30", "07:59", "08:00", "21:59", "22:00", "23:30"],
)
def test_response_is_due_2_hours_after_acceptance_or_after_08_00_at_night(
    accepted: datetime, due: datetime
) -> None:
    assert response_due(RULES, CALENDAR, accepted, urgent=False) == due


def test_an_urgent_order_is_responded_to_within_15_minutes_at_any_hour() -> None:
    assert response_due(RULES, CALENDAR, _at(3, 10, 23, 30), urgent=True) == _at(3, 10, 23, 45)
    assert response_due(RULES, CALENDAR, _at(3, 10, 3), urgent=True) == _at(3, 10, 3, 15)


def test_response_runs_on_holidays() -> None:
    assert response_due(RULES, CALENDAR, _at(10, 1, 9), urgent=False) == _at(10, 1, 11)


def test_the_night_is_judged_by_the_local_clock() -> None:
    accepted = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)  # 22:30 in Beijing
    due = response_due(RULES, CALENDAR, accepted, urgent=False)
    assert due == _at(3, 11, 10)
    assert due.tzinfo is CHINA_ZONE


def test_response_follows_the_configured_day_and_hours() -> None:
    rules = DeadlineRules(response_hours=1.5, day_starts=time(9), day_ends=time(21))
    assert response_due(rules, CALENDAR, _at(3, 10, 8, 30), urgent=False) == _at(3, 10, 10, 30)
    assert response_due(rules, CALENDAR, _at(3, 10, 21), urgent=False) == _at(3, 11, 10, 30)


def test_a_unit_signs_for_an_order_within_one_working_day() -> None:
    assert sign_due(RULES, CALENDAR, _at(3, 13, 16)) == _at(3, 16, 16)  # Friday -> Monday
    assert sign_due(RULES, CALENDAR, _at(3, 14, 11)) == _at(3, 17, 0)  # Saturday -> end of Monday


def test_a_reopened_order_before_national_day_is_rehandled_after_it() -> None:
    assert rehandle_due(RULES, CALENDAR, _at(9, 30, 9)) == _at(10, 9, 9)


def test_a_callback_may_fall_on_the_make_up_saturday() -> None:
    # Friday 9 Oct + 2 working days: Saturday 10 Oct (worked), Monday 12 Oct
    assert callback_due(RULES, CALENDAR, _at(10, 9, 14)) == _at(10, 12, 14)


def test_closure_across_national_day_counts_seven_working_days() -> None:
    # from Mon 28 Sep: 29, 30 Sep, 8, 9, 10 (Sat), 12, 13 Oct
    assert close_due(RULES, CALENDAR, _at(9, 28, 10)) == _at(10, 13, 10)


def test_in_calendar_day_mode_holidays_and_weekends_count() -> None:
    assert close_due(CALENDAR_DAYS, CALENDAR, _at(9, 28, 10)) == _at(10, 5, 10)
    assert sign_due(CALENDAR_DAYS, CALENDAR, _at(3, 14, 11)) == _at(3, 15, 11)


def test_calendar_days_are_counted_in_the_calendar_zone() -> None:
    accepted = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
    due = close_due(CALENDAR_DAYS, CALENDAR, accepted)
    assert due == _at(10, 5, 10)
    assert due.tzinfo is CHINA_ZONE


def test_a_negative_day_count_is_refused_in_both_modes() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_days(RULES, CALENDAR, _at(3, 10, 10), -1)
    with pytest.raises(ValueError, match="negative"):
        add_days(CALENDAR_DAYS, CALENDAR, _at(3, 10, 10), -1)


def test_naive_moments_are_refused() -> None:
    naive = datetime(2026, 3, 10, 10, 0)
    with pytest.raises(ValueError, match="accepted_at must be an aware"):
        dispatch_due(RULES, naive, urgent=False)
    with pytest.raises(ValueError, match="accepted_at must be an aware"):
        response_due(RULES, CALENDAR, naive, urgent=False)
    with pytest.raises(ValueError, match="aware"):
        close_due(RULES, CALENDAR, naive)
    with pytest.raises(ValueError, match="aware"):
        close_due(CALENDAR_DAYS, CALENDAR, naive)
    with pytest.raises(ValueError, match="now must be an aware"):
        urgency(RULES, _at(3, 10, 10), _at(3, 10, 11), naive)


def test_supervision_checkpoints_at_2_hours_24_hours_and_7_days() -> None:
    assert follow_up_times(RULES, _at(9, 30, 20)) == (
        _at(9, 30, 22),
        _at(10, 1, 20),
        _at(10, 7, 20),
    )


def test_a_silent_property_company_is_phoned_within_30_minutes_of_its_silence() -> None:
    assert property_urge_times(RULES, _at(10, 1, 23, 50)) == (_at(10, 2, 0, 5), _at(10, 2, 0, 35))


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (_at(3, 10, 10, 19, 59), Urgency.ON_TIME),
        (_at(3, 10, 10, 20), Urgency.ON_TIME),
        (_at(3, 10, 10, 20, 1), Urgency.DUE_SOON),
        (_at(3, 10, 10, 30), Urgency.DUE_SOON),
        (_at(3, 10, 10, 30, 1), Urgency.OVERDUE),
    ],
    ids=["10:19:59", "10:20:00", "10:20:01", "10:30:00", "10:30:01"],
)
def test_a_30_minute_step_is_due_soon_in_its_last_10_minutes(
    now: datetime, expected: Urgency
) -> None:
    # 20% of 30 minutes is 6 minutes: the 10-minute floor is longer
    assert urgency(RULES, _at(3, 10, 10), _at(3, 10, 10, 30), now) is expected


def test_a_10_hour_step_is_due_soon_in_its_last_2_hours() -> None:
    started, due = _at(3, 10, 0), _at(3, 10, 10)
    assert urgency(RULES, started, due, _at(3, 10, 8)) is Urgency.ON_TIME
    assert urgency(RULES, started, due, _at(3, 10, 8, 0, 1)) is Urgency.DUE_SOON
    assert urgency(RULES, started, due, due + timedelta(days=3)) is Urgency.OVERDUE


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"dispatch_minutes": -1}, "dispatch_minutes"),
        ({"response_hours": -0.5}, "response_hours"),
        ({"close_days": -7}, "close_days"),
        ({"follow_up_hours": (2.0, -1.0)}, "follow_up_hours"),
        ({"day_starts": time(22), "day_ends": time(8)}, "day_starts"),
        ({"day_starts": time(8), "day_ends": time(8)}, "day_starts"),
        ({"due_soon_fraction": 0.0}, "due_soon_fraction"),
        ({"due_soon_fraction": 1.0}, "due_soon_fraction"),
    ],
)
def test_rules_that_make_no_sense_are_refused_naming_the_field(
    changes: dict[str, object], field: str
) -> None:
    with pytest.raises(ValueError, match=field):
        DeadlineRules(**changes)  # type: ignore[arg-type]


def test_zero_minutes_is_allowed_for_at_once() -> None:
    rules = DeadlineRules(urgent_dispatch_minutes=0)
    assert dispatch_due(rules, _at(3, 10, 10), urgent=True) == _at(3, 10, 10)


def test_every_deadline_kind_has_a_chinese_label() -> None:
    assert dict(DEADLINE_LABELS) == {
        "dispatch": "派单时限",
        "response": "响应时限",
        "sign": "签收时限",
        "rehandle": "重办时限",
        "callback": "回访时限",
        "close": "办结时限",
        "property_phone": "物业催办时限",
    }
