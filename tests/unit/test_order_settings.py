"""The [orders] settings: deadlines, calendar overrides, categories and units, refused by name."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from web.settings import Settings, SettingsError, load_settings

BASE = """
database_url = "sqlite:///{tmp}/h.db"
recordings_dir = "{tmp}/rec"
[[asterisk]]
name = "pbx1"
url = "ami://hotline:x@127.0.0.1:5038"
[[seats]]
id = "8001"
"""

ORDERS = """
[orders]
revisit_attempts = 2
duplicate_window_days = 3
[orders.deadlines]
dispatch_minutes = 20
day_starts = "07:30"
[orders.calendar]
extra_workdays = ["2027-02-20"]
[[orders.units]]
code = "utility.water"
name = "自来水公司"
kind = "utility"
categories = ["utilities.water"]
"""


def settings_with(tmp_path: Path, orders: str) -> Settings:
    config = tmp_path / "hotline.toml"
    config.write_text(BASE.format(tmp=tmp_path) + orders, encoding="utf-8")
    return load_settings(config, {})


def test_orders_are_read_from_the_file(tmp_path: Path) -> None:
    settings = settings_with(tmp_path, ORDERS)
    rules = settings.order_settings.rules
    assert (rules.revisit_attempts, rules.duplicate_window.days) == (2, 3)
    assert (rules.deadlines.dispatch_minutes, rules.deadlines.day_starts) == (20, time(7, 30))
    assert rules.calendar.is_working_day(date(2027, 2, 20))
    assert [unit.code for unit in rules.catalogue.units()] == ["utility.water"]
    assert settings.attachments_dir == tmp_path / "attachments"


def test_without_orders_the_defaults_hold_and_no_unit_is_invented(tmp_path: Path) -> None:
    rules = settings_with(tmp_path, "").order_settings.rules
    assert rules.deadlines.dispatch_minutes == 30
    assert rules.catalogue.units() == ()
    assert rules.categories.find("962121", "property_repair.lift") is not None


@pytest.mark.parametrize(
    ("orders", "names"),
    [
        ("[orders]\nrevisit = 3\n", "[orders]: unknown setting(s) ['revisit']"),
        ("[orders.deadlines]\ndispatch_mins = 3\n", "[orders.deadlines]: unknown setting(s)"),
        ("[orders.deadlines]\ndispatch_minutes = -1\n", "[orders.deadlines]: "),
        (
            "[orders.calendar]\nextra_workdays = ['someday']\n",
            "extra_workdays: 'someday' is not a date",
        ),
        ("[orders]\nrevisit_attempts = 0\n", "[orders].revisit_attempts: must be a number"),
        ("[[orders.units]]\ncode = 'x'\nname = 'y'\nkind = 'castle'\n", "[[orders.units]]: "),
    ],
)
def test_a_wrong_orders_setting_is_refused_by_name(tmp_path: Path, orders: str, names: str) -> None:
    with pytest.raises(SettingsError) as refused:
        settings_with(tmp_path, orders)
    assert names in str(refused.value)
