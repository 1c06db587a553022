"""The writer's queue: coalescing by key (each kind of record its own way), oldest-first
batches, and what counts as stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tickets.pending import Entry, PendingQueue, supersedes
from tickets.records import (
    AgentSession,
    AuditEntry,
    CallbackTask,
    CallRecord,
    SeatStateInterval,
    WorkOrderDraft,
)

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def call(call_id: str, version: int) -> CallRecord:
    return CallRecord("pbx1", call_id, call_id, "12345", "138", T0, version=version)


def interval(ended: bool) -> SeatStateInterval:
    return SeatStateInterval("seat01", "talking", T0, T0 + timedelta(seconds=90) if ended else None)


def draft(seat: str) -> WorkOrderDraft:
    return WorkOrderDraft("12345-20261123-AAAA", "pbx1", "c1", "12345", "138", T0, seat)


def called(entries: list[Entry]) -> list[tuple[str, int]]:
    calls = [entry.item for entry in entries]
    assert all(isinstance(item, CallRecord) for item in calls)
    return [(item.call_id, item.version) for item in calls if isinstance(item, CallRecord)]


def test_a_call_keeps_its_highest_version_whatever_the_order() -> None:
    queue = PendingQueue()
    for seq, version in enumerate((1, 3, 2), start=1):
        queue.offer(call("c1", version), seq, now=0.0)
    (entry,) = queue.take(10)
    assert entry.item == call("c1", 3)
    assert entry.first_seq == 1


def test_a_closed_interval_wins_over_a_later_open_one() -> None:
    assert supersedes(interval(ended=True), 1, interval(ended=False), 2)
    assert not supersedes(interval(ended=False), 2, interval(ended=True), 1)


def test_the_later_draft_of_an_order_wins() -> None:
    assert supersedes(draft("seat02"), 2, draft("seat01"), 1)
    assert not supersedes(draft("seat01"), 1, draft("seat02"), 2)


def test_a_new_key_can_be_refused_but_a_known_one_still_coalesces() -> None:
    queue = PendingQueue()
    queue.offer(call("c1", 1), 1, now=0.0)
    assert queue.offer(call("c1", 2), 2, now=0.0, allow_new=False)
    assert not queue.offer(call("c2", 1), 3, now=0.0, allow_new=False)
    assert called(queue.take(10)) == [("c1", 2)]


def test_batches_come_oldest_first() -> None:
    queue = PendingQueue()
    for seq in range(1, 6):
        queue.offer(call(f"c{seq}", 1), seq, now=float(seq))
    assert [entry.seq for entry in queue.take(2)] == [1, 2]
    assert [entry.seq for entry in queue.take(10)] == [3, 4, 5]


def test_taken_entries_are_outstanding_until_settled() -> None:
    queue = PendingQueue()
    queue.offer(call("c1", 1), 1, now=10.0)
    queue.offer(call("c2", 1), 2, now=11.0)
    batch = queue.take(1)
    assert len(queue) == 1
    assert queue.oldest() == (1, 10.0)
    queue.settle(batch)
    assert queue.oldest() == (2, 11.0)
    queue.settle(queue.take(1))
    assert queue.oldest() is None


def test_a_failed_batch_goes_back_in_front_merged_with_newer_versions() -> None:
    queue = PendingQueue()
    queue.offer(call("c1", 1), 1, now=0.0)
    queue.offer(call("c2", 1), 2, now=0.0)
    batch = queue.take(1)  # c1 v1 is being written…
    queue.offer(call("c1", 5), 3, now=1.0)  # …when v5 arrives
    queue.put_back(batch)  # …and the write fails
    entries = queue.take(10)
    assert called(entries) == [("c1", 5), ("c2", 1)]
    assert entries[0].first_seq == 1  # it stands for both submissions
    queue.settle(entries)
    assert queue.oldest() is None


def test_an_older_snapshot_put_back_does_not_replace_a_newer_one() -> None:
    queue = PendingQueue()
    queue.offer(call("c1", 7), 1, now=0.0)
    batch = queue.take(1)
    queue.offer(call("c1", 6), 2, now=0.0)  # a late, older snapshot
    queue.put_back(batch)
    assert called(queue.take(10)) == [("c1", 7)]


def session(ended: bool) -> AgentSession:
    return AgentSession("1001", "seat01", T0, T0 + timedelta(hours=1) if ended else None)


def task(version: int) -> CallbackTask:
    return CallbackTask(
        "pbx1/c1", "pbx1", "c1", "12345", "138", "abandoned", T0, T0, version=version
    )


def entry(actor: str) -> AuditEntry:
    return AuditEntry("e1", T0, actor, "call.listen", "call:pbx1/c1")


def test_a_closed_session_wins_over_a_later_open_one() -> None:
    assert supersedes(session(ended=True), 1, session(ended=False), 2)
    assert not supersedes(session(ended=False), 2, session(ended=True), 1)


def test_a_callback_task_keeps_its_highest_version_whatever_the_order() -> None:
    queue = PendingQueue()
    for seq, version in enumerate((2, 5, 3), start=1):
        queue.offer(task(version), seq, now=0.0)
    (found,) = queue.take(10)
    assert found.item == task(5)


def test_the_first_audit_entry_of_an_id_stays() -> None:
    queue = PendingQueue()
    queue.offer(entry("supervisor1"), 1, now=0.0)
    queue.offer(entry("someone-else"), 2, now=0.0)
    batch = queue.take(10)
    assert [found.item for found in batch] == [entry("supervisor1")]
    queue.offer(entry("late"), 3, now=1.0)
    queue.put_back(batch)  # the write failed: the first entry still stands
    assert [found.item for found in queue.take(10)] == [entry("supervisor1")]


def test_records_of_different_kinds_never_share_a_key() -> None:
    queue = PendingQueue()
    records = [
        call("c1", 1),
        task(1),
        session(ended=False),
        entry("a"),
        interval(False),
        draft("s"),
    ]
    for seq, record in enumerate(records, start=1):
        queue.offer(record, seq, now=0.0)
    assert len(queue) == len(records)
