"""An assessment as JSON (every metric, day and evidence item) and as text for the terminal
(each metric's formula with its values, the target, the deduction and the evidence, a few
items per deduction)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tickets.reports.assess import (
    Assessment,
    DayResult,
    MetricResult,
    fee_substituted,
    summary_json,
)
from tickets.reports.evidence import Evidence
from tickets.reports.formula import Value
from tickets.reports.measures import MEASURES

EVIDENCE_SHOWN = 5


def _number(value: Value) -> float | None:
    return None if value is None else round(value, 6)


def _day_json(day: DayResult) -> dict[str, Any]:
    return {
        "day": day.day.isoformat(),
        "value": _number(day.value),
        "substituted": day.substituted,
        "met": day.met,
        "deduction": day.deduction,
        "evidence": [item.as_json() for item in day.evidence],
    }


def metric_json(result: MetricResult) -> dict[str, Any]:
    metric = result.metric
    rule = metric.deduction
    return {
        "id": metric.id,
        "label": metric.label,
        "line": metric.line,
        "formula": metric.formula.text,
        "substituted": result.substituted,
        "per": metric.per,
        "value": _number(result.value),
        "target": None if metric.target is None else metric.target.text(),
        "met": result.met,
        "rule": None
        if rule is None
        else {
            "mode": rule.mode,
            "amount": rule.amount,
            "point": rule.point,
            "rounding": rule.rounding,
            "max": rule.cap,
        },
        "group": metric.group,
        "points": metric.points,
        "deduction": result.deduction,
        "days_short": result.days_short,
        "days": [_day_json(day) for day in result.days],
        "evidence_measures": list(metric.evidence),
        "evidence": [item.as_json() for item in result.evidence],
        "note": metric.note,
    }


def assessment_json(assessment: Assessment) -> dict[str, Any]:
    contract = assessment.contract
    return {
        "contract": {
            "name": contract.name,
            "file": contract.file,
            "kind": contract.kind,
            "currency": contract.currency,
            "lines": list(contract.lines),
            "groups": [{"id": g.id, "label": g.label, "points": g.points} for g in contract.groups],
            "total_points": contract.total_points,
        },
        "period": assessment.period.as_json(),
        "generated_at": assessment.generated_at.isoformat(),
        "parameters": dict(contract.parameters),
        "inputs": assessment.inputs,
        "metrics": [metric_json(result) for result in assessment.results],
        **summary_json(assessment),
    }


def _unit(assessment: Assessment) -> str:
    return "分" if assessment.contract.kind == "score" else assessment.contract.currency


def _shown(value: Value, rate: bool) -> str:
    if value is None:
        return "无数据 no data"
    if rate and 0 <= value <= 1:
        return f"{value * 100:.2f}%"
    return f"{value:,.4g}" if abs(value) < 1e6 else f"{value:,.0f}"


def _is_rate(result: MetricResult) -> bool:
    target = result.metric.target
    names = result.metric.formula.names
    single = len(names) == 1 and MEASURES.get(names[0]) is not None
    return (target is not None and target.percent) or (single and MEASURES[names[0]].unit == "rate")


def _evidence_lines(items: list[Evidence], indent: str, limit: int) -> Iterator[str]:
    for item in items[:limit]:
        recording = f" [录音 recording #{item.recording_id}]" if item.recording_id else ""
        order = f" 工单 {item.order}" if item.order and item.order != item.ref else ""
        at = item.at.isoformat(timespec="minutes")
        yield f"{indent}- {at} {item.ref}{order}: {item.what}{recording}"
    if len(items) > limit:
        more = len(items) - limit
        yield f"{indent}… 另有 {more} 条 and {more} more (--json, --xlsx)"


def _metric_lines(result: MetricResult, assessment: Assessment, limit: int) -> Iterator[str]:
    metric, rate, unit = result.metric, _is_rate(result), _unit(assessment)
    yield f"■ {metric.label} [{metric.id}]  (line {metric.line})"
    value = _shown(result.value, rate)
    yield f"  公式 formula: {metric.formula.text} = {result.substituted} = {value}"
    if metric.target is not None:
        verdict = {True: "达标 met", False: "未达标 short", None: "无数据 not judged"}[result.met]
        yield f"  目标 target: {metric.target.text()}  → {verdict}"
    if metric.per == "day":
        yield f"  按日考核 judged per day: {result.days_short} 天未达标 days short"
        for day in result.days:
            if day.deduction > 0:
                yield (
                    f"    {day.day.isoformat()}: {day.substituted} = {_shown(day.value, rate)}"
                    f"  扣 −{day.deduction:g} {unit}"
                )
                yield from _evidence_lines(day.evidence, "      ", limit)
    rule = metric.deduction
    if rule is not None:
        yield f"  扣减 deduction: {result.deduction:g} {unit}  ({rule.mode} {rule.amount:g})"
        yield from _evidence_lines(result.evidence, "    ", limit)


def assessment_text(assessment: Assessment, limit: int = EVIDENCE_SHOWN) -> str:
    contract = assessment.contract
    lines = [
        f"考核 Assessment: {contract.name} — {assessment.period.label()}",
        f"合同文件 contract file: {contract.file}   生成 generated: "
        f"{assessment.generated_at.isoformat(timespec='seconds')}",
    ]
    if assessment.inputs:
        given = ", ".join(f"{k}={v:g}" for k, v in assessment.inputs.items())
        lines.append(f"人工录入 inputs: {given}")
    for result in assessment.results:
        lines.append("")
        lines.extend(_metric_lines(result, assessment, limit))
    lines.append("")
    if contract.kind == "score":
        for group in contract.groups:
            lost = assessment.lost_by_group.get(group.id, 0.0)
            lines.append(
                f"{group.label}: {group.points - lost:g} / {group.points:g} 分 (−{lost:g})"
            )
        lines.append(f"总分 score: {assessment.score:g} / {contract.total_points:g}")
        if assessment.deduction_percent is not None:
            lines.append(f"扣减比例 deduction: {assessment.deduction_percent:g}%")
    else:
        lines.append(
            f"合计扣款 total deduction: {assessment.total_deduction:,.2f} {contract.currency}"
        )
    if contract.fee is not None:
        lines.append(
            f"月度服务费 monthly fee: {contract.fee.text} = {fee_substituted(assessment)}"
            f" = {'无数据' if assessment.fee is None else f'{assessment.fee:,.2f}'}"
            f" {contract.currency}"
        )
    return "\n".join(lines)
