"""The ``[qa]`` part of the settings: the daily sampling rules, when the nightly plan is
made, whether 基本满意 counts as satisfied, and the agents' teams for the QA figures.

```toml
[qa]
nightly_at = "02:00"               # local time the plan of the previous day is made
basic_counts_as_satisfied = true
[qa.sampling]                      # qa.sampling.SamplingRules
share = 0.05
minimum_per_agent = 2
short_seconds = 20
long_seconds = 900
complaint_categories = ["complaint", "service_complaint"]
calibration_per_day = 1
[qa.teams]                         # staff number -> team
"1001" = "甲班"
```
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from typing import Any

from qa.sampling import SamplingRules, sampling_rules
from qa.satisfaction import SatisfactionRules
from web.setting_errors import SettingsError

KNOWN = {"nightly_at", "basic_counts_as_satisfied", "sampling", "teams"}


@dataclass(frozen=True, slots=True)
class QaSettings:
    sampling: SamplingRules = field(default_factory=SamplingRules)
    nightly_at: time = time(2, 0)
    satisfaction: SatisfactionRules = field(default_factory=SatisfactionRules)
    teams: Mapping[str, str] = field(default_factory=dict)


def parse_qa_settings(table: Mapping[str, Any]) -> QaSettings:
    unknown = set(table) - KNOWN
    if unknown:
        raise SettingsError("[qa]", f"unknown setting(s) {sorted(unknown)}")
    basic = table.get("basic_counts_as_satisfied", True)
    if not isinstance(basic, bool):
        raise SettingsError("[qa].basic_counts_as_satisfied", "must be true or false")
    return QaSettings(
        sampling=_sampling(table.get("sampling", {})),
        nightly_at=_time(table.get("nightly_at", "02:00")),
        satisfaction=SatisfactionRules(basic_counts_as_satisfied=basic),
        teams=_teams(table.get("teams", {})),
    )


def _sampling(table: Any) -> SamplingRules:
    if not isinstance(table, Mapping):
        raise SettingsError("[qa.sampling]", "must be a table")
    try:
        return sampling_rules(table)
    except ValueError as exc:
        key, _, problem = str(exc).partition(": ")
        raise SettingsError(f"[qa.sampling].{key}", problem) from exc


def _time(value: Any) -> time:
    if isinstance(value, time):
        return value
    try:
        return time.fromisoformat(str(value))
    except ValueError as exc:
        raise SettingsError("[qa].nightly_at", f"{value!r} is not a time like 02:00") from exc


def _teams(table: Any) -> dict[str, str]:
    if not isinstance(table, Mapping):
        raise SettingsError("[qa.teams]", "must be a table of staff number = team")
    teams = {}
    for agent, team in table.items():
        if not isinstance(team, str) or not team.strip():
            raise SettingsError(f"[qa.teams].{agent}", "must be the team's name")
        teams[str(agent)] = team.strip()
    return teams
