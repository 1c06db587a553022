"""The working-day calendar: the 2026 State Council schedule (调休) and counting in working days.

2026: New Year 1–3 Jan, 4 Jan (Sun) worked; Spring Festival 15–23 Feb, 14 and 28 Feb (Sat)
worked; Qingming 4–6 Apr; Labour Day 1–5 May, 9 May (Sat) worked; Dragon Boat 19–21 Jun;
Mid-Autumn 25–27 Sep; National Day 1–7 Oct, 20 Sep (Sun) and 10 Oct (Sat) worked.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tickets.workdays import CHINA_ZONE, WorkCalendar

CALENDAR = WorkCalendar()


def _at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=CHINA_ZONE)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


DAYS_OFF_2026 = [
    *_days(date(2026, 1, 1), date(2026, 1, 3)),
    *_days(date(2026, 2, 15), date(2026, 2, 23)),
    *_days(date(2026, 4, 4), date(2026, 4, 6)),
    *_days(date(2026, 5, 1), date(2026, 5, 5)),
    *_days(date(2026, 6, 19), date(2026, 6, 21)),
    *_days(date(2026, 9, 25), date(2026, 9, 27)),
    *_days(date(2026, 10, 1), date(2026, 10, 7)),
]
MAKE_UP_WORKDAYS_2026 = [
    date(2026, 1, 4),
    date(2026, 2, 14),
    date(2026, 2, 28),
    date(2026, 5, 9),
    date(2026, 9, 20),
    date(2026, 10, 10),
]


@pytest.mark.parametrize("day", DAYS_OFF_2026, ids=str)
def test_every_day_of_the_2026_holiday_spans_is_off(day: date) -> None:
    assert CALENDAR.is_working_day(day) is False


@pytest.mark.parametrize("day", MAKE_UP_WORKDAYS_2026, ids=str)
def test_the_2026_make_up_weekend_days_are_worked(day: date) -> None:
    assert CALENDAR.is_working_day(day) is True


def test_ordinary_weekdays_are_worked_and_ordinary_weekends_are_not() -> None:
    assert CALENDAR.is_working_day(date(2026, 3, 10)) is True  # Tuesday
    assert CALENDAR.is_working_day(date(2026, 3, 14)) is False  # Saturday
    assert CALENDAR.is_working_day(date(2026, 3, 15)) is False  # Sunday


def test_holiday_names_are_in_chinese() -> None:
    assert CALENDAR.holiday_name(date(2026, 1, 1)) == "元旦"
    assert CALENDAR.holiday_name(date(2026, 2, 17)) == "春节"
    assert CALENDAR.holiday_name(date(2026, 10, 1)) == "国庆节"
    assert CALENDAR.holiday_name(date(2026, 10, 6)) == "休息日（由 2026-09-20 调休）"


def test_a_working_day_and_a_plain_weekend_have_no_holiday_name() -> None:
    assert CALENDAR.holiday_name(date(2026, 3, 10)) is None
    assert CALENDAR.holiday_name(date(2026, 3, 14)) is None
    assert CALENDAR.holiday_name(date(2026, 10, 10)) is None


def test_a_weekday_plus_one_working_day_is_the_next_day_same_time() -> None:
    assert CALENDAR.add_working_days(_at(2026, 3, 10, 10), 1) == _at(2026, 3, 11, 10)


def test_friday_plus_one_working_day_is_monday_same_time() -> None:
    assert CALENDAR.add_working_days(_at(2026, 3, 13, 10), 1) == _at(2026, 3, 16, 10)
    assert CALENDAR.add_working_days(_at(2026, 3, 13, 10), 3) == _at(2026, 3, 18, 10)


def test_the_day_before_national_day_plus_one_is_the_first_day_after_the_holiday() -> None:
    assert CALENDAR.add_working_days(_at(2026, 9, 30, 10), 1) == _at(2026, 10, 8, 10)


def test_the_make_up_saturday_after_national_day_is_counted() -> None:
    # 8 Oct (Thu), 9 Oct (Fri), 10 Oct (Sat, worked), then Monday 12 Oct
    assert CALENDAR.add_working_days(_at(2026, 9, 30, 10), 3) == _at(2026, 10, 10, 10)
    assert CALENDAR.add_working_days(_at(2026, 9, 30, 10), 4) == _at(2026, 10, 12, 10)


def test_a_make_up_saturday_is_a_working_start() -> None:
    assert CALENDAR.add_working_days(_at(2026, 10, 10, 9), 1) == _at(2026, 10, 12, 9)


def test_counting_across_the_spring_festival() -> None:
    # 13 Feb (Fri) -> 14 Feb (Sat, worked) -> 24 Feb (Tue), after 15–23 Feb off
    assert CALENDAR.add_working_days(_at(2026, 2, 13, 10), 1) == _at(2026, 2, 14, 10)
    assert CALENDAR.add_working_days(_at(2026, 2, 13, 10), 2) == _at(2026, 2, 24, 10)
    assert CALENDAR.add_working_days(_at(2026, 2, 14, 15), 1) == _at(2026, 2, 24, 15)


def test_a_saturday_start_ends_at_the_end_of_the_nth_working_day() -> None:
    # Saturday 15:00: Monday counts as the first working day, due at its end
    assert CALENDAR.add_working_days(_at(2026, 3, 14, 15), 1) == _at(2026, 3, 17, 0)
    assert CALENDAR.add_working_days(_at(2026, 3, 14, 15), 2) == _at(2026, 3, 18, 0)


def test_a_start_inside_the_spring_festival_counts_from_the_first_day_back() -> None:
    assert CALENDAR.add_working_days(_at(2026, 2, 15, 9), 1) == _at(2026, 2, 25, 0)


def test_a_start_on_national_day_counts_the_make_up_saturday() -> None:
    # first working days after 1 Oct: 8 Oct, 9 Oct, 10 Oct (Sat) -> due at the end of the 10th
    assert CALENDAR.add_working_days(_at(2026, 10, 1, 12), 1) == _at(2026, 10, 9, 0)
    assert CALENDAR.add_working_days(_at(2026, 10, 1, 12), 3) == _at(2026, 10, 11, 0)


def test_the_count_is_made_in_the_calendar_zone() -> None:
    friday_evening_utc = datetime(2026, 3, 13, 20, 0, tzinfo=UTC)  # Saturday 04:00 in Beijing
    due = CALENDAR.add_working_days(friday_evening_utc, 1)
    assert due == datetime(2026, 3, 16, 16, 0, tzinfo=UTC)  # Tuesday 00:00 in Beijing
    assert due.tzinfo is CHINA_ZONE
    assert (due.hour, due.minute) == (0, 0)


def test_counting_into_the_next_year() -> None:
    # 31 Dec 2026 is a Thursday; 1 Jan 2027 (Fri) is New Year's Day
    assert CALENDAR.add_working_days(_at(2026, 12, 31, 10), 1) == _at(2027, 1, 4, 10)


def test_zero_working_days_returns_the_moment_unchanged() -> None:
    saturday = _at(2026, 3, 14, 15)
    assert CALENDAR.add_working_days(saturday, 0) is saturday


def test_a_negative_count_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        CALENDAR.add_working_days(_at(2026, 3, 10, 10), -1)


def test_a_naive_moment_is_refused() -> None:
    naive = datetime(2026, 3, 10, 10, 0)
    with pytest.raises(ValueError, match="aware"):
        CALENDAR.add_working_days(naive, 1)
    with pytest.raises(ValueError, match="aware"):
        CALENDAR.next_working_start(naive)
    with pytest.raises(ValueError, match="aware"):
        CALENDAR.working_days_between(naive, _at(2026, 3, 11))


def test_a_datetime_is_refused_where_a_date_is_expected() -> None:
    with pytest.raises(TypeError, match="date"):
        CALENDAR.is_working_day(_at(2026, 3, 10, 10))


def test_extra_holidays_and_workdays_win_over_the_library() -> None:
    calendar = WorkCalendar(
        extra_workdays=[date(2026, 3, 14), date(2026, 10, 5)],
        extra_holidays=[date(2026, 3, 12), date(2026, 10, 10)],
    )
    assert calendar.is_working_day(date(2026, 10, 5)) is True  # library: 国庆节（补假）
    assert calendar.holiday_name(date(2026, 10, 5)) is None
    assert calendar.is_working_day(date(2026, 10, 10)) is False  # library: make-up Saturday
    # Wednesday 11 Mar + 1: Thursday 12 Mar is off, so Friday 13 Mar
    assert calendar.add_working_days(_at(2026, 3, 11, 10), 1) == _at(2026, 3, 13, 10)
    # Friday 13 Mar + 1: Saturday 14 Mar is worked
    assert calendar.add_working_days(_at(2026, 3, 13, 10), 1) == _at(2026, 3, 14, 10)


def test_a_date_both_extra_workday_and_extra_holiday_is_refused() -> None:
    with pytest.raises(ValueError, match="2026-03-14"):
        WorkCalendar(extra_workdays=[date(2026, 3, 14)], extra_holidays=[date(2026, 3, 14)])


def test_an_earlier_year_is_loaded_after_a_later_one() -> None:
    calendar = WorkCalendar()
    assert calendar.is_working_day(date(2026, 10, 10)) is True
    assert calendar.is_working_day(date(2024, 2, 4)) is True  # Sunday worked for 2024 春节
    assert calendar.is_working_day(date(2024, 2, 12)) is False


def test_the_schedule_is_known_for_published_years_only() -> None:
    assert CALENDAR.has_official_schedule(2026) is True
    assert CALENDAR.has_official_schedule(2025) is True
    assert CALENDAR.has_official_schedule(2040) is False


def test_next_working_start() -> None:
    wednesday = _at(2026, 3, 11, 10)
    assert CALENDAR.next_working_start(wednesday) == wednesday
    assert CALENDAR.next_working_start(_at(2026, 3, 14, 15)) == _at(2026, 3, 16, 0)
    assert CALENDAR.next_working_start(_at(2026, 10, 1, 9)) == _at(2026, 10, 8, 0)


def test_working_days_between_counts_only_working_time() -> None:
    assert CALENDAR.working_days_between(_at(2026, 3, 10, 10), _at(2026, 3, 10, 16)) == 0.25
    assert CALENDAR.working_days_between(_at(2026, 3, 13, 10), _at(2026, 3, 16, 10)) == 1.0
    assert CALENDAR.working_days_between(_at(2026, 3, 14, 15), _at(2026, 3, 17, 0)) == 1.0
    assert CALENDAR.working_days_between(_at(2026, 9, 30, 10), _at(2026, 10, 8, 10)) == 1.0
    assert CALENDAR.working_days_between(_at(2026, 10, 8, 10), _at(2026, 9, 30, 10)) == -1.0
