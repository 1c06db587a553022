"""The ``[recordings]`` part of the settings: the stored format, where stored files live,
how many conversions run at once, whether the WAV is removed, how long recordings are kept.

```toml
[recordings]
format = "opus"               # or "mp3"
storage_dir = "/var/lib/hotline/recordings"   # default: <recordings_dir>/stored
workers = 1                   # conversions at once (each a low-priority process); 0: this
                              # instance converts nothing (another one does; WAVs wait)
delete_wav = true             # remove the MixMonitor WAV once the stored copy is verified
[recordings.retention_days]   # per kind of call
call = 180
callback = 365
[recordings.retention_days.lines."962121"]   # a line whose contract says otherwise
call = 365
```
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recordings.retention import RetentionRules
from web.setting_errors import SettingsError

KNOWN = {"format", "storage_dir", "workers", "delete_wav", "retention_days"}
FORMATS = ("opus", "mp3")
KINDS = ("call", "callback")
MAX_WORKERS = 32


@dataclass(frozen=True, slots=True)
class RecordingSettings:
    format: str = "opus"
    storage_dir: Path | None = None  # None: <recordings_dir>/stored
    workers: int = 1
    retention: RetentionRules = field(default_factory=RetentionRules)
    delete_wav: bool = True


def parse_recording_settings(table: Mapping[str, Any]) -> RecordingSettings:
    unknown = set(table) - KNOWN
    if unknown:
        raise SettingsError("[recordings]", f"unknown setting(s) {sorted(unknown)}")
    fmt = table.get("format", "opus")
    if fmt not in FORMATS:
        raise SettingsError("[recordings].format", f"one of {list(FORMATS)}")
    workers = table.get("workers", 1)
    if isinstance(workers, bool) or not isinstance(workers, int) or not 0 <= workers <= MAX_WORKERS:
        raise SettingsError("[recordings].workers", f"a whole number from 0 to {MAX_WORKERS}")
    delete_wav = table.get("delete_wav", True)
    if not isinstance(delete_wav, bool):
        raise SettingsError("[recordings].delete_wav", "true or false")
    storage_dir = table.get("storage_dir")
    return RecordingSettings(
        format=str(fmt),
        storage_dir=Path(str(storage_dir)) if storage_dir else None,
        workers=workers,
        retention=_retention(table.get("retention_days", {})),
        delete_wav=delete_wav,
    )


def _retention(table: Any) -> RetentionRules:
    if not isinstance(table, Mapping):
        raise SettingsError("[recordings.retention_days]", "must be a table")
    unknown = set(table) - {*KINDS, "lines"}
    if unknown:
        raise SettingsError("[recordings.retention_days]", f"unknown setting(s) {sorted(unknown)}")
    defaults = RetentionRules()
    lines = table.get("lines", {})
    if not isinstance(lines, Mapping):
        raise SettingsError("[recordings.retention_days.lines]", "must be a table")
    by_line = tuple(
        (str(line), kind, _days(days, f"[recordings.retention_days.lines.{line}].{kind}"))
        for line, kinds in lines.items()
        for kind, days in _kinds(kinds, f"[recordings.retention_days.lines.{line}]").items()
    )
    return RetentionRules(
        call_days=_days(table.get("call", defaults.call_days), "[recordings.retention_days].call"),
        callback_days=_days(
            table.get("callback", defaults.callback_days), "[recordings.retention_days].callback"
        ),
        by_line=by_line,
    )


def _kinds(table: Any, setting: str) -> Mapping[str, Any]:
    if not isinstance(table, Mapping):
        raise SettingsError(setting, "must be a table of call / callback days")
    unknown = set(table) - set(KINDS)
    if unknown:
        raise SettingsError(setting, f"unknown kind(s) {sorted(unknown)}")
    return table


def _days(value: Any, setting: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SettingsError(setting, "a whole number of days, at least 1")
    return value
