"""Supervision of open orders (督办): which deadline an order is running against now,
how close it is, and the notices a scan raises.

A scan looks at every open order: an order with less than the due-soon share of its
time left is urged (催办), an overdue one is supervised (督办); each follow-up
checkpoint (2 h, 24 h, 7 days) passed raises a follow-up; a 962121 order whose
property company has not signed for it 15 minutes after dispatch raises "phone the
company" due 30 minutes later. Each notice is raised once (order, kind, deadline,
due time) and the order's history records each escalation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tickets import deadlines as due
from tickets.deadlines import Urgency
from tickets.lifecycle import Status, Step
from tickets.models import WorkOrderRow
from tickets.order_models import OrderNoticeRow
from tickets.order_steps import add_event
from tickets.workflow import OrderRules

# the deadline an order is running against, by status: (deadline name, due column, start column)
RUNNING: dict[Status, tuple[str, str, str]] = {
    Status.PENDING_SIGN: ("dispatch", "dispatch_due", "created_at"),
    Status.ACCEPTED: ("dispatch", "dispatch_due", "accepted_at"),
    Status.UNIT_RETURNED: ("dispatch", "dispatch_due", "updated_at"),
    Status.DISPATCHED: ("sign", "sign_due", "dispatched_at"),
    Status.HANDLING: ("close", "reply_due", "dispatched_at"),
    Status.REPLIED: ("callback", "callback_due", "replied_at"),
}
_RESPONSE_STATUSES = (Status.ACCEPTED, Status.DISPATCHED, Status.HANDLING)
NOTICE_LABELS = {
    "urge": "催办",
    "supervise": "督办",
    "follow_up": "跟踪",
    "property_phone": "电话催促物业",
}


@dataclass(frozen=True, slots=True)
class Deadline:
    name: str
    started_at: datetime
    due_at: datetime


@dataclass(frozen=True, slots=True)
class Notice:
    order: str
    kind: str
    deadline: str
    due_at: datetime
    unit: str | None


def running_deadlines(order: WorkOrderRow) -> list[Deadline]:
    """The deadlines the order runs against now: its status's one, and the first
    response while nobody has contacted the citizen."""
    status = Status(order.status)
    found: list[Deadline] = []
    if status in RUNNING:
        name, due_column, start_column = RUNNING[status]
        due_at, started = getattr(order, due_column), getattr(order, start_column)
        if due_at is not None:
            found.append(Deadline(name, started or order.created_at, due_at))
    if status in _RESPONSE_STATUSES and order.responded_at is None and order.response_due:
        found.append(
            Deadline("response", order.accepted_at or order.created_at, order.response_due)
        )
    return found


def order_urgency(
    order: WorkOrderRow, rules: OrderRules, now: datetime
) -> tuple[Urgency, Deadline | None]:
    """The worst state among the running deadlines, and the deadline that makes it so."""
    worst, which = Urgency.ON_TIME, None
    rank = {Urgency.ON_TIME: 0, Urgency.DUE_SOON: 1, Urgency.OVERDUE: 2}
    for deadline in running_deadlines(order):
        state = due.urgency(rules.deadlines, deadline.started_at, deadline.due_at, now)
        if (
            which is None
            or rank[state] > rank[worst]
            or (rank[state] == rank[worst] and deadline.due_at < which.due_at)
        ):
            worst, which = state, deadline
    return worst, which


def _notices_of(
    order: WorkOrderRow, rules: OrderRules, now: datetime, property_units: set[str]
) -> list[Notice]:
    found: list[Notice] = []
    for deadline in running_deadlines(order):
        state = due.urgency(rules.deadlines, deadline.started_at, deadline.due_at, now)
        kind = {Urgency.DUE_SOON: "urge", Urgency.OVERDUE: "supervise"}.get(state)
        if kind:
            found.append(
                Notice(order.number, kind, deadline.name, deadline.due_at, order.main_unit)
            )
    if order.accepted_at is not None:
        for checkpoint in due.follow_up_times(rules.deadlines, order.accepted_at):
            if checkpoint <= now:
                found.append(
                    Notice(order.number, "follow_up", "follow_up", checkpoint, order.main_unit)
                )
    if (
        order.status == Status.DISPATCHED.value
        and order.main_unit in property_units
        and order.dispatched_at is not None
    ):
        silent_from, phone_by = due.property_urge_times(rules.deadlines, order.dispatched_at)
        if silent_from <= now:
            found.append(
                Notice(order.number, "property_phone", "property_phone", phone_by, order.main_unit)
            )
    return found


async def scan(session: AsyncSession, rules: OrderRules, now: datetime) -> list[Notice]:
    """Raise the notices due by ``now`` that were not raised before; the caller commits."""
    property_units = {u.code for u in rules.catalogue.units() if u.kind in rules.property_kinds}
    orders = list(await session.scalars(select(WorkOrderRow).where(WorkOrderRow.open.is_(True))))
    raised: list[Notice] = []
    for order in orders:
        if order.status in (Status.DRAFT.value, Status.HANGING.value):
            continue
        for notice in _notices_of(order, rules, now, property_units):
            if await _raise(session, order, notice, now):
                raised.append(notice)
    return raised


async def _raise(session: AsyncSession, order: WorkOrderRow, notice: Notice, now: datetime) -> bool:
    exists = await session.scalar(
        select(OrderNoticeRow.id).where(
            OrderNoticeRow.order_id == order.id,
            OrderNoticeRow.kind == notice.kind,
            OrderNoticeRow.deadline == notice.deadline,
            OrderNoticeRow.due_at == notice.due_at,
        )
    )
    if exists is not None:
        return False
    session.add(
        OrderNoticeRow(
            order_id=order.id,
            at=now,
            kind=notice.kind,
            deadline=notice.deadline,
            due_at=notice.due_at,
            unit=notice.unit,
        )
    )
    if notice.kind in ("urge", "supervise"):
        order.escalation = notice.kind
        order.updated_at = now
        step = Step.URGE if notice.kind == "urge" else Step.SUPERVISE
        add_event(
            session,
            order,
            step=step,
            actor="system",
            at=now,
            before=Status(order.status),
            note=f"{NOTICE_LABELS[notice.kind]}: {_deadline_label(notice.deadline)}",
            details={"deadline": notice.deadline, "due_at": notice.due_at.isoformat()},
        )
    return True


def _deadline_label(name: str) -> str:
    return due.DEADLINE_LABELS.get(name, name)
