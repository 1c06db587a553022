"""The evidence behind a figure: the calls, orders, callbacks (回访), reviews and agent-days
that an itemized measure counts, each with the recording that proves it when there is one.

Caller numbers appear masked (138****1234): the assessment is shown to the government
centre and kept; the call and the order are found by their ids.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, time
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from recordings.models import RecordingRow
from tickets.order_forms import NOT_COUNTED_REASONS
from tickets.privacy import mask_number
from tickets.records import CallRecord
from tickets.reports import compute as c
from tickets.reports.compute import Window
from tickets.reports.data import Order

OUTCOME_LABELS = {
    "answered": "已接听",
    "abandoned": "放弃",
    "timeout": "排队超时",
    "no_seat": "无座席",
    "lost": "链路中断",
    "kept_place": "保留排位",
}


@dataclass(frozen=True, slots=True)
class Evidence:
    kind: str  # call, order, dispatch, callback, review, agent_day
    at: datetime
    ref: str  # the call (server/call id), order number, review id or agent/day
    what: str  # zh-CN, one line
    line: str = ""
    order: str | None = None
    call: tuple[str, str] | None = None  # (server, call id) of the call to listen to
    recording_id: int | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "at": self.at.isoformat(),
            "ref": self.ref,
            "what": self.what,
            "line": self.line,
            "order": self.order,
            "call": None if self.call is None else f"{self.call[0]}/{self.call[1]}",
            "recording_id": self.recording_id,
            "details": self.details,
        }


def _call(record: CallRecord, what: str) -> Evidence:
    wait = record.wait_seconds
    return Evidence(
        kind="call",
        at=record.queued_at,
        ref=f"{record.server}/{record.call_id}",
        what=what,
        line=record.line,
        call=(record.server, record.call_id),
        details={
            "caller": mask_number(record.caller_number),
            "wait_seconds": None if wait is None else round(wait, 1),
            "outcome": record.outcome,
            "seat": record.seat,
            "agent": record.agent,
        },
    )


def _order(order: Order, at: datetime, what: str, **details: Any) -> Evidence:
    call = (order.server, order.call_id) if order.server and order.call_id else None
    return Evidence(
        kind="order",
        at=at,
        ref=order.number,
        what=what,
        line=order.line,
        order=order.number,
        call=call,
        details={"category": order.category, "unit": order.main_unit, **details},
    )


def _wait_text(record: CallRecord) -> str:
    outcome = OUTCOME_LABELS.get(record.outcome or "", record.outcome or "进行中")
    return f"等待 {record.wait_seconds or 0:.0f} 秒，{outcome}"


def not_in_target(window: Window) -> list[Evidence]:
    target = window.rules.figures.answer_target
    found = []
    for record in window.calls:
        if record.direction != "in":
            continue
        flags = c.call_flags(record, window)
        if flags.offered and not flags.answered_in_target:
            found.append(_call(record, f"{target:g} 秒内未应答：{_wait_text(record)}"))
    return found


def not_connected(window: Window) -> list[Evidence]:
    found = []
    for record in window.calls:
        if record.direction != "in":
            continue
        flags = c.call_flags(record, window)
        if flags.offered and not flags.connected:
            found.append(_call(record, f"未接通：{_wait_text(record)}"))
    return found


def agent_days_below_target(window: Window) -> list[Evidence]:
    target = window.rules.calls_target
    zone = window.snapshot.period.zone
    return [
        Evidence(
            kind="agent_day",
            at=datetime.combine(day, time(0), tzinfo=zone),
            ref=f"{agent}@{day.isoformat()}",
            what=f"座席员 {agent} 当日接听 {count} 通，低于 {target} 通",
            details={"agent": agent, "day": day.isoformat(), "answered": count},
        )
        for (agent, day), count in sorted(c.agent_days(window).items())
        if count < target
    ]


def unsatisfied(window: Window) -> list[Evidence]:
    labels = {"basically_satisfied": "基本满意", "unsatisfied": "不满意"}
    found = [
        _call(record, f"来电满意度评价：{labels[result]}")
        for record, result in c.survey_ratings(window)
        if not c.is_happy(result, window.rules)
    ]
    for revisit, result in c.callback_ratings(window):
        if c.is_happy(result, window.rules):
            continue
        item = _order(revisit.order, revisit.recorded_at, f"回访评价：{labels[result]}")
        call = (revisit.server, revisit.call_id) if revisit.server and revisit.call_id else None
        found.append(
            replace(
                item, kind="callback", call=call, details={**item.details, "agent": revisit.agent}
            )
        )
    return found


def wrongly_assigned(window: Window) -> list[Evidence]:
    return [
        _order(
            a.order,
            a.dispatched_at,
            f"派给 {a.unit} 被退回并认定派错：{a.return_reason or ''}",
            unit=a.unit,
        )
        for a in window.orders("assignments")
        if a.wrongly_assigned
    ]


def late_dispatches(window: Window) -> list[Evidence]:
    return [
        replace(
            _order(d.order, d.at, f"超时派单（派单时限已过），派往 {d.unit}", unit=d.unit),
            kind="dispatch",
            details={"event_id": d.event_id, "unit": d.unit, "category": d.order.category},
        )
        for d in c.late_dispatches(window)
    ]


def missed_responses(window: Window) -> list[Evidence]:
    return [
        _order(
            o,
            o.response_due or o.created_at,
            "响应时限已过未响应"
            if o.responded_at is None
            else f"超时响应：{_local(window, o.responded_at)}",
            due=_iso(o.response_due),
            responded_at=_iso(o.responded_at),
        )
        for o in c.missed_responses(window)
    ]


def missed_callbacks(window: Window) -> list[Evidence]:
    return [
        _order(
            due.order,
            due.due,
            f"单位 {_local(window, due.replied_at)} 回复后未回访",
            due=_iso(due.due),
            replied_at=_iso(due.replied_at),
        )
        for due in window.orders("callbacks_due")
        if due.done is None
    ]


def late_callbacks(window: Window) -> list[Evidence]:
    found = []
    for due in c.late_callbacks(window):
        item = _order(
            due.order,
            due.due,
            f"超时回访：{_local(window, due.done.recorded_at)}",
            due=_iso(due.due),
            called_back_at=_iso(due.done.recorded_at),
        )
        call = (due.done.server, due.done.call_id) if due.done.call_id else item.call
        found.append(replace(item, kind="callback", call=call))
    return found


def late_closures(window: Window) -> list[Evidence]:
    return [
        _order(
            o,
            o.close_due or o.created_at,
            "办结时限已过未办结"
            if o.closed_at is None
            else f"超时办结：{_local(window, o.closed_at)}",
            due=_iso(o.close_due),
            closed_at=_iso(o.closed_at),
        )
        for o in c.late_closures(window)
    ]


def hanging_without_progress(window: Window) -> list[Evidence]:
    return [
        _order(o, o.created_at, "挂账工单本月未报送进展")
        for o in c.hanging_without_progress(window)
    ]


def zero_score_reviews(window: Window) -> list[Evidence]:
    return [
        Evidence(
            kind="review",
            at=r.submitted_at,
            ref=f"review:{r.id}",
            what="质检 0 分" + (f"（红线：{'、'.join(r.red_lines)}）" if r.red_lines else ""),
            order=r.order_number,
            call=(r.server, r.call_id),
            details={"agent": r.agent, "score": r.score},
        )
        for r in window.snapshot.reviews.between(window.start, window.end)
        if r.score == 0
    ]


def orders_not_counted(window: Window) -> list[Evidence]:
    return [
        _order(
            o,
            o.accepted_at or o.created_at,
            f"不纳入考核：{NOT_COUNTED_REASONS.get(o.not_counted or '', o.not_counted)}"
            f"（{o.not_counted_note or ''}）",
            reason=o.not_counted,
        )
        for o in window.snapshot.accepted.between(window.start, window.end)
        if not o.counted
    ]


def duplicate_orders(window: Window) -> list[Evidence]:
    return [
        _order(
            o,
            o.accepted_at or o.created_at,
            f"重复工单：并入 {o.merged_into}" if o.merged_into else f"疑似重复：{o.duplicate_of}",
        )
        for o in c.duplicate_orders(window)
    ]


PICKERS: dict[str, Callable[[Window], list[Evidence]]] = {
    "not_in_target": not_in_target,
    "not_connected": not_connected,
    "agent_days_below_target": agent_days_below_target,
    "unsatisfied": unsatisfied,
    "wrongly_assigned": wrongly_assigned,
    "late_dispatches": late_dispatches,
    "missed_responses": missed_responses,
    "missed_callbacks": missed_callbacks,
    "late_callbacks": late_callbacks,
    "late_closures": late_closures,
    "hanging_without_progress": hanging_without_progress,
    "zero_score_reviews": zero_score_reviews,
    "orders_not_counted": orders_not_counted,
    "duplicate_orders": duplicate_orders,
}


def evidence_of(window: Window, measure: str) -> list[Evidence]:
    """The items of an itemized measure, oldest first, timed in the centre's zone."""
    zone = window.snapshot.period.zone
    items = [replace(item, at=item.at.astimezone(zone)) for item in PICKERS[measure](window)]
    return sorted(items, key=lambda item: (item.at, item.ref))


async def with_recordings(session: AsyncSession, items: Sequence[Evidence]) -> list[Evidence]:
    """The same items, each with the id of its call's stored recording when there is one."""
    keys = sorted({item.call for item in items if item.call is not None})
    found: dict[tuple[str, str], int] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        rows = await session.execute(
            select(RecordingRow.server, RecordingRow.call_id, RecordingRow.id).where(
                tuple_(RecordingRow.server, RecordingRow.call_id).in_(chunk)
            )
        )
        found.update({(server, call_id): rid for server, call_id, rid in rows})
    return [
        replace(item, recording_id=found.get(item.call)) if item.call in found else item
        for item in items
    ]


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _local(window: Window, moment: datetime) -> str:
    return moment.astimezone(window.snapshot.period.zone).strftime("%m-%d %H:%M")
