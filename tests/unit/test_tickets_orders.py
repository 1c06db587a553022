"""Work-order numbers: readable, derived from the call alone, one per call."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tickets.orders import make_order_number

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_a_number_names_the_line_and_the_day() -> None:
    number = make_order_number("12345", T0, "pbx1", "1732345678.42")
    assert re.fullmatch(r"12345-20261123-[A-Z2-7]{8}", number)


def test_the_day_is_the_day_in_china() -> None:
    late_evening_utc = datetime(2026, 11, 23, 17, 30, tzinfo=UTC)  # 01:30 on the 24th in Beijing
    assert make_order_number("962121", late_evening_utc, "pbx1", "c1").startswith(
        "962121-20261124-"
    )


def test_the_same_call_always_gets_the_same_number() -> None:
    first = make_order_number("12345", T0, "pbx1", "c1")
    assert make_order_number("12345", T0 + timedelta(minutes=1), "pbx1", "c1") == first


def test_different_calls_get_different_numbers() -> None:
    numbers = {make_order_number("12345", T0, "pbx1", f"1732345678.{n}") for n in range(10_000)}
    numbers.add(make_order_number("12345", T0, "pbx2", "1732345678.0"))
    assert len(numbers) == 10_001


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        make_order_number("12345", datetime(2026, 11, 23, 8, 0), "pbx1", "c1")
