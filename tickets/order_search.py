"""Finding work orders: the filtered list the pages page through, an order by the id its
channel gave it, and an order's stored file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tickets.lifecycle import Status
from tickets.models import WorkOrderRow
from tickets.order_models import OrderAttachmentRow


@dataclass(frozen=True, slots=True)
class OrderQuery:
    """Filters of the order list; ``None`` filters nothing. Drafts (a seat still typing)
    are listed only when asked for by status."""

    status: str | None = None
    line: str | None = None
    unit: str | None = None  # the main unit (主办)
    caller: str | None = None
    start: datetime | None = None  # created at or after
    end: datetime | None = None  # created before
    limit: int = 50
    offset: int = 0


def _conditions(query: OrderQuery) -> list[Any]:
    found: list[Any] = []
    if query.status is None:
        found.append(WorkOrderRow.status != Status.DRAFT.value)
    else:
        found.append(WorkOrderRow.status == query.status)
    if query.line is not None:
        found.append(WorkOrderRow.line == query.line)
    if query.unit is not None:
        found.append(WorkOrderRow.main_unit == query.unit)
    if query.caller is not None:
        found.append(WorkOrderRow.caller_number == query.caller)
    if query.start is not None:
        found.append(WorkOrderRow.created_at >= query.start)
    if query.end is not None:
        found.append(WorkOrderRow.created_at < query.end)
    return found


async def search_orders(session: AsyncSession, query: OrderQuery) -> tuple[list[WorkOrderRow], int]:
    """One page of the matching orders, newest first, and how many match in all."""
    conditions = _conditions(query)
    total = await session.scalar(select(func.count()).select_from(WorkOrderRow).where(*conditions))
    rows = await session.scalars(
        select(WorkOrderRow)
        .where(*conditions)
        .order_by(WorkOrderRow.created_at.desc(), WorkOrderRow.id.desc())
        .limit(query.limit)
        .offset(query.offset)
    )
    return list(rows), int(total or 0)


async def order_by_source(session: AsyncSession, channel: str, ref: str) -> WorkOrderRow | None:
    """The order a channel already delivered under ``ref`` (its own id), if any."""
    return await session.scalar(
        select(WorkOrderRow).where(WorkOrderRow.channel == channel, WorkOrderRow.source_ref == ref)
    )


async def attachment_of(
    session: AsyncSession, number: str, attachment_id: int
) -> OrderAttachmentRow | None:
    """The file ``attachment_id`` if it belongs to order ``number``."""
    return await session.scalar(
        select(OrderAttachmentRow)
        .join(WorkOrderRow, WorkOrderRow.id == OrderAttachmentRow.order_id)
        .where(OrderAttachmentRow.id == attachment_id, WorkOrderRow.number == number)
    )
