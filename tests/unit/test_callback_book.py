"""Callback tasks restored in "calling" whose call's end was lost go back to the list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from acd.callbacks import CallbackBook
from acd.rules import RoutingRules
from telephony.clock import FakeClock
from tickets.records import CallbackTask

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def book_with_calling_task() -> tuple[CallbackBook, list[CallbackTask]]:
    stored: list[CallbackTask] = []
    book = CallbackBook(FakeClock(T0.timestamp()), RoutingRules, stored.append, lambda _: None)
    book.load(
        [
            CallbackTask(
                task_id="pbx1/1795000000.1",
                server="pbx1",
                call_id="1795000000.1",
                line="12345",
                caller_number="13812341234",
                reason="abandoned",
                created_at=T0,
                due_at=T0 + timedelta(hours=2),
                status="calling",
                attempts=1,
                last_attempt_at=T0,
            )
        ]
    )
    return book, stored


def test_a_task_calling_for_hours_without_a_live_call_goes_back_to_the_list() -> None:
    book, stored = book_with_calling_task()
    book.release_stale(T0 + timedelta(hours=1), set())
    assert stored == []  # an hour: the call may still be talking
    book.release_stale(T0 + timedelta(hours=2, seconds=1), set())
    assert [(t.status, t.attempts) for t in stored] == [("pending", 1)]


def test_a_task_whose_callback_call_is_still_live_stays_calling() -> None:
    book, stored = book_with_calling_task()
    book.release_stale(T0 + timedelta(hours=3), {("pbx1", "1795000000.1")})
    assert stored == []
    assert book.tasks["pbx1/1795000000.1"].status == "calling"
