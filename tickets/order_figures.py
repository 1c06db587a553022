"""Work-order figures of a period: accepted, answered on the spot (直办), dispatch accuracy
(派单准确率), dispatch on time, responses on time, callbacks and satisfaction.

Periods are half-open, ``start <= t < end``. Each figure counts the orders whose step
fell in the period: dispatch accuracy counts the dispatches made in it, of which those
the hotline accepted a return for as wrongly assigned count against it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tickets.models import WorkOrderRow
from tickets.order_models import OrderAssignmentRow, OrderEventRow, OrderRevisitRow


@dataclass(frozen=True, slots=True)
class OrderFigures:
    accepted: int
    handled_directly: int
    dispatches: int
    wrongly_assigned: int
    dispatched: int
    dispatched_on_time: int
    responded: int
    responded_on_time: int
    revisits: int
    satisfied: int
    basically_satisfied: int
    unsatisfied: int
    unreachable: int
    not_counted: int

    @property
    def dispatch_accuracy(self) -> float | None:
        return None if not self.dispatches else 1 - self.wrongly_assigned / self.dispatches

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "dispatch_accuracy": self.dispatch_accuracy}


async def _count(session: AsyncSession, *conditions: Any) -> int:
    return int(
        await session.scalar(select(func.count()).select_from(WorkOrderRow).where(*conditions)) or 0
    )


async def order_figures(session: AsyncSession, start: datetime, end: datetime) -> OrderFigures:
    accepted = and_(WorkOrderRow.accepted_at >= start, WorkOrderRow.accepted_at < end)
    responded = and_(WorkOrderRow.responded_at >= start, WorkOrderRow.responded_at < end)
    main_in_period = and_(
        OrderAssignmentRow.role == "main",
        OrderAssignmentRow.dispatched_at >= start,
        OrderAssignmentRow.dispatched_at < end,
    )
    dispatches = await session.scalar(
        select(func.count()).select_from(OrderAssignmentRow).where(main_in_period)
    )
    wrong = await session.scalar(
        select(func.count())
        .select_from(OrderAssignmentRow)
        .where(main_in_period, OrderAssignmentRow.wrongly_assigned)
    )
    results = await _revisit_results(session, start, end)
    dispatched_count, dispatched_on_time = await _dispatches(session, start, end)
    return OrderFigures(
        accepted=await _count(session, accepted),
        handled_directly=await _count(session, accepted, WorkOrderRow.handled_directly),
        dispatches=int(dispatches or 0),
        wrongly_assigned=int(wrong or 0),
        dispatched=dispatched_count,
        dispatched_on_time=dispatched_on_time,
        responded=await _count(session, responded),
        responded_on_time=await _count(
            session, responded, WorkOrderRow.responded_at <= WorkOrderRow.response_due
        ),
        revisits=sum(results.values()),
        satisfied=results.get("satisfied", 0),
        basically_satisfied=results.get("basically_satisfied", 0),
        unsatisfied=results.get("unsatisfied", 0),
        unreachable=results.get("unreachable", 0),
        not_counted=await _count(session, accepted, WorkOrderRow.not_counted.is_not(None)),
    )


async def _dispatches(session: AsyncSession, start: datetime, end: datetime) -> tuple[int, int]:
    """Orders dispatched in the period (a re-dispatch is another step), and of those the
    ones within their dispatch deadline (the step's ``on_time``, fixed when it was taken)."""
    details = list(
        await session.scalars(
            select(OrderEventRow.details).where(
                OrderEventRow.step == "dispatch", OrderEventRow.at >= start, OrderEventRow.at < end
            )
        )
    )
    return len(details), sum(1 for item in details if item.get("on_time", False))


async def _revisit_results(session: AsyncSession, start: datetime, end: datetime) -> dict[str, int]:
    rows = await session.execute(
        select(OrderRevisitRow.result, func.count())
        .where(
            OrderRevisitRow.recorded_at >= start,
            OrderRevisitRow.recorded_at < end,
            OrderRevisitRow.result.is_not(None),
        )
        .group_by(OrderRevisitRow.result)
    )
    return {str(result): int(count) for result, count in rows}
