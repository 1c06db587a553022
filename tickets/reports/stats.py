"""Statistics of any period (日报, 周报, 月报), for the whole centre or one line, seat, agent or
category: calls and their figures by day and by hour of the day, seats and agents against
the calls target, work orders by category and channel with their deadlines, callbacks,
satisfaction, QA, duplicates, the hanging list, orders not counted, and hot topics.

Every number is a measure of ``tickets.reports.compute`` over the same loaded facts as
the contract assessment, so a report and an assessment of the same period agree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from acd.figures import compute_figures
from acd.views import figures_view
from tickets.categories import CategoryTree
from tickets.deadlines import DeadlineRules
from tickets.models import WorkOrderRow
from tickets.order_forms import CHANNELS, NOT_COUNTED_REASONS
from tickets.reports.assess import load_forms
from tickets.reports.compute import ReportRules, Window, agent_days, values
from tickets.reports.data import Filters, Snapshot, load_snapshot
from tickets.reports.evidence import evidence_of
from tickets.reports.formula import Value
from tickets.reports.period import Period
from tickets.reports.topics import TopicOrder, hot_topics
from tickets.workdays import WorkCalendar

DAY_KEYS = (
    "offered",
    "answered",
    "answered_in_target",
    "abandoned",
    "short_abandoned",
    "connected",
    "answer_rate_in_target",
    "connection_rate",
    "abandonment_rate",
    "asa_seconds",
    "average_talk_seconds",
    "average_wrapup_seconds",
    "agents",
    "calls_per_agent_day",
    "orders_accepted",
    "dispatched",
    "late_dispatches",
    "satisfaction_rate",
)
ORDER_KEYS = (
    "orders_accepted",
    "orders_direct",
    "orders_not_counted",
    "duplicate_orders",
    "dispatches",
    "wrongly_assigned",
    "dispatch_accuracy",
    "dispatched",
    "dispatched_on_time",
    "late_dispatches",
    "responses_due",
    "responded_in_time",
    "response_rate",
    "callbacks_due",
    "callbacks_done",
    "late_callbacks",
    "callback_rate",
    "closures_due",
    "closed_on_time",
    "closure_rate",
    "hanging_orders",
)
Progress = Callable[[str], None]


def _rounded(value: Value) -> float | None:
    return None if value is None else round(value, 4)


async def statistics(
    session: AsyncSession,
    period: Period,
    *,
    now: datetime,
    filters: Filters | None = None,
    rules: ReportRules | None = None,
    deadlines: DeadlineRules | None = None,
    calendar: WorkCalendar | None = None,
    categories: CategoryTree | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """The report of ``period`` as JSON-ready data."""
    tell = progress or (lambda _: None)
    filters, rules = filters or Filters(), rules or ReportRules()
    tell("读取记录 reading the period's records")
    snapshot = await load_snapshot(
        session, period, filters=filters, deadlines=deadlines, calendar=calendar, now=now
    )
    forms = await load_forms(session)
    whole = Window(snapshot, rules, period.start, period.end, forms)
    measures = values(whole)
    tell("逐日统计 figures per day")
    by_day = _by_day(snapshot, rules, forms)
    tell("热点分析 hot topics")
    previous = await topic_orders(session, period.previous(), filters)
    return {
        "period": period.as_json(),
        "filters": filters.as_json(),
        "generated_at": now.isoformat(),
        "rules": _rules_json(rules),
        "calls": {
            **figures_view(whole.figures),
            **{
                key: _rounded(measures[key])
                for key in (
                    "average_wrapup_seconds",
                    "agents",
                    "agent_days",
                    "calls_per_agent_day",
                    "agent_days_below_target",
                    "calls_target",
                )
            },
        },
        "by_day": by_day,
        "by_hour": _by_hour(whole),
        "by_line": _by_line(whole),
        "seats": _seats(whole),
        "agents": _agents(whole),
        "orders": {key: _rounded(measures[key]) for key in ORDER_KEYS},
        "by_category": _count(
            whole.snapshot.accepted.between(period.start, period.end), "category"
        ),
        "by_channel": _channels(whole),
        "satisfaction": {
            key: _rounded(measures[key])
            for key in (
                "survey_rated",
                "callback_rated",
                "rated",
                "satisfied",
                "basically_satisfied",
                "unsatisfied",
                "satisfaction_rate",
            )
        },
        "qa": {
            key: _rounded(measures[key])
            for key in (
                "qa_reviews",
                "qa_average_score",
                "zero_score_reviews",
                "work_order_quality",
            )
        },
        "not_counted": _not_counted(whole),
        "duplicates": [item.as_json() for item in evidence_of(whole, "duplicate_orders")],
        "hanging": _hanging(whole),
        "topics": hot_topics(_topic_orders(whole), previous, categories),
    }


def _rules_json(rules: ReportRules) -> dict[str, Any]:
    return {
        "answer_target_seconds": rules.figures.answer_target,
        "short_abandon_seconds": rules.figures.short_abandon,
        "exclude_short_abandons": rules.figures.exclude_short_abandons,
        "count_callbacks": rules.figures.count_callbacks,
        "basic_counts_as_satisfied": rules.basic_counts_as_satisfied,
        "calls_target": rules.calls_target,
        "exclude_not_counted": rules.exclude_not_counted,
    }


def _by_day(snapshot: Snapshot, rules: ReportRules, forms: dict[int, Any]) -> list[dict[str, Any]]:
    found = []
    for day, start, end in snapshot.period.day_windows():
        day_values = values(Window(snapshot, rules, start, end, forms))
        found.append({"day": day.isoformat(), **{k: _rounded(day_values[k]) for k in DAY_KEYS}})
    return found


def _by_hour(window: Window) -> list[dict[str, Any]]:
    """The 24 hours of the day over the whole period: when the calls come, when they wait."""
    zone = window.snapshot.period.zone
    hours: dict[int, list[Any]] = {hour: [] for hour in range(24)}
    for record in window.calls:
        hours[record.queued_at.astimezone(zone).hour].append(record)
    found = []
    for hour, records in hours.items():
        figures = compute_figures(records, window.rules.figures)
        found.append(
            {
                "hour": hour,
                "offered": figures.offered,
                "answered": figures.answered,
                "answered_in_target": figures.answered_in_target,
                "abandoned": figures.abandoned,
                "answer_rate_in_target": _rounded(figures.answer_rate_in_target),
                "connection_rate": _rounded(figures.connection_rate),
                "asa_seconds": _rounded(figures.asa),
            }
        )
    return found


def _by_line(window: Window) -> dict[str, Any]:
    lines: dict[str, list[Any]] = {}
    for record in window.calls:
        lines.setdefault(record.line, []).append(record)
    return {
        line: figures_view(compute_figures(records, window.rules.figures))
        for line, records in sorted(lines.items())
    }


def _wrapup_by(window: Window, key: str) -> dict[str, tuple[int, float]]:
    found: dict[str, tuple[int, float]] = {}
    for wrapup in window.snapshot.wrapups.between(window.start, window.end):
        name = getattr(wrapup, key) or "?"
        count, seconds = found.get(name, (0, 0.0))
        found[name] = (count + 1, seconds + wrapup.seconds)
    return found


def _seats(window: Window) -> list[dict[str, Any]]:
    wrapups = _wrapup_by(window, "seat")
    return [
        {
            "seat": seat.seat,
            "answered": seat.answered,
            "missed": seat.missed,
            "talk_seconds": round(seat.talk_seconds, 1),
            "average_talk_seconds": _rounded(seat.average_talk),
            "average_wrapup_seconds": _average(wrapups.get(seat.seat)),
        }
        for seat in window.figures.per_seat
    ]


def _average(pair: tuple[int, float] | None) -> float | None:
    return None if not pair or not pair[0] else round(pair[1] / pair[0], 1)


def _agents(window: Window) -> list[dict[str, Any]]:
    target = window.rules.calls_target
    days = agent_days(window)
    talk: dict[str, float] = {}
    for record in window.calls:
        if record.direction == "in" and record.agent and record.talk_seconds is not None:
            talk[record.agent] = talk.get(record.agent, 0.0) + record.talk_seconds
    wrapups = _wrapup_by(window, "agent")
    agents = sorted({agent for agent, _ in days})
    found = []
    for agent in agents:
        counts = [count for (who, _), count in days.items() if who == agent]
        found.append(
            {
                "agent": agent,
                "answered": sum(counts),
                "days": len(counts),
                "calls_per_day": round(sum(counts) / len(counts), 1),
                "days_below_target": sum(1 for count in counts if count < target),
                "calls_target": target,
                "average_talk_seconds": round(talk.get(agent, 0.0) / sum(counts), 1),
                "average_wrapup_seconds": _average(wrapups.get(agent)),
            }
        )
    return found


def _count(orders: list[Any], field: str) -> list[dict[str, Any]]:
    counts = Counter(getattr(order, field) or "" for order in orders)
    return [
        {"key": key, "count": n} for key, n in sorted(counts.items(), key=lambda i: (-i[1], i[0]))
    ]


def _channels(window: Window) -> list[dict[str, Any]]:
    orders = window.snapshot.accepted.between(window.start, window.end)
    return [
        {**item, "label": CHANNELS.get(item["key"], item["key"])}
        for item in _count(orders, "channel")
    ]


def _not_counted(window: Window) -> list[dict[str, Any]]:
    orders = window.snapshot.accepted.between(window.start, window.end)
    return [
        {
            "order": o.number,
            "reason": o.not_counted,
            "reason_label": NOT_COUNTED_REASONS.get(o.not_counted or "", o.not_counted),
            "justification": o.not_counted_note,
            "category": o.category,
        }
        for o in orders
        if not o.counted
    ]


def _hanging(window: Window) -> list[dict[str, Any]]:
    progress = window.snapshot.hanging_progress
    return [
        {
            "order": o.number,
            "category": o.category,
            "address": o.address,
            "unit": o.main_unit,
            "created_at": o.created_at.isoformat(),
            "last_progress_at": None if o.id not in progress else progress[o.id].isoformat(),
            "progress_this_period": o.id in progress and progress[o.id] >= window.start,
        }
        for o in window.snapshot.hanging
    ]


def _topic_orders(window: Window) -> list[TopicOrder]:
    return [
        TopicOrder(o.line, o.category, o.address, o.content)
        for o in window.snapshot.accepted.between(window.start, window.end)
    ]


async def topic_orders(session: AsyncSession, period: Period, filters: Filters) -> list[TopicOrder]:
    """The orders accepted in ``period`` as hot-topic input (for the previous period)."""
    rows = await session.execute(
        select(
            WorkOrderRow.line,
            WorkOrderRow.category,
            WorkOrderRow.address,
            WorkOrderRow.content,
            WorkOrderRow.seat,
            WorkOrderRow.agent,
        ).where(WorkOrderRow.accepted_at >= period.start, WorkOrderRow.accepted_at < period.end)
    )
    return [
        TopicOrder(line, category, address, content)
        for line, category, address, content, seat, agent in rows
        if filters.takes_line(line)
        and filters.takes_category(category)
        and (filters.seat is None or seat == filters.seat)
        and (filters.agent is None or agent == filters.agent)
    ]
