"""The supervisor's routing rules (configuration, changeable at run time) and caller priority."""

from __future__ import annotations

from dataclasses import dataclass

from acd.routing import WaitingCaller

DEFAULT_PAUSE_REASONS = ("小休", "用餐", "培训", "会议", "事后处理")


@dataclass(frozen=True, slots=True)
class RoutingRules:
    ring_timeout: float = 15.0
    wrapup_seconds: float = 30.0
    wrapup_extension: float = 30.0  # an agent may extend wrap-up once by this much
    max_consecutive_misses: int = 2
    reserve_timeout: float = 10.0  # Redirect sent, no ring seen: free the seat again
    ring_grace: float = 15.0  # beyond ring_timeout before the ACD stops waiting for DialEnd
    back_on_hold: float = 5.0  # a caller not announced back on hold by then is offered anyway
    first_contact_window: float = (
        10.0  # 首接负责制: seconds to wait for the agent of the open order
    )
    skill_fallback_after: float | None = 60.0  # then any seat of the line; None: never
    pause_reasons: tuple[str, ...] = DEFAULT_PAUSE_REASONS
    line_priority: tuple[tuple[str, int], ...] = ()  # e.g. (("12345", 5),)
    emergency_priority: int = 100
    repeat_caller_priority: int = 10  # called within repeat_caller_hours
    repeat_caller_hours: float = 24.0
    overflow_wait_seconds: float = 60.0  # the oldest caller waits longer: alert
    overflow_rate_target: float = 0.9  # 15-second rate of the last 30 minutes under it: alert
    overflow_min_calls: int = 10  # ... once at least this many calls were offered in those 30 min
    callback_deadline_minutes: float = 120.0  # 漏接回拨: call back a missed caller within
    callback_max_attempts: int = 3  # then the task is closed as unreachable

    def line_bonus(self, line: str) -> int:
        return dict(self.line_priority).get(line, 0)


def priority_of(caller: WaitingCaller, rules: RoutingRules) -> int:
    priority = rules.line_bonus(caller.line)
    if caller.emergency:
        priority += rules.emergency_priority
    if caller.repeat:
        priority += rules.repeat_caller_priority
    return priority
