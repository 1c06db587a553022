"""Reading the audit log back: who did what to whom, newest first.

Entries are written once by the write-behind writer (``submit_audit``) and never
changed; periods are half-open, ``start <= at < end``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tickets.mapping import audit_from_row
from tickets.models import AuditRow
from tickets.records import AuditEntry


def _audit_filters(
    *,
    start: datetime | None,
    end: datetime | None,
    actor: str | None,
    target: str | None,
    action: str | None,
) -> list[Any]:
    conditions: list[Any] = []
    if start is not None:
        conditions.append(AuditRow.at >= start)
    if end is not None:
        conditions.append(AuditRow.at < end)
    if actor is not None:
        conditions.append(AuditRow.actor == actor)
    if target is not None:
        conditions.append(AuditRow.target == target)
    if action is not None:
        conditions.append(AuditRow.action == action)
    return conditions


async def list_audit(
    session: AsyncSession,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    actor: str | None = None,
    target: str | None = None,
    action: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[AuditEntry], int]:
    """One page of entries, newest first, and how many entries match in all."""
    conditions = _audit_filters(start=start, end=end, actor=actor, target=target, action=action)
    total = await session.scalar(select(func.count()).select_from(AuditRow).where(*conditions))
    rows = await session.scalars(
        select(AuditRow)
        .where(*conditions)
        .order_by(AuditRow.at.desc(), AuditRow.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [audit_from_row(row) for row in rows], total or 0
