"""The value of every measure of ``tickets.reports.measures`` over a window of a loaded
period, and the items (calls, orders, callbacks, reviews, agent-days) behind the measures
that count what fell short.

Call figures are ``acd.figures.compute_figures`` over the window's call records, exactly
as the wallboard computes them; which calls make up a count is decided by the same
function, one call at a time, so the evidence always adds up to the figure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from acd.figures import FigureRules, Figures, compute_figures
from qa.figures import WORK_ORDER_POINTS, section_share
from qa.forms import WORK_ORDER_SECTION, EvaluationForm
from tickets.records import CallRecord
from tickets.reports.data import Order, Snapshot
from tickets.reports.formula import Value
from tickets.reports.period import Period

SATISFIED, BASIC, UNSATISFIED = "satisfied", "basically_satisfied", "unsatisfied"
RATED = (SATISFIED, BASIC, UNSATISFIED)
SURVEY_KEYS = {1: SATISFIED, 2: BASIC, 3: UNSATISFIED}
NOT_JUDGED = ("merged", "returned_up")  # orders that left the hotline's hands


@dataclass(frozen=True, slots=True)
class ReportRules:
    """The definitions a contract may change (a contract file's ``settings``)."""

    figures: FigureRules = FigureRules()
    basic_counts_as_satisfied: bool = True
    calls_target: int = 70  # calls per agent per day
    exclude_not_counted: bool = True  # 不纳入考核 orders stay out of the order measures


@dataclass
class Window:
    """One window of a snapshot with its figures computed once."""

    snapshot: Snapshot
    rules: ReportRules
    start: datetime
    end: datetime
    forms: dict[int, EvaluationForm] = field(default_factory=dict)
    _figures: Figures | None = None

    @property
    def calls(self) -> list[CallRecord]:
        return self.snapshot.calls.between(self.start, self.end)

    @property
    def figures(self) -> Figures:
        if self._figures is None:
            self._figures = compute_figures(self.calls, self.rules.figures)
        return self._figures

    def orders(self, timeline_name: str) -> list[Any]:
        items = getattr(self.snapshot, timeline_name).between(self.start, self.end)
        if not self.rules.exclude_not_counted:
            return list(items)
        return [item for item in items if _order_of(item).counted]


def _order_of(item: Any) -> Order:
    return item if isinstance(item, Order) else item.order


def ratio(part: float, whole: float) -> Value:
    return part / whole if whole else None


def values(window: Window) -> dict[str, Value]:
    """Every measure of the catalogue over the window."""
    found: dict[str, Value] = {}
    for part in (_call_values, _agent_values, _satisfaction_values, _order_values, _qa_values):
        found.update(part(window))
    found["days"] = float(len(_days(window)))
    found["calls_target"] = float(window.rules.calls_target)
    return found


def _days(window: Window) -> list[date]:
    return Period(window.start, window.end, window.snapshot.period.zone).local_days()


def _call_values(window: Window) -> dict[str, Value]:
    f = window.figures
    wrapups = window.snapshot.wrapups.between(window.start, window.end)
    return {
        "offered": float(f.offered),
        "answered": float(f.answered),
        "answered_in_target": float(f.answered_in_target),
        "not_in_target": float(f.offered - f.answered_in_target),
        "abandoned": float(f.abandoned),
        "short_abandoned": float(f.short_abandoned),
        "timeout": float(f.timeout),
        "no_seat": float(f.no_seat),
        "lost": float(f.lost),
        "kept_place": float(f.kept_place),
        "callbacks_reached": float(f.callbacks_reached),
        "connected": float(f.connected),
        "not_connected": float(f.offered - f.connected),
        "answer_rate_in_target": f.answer_rate_in_target,
        "connection_rate": f.connection_rate,
        "abandonment_rate": f.abandonment_rate,
        "asa_seconds": f.asa,
        "average_talk_seconds": f.average_talk,
        "average_wrapup_seconds": ratio(sum(w.seconds for w in wrapups), len(wrapups)),
        "longest_wait_seconds": f.longest_wait_answered,
    }


def agent_days(window: Window) -> Counter[tuple[str, Any]]:
    """(agent, local day) -> calls answered that day."""
    zone = window.snapshot.period.zone
    return Counter(
        (record.agent, record.queued_at.astimezone(zone).date())
        for record in window.calls
        if record.direction == "in" and record.answered_at is not None and record.agent
    )


def _agent_values(window: Window) -> dict[str, Value]:
    days = agent_days(window)
    below = sum(1 for count in days.values() if count < window.rules.calls_target)
    return {
        "agents": float(len({agent for agent, _ in days})),
        "agent_days": float(len(days)),
        "calls_per_agent_day": ratio(sum(days.values()), len(days)),
        "agent_days_below_target": float(below),
    }


def survey_ratings(window: Window) -> list[tuple[CallRecord, str]]:
    return [
        (record, SURVEY_KEYS[record.survey_score])
        for record in window.calls
        if record.direction == "in" and record.survey_score in SURVEY_KEYS
    ]


def callback_ratings(window: Window) -> list[tuple[Any, str]]:
    """Each order once, by its last rated callback of the window."""
    last: dict[int, Any] = {}
    for revisit in window.orders("revisits"):
        if revisit.result in RATED:
            last[revisit.order.id] = revisit
    return [(revisit, revisit.result) for revisit in last.values()]


def is_happy(result: str, rules: ReportRules) -> bool:
    return result == SATISFIED or (result == BASIC and rules.basic_counts_as_satisfied)


def _satisfaction_values(window: Window) -> dict[str, Value]:
    survey, callback = survey_ratings(window), callback_ratings(window)
    results = [result for _, result in survey] + [result for _, result in callback]
    happy = sum(1 for result in results if is_happy(result, window.rules))
    return {
        "survey_rated": float(len(survey)),
        "callback_rated": float(len(callback)),
        "rated": float(len(results)),
        "satisfied": float(happy),
        "basically_satisfied": float(results.count(BASIC)),
        "unsatisfied": float(len(results) - happy),
        "satisfaction_rate": ratio(happy, len(results)),
    }


def _order_values(window: Window) -> dict[str, Value]:
    accepted = window.orders("accepted")
    every_accepted = window.snapshot.accepted.between(window.start, window.end)
    assignments = window.orders("assignments")
    wrong = sum(1 for a in assignments if a.wrongly_assigned)
    dispatched = window.orders("dispatches")
    late_dispatch = len(late_dispatches(window))
    responses = responses_due(window)
    missed = len(missed_responses(window))
    callbacks = window.orders("callbacks_due")
    done = sum(1 for c in callbacks if c.done is not None)
    closures = closures_due(window)
    late_close = len(late_closures(window))
    return {
        "orders_accepted": float(len(accepted)),
        "orders_direct": float(sum(1 for o in accepted if o.handled_directly)),
        "orders_not_counted": float(sum(1 for o in every_accepted if not o.counted)),
        "duplicate_orders": float(len(duplicate_orders(window))),
        "dispatches": float(len(assignments)),
        "wrongly_assigned": float(wrong),
        "dispatch_accuracy": None if not assignments else 1 - wrong / len(assignments),
        "dispatched": float(len(dispatched)),
        "dispatched_on_time": float(len(dispatched) - late_dispatch),
        "late_dispatches": float(late_dispatch),
        "responses_due": float(len(responses)),
        "responded_in_time": float(len(responses) - missed),
        "missed_responses": float(missed),
        "response_rate": ratio(len(responses) - missed, len(responses)),
        "callbacks_due": float(len(callbacks)),
        "callbacks_done": float(done),
        "missed_callbacks": float(len(callbacks) - done),
        "late_callbacks": float(len(late_callbacks(window))),
        "callback_rate": ratio(done, len(callbacks)),
        "closures_due": float(len(closures)),
        "closed_on_time": float(len(closures) - late_close),
        "late_closures": float(late_close),
        "closure_rate": ratio(len(closures) - late_close, len(closures)),
        "hanging_orders": float(len(window.snapshot.hanging)),
        "hanging_without_progress": float(len(hanging_without_progress(window))),
    }


def late_dispatches(window: Window) -> list[Any]:
    return [d for d in window.orders("dispatches") if not d.on_time]


def responses_due(window: Window) -> list[Order]:
    return [o for o in window.orders("responses_due") if o.status not in NOT_JUDGED]


def missed_responses(window: Window) -> list[Order]:
    return [
        o
        for o in responses_due(window)
        if o.responded_at is None or o.response_due is None or o.responded_at > o.response_due
    ]


def late_callbacks(window: Window) -> list[Any]:
    return [
        c
        for c in window.orders("callbacks_due")
        if c.done is not None and c.done.recorded_at > c.due
    ]


def closures_due(window: Window) -> list[Order]:
    # an order on the hanging list is reported every month, not judged late
    return [o for o in window.orders("closures_due") if o.status not in (*NOT_JUDGED, "hanging")]


def late_closures(window: Window) -> list[Order]:
    return [
        o
        for o in closures_due(window)
        if o.closed_at is None or o.close_due is None or o.closed_at > o.close_due
    ]


def duplicate_orders(window: Window) -> list[Order]:
    return [
        o
        for o in window.snapshot.accepted.between(window.start, window.end)
        if o.duplicate_of is not None or o.merged_into is not None
    ]


def hanging_without_progress(window: Window) -> list[Order]:
    month_start = window.snapshot.period.start
    progress = window.snapshot.hanging_progress
    return [
        o for o in window.snapshot.hanging if o.id not in progress or progress[o.id] < month_start
    ]


def _qa_values(window: Window) -> dict[str, Value]:
    reviews = window.snapshot.reviews.between(window.start, window.end)
    shares = [
        share
        for review in reviews
        if (form := window.forms.get(review.form_id)) is not None
        and (share := section_share(review.answers, form, WORK_ORDER_SECTION)) is not None
    ]
    return {
        "qa_reviews": float(len(reviews)),
        "qa_average_score": ratio(sum(r.score for r in reviews), len(reviews)),
        "zero_score_reviews": float(sum(1 for r in reviews if r.score == 0)),
        "work_order_quality": None if not shares else WORK_ORDER_POINTS * sum(shares) / len(shares),
    }


def call_flags(record: CallRecord, window: Window) -> Figures:
    """The figures of one call alone (with its callbacks of the window): says whether it
    was offered, answered in target, connected — by the one definition."""
    callbacks = [
        cb
        for cb in window.snapshot.calls_callbacks(record.call_id)
        if window.start <= cb.queued_at < window.end
    ]
    return compute_figures([record, *callbacks], window.rules.figures)


Picker = Callable[[Window], list[Any]]
