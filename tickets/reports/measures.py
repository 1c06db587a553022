"""The catalogue of measures a contract's formulas may name: what each one counts, its unit,
whether it can be judged day by day, and — for a measure that counts good outcomes — the
measure that lists the bad ones, whose items are the evidence of a deduction.

The definitions follow DOMAIN.md ("The numbers an operator is judged by"); the call
measures are the fields of ``acd.figures.Figures``, the wallboard's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Unit = Literal["count", "rate", "seconds", "points", "number"]


@dataclass(frozen=True, slots=True)
class Measure:
    name: str
    label: str  # zh-CN
    label_en: str
    unit: Unit = "count"
    daily: bool = True  # can be computed for one day of the period
    shortfall: str | None = None  # the measure whose items show what fell short


def _m(
    name: str,
    label: str,
    label_en: str,
    unit: Unit = "count",
    *,
    daily: bool = True,
    shortfall: str | None = None,
) -> Measure:
    return Measure(name, label, label_en, unit, daily, shortfall)


_CATALOGUE = (
    # calls: acd.figures, over the calls queued in the period (the wallboard's definition)
    _m("offered", "呼入量", "calls offered"),
    _m("answered", "接听量", "calls answered", shortfall="not_connected"),
    _m("answered_in_target", "及时应答量", "answered within target", shortfall="not_in_target"),
    _m("not_in_target", "未及时应答量", "not answered within target"),
    _m("abandoned", "放弃量", "abandoned"),
    _m("short_abandoned", "短时放弃量", "short abandons"),
    _m("timeout", "排队超时量", "queue timeouts"),
    _m("no_seat", "无座席量", "no seat"),
    _m("lost", "链路中断量", "lost (link down)"),
    _m("kept_place", "保留排位回拨量", "kept place"),
    _m("callbacks_reached", "漏接回拨接通量", "callbacks reached"),
    _m("connected", "接通量", "connected", shortfall="not_connected"),
    _m("not_connected", "未接通量", "not connected"),
    _m(
        "answer_rate_in_target",
        "15秒及时应答率",
        "answer rate in target",
        "rate",
        shortfall="not_in_target",
    ),
    _m("connection_rate", "接通率", "connection rate", "rate", shortfall="not_connected"),
    _m("abandonment_rate", "放弃率", "abandonment rate", "rate"),
    _m("asa_seconds", "平均应答时长", "ASA", "seconds"),
    _m("average_talk_seconds", "平均通话时长", "average talk time", "seconds"),
    _m("average_wrapup_seconds", "平均话后处理时长", "average wrap-up time", "seconds"),
    _m("longest_wait_seconds", "最长等待时长", "longest wait (answered)", "seconds"),
    # agents
    _m("agents", "上岗座席员", "agents who answered"),
    _m("agent_days", "座席员出勤人天", "agent-days"),
    _m(
        "calls_per_agent_day",
        "人均日接听量",
        "calls per agent per day",
        "number",
        shortfall="agent_days_below_target",
    ),
    _m("agent_days_below_target", "日接听量未达标人天", "agent-days under the calls target"),
    _m("calls_target", "人均日接听目标", "calls per agent per day target", "number"),
    # satisfaction: post-call surveys and callbacks (qa.satisfaction's definition)
    _m("survey_rated", "满意度调查评价数", "survey ratings"),
    _m("callback_rated", "回访评价数", "callback ratings"),
    _m("rated", "评价总数", "ratings"),
    _m("satisfied", "满意数", "satisfied", shortfall="unsatisfied"),
    _m("basically_satisfied", "基本满意数", "basically satisfied"),
    _m("unsatisfied", "不满意数", "unsatisfied"),
    _m("satisfaction_rate", "满意率", "satisfaction rate", "rate", shortfall="unsatisfied"),
    # work orders (工单)
    _m("orders_accepted", "受理工单量", "orders accepted"),
    _m("orders_direct", "直办工单量", "answered on the spot"),
    _m("orders_not_counted", "不纳入考核工单量", "orders not counted"),
    _m("duplicate_orders", "重复工单量", "duplicate orders"),
    _m("dispatches", "派单次数", "dispatches (main unit)"),
    _m("wrongly_assigned", "派错单次数", "wrongly assigned"),
    _m(
        "dispatch_accuracy", "派单准确率", "dispatch accuracy", "rate", shortfall="wrongly_assigned"
    ),
    _m("dispatched", "派单量", "orders dispatched"),
    _m("dispatched_on_time", "按时派单量", "dispatched on time", shortfall="late_dispatches"),
    _m("late_dispatches", "超时派单量", "late dispatches"),
    _m("responses_due", "应响应工单量", "responses due"),
    _m("responded_in_time", "按时响应量", "responded in time", shortfall="missed_responses"),
    _m("missed_responses", "未按时响应量", "missed responses"),
    _m("response_rate", "响应率", "response rate", "rate", shortfall="missed_responses"),
    _m("callbacks_due", "应回访量", "callbacks due"),
    _m("callbacks_done", "已回访量", "callbacks done", shortfall="missed_callbacks"),
    _m("missed_callbacks", "未回访量", "missed callbacks"),
    _m("late_callbacks", "超时回访量", "late callbacks"),
    _m("callback_rate", "回访率", "callback rate", "rate", shortfall="missed_callbacks"),
    _m("closures_due", "应办结量", "closures due"),
    _m("closed_on_time", "按时办结量", "closed on time", shortfall="late_closures"),
    _m("late_closures", "超时办结量", "late closures"),
    _m("closure_rate", "按时办结率", "on-time closure rate", "rate", shortfall="late_closures"),
    _m("hanging_orders", "挂账工单量", "orders on the hanging list", daily=False),
    _m(
        "hanging_without_progress",
        "本月未报进展挂账量",
        "hanging orders without progress",
        daily=False,
    ),
    # quality assurance (质检)
    _m("qa_reviews", "质检量", "QA reviews"),
    _m(
        "qa_average_score",
        "质检平均分",
        "average QA score",
        "points",
        shortfall="zero_score_reviews",
    ),
    _m("zero_score_reviews", "0分工单量", "zero-score reviews"),
    _m("work_order_quality", "工单质量得分(15分)", "work-order quality (of 15)", "points"),
    # the period itself
    _m("days", "天数", "days", "number"),
)

MEASURES: dict[str, Measure] = {measure.name: measure for measure in _CATALOGUE}
# measures whose items can be listed as evidence
ITEMIZED = frozenset(
    {
        "not_in_target",
        "not_connected",
        "agent_days_below_target",
        "unsatisfied",
        "wrongly_assigned",
        "late_dispatches",
        "missed_responses",
        "missed_callbacks",
        "late_callbacks",
        "late_closures",
        "hanging_without_progress",
        "zero_score_reviews",
        "orders_not_counted",
        "duplicate_orders",
    }
)


def evidence_measures(names: tuple[str, ...]) -> tuple[str, ...]:
    """The itemized measures behind a formula's names: each name that lists items itself,
    or the shortfall partner of one that counts good outcomes."""
    found: dict[str, None] = {}
    for name in names:
        if name in ITEMIZED:
            found.setdefault(name, None)
        elif (measure := MEASURES.get(name)) is not None and measure.shortfall:
            found.setdefault(measure.shortfall, None)
    return tuple(found)
