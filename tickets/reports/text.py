"""A statistics report as text for the terminal (the daily, weekly or monthly report)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _num(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _call_lines(calls: dict[str, Any]) -> Iterator[str]:
    yield (
        f"呼入 offered {calls['offered']}  接听 answered {calls['answered']}  "
        f"放弃 abandoned {calls['abandoned']} (短时 short {calls['short_abandoned']})"
    )
    yield (
        f"15秒及时应答率 {_pct(calls['answer_rate_in_target'])}  接通率 connection "
        f"{_pct(calls['connection_rate'])}  ASA {_num(calls['asa_seconds'])} s  "
        f"平均通话 talk {_num(calls['average_talk_seconds'])} s  "
        f"平均话后 wrap-up {_num(calls['average_wrapup_seconds'])} s"
    )
    yield (
        f"人均日接听 calls/agent/day {_num(calls['calls_per_agent_day'])} "
        f"(目标 target {calls['calls_target']:g}, 未达标人天 agent-days under "
        f"{calls['agent_days_below_target']:g} / {calls['agent_days']:g})"
    )


def _order_lines(report: dict[str, Any]) -> Iterator[str]:
    o = report["orders"]
    yield (
        f"受理 accepted {o['orders_accepted']:g}  直办 direct {o['orders_direct']:g}  "
        f"不纳入考核 not counted {o['orders_not_counted']:g}  "
        f"重复 duplicates {o['duplicate_orders']:g}"
    )
    yield (
        f"派单准确率 dispatch accuracy {_pct(o['dispatch_accuracy'])}  按时派单 on time "
        f"{o['dispatched_on_time']:g}/{o['dispatched']:g}  "
        f"响应率 response {_pct(o['response_rate'])}  "
        f"回访率 callback {_pct(o['callback_rate'])}  按时办结 closure {_pct(o['closure_rate'])}  "
        f"挂账 hanging {o['hanging_orders']:g}"
    )
    s = report["satisfaction"]
    yield f"满意率 satisfaction {_pct(s['satisfaction_rate'])} ({s['satisfied']:g}/{s['rated']:g})"
    channels = ", ".join(f"{c['label']} {c['count']}" for c in report["by_channel"])
    yield f"渠道 channels: {channels or '—'}"


def _topic_lines(topics: dict[str, Any]) -> Iterator[str]:
    for key, title in (("top_categories", "分类"), ("places", "地点"), ("words", "热词")):
        items = topics[key][:8]
        shown = ", ".join(
            f"{i.get('label', i['key'])} {i['count']}"
            + ("" if i["change"] is None else f" ({i['change'] * 100:+.0f}%)")
            for i in items
        )
        yield f"热点{title} {key}: {shown or '—'}"


def stats_text(report: dict[str, Any]) -> str:
    lines = [f"统计 Statistics {report['period']['label']}"]
    filters = {k: v for k, v in report["filters"].items() if v}
    if filters:
        lines.append("筛选 filters: " + ", ".join(f"{k}={v}" for k, v in filters.items()))
    lines.extend(_call_lines(report["calls"]))
    lines.append("")
    lines.append("日期        呼入   接听  15秒率   接通率   ASA")
    for day in report["by_day"]:
        lines.append(
            f"{day['day']}  {day['offered']:5g}  {day['answered']:5g}  "
            f"{_pct(day['answer_rate_in_target']):>6}  {_pct(day['connection_rate']):>6}  "
            f"{_num(day['asa_seconds'])}"
        )
    lines.append("")
    lines.extend(_order_lines(report))
    lines.append("")
    lines.extend(_topic_lines(report["topics"]))
    return "\n".join(lines)
