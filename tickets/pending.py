"""The writer's in-memory queue: one entry per key, coalescing newer snapshots into it.

Each submission has a sequence number. An entry stands for every submission of its
key since the entry was made (``first_seq``), so "everything submitted up to N is
stored" is "no outstanding entry has ``first_seq <= N``". Entries taken for a write
stay outstanding until ``settle`` (stored or dead-lettered) or ``put_back`` (the
write failed).
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

from tickets.records import (
    AgentSession,
    AuditEntry,
    CallbackTask,
    CallRecord,
    SeatStateInterval,
    WorkOrderDraft,
)

Writable = (
    CallRecord | SeatStateInterval | WorkOrderDraft | AgentSession | CallbackTask | AuditEntry
)
Key = tuple[Hashable, ...]


def key_of(item: Writable) -> Key:
    if isinstance(item, CallRecord):
        return ("call", item.server, item.call_id)
    if isinstance(item, SeatStateInterval):
        return ("seat_state", item.seat, item.started_at)
    if isinstance(item, AgentSession):
        return ("agent_session", item.agent, item.started_at)
    if isinstance(item, CallbackTask):
        return ("callback_task", item.task_id)
    if isinstance(item, AuditEntry):
        return ("audit", item.entry_id)
    return ("order", item.number)


def supersedes(new: Writable, new_seq: int, old: Writable, old_seq: int) -> bool:
    """Whether ``new`` should replace ``old`` (same key) in the queue."""
    if isinstance(new, CallRecord | CallbackTask) and isinstance(old, CallRecord | CallbackTask):
        return new.version > old.version
    if isinstance(new, SeatStateInterval | AgentSession) and isinstance(
        old, SeatStateInterval | AgentSession
    ):
        new_closed, old_closed = new.ended_at is not None, old.ended_at is not None
        if new_closed != old_closed:
            return new_closed  # the closed interval wins
    if isinstance(new, AuditEntry):
        return False  # an audit entry is written once: the first of its id stays
    return new_seq > old_seq


@dataclass(eq=False, slots=True)
class _Mark:
    """An entry's place in the outstanding heap; ``settled`` removes it lazily."""

    first_seq: int
    since: float
    settled: bool = False


@dataclass(eq=False, slots=True)
class Entry:
    key: Key
    item: Writable
    seq: int
    mark: _Mark = field(repr=False)

    @property
    def first_seq(self) -> int:
        return self.mark.first_seq


class PendingQueue:
    def __init__(self) -> None:
        self._entries: dict[Key, Entry] = {}
        self._outstanding: list[tuple[int, int, _Mark]] = []
        self._order = itertools.count()

    def __len__(self) -> int:
        return len(self._entries)

    def offer(self, item: Writable, seq: int, now: float, *, allow_new: bool = True) -> bool:
        """Coalesce into the key's entry, or add one; False when a new key is not allowed."""
        key = key_of(item)
        entry = self._entries.get(key)
        if entry is not None:
            if supersedes(item, seq, entry.item, entry.seq):
                entry.item, entry.seq = item, seq
            return True
        if not allow_new:
            return False
        self._entries[key] = Entry(key, item, seq, self._new_mark(seq, now))
        return True

    def _new_mark(self, first_seq: int, since: float) -> _Mark:
        mark = _Mark(first_seq, since)
        heapq.heappush(self._outstanding, (first_seq, next(self._order), mark))
        return mark

    def take(self, limit: int) -> list[Entry]:
        """Up to ``limit`` entries, oldest first; they stay outstanding until settled."""
        keys = list(itertools.islice(self._entries, limit))
        return [self._entries.pop(key) for key in keys]

    def settle(self, entries: Iterable[Entry]) -> None:
        for entry in entries:
            entry.mark.settled = True
        self._pop_settled()

    def _pop_settled(self) -> None:
        while self._outstanding and self._outstanding[0][2].settled:
            heapq.heappop(self._outstanding)

    def put_back(self, entries: Iterable[Entry]) -> None:
        """Return entries whose write failed to the front, merged with newer ones of their key."""
        front: dict[Key, Entry] = {}
        for entry in entries:
            newer = self._entries.pop(entry.key, None)
            if newer is not None:
                newer.mark.settled = True  # the older entry stands for both now
                if supersedes(newer.item, newer.seq, entry.item, entry.seq):
                    entry.item, entry.seq = newer.item, newer.seq
            front[entry.key] = entry
        front.update(self._entries)
        self._entries = front

    def drain(self) -> list[Entry]:
        """Every queued entry, for spilling at shutdown."""
        entries = list(self._entries.values())
        self._entries.clear()
        return entries

    def oldest(self) -> tuple[int, float] | None:
        """(first_seq, since) of the oldest outstanding entry, queued or being written."""
        self._pop_settled()
        if not self._outstanding:
            return None
        mark = self._outstanding[0][2]
        return mark.first_seq, mark.since
