"""Work orders (工单): their public numbers and the first queries over the ``work_orders`` table,
including the open orders by caller that first-contact routing (首接负责制) starts from.

An order number is made from the call alone (line, day, a digest of server and call
id), so the ACD can name the draft on answer without asking the database, and the
same call always gets the same number.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tickets.models import WorkOrderRow

# The day in an order number is the day in China (UTC+8 all year): what the public
# and the city platform read.
ORDER_NUMBER_ZONE = timezone(timedelta(hours=8), "CST")
# 8 base32 characters (A-Z, 2-7: no 0/O or 1/I to misread) = 40 bits of digest; two
# calls of one line and day share a number about once in 90,000 days at 5,000 calls a day.
_DIGEST_CHARS = 8
# 办结: the order is closed; every other status is a stage of an open order
CLOSED = "closed"


def make_order_number(line: str, created_at: datetime, server: str, call_id: str) -> str:
    """``<line>-<yyyymmdd>-<8 characters>``, e.g. ``12345-20261123-K3J9QX2M``."""
    if created_at.tzinfo is None:
        raise ValueError("created_at must be an aware datetime")
    day = created_at.astimezone(ORDER_NUMBER_ZONE).strftime("%Y%m%d")
    digest = hashlib.sha256(f"{server}\x00{call_id}".encode()).digest()
    code = base64.b32encode(digest).decode("ascii")[:_DIGEST_CHARS]
    return f"{line}-{day}-{code}"


@dataclass(frozen=True, slots=True)
class WorkOrder:
    """A stored work order as the pages show it."""

    id: int
    number: str
    server: str | None
    call_id: str | None
    line: str
    caller_number: str
    seat: str | None
    status: str
    created_at: datetime
    updated_at: datetime
    category: str | None = None
    address: str | None = None
    content: str | None = None
    urgency: str | None = None
    confidential: bool | None = None
    agent: str | None = None


def order_from_row(row: WorkOrderRow) -> WorkOrder:
    return WorkOrder(
        id=row.id,
        number=row.number,
        server=row.server,
        call_id=row.call_id,
        line=row.line,
        caller_number=row.caller_number,
        seat=row.seat,
        status=row.status,
        created_at=row.created_at,
        updated_at=row.updated_at,
        category=row.category,
        address=row.address,
        content=row.content,
        urgency=row.urgency,
        confidential=row.confidential,
        agent=row.agent,
    )


async def get_order_for_call(session: AsyncSession, server: str, call_id: str) -> WorkOrder | None:
    row = await session.scalar(
        select(WorkOrderRow)
        .where(WorkOrderRow.server == server, WorkOrderRow.call_id == call_id)
        .order_by(WorkOrderRow.id)
        .limit(1)
    )
    return None if row is None else order_from_row(row)


async def get_order(session: AsyncSession, number: str) -> WorkOrder | None:
    row = await session.scalar(select(WorkOrderRow).where(WorkOrderRow.number == number))
    return None if row is None else order_from_row(row)


async def list_orders(session: AsyncSession, limit: int = 50, offset: int = 0) -> list[WorkOrder]:
    """Orders, newest first."""
    rows = await session.scalars(
        select(WorkOrderRow)
        .order_by(WorkOrderRow.created_at.desc(), WorkOrderRow.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [order_from_row(row) for row in rows]


async def orders_of_caller(
    session: AsyncSession, caller_number: str, *, limit: int = 20
) -> list[WorkOrder]:
    """The caller's orders, newest first: the history shown when a seat answers."""
    rows = await session.scalars(
        select(WorkOrderRow)
        .where(WorkOrderRow.caller_number == caller_number)
        .order_by(WorkOrderRow.created_at.desc(), WorkOrderRow.id.desc())
        .limit(limit)
    )
    return [order_from_row(row) for row in rows]


def _not_closed() -> ColumnElement[bool]:
    # "< or >" rather than "!=": two ranges of the status index skip the closed history,
    # where "!=" would read every order (on both databases)
    return or_(WorkOrderRow.status < CLOSED, WorkOrderRow.status > CLOSED)


async def open_orders_by_caller(session: AsyncSession) -> dict[str, tuple[str | None, str]]:
    """Caller number -> (agent, order number) of the caller's newest order not closed;
    orders without a caller number ("") left out."""
    rows = await session.execute(
        select(
            WorkOrderRow.created_at,
            WorkOrderRow.id,
            WorkOrderRow.caller_number,
            WorkOrderRow.agent,
            WorkOrderRow.number,
        ).where(_not_closed(), WorkOrderRow.caller_number != "")
    )
    # sorted here, oldest first, so that a caller's newer order overwrites the older one:
    # an ORDER BY would tempt SQLite's planner to walk the whole created_at index
    oldest_first = sorted(rows, key=lambda row: (row.created_at, row.id))
    return {row.caller_number: (row.agent, row.number) for row in oldest_first}
