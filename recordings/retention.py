"""How long recordings are kept, and removing them when that time is up.

Every stored recording gets a ``purge_after`` when it is stored (its call's start plus the
days kept for its line and kind). ``purge`` removes the stored files whose time has
passed, except those under a legal hold and those of a disputed work order; the row
stays, ``purged``, with an entry in the access log.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from recordings.models import RecordingRow
from recordings.queries import log_access
from recordings.storage import Storage
from tickets.models import WorkOrderRow
from tickets.order_models import OrderEventRow, OrderRevisitRow

log = logging.getLogger(__name__)

RETENTION_ACTOR = "retention"
# A work order in dispute keeps its recordings whatever their age: the unit returned it,
# the citizen was unsatisfied at a callback, or it is in litigation (涉法涉诉).
DISPUTE_STEP = "unit_return"
DISPUTE_RESULT = "unsatisfied"
DISPUTE_NOT_COUNTED = "litigation"


class NoSuchRecording(LookupError):
    pass


@dataclass(frozen=True, slots=True)
class RetentionRules:
    """Days a recording is kept, by kind (call, callback), and per line where a contract
    says otherwise (``by_line``: (line, kind, days))."""

    call_days: int = 180
    callback_days: int = 365
    by_line: tuple[tuple[str, str, int], ...] = ()

    def days(self, line: str, kind: str) -> int:
        for rule_line, rule_kind, days in self.by_line:
            if rule_line == line and rule_kind == kind:
                return days
        return self.callback_days if kind == "callback" else self.call_days

    def purge_after(self, line: str, kind: str, started_at: datetime) -> datetime:
        return started_at + timedelta(days=self.days(line, kind))


@dataclass(frozen=True, slots=True)
class PurgeItem:
    recording_id: int
    server: str
    call_id: str
    storage_key: str | None
    purge_after: datetime

    def as_json(self) -> dict[str, str | int | None]:
        return {
            "recording_id": self.recording_id,
            "server": self.server,
            "call_id": self.call_id,
            "storage_key": self.storage_key,
            "purge_after": self.purge_after.isoformat(),
        }


def _disputed_order() -> ColumnElement[bool]:
    """Of the ``WorkOrderRow`` of the enclosing query."""
    revisit = aliased(OrderRevisitRow)
    return or_(
        WorkOrderRow.not_counted == DISPUTE_NOT_COUNTED,
        WorkOrderRow.satisfaction == DISPUTE_RESULT,
        exists().where(
            OrderEventRow.order_id == WorkOrderRow.id, OrderEventRow.step == DISPUTE_STEP
        ),
        exists().where(revisit.order_id == WorkOrderRow.id, revisit.result == DISPUTE_RESULT),
    )


def _in_dispute() -> ColumnElement[bool]:
    """The recording is of a disputed order's call, or of a callback made for one."""
    accepted_on = exists().where(
        WorkOrderRow.server == RecordingRow.server,
        WorkOrderRow.call_id == RecordingRow.call_id,
        _disputed_order(),
    )
    called_back = exists().where(
        OrderRevisitRow.server == RecordingRow.server,
        OrderRevisitRow.call_id == RecordingRow.call_id,
        WorkOrderRow.id == OrderRevisitRow.order_id,
        _disputed_order(),
    )
    return or_(accepted_on, called_back)


def _due(now: datetime) -> ColumnElement[bool]:
    return and_(
        RecordingRow.state == "stored",
        RecordingRow.purge_after.is_not(None),
        RecordingRow.purge_after <= now,
        RecordingRow.legal_hold.is_(False),
        ~_in_dispute(),
    )


async def due_for_purge(session: AsyncSession, now: datetime, limit: int = 1000) -> list[PurgeItem]:
    """Stored recordings whose time is up, not held and not of a disputed order, oldest first."""
    rows = await session.scalars(
        select(RecordingRow).where(_due(now)).order_by(RecordingRow.purge_after).limit(limit)
    )
    return [
        PurgeItem(row.id, row.server, row.call_id, row.storage_key, row.purge_after)
        for row in rows
        if row.purge_after is not None
    ]


async def purge(
    sessions: async_sessionmaker[AsyncSession],
    storage: Storage,
    now: datetime,
    *,
    dry_run: bool = False,
    limit: int = 1000,
) -> list[PurgeItem]:
    """Remove what ``due_for_purge`` lists (or only list it, ``dry_run``); one recording,
    one transaction, re-checked inside it, so a hold set meanwhile still wins."""
    async with sessions() as session:
        items = await due_for_purge(session, now, limit)
    if dry_run:
        return items
    purged = []
    for item in items:
        if await _purge_one(sessions, storage, item, now):
            purged.append(item)
    return purged


async def _purge_one(
    sessions: async_sessionmaker[AsyncSession], storage: Storage, item: PurgeItem, now: datetime
) -> bool:
    async with sessions() as session, session.begin():
        row = await session.scalar(
            select(RecordingRow)
            .where(RecordingRow.id == item.recording_id, _due(now))
            .with_for_update()
        )
        if row is None:
            return False
        if row.storage_key is not None:
            await asyncio.to_thread(storage.delete, row.storage_key)
        row.state, row.purged_at = "purged", now
        log_access(
            session,
            row.id,
            at=now,
            actor=RETENTION_ACTOR,
            action="purge",
            details={"storage_key": row.storage_key, "purge_after": item.purge_after.isoformat()},
        )
    log.info("purged recording %s (%s/%s)", item.recording_id, item.server, item.call_id)
    return True


async def hold(
    session: AsyncSession, recording_id: int, actor: str, reason: str, now: datetime
) -> RecordingRow:
    """Put a legal hold on a recording: retention never removes it until released."""
    row = await _recording(session, recording_id)
    row.legal_hold, row.hold_reason = True, reason
    log_access(session, recording_id, at=now, actor=actor, action="hold", reason=reason)
    return row


async def release(
    session: AsyncSession, recording_id: int, actor: str, reason: str, now: datetime
) -> RecordingRow:
    """Lift a legal hold; retention applies again from its next run."""
    row = await _recording(session, recording_id)
    row.legal_hold, row.hold_reason = False, ""
    log_access(session, recording_id, at=now, actor=actor, action="release", reason=reason)
    return row


async def _recording(session: AsyncSession, recording_id: int) -> RecordingRow:
    row = await session.get(RecordingRow, recording_id)
    if row is None:
        raise NoSuchRecording(f"no recording {recording_id}")
    return row
