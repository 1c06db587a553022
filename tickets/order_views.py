"""What the pages read about work orders: one order with its timeline, the dispatcher's
board, a unit's orders, the callback agent's list, the callback recording ledger
(回访录音台账) and the caller's history for the screen-pop.

Caller numbers leave here masked (138****1234) unless the reader may see them; a
confidential order (保密) never shows its caller to a unit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tickets.deadlines import DEADLINE_LABELS
from tickets.lifecycle import STATUS_LABELS, STEP_LABELS, Status, Step
from tickets.models import CallRow, WorkOrderRow
from tickets.order_forms import CHANNELS, NOT_COUNTED_REASONS, REVISIT_RESULTS
from tickets.order_models import (
    OrderAssignmentRow,
    OrderAttachmentRow,
    OrderEventRow,
    OrderExtensionRow,
    OrderNoticeRow,
    OrderReplyRow,
    OrderRevisitRow,
)
from tickets.order_steps import load_order
from tickets.privacy import mask_name, mask_number
from tickets.supervision import NOTICE_LABELS, order_urgency
from tickets.workflow import OrderRules

BOARD_LIMIT = 200


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def order_summary(
    order: WorkOrderRow, rules: OrderRules, now: datetime, *, reveal: bool
) -> dict[str, Any]:
    state, deadline = order_urgency(order, rules, now)
    hide = order.confidential and not reveal
    return {
        "number": order.number,
        "line": order.line,
        "channel": order.channel,
        "channel_label": CHANNELS.get(order.channel, order.channel),
        "status": order.status,
        "status_label": STATUS_LABELS[Status(order.status)],
        "caller_number": "（保密）"
        if hide
        else (order.caller_number if reveal else mask_number(order.caller_number)),
        "caller_name": ""
        if hide
        else (order.caller_name if reveal else mask_name(order.caller_name)),
        "category": order.category,
        "address": order.address,
        "content": order.content,
        "urgency": order.urgency,
        "confidential": bool(order.confidential),
        "handled_directly": order.handled_directly,
        "main_unit": order.main_unit,
        "created_at": _iso(order.created_at),
        "escalation": order.escalation,
        "urgency_state": state.value,
        "deadline": None
        if deadline is None
        else {
            "name": deadline.name,
            "label": DEADLINE_LABELS.get(deadline.name, deadline.name),
            "due_at": deadline.due_at.isoformat(),
        },
        "not_counted": order.not_counted,
        "not_counted_label": NOT_COUNTED_REASONS.get(order.not_counted or "", None),
        "duplicate_of": order.duplicate_of,
        "merged_into": order.merged_into,
        "satisfaction": order.satisfaction,
    }


def _deadlines(order: WorkOrderRow) -> dict[str, str | None]:
    return {
        name: _iso(getattr(order, f"{name}_due"))
        for name in ("dispatch", "response", "sign", "reply", "callback", "close")
    }


def _event(row: OrderEventRow) -> dict[str, Any]:
    return {
        "at": row.at.isoformat(),
        "actor": row.actor,
        "step": row.step,
        "step_label": STEP_LABELS.get(Step(row.step), row.step),
        "from": row.from_status,
        "to": row.to_status,
        "note": row.note,
        "details": row.details,
    }


async def _rows(session: AsyncSession, model: Any, order_id: int) -> list[Any]:
    return list(
        await session.scalars(select(model).where(model.order_id == order_id).order_by(model.id))
    )


async def order_detail(
    session: AsyncSession, number: str, rules: OrderRules, now: datetime, *, reveal: bool
) -> dict[str, Any]:
    """The order with its timeline, units, replies, photos, extensions and callbacks."""
    order = await load_order(session, number)
    detail = order_summary(order, rules, now, reveal=reveal)
    detail.update(
        deadlines=_deadlines(order),
        times={
            name: _iso(getattr(order, f"{name}_at"))
            for name in ("accepted", "dispatched", "responded", "replied", "closed")
        },
        result=order.result,
        not_counted_note=order.not_counted_note,
        call=await _call_of(session, order),
        timeline=[_event(row) for row in await _rows(session, OrderEventRow, order.id)],
        assignments=[
            _assignment(row) for row in await _rows(session, OrderAssignmentRow, order.id)
        ],
        replies=[_reply(row) for row in await _rows(session, OrderReplyRow, order.id)],
        attachments=[
            _attachment(row) for row in await _rows(session, OrderAttachmentRow, order.id)
        ],
        extensions=[_extension(row) for row in await _rows(session, OrderExtensionRow, order.id)],
        revisits=await revisits_of(session, order.id),
    )
    return detail


async def _call_of(session: AsyncSession, order: WorkOrderRow) -> dict[str, Any] | None:
    """The call the order was accepted on, with the caller's survey key (1 满意, 2 基本满意,
    3 不满意; None: not rated)."""
    if not order.call_id:
        return None
    survey = await session.scalar(
        select(CallRow.survey_score).where(
            CallRow.server == order.server, CallRow.call_id == order.call_id
        )
    )
    return {"server": order.server, "call_id": order.call_id, "survey_score": survey}


def _assignment(row: OrderAssignmentRow) -> dict[str, Any]:
    return {
        "unit": row.unit,
        "role": row.role,
        "state": row.state,
        "dispatched_at": row.dispatched_at.isoformat(),
        "dispatched_by": row.dispatched_by,
        "signed_at": _iso(row.signed_at),
        "returned_at": _iso(row.returned_at),
        "return_reason": row.return_reason,
        "wrongly_assigned": row.wrongly_assigned,
    }


def _reply(row: OrderReplyRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "unit": row.unit,
        "at": row.at.isoformat(),
        "by": row.by,
        "handled_at": row.handled_at,
        "place": row.place,
        "person": row.person,
        "matter": row.matter,
        "result": row.result,
        "resolved": row.resolved,
    }


def _attachment(row: OrderAttachmentRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "reply_id": row.reply_id,
        "name": row.name,
        "content_type": row.content_type,
        "size": row.size,
        "sha256": row.sha256,
        "uploaded_at": row.uploaded_at.isoformat(),
    }


def _extension(row: OrderExtensionRow) -> dict[str, Any]:
    return {
        "unit": row.unit,
        "asked_at": row.asked_at.isoformat(),
        "until": row.until.isoformat(),
        "reason": row.reason,
        "decided_at": _iso(row.decided_at),
        "approved": row.approved,
        "decision_note": row.decision_note,
    }


RevisitRows = Select[OrderRevisitRow, str, str | None, datetime | None, datetime | None]


def _revisits_with_calls() -> RevisitRows:
    """Callback attempts with their order's number and their call's recording and times."""
    return (
        select(
            OrderRevisitRow,
            WorkOrderRow.number,
            CallRow.recording_path,
            CallRow.answered_at,
            CallRow.ended_at,
        )
        .join(WorkOrderRow, WorkOrderRow.id == OrderRevisitRow.order_id)
        .outerjoin(
            CallRow,
            and_(
                CallRow.server == OrderRevisitRow.server, CallRow.call_id == OrderRevisitRow.call_id
            ),
        )
    )


async def revisits_of(session: AsyncSession, order_id: int) -> list[dict[str, Any]]:
    rows = await session.execute(
        _revisits_with_calls()
        .where(OrderRevisitRow.order_id == order_id)
        .order_by(OrderRevisitRow.id)
    )
    return [_revisit(revisit, path, answered, ended) for revisit, _, path, answered, ended in rows]


def _revisit(
    row: OrderRevisitRow, recording: str | None, answered: datetime | None, ended: datetime | None
) -> dict[str, Any]:
    return {
        "id": row.id,
        "attempt": row.attempt,
        "placed_at": row.placed_at.isoformat(),
        "agent": row.agent,
        "seat": row.seat,
        "server": row.server,
        "call_id": row.call_id,
        "result": row.result,
        "result_label": REVISIT_RESULTS.get(row.result or "", None),
        "resolved": row.resolved,
        "note": row.note,
        "recording_path": recording,
        "answered_at": _iso(answered),
        "ended_at": _iso(ended),
    }


async def revisit_ledger(
    session: AsyncSession, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """回访录音台账: every callback attempt placed in ``[start, end)`` with its recording."""
    rows = await session.execute(
        _revisits_with_calls()
        .where(OrderRevisitRow.placed_at >= start, OrderRevisitRow.placed_at < end)
        .order_by(OrderRevisitRow.placed_at, OrderRevisitRow.id)
    )
    return [
        {"order": number, **_revisit(revisit, path, answered, ended)}
        for revisit, number, path, answered, ended in rows
    ]


async def board(
    session: AsyncSession, rules: OrderRules, now: datetime
) -> dict[str, list[dict[str, Any]]]:
    """The dispatcher's board: new, due soon, overdue, returned by a unit, disputed."""
    orders = list(
        await session.scalars(
            select(WorkOrderRow)
            .where(WorkOrderRow.open.is_(True), WorkOrderRow.status != Status.DRAFT.value)
            .order_by(WorkOrderRow.created_at)
            .limit(5000)
        )
    )
    disputed = await _orders_with_step(
        session,
        [o.id for o in orders if o.status == Status.UNIT_RETURNED.value],
        Step.REJECT_RETURN,
    )
    columns: dict[str, list[dict[str, Any]]] = {
        k: [] for k in ("new", "due_soon", "overdue", "returned", "disputed")
    }
    for order in orders:
        summary = order_summary(order, rules, now, reveal=False)
        for column in _columns_of(order, summary["urgency_state"], order.id in disputed):
            if len(columns[column]) < BOARD_LIMIT:
                columns[column].append(summary)
    return columns


def _columns_of(order: WorkOrderRow, urgency: str, disputed: bool) -> list[str]:
    found = []
    if order.status in (Status.PENDING_SIGN.value, Status.ACCEPTED.value):
        found.append("new")
    if order.status == Status.UNIT_RETURNED.value:
        found.append("disputed" if disputed else "returned")
    if urgency in ("due_soon", "overdue"):
        found.append(urgency)
    return found


async def _orders_with_step(session: AsyncSession, order_ids: list[int], step: Step) -> set[int]:
    if not order_ids:
        return set()
    rows = await session.scalars(
        select(OrderEventRow.order_id).where(
            OrderEventRow.order_id.in_(order_ids), OrderEventRow.step == step.value
        )
    )
    return set(rows)


async def unit_orders(
    session: AsyncSession, unit: str, rules: OrderRules, now: datetime
) -> list[dict[str, Any]]:
    """The orders with a unit now (to sign for, handling, to re-handle); callers masked,
    confidential callers hidden."""
    rows = await session.execute(
        select(WorkOrderRow, OrderAssignmentRow.role, OrderAssignmentRow.state)
        .join(OrderAssignmentRow, OrderAssignmentRow.order_id == WorkOrderRow.id)
        .where(
            OrderAssignmentRow.unit == unit,
            OrderAssignmentRow.state.in_(("active", "signed")),
            WorkOrderRow.open.is_(True),
        )
        .order_by(WorkOrderRow.created_at)
    )
    return [
        {**order_summary(order, rules, now, reveal=False), "role": role, "assignment": state}
        for order, role, state in rows
    ]


async def revisit_list(
    session: AsyncSession, rules: OrderRules, now: datetime
) -> list[dict[str, Any]]:
    """The callback agent's list: replied orders, the callback due soonest first."""
    rows = await session.scalars(
        select(WorkOrderRow)
        .where(WorkOrderRow.status == Status.REPLIED.value)
        .order_by(WorkOrderRow.callback_due, WorkOrderRow.id)
    )
    return [
        {**order_summary(order, rules, now, reveal=False), "attempts": order.revisit_attempts}
        for order in rows
    ]


async def caller_history(
    session: AsyncSession, caller_number: str, rules: OrderRules, now: datetime, *, limit: int = 20
) -> dict[str, Any]:
    """The screen-pop: the number's orders (open first, then newest) and its earlier calls."""
    orders = list(
        await session.scalars(
            select(WorkOrderRow)
            .where(
                WorkOrderRow.caller_number == caller_number,
                WorkOrderRow.status != Status.DRAFT.value,
            )
            .order_by(WorkOrderRow.open.desc(), WorkOrderRow.created_at.desc())
            .limit(limit)
        )
    )
    calls = list(
        await session.scalars(
            select(CallRow)
            .where(CallRow.caller_number == caller_number)
            .order_by(CallRow.queued_at.desc())
            .limit(limit)
        )
    )
    return {
        "orders": [order_summary(order, rules, now, reveal=True) for order in orders],
        "calls": [
            {
                "server": c.server,
                "call_id": c.call_id,
                "line": c.line,
                "queued_at": c.queued_at.isoformat(),
                "answered_at": _iso(c.answered_at),
                "seat": c.seat,
                "agent": c.agent,
                "outcome": c.outcome,
                "direction": c.direction,
            }
            for c in calls
        ],
    }


async def hanging_list(session: AsyncSession, month_start: datetime) -> list[dict[str, Any]]:
    """挂账: the hanging orders, each with its latest progress note and whether this
    month's progress (from ``month_start``) is written yet, those without it first."""
    orders = list(
        await session.scalars(
            select(WorkOrderRow)
            .where(WorkOrderRow.status == Status.HANGING.value)
            .order_by(WorkOrderRow.created_at)
        )
    )
    latest = await _latest_progress(session, [order.id for order in orders])
    found: list[dict[str, Any]] = []
    for order in orders:
        note = latest.get(order.id)
        found.append(
            {
                "number": order.number,
                "line": order.line,
                "category": order.category,
                "address": order.address,
                "main_unit": order.main_unit,
                "created_at": order.created_at.isoformat(),
                "last_progress_at": None if note is None else note.at.isoformat(),
                "last_progress": None if note is None else note.note,
                "progress_this_month": note is not None and note.at >= month_start,
            }
        )
    found.sort(key=lambda item: bool(item["progress_this_month"]))
    return found


async def _latest_progress(session: AsyncSession, order_ids: list[int]) -> dict[int, OrderEventRow]:
    if not order_ids:
        return {}
    rows = await session.scalars(
        select(OrderEventRow)
        .where(
            OrderEventRow.order_id.in_(order_ids),
            OrderEventRow.step.in_((Step.HANG.value, Step.HANGING_PROGRESS.value)),
        )
        .order_by(OrderEventRow.id)
    )
    return {row.order_id: row for row in rows}


async def open_notices(session: AsyncSession, *, limit: int = 200) -> list[dict[str, Any]]:
    """The supervision notices nobody has acknowledged yet, newest first."""
    rows = await session.execute(
        select(OrderNoticeRow, WorkOrderRow.number)
        .join(WorkOrderRow, WorkOrderRow.id == OrderNoticeRow.order_id)
        .where(OrderNoticeRow.acknowledged_at.is_(None))
        .order_by(OrderNoticeRow.at.desc(), OrderNoticeRow.id.desc())
        .limit(limit)
    )
    return [
        {
            "id": notice.id,
            "order": number,
            "at": notice.at.isoformat(),
            "kind": notice.kind,
            "label": NOTICE_LABELS.get(notice.kind, notice.kind),
            "deadline": notice.deadline,
            "deadline_label": DEADLINE_LABELS.get(notice.deadline, notice.deadline),
            "due_at": notice.due_at.isoformat(),
            "unit": notice.unit,
        }
        for notice, number in rows
    ]


async def acknowledge_notice(session: AsyncSession, notice_id: int, by: str, at: datetime) -> bool:
    """Mark a notice seen and acted on; False when there is no such open notice."""
    notice = await session.get(OrderNoticeRow, notice_id)
    if notice is None or notice.acknowledged_at is not None:
        return False
    notice.acknowledged_at, notice.acknowledged_by = at, by
    return True
