"""The one error a wrong setting raises, naming the setting (``[orders.deadlines]``,
``HOTLINE_AMI``, …), so that the service stops at start with a message that says where."""

from __future__ import annotations


class SettingsError(ValueError):
    def __init__(self, setting: str, problem: str) -> None:
        super().__init__(f"{setting}: {problem}")
        self.setting = setting
