"""The ``[orders]`` part of the settings: deadlines, the working-day calendar's
overrides, the category tree, the dispatch catalogue (派单目录), duplicates, callbacks.

```toml
[orders]
duplicate_window_days = 7
revisit_attempts = 3
scan_seconds = 60
[orders.deadlines]          # tickets.deadlines.DeadlineRules
dispatch_minutes = 30
[orders.calendar]           # when the State Council publishes before the library has it
extra_workdays = ["2027-02-20"]
extra_holidays = []
[orders.categories]         # per line, as tickets.categories.CategoryTree.from_config reads it
[[orders.units]]            # tickets.catalogue.Catalogue.from_config
code = "utility.water"
name = "自来水公司"
kind = "utility"
categories = ["utilities.water"]
```
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tickets.catalogue import Catalogue
from tickets.categories import DEFAULT_CATEGORIES, CategoryTree
from tickets.deadlines import DeadlineRules
from tickets.workdays import WorkCalendar
from tickets.workflow import OrderRules
from web.setting_errors import SettingsError

KNOWN = {
    "duplicate_window_days",
    "duplicate_threshold",
    "revisit_attempts",
    "scan_seconds",
    "attachments_dir",
    "deadlines",
    "calendar",
    "categories",
    "units",
}


@dataclass(frozen=True, slots=True)
class OrderSettings:
    rules: OrderRules
    attachments_dir: Path | None = None  # None: next to the recordings
    scan_seconds: float = 60.0  # how often supervision looks for due-soon and overdue orders


def default_order_settings(zone: ZoneInfo, catalogue: Catalogue | None = None) -> OrderSettings:
    return OrderSettings(
        OrderRules(
            deadlines=DeadlineRules(),
            calendar=WorkCalendar(zone),
            categories=DEFAULT_CATEGORIES,
            catalogue=catalogue or Catalogue(()),
        )
    )


def parse_order_settings(table: Mapping[str, Any], zone: ZoneInfo) -> OrderSettings:
    unknown = set(table) - KNOWN
    if unknown:
        raise SettingsError("[orders]", f"unknown setting(s) {sorted(unknown)}")
    categories = _categories(table.get("categories"))
    rules = OrderRules(
        deadlines=_deadlines(table.get("deadlines", {})),
        calendar=_calendar(table.get("calendar", {}), zone),
        categories=categories,
        catalogue=_catalogue(table.get("units", []), categories),
        duplicate_window=timedelta(days=_number(table, "duplicate_window_days", 7, 0.01)),
        duplicate_threshold=_number(table, "duplicate_threshold", 0.6, 0.01, 1.0),
        revisit_attempts=int(_number(table, "revisit_attempts", 3, 1, 20)),
    )
    attachments = table.get("attachments_dir")
    return OrderSettings(
        rules,
        attachments_dir=Path(str(attachments)) if attachments else None,
        scan_seconds=_number(table, "scan_seconds", 60, 1, 3600),
    )


def _number(
    table: Mapping[str, Any], key: str, default: float, low: float, high: float = 1e9
) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise SettingsError(f"[orders].{key}", f"must be a number from {low} to {high}")
    return float(value)


def _deadlines(table: Mapping[str, Any]) -> DeadlineRules:
    values = dict(table)
    unknown = set(values) - set(DeadlineRules.__dataclass_fields__)
    if unknown:
        raise SettingsError("[orders.deadlines]", f"unknown setting(s) {sorted(unknown)}")
    for key in ("day_starts", "day_ends"):
        if key in values and isinstance(values[key], str):
            values[key] = time.fromisoformat(values[key])
    if isinstance(values.get("follow_up_hours"), list):
        values["follow_up_hours"] = tuple(float(x) for x in values["follow_up_hours"])
    try:
        return DeadlineRules(**values)
    except (TypeError, ValueError) as exc:
        raise SettingsError("[orders.deadlines]", str(exc)) from exc


def _calendar(table: Mapping[str, Any], zone: ZoneInfo) -> WorkCalendar:
    unknown = set(table) - {"extra_workdays", "extra_holidays"}
    if unknown:
        raise SettingsError("[orders.calendar]", f"unknown setting(s) {sorted(unknown)}")
    try:
        return WorkCalendar(
            zone,
            extra_workdays=_dates(table.get("extra_workdays", []), "extra_workdays"),
            extra_holidays=_dates(table.get("extra_holidays", []), "extra_holidays"),
        )
    except ValueError as exc:
        raise SettingsError("[orders.calendar]", str(exc)) from exc


def _dates(values: Any, key: str) -> tuple[date, ...]:
    if not isinstance(values, list):
        raise SettingsError(f"[orders.calendar].{key}", "must be a list of dates")
    found = []
    for value in values:
        if isinstance(value, date):
            found.append(value)
            continue
        try:
            found.append(date.fromisoformat(str(value)))
        except ValueError as exc:
            raise SettingsError(f"[orders.calendar].{key}", f"{value!r} is not a date") from exc
    return tuple(found)


def _categories(table: Any) -> CategoryTree:
    if table is None:
        return DEFAULT_CATEGORIES
    try:
        return CategoryTree.from_config(table)
    except ValueError as exc:
        raise SettingsError("[orders.categories]", str(exc)) from exc


def _catalogue(units: Any, categories: CategoryTree) -> Catalogue:
    try:
        return Catalogue.from_config(units, categories=categories)
    except ValueError as exc:
        raise SettingsError("[[orders.units]]", str(exc)) from exc
