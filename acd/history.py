"""What the centre remembers of caller numbers: recent calls and open work orders.

The router asks it when a caller joins: a caller who called within the last day
is raised in priority; a caller with an open work order waits a few seconds for
the agent who accepted it (首接负责制). Filled from the database at start and
kept current from the calls and orders the centre makes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from tickets.records import CallRecord, WorkOrderDraft


class CallerMemory:
    def __init__(self) -> None:
        self._calls: dict[str, list[datetime]] = {}
        self._orders: dict[str, tuple[str | None, str]] = {}

    def load(
        self, callers: Mapping[str, datetime], orders: Mapping[str, tuple[str | None, str]]
    ) -> None:
        for number, at in callers.items():
            self._calls.setdefault(number, []).append(at)
        self._orders.update(orders)

    def note_call(self, record: CallRecord) -> None:
        if record.direction != "in" or not record.caller_number:
            return
        times = self._calls.setdefault(record.caller_number, [])
        if record.queued_at not in times:
            times.append(record.queued_at)
            del times[:-5]  # the last few are enough

    def note_order(self, draft: WorkOrderDraft) -> None:
        if draft.caller_number:
            self._orders[draft.caller_number] = (draft.agent, draft.number)

    def close_order(self, number: str) -> None:
        self._orders.pop(number, None)

    def last_call(self, number: str, before: datetime) -> datetime | None:
        earlier = [at for at in self._calls.get(number, ()) if at < before]
        return max(earlier, default=None)

    def open_order_agent(self, number: str) -> str | None:
        order = self._orders.get(number)
        return order[0] if order else None
