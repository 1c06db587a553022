"""The monthly assessment (月度考核) of a contract: every metric's formula, its value, the
target, what falling short costs, and the evidence behind every deduction; for a score
contract the points lost per group, the score and the monthly fee.

How a deduction is counted (the README has the contract format):

* ``per_day``: the metric is computed for each local day (``per: day``); each day on the
  wrong side of the target costs ``per_day``. A day without data (no calls) is not judged.
* ``per_event``: the value counts events; each costs ``per_event``. With a target
  ``<= N`` the first N are allowed.
* ``per_point``: each ``point`` (0.01 for a percentage target, else 1) the value is below
  (or above) its target costs ``per_point``; ``rounding`` up/down/exact (pro rata).
* ``max`` caps a metric's deduction; in a score contract a metric loses at most its
  ``points`` and a group at most its points.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from qa.forms import EvaluationForm, form_of
from qa.models import QaFormRow
from tickets.deadlines import DeadlineRules
from tickets.reports.compute import Window, values
from tickets.reports.contract import Contract, Metric
from tickets.reports.data import Filters, Snapshot, load_snapshot
from tickets.reports.evidence import Evidence, evidence_of, with_recordings
from tickets.reports.formula import Value
from tickets.reports.period import Period
from tickets.workdays import WorkCalendar

Progress = Callable[[str], None]


class MissingInput(ValueError):
    """An input the contract needs was not given and has no default."""


@dataclass
class DayResult:
    day: date
    value: Value
    substituted: str
    met: bool | None
    deduction: float
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class MetricResult:
    metric: Metric
    value: Value  # over the whole period
    substituted: str
    met: bool | None  # None: no data to judge
    deduction: float  # money, or points of the score
    days: list[DayResult] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def days_short(self) -> int:
        return sum(1 for day in self.days if day.met is False)


@dataclass
class Assessment:
    contract: Contract
    period: Period
    generated_at: datetime
    inputs: dict[str, float]
    results: list[MetricResult]
    values: dict[str, Value]  # every measure, parameter, input and metric over the period
    total_deduction: float = 0.0
    lost_by_group: dict[str, float] = field(default_factory=dict)
    score: float | None = None
    deduction_percent: float | None = None
    fee: float | None = None


async def assess(
    session: AsyncSession,
    contract: Contract,
    period: Period,
    *,
    now: datetime,
    deadlines: DeadlineRules | None = None,
    calendar: WorkCalendar | None = None,
    inputs: Mapping[str, float] | None = None,
    progress: Progress | None = None,
) -> Assessment:
    """Assess ``contract`` over ``period`` from the stored records."""
    tell = progress or (lambda _: None)
    given = _inputs(contract, inputs or {})
    tell("读取通话、工单、回访与质检记录 reading calls, orders, callbacks and reviews")
    snapshot = await load_snapshot(
        session,
        period,
        filters=Filters(lines=contract.lines),
        deadlines=deadlines,
        calendar=calendar,
        now=now,
    )
    forms = await load_forms(session)
    fixed = {**contract.parameters, **given}
    month = Window(snapshot, contract.rules, period.start, period.end, forms)
    month_values: dict[str, Value] = {**values(month), **fixed}
    days = _day_values(snapshot, contract, forms, fixed, tell)
    results = []
    for n, metric in enumerate(contract.metrics, 1):
        tell(f"指标 metric {n}/{len(contract.metrics)}: {metric.id}")
        results.append(_judge(metric, month, month_values, days))
    for result in results:
        result.evidence = await with_recordings(session, result.evidence)
        for day in result.days:
            day.evidence = await with_recordings(session, day.evidence)
    assessment = Assessment(contract, period, now, given, results, month_values)
    _totals(assessment)
    return assessment


async def load_forms(session: AsyncSession) -> dict[int, EvaluationForm]:
    return {row.id: form_of(row) for row in await session.scalars(select(QaFormRow))}


def _inputs(contract: Contract, given: Mapping[str, float]) -> dict[str, float]:
    unknown = sorted(set(given) - set(contract.inputs))
    if unknown:
        raise MissingInput(
            f"the contract has no input {', '.join(unknown)}; "
            f"its inputs: {', '.join(sorted(contract.inputs)) or 'none'}"
        )
    found = {}
    for name, spec in contract.inputs.items():
        value = given.get(name, spec.default)
        if value is None:
            raise MissingInput(f"input {name} ({spec.label}) has no default: give --set {name}=N")
        found[name] = float(value)
    return found


@dataclass
class _Day:
    day: date
    window: Window
    values: dict[str, Value]


def _day_values(
    snapshot: Snapshot,
    contract: Contract,
    forms: dict[int, EvaluationForm],
    fixed: Mapping[str, float],
    tell: Progress,
) -> list[_Day]:
    if not any(metric.per == "day" for metric in contract.metrics):
        return []
    days = []
    windows = list(snapshot.period.day_windows())
    for n, (day, start, end) in enumerate(windows, 1):
        if n == 1 or n % 7 == 0 or n == len(windows):
            tell(f"逐日计算 day {n}/{len(windows)}")
        window = Window(snapshot, contract.rules, start, end, forms)
        days.append(_Day(day, window, {**values(window), **fixed}))
    return days


def _judge(
    metric: Metric, month: Window, month_values: dict[str, Value], days: list[_Day]
) -> MetricResult:
    value = metric.formula.evaluate(month_values)
    month_values[metric.id] = value
    result = MetricResult(
        metric,
        value,
        metric.formula.substituted(month_values),
        None if value is None or metric.target is None else metric.target.met(value),
        0.0,
    )
    if metric.per == "day":
        for day in days:
            day_value = metric.formula.evaluate(day.values)
            met = (
                None if day_value is None or metric.target is None else metric.target.met(day_value)
            )
            cost = _cost(metric, day_value, met)
            evidence = _evidence(metric, day.window) if cost > 0 else []
            result.days.append(
                DayResult(
                    day.day, day_value, metric.formula.substituted(day.values), met, cost, evidence
                )
            )
        total = sum(day.deduction for day in result.days)
    else:
        total = _cost(metric, value, result.met)
        if total > 0:
            result.evidence = _evidence(metric, month)
    result.deduction = _capped(metric, total)
    return result


def _cost(metric: Metric, value: Value, met: bool | None) -> float:
    rule, target = metric.deduction, metric.target
    if rule is None or value is None:
        return 0.0
    if rule.mode == "per_day":
        return rule.amount if met is False else 0.0
    if rule.mode == "per_event":
        allowed = target.value if target is not None and target.op in ("<=", "<") else 0.0
        return max(0.0, value - allowed) * rule.amount
    assert target is not None
    points = _rounded(target.gap(value) / rule.point, rule.rounding)
    return points * rule.amount


def _rounded(points: float, rounding: str) -> float:
    points = round(points, 9)  # 0.95 - 0.93 is 0.020000000000000018 points of 0.01
    if rounding == "up":
        return float(math.ceil(points))
    if rounding == "down":
        return float(math.floor(points))
    return points


def _capped(metric: Metric, total: float) -> float:
    if metric.deduction is not None and metric.deduction.cap is not None:
        total = min(total, metric.deduction.cap)
    if metric.points is not None:
        total = min(total, metric.points)
    return round(total, 6)


def _evidence(metric: Metric, window: Window) -> list[Evidence]:
    found: list[Evidence] = []
    for measure in metric.evidence:
        found.extend(evidence_of(window, measure))
    return found


def _totals(assessment: Assessment) -> None:
    contract, named = assessment.contract, assessment.values
    if contract.kind == "score":
        for group in contract.groups:
            lost = sum(r.deduction for r in assessment.results if r.metric.group == group.id)
            assessment.lost_by_group[group.id] = round(min(group.points, lost), 6)
        lost_points = sum(assessment.lost_by_group.values())
        assessment.score = round(contract.total_points - lost_points, 6)
        named.update(score=assessment.score, lost_points=lost_points)
        if contract.deduction_percent is not None:
            assessment.deduction_percent = contract.deduction_percent.evaluate(named)
            named["deduction_percent"] = assessment.deduction_percent
    else:
        assessment.total_deduction = round(sum(r.deduction for r in assessment.results), 6)
        named["deductions"] = assessment.total_deduction
    if contract.fee is not None:
        named.setdefault("deductions", assessment.total_deduction)
        named.setdefault("deduction_percent", assessment.deduction_percent)
        named.setdefault("score", assessment.score)
        named.setdefault("lost_points", None)
        fee = contract.fee.evaluate(named)
        assessment.fee = None if fee is None else round(fee, 2)


def fee_substituted(assessment: Assessment) -> str:
    fee = assessment.contract.fee
    return "" if fee is None else fee.substituted(assessment.values)


def summary_json(assessment: Assessment) -> dict[str, Any]:
    return {
        "total_deduction": assessment.total_deduction,
        "lost_by_group": assessment.lost_by_group,
        "score": assessment.score,
        "deduction_percent": assessment.deduction_percent,
        "fee": assessment.fee,
        "fee_formula": None if assessment.contract.fee is None else assessment.contract.fee.text,
        "fee_substituted": fee_substituted(assessment),
    }
