"""How one step of a work order runs: one transaction that loads the order, checks the
step against its status, applies the change, and appends the step to its history.

Either everything of a step is stored (the order, the rows it adds, the history line)
or nothing is; a step on an order someone changed meanwhile fails with OrderChanged
(the row's ``version``), so two dispatchers never both dispatch one order.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from tickets.errors import NoSuchOrder, OrderChanged
from tickets.lifecycle import FINAL, RULES, IllegalStep, Status, Step, check_step
from tickets.models import WorkOrderRow
from tickets.order_models import OrderEventRow


@dataclass(slots=True)
class StepContext:
    """What a step's body gets: the session, the order row, the time, and what it may
    set for the history line."""

    session: AsyncSession
    order: WorkOrderRow
    now: datetime
    to: Status | None = None  # for steps with several outcomes
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)


StepBody = Callable[[StepContext], Awaitable[None]]


async def load_order(session: AsyncSession, number: str, *, lock: bool = False) -> WorkOrderRow:
    query = select(WorkOrderRow).where(WorkOrderRow.number == number)
    row = await session.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise NoSuchOrder(number)
    return row


def add_event(
    session: AsyncSession,
    order: WorkOrderRow,
    *,
    step: Step,
    actor: str,
    at: datetime,
    before: Status | None,
    note: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    session.add(
        OrderEventRow(
            order_id=order.id,
            at=at,
            actor=actor,
            step=step.value,
            from_status=None if before is None else before.value,
            to_status=order.status,
            note=note,
            details=details or {},
        )
    )


def set_status(order: WorkOrderRow, status: Status, now: datetime) -> None:
    order.status = status.value
    order.open = status not in FINAL
    order.updated_at = now
    if status in FINAL and order.closed_at is None:
        order.closed_at = now


async def run_step(
    sessions: async_sessionmaker[AsyncSession],
    number: str,
    step: Step,
    actor: str,
    now: datetime,
    body: StepBody,
    *,
    note: str = "",
) -> WorkOrderRow:
    """Guard (the status allows the step), then act (``body``), then record; one transaction."""
    try:
        async with sessions() as session, session.begin():
            order = await load_order(session, number)
            before = Status(order.status)
            if before not in RULES[step].starts:
                raise IllegalStep(number, before, step)
            context = StepContext(session, order, now, note=note)
            await body(context)
            set_status(order, check_step(number, before, step, context.to), now)
            order.updated_at = now
            add_event(
                session,
                order,
                step=step,
                actor=actor,
                at=now,
                before=before,
                note=context.note,
                details=context.details,
            )
        return order
    except StaleDataError as exc:
        raise OrderChanged(number) from exc
