"""The [qa] settings and the timing of the nightly sampling plan."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from web.qa_root import due_day, plan_seed, seconds_until
from web.qa_settings import parse_qa_settings
from web.setting_errors import SettingsError

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_qa_settings_are_read_with_their_defaults() -> None:
    settings = parse_qa_settings(
        {
            "nightly_at": "03:30",
            "basic_counts_as_satisfied": False,
            "sampling": {"share": 0.1, "minimum_per_agent": 3},
            "teams": {"1001": "甲班"},
        }
    )
    assert settings.nightly_at == time(3, 30)
    assert settings.satisfaction.basic_counts_as_satisfied is False
    assert (settings.sampling.share, settings.sampling.minimum_per_agent) == (0.1, 3)
    assert settings.sampling.long_seconds == 900
    assert settings.teams == {"1001": "甲班"}


def test_a_wrong_qa_setting_is_named() -> None:
    with pytest.raises(SettingsError, match=r"^\[qa\.sampling\]\.share: must be from 0 to 1"):
        parse_qa_settings({"sampling": {"share": 2}})
    with pytest.raises(SettingsError, match=r"^\[qa\]\.nightly_at"):
        parse_qa_settings({"nightly_at": "25:00"})
    with pytest.raises(SettingsError, match=r"unknown setting\(s\) \['nightly'\]"):
        parse_qa_settings({"nightly": "02:00"})


def test_the_plan_of_yesterday_is_due_once_the_nightly_time_has_passed() -> None:
    # 01:59 and 02:00 in Shanghai on 24 November
    before = datetime(2026, 11, 23, 17, 59, tzinfo=UTC)
    at = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
    assert due_day(before, time(2, 0), SHANGHAI) == date(2026, 11, 22)
    assert due_day(at, time(2, 0), SHANGHAI) == date(2026, 11, 23)


def test_the_nightly_task_sleeps_until_the_next_local_nightly_time() -> None:
    evening = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # 22:00 in Shanghai
    assert seconds_until(evening, time(2, 0), SHANGHAI) == 4 * 3600
    at = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
    assert seconds_until(at, time(2, 0), SHANGHAI) == 24 * 3600
    assert plan_seed(date(2026, 11, 23)) == 20261123
