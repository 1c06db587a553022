"""Overflow alerts for supervisors: raised once when a threshold is passed, cleared once after.

* ``overflow_wait``: the oldest caller has waited longer than ``overflow_wait_seconds``;
* ``overflow_rate``: the 15-second answer rate of the last 30 minutes is under
  ``overflow_rate_target`` (once at least ``overflow_min_calls`` calls were offered).
The supervisor answers an alert by opening temporary seats (临时座席).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from acd.figures import Figures
from acd.routing import WaitingCaller
from acd.rules import RoutingRules


class OverflowWatch:
    def __init__(self) -> None:
        self.active: dict[str, dict[str, Any]] = {}

    def check(
        self, now: datetime, waiting: Iterable[WaitingCaller], recent: Figures, rules: RoutingRules
    ) -> list[dict[str, Any]]:
        """The alert events to publish now (raised or cleared)."""
        oldest = max(((now - c.queued_at).total_seconds() for c in waiting), default=0.0)
        rate = recent.answer_rate_in_target
        conditions: dict[str, tuple[bool, dict[str, Any]]] = {
            "overflow_wait": (
                oldest > rules.overflow_wait_seconds,
                {
                    "longest_wait_seconds": round(oldest, 1),
                    "threshold": rules.overflow_wait_seconds,
                },
            ),
            "overflow_rate": (
                rate is not None
                and recent.offered >= rules.overflow_min_calls
                and rate < rules.overflow_rate_target,
                {
                    "rate": None if rate is None else round(rate, 4),
                    "target": rules.overflow_rate_target,
                },
            ),
        }
        events = []
        for kind, (now_true, details) in conditions.items():
            event = self._transition(kind, now_true, details, now)
            if event is not None:
                events.append(event)
        return events

    def _transition(
        self, kind: str, raised: bool, details: dict[str, Any], now: datetime
    ) -> dict[str, Any] | None:
        if raised and kind not in self.active:
            alert = {
                "type": "alert",
                "kind": kind,
                "state": "raised",
                "at": now.isoformat(),
                **details,
            }
            self.active[kind] = alert
            return alert
        if raised:
            self.active[kind].update(details)
            return None
        if kind in self.active:
            del self.active[kind]
            return {
                "type": "alert",
                "kind": kind,
                "state": "cleared",
                "at": now.isoformat(),
                **details,
            }
        return None
