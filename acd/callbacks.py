"""Callback tasks (漏接回拨): every inbound call that reached no seat is called back.

A task is opened when such a call ends (abandoned, timed out, no seat, lost, or
the caller kept their place), one open task per number at a time, due within the
configured deadline. A callback placed for it counts an attempt; reaching the
citizen closes it, failing returns it to the list until the attempts run out
(unreachable). A later call of the same number that a seat answers closes it as
not needed. Agents and supervisors set a result by hand with a note.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from acd.ledger import version_at
from acd.rules import RoutingRules
from telephony.clock import Clock
from tickets.privacy import mask_number
from tickets.records import CallbackReason, CallbackStatus, CallbackTask, CallRecord

log = logging.getLogger(__name__)

NEEDS_CALLBACK: dict[str, CallbackReason] = {
    "abandoned": "abandoned",
    "timeout": "timeout",
    "no_seat": "no_seat",
    "lost": "lost",
    "kept_place": "kept_place",
}
MANUAL_RESULTS: tuple[CallbackStatus, ...] = ("reached", "unreachable", "not_needed", "cancelled")


# longer than any callback call rings and talks: a task "calling" for longer without a
# live call lost the call's end
STALE_CALLING = timedelta(hours=2)


class NoSuchTask(KeyError):
    pass


def task_id_of(server: str, call_id: str) -> str:
    return f"{server}/{call_id}"


class CallbackBook:
    def __init__(
        self,
        clock: Clock,
        rules: Callable[[], RoutingRules],
        store: Callable[[CallbackTask], None],
        publish: Callable[[dict[str, Any]], None],
    ) -> None:
        self.clock = clock
        self.rules = rules
        self.store = store
        self.publish = publish
        self.tasks: dict[str, CallbackTask] = {}  # open tasks

    def load(self, tasks: Iterable[CallbackTask]) -> None:
        self.tasks.update({task.task_id: task for task in tasks if task.is_open})

    def open_for(self, number: str) -> CallbackTask | None:
        return next((t for t in self.tasks.values() if t.caller_number == number), None)

    # -- facts ------------------------------------------------------------------------

    def call_ended(self, record: CallRecord) -> None:
        if record.direction == "callback":
            self._callback_ended(record)
        elif record.answered_at is not None:
            self._caller_got_through(record)
        elif record.outcome in NEEDS_CALLBACK:
            self._open(record, NEEDS_CALLBACK[record.outcome])

    def callback_placed(self, task_id: str, seat: str, agent: str | None) -> None:
        task = self.tasks.get(task_id)
        if task is None:
            return
        now = self.clock.now()
        self._save(
            replace(
                task,
                status="calling",
                attempts=task.attempts + 1,
                last_attempt_at=now,
                seat=seat,
                agent=agent,
            )
        )

    def _open(self, record: CallRecord, reason: CallbackReason) -> None:
        if not record.caller_number:
            log.info("call %s cannot be called back: no caller number", record.call_id)
            return
        if self.open_for(record.caller_number) is not None:
            return  # one open task per number: the earlier one stands
        ended = record.ended_at or self.clock.now()
        deadline = timedelta(minutes=self.rules().callback_deadline_minutes)
        task = CallbackTask(
            task_id=task_id_of(record.server, record.call_id),
            server=record.server,
            call_id=record.call_id,
            line=record.line,
            caller_number=record.caller_number,
            reason=reason,
            created_at=ended,
            due_at=ended + deadline,
            version=version_at(ended),
        )
        self._save(task)

    def _caller_got_through(self, record: CallRecord) -> None:
        task = self.open_for(record.caller_number)
        if task is not None and task.status == "pending":
            self._close(task, "not_needed", f"called again, answered by seat {record.seat}")

    def _callback_ended(self, record: CallRecord) -> None:
        task = next((t for t in self.tasks.values() if t.call_id == record.callback_of), None)
        if task is None:
            return
        if record.answered_at is not None:
            self._close(task, "reached", "", result_call_id=record.call_id)
        elif task.attempts >= self.rules().callback_max_attempts:
            self._close(task, "unreachable", f"{task.attempts} attempts")
        else:
            self._save(replace(task, status="pending"))

    def release_stale(self, now: datetime, returning: set[tuple[str, str]]) -> None:
        """A task still "calling" long after its attempt, with no live callback call
        returning its call (``returning``: (server, callback_of) of live callback calls),
        lost that call's end while the service was down: it goes back to the list."""
        for task in list(self.tasks.values()):
            placed = task.last_attempt_at
            if task.status != "calling" or placed is None or now - placed < STALE_CALLING:
                continue
            if (task.server, task.call_id) not in returning:
                log.info(
                    "callback task %s: its call's end was lost; back to the list", task.task_id
                )
                self._save(replace(task, status="pending"))

    # -- people -----------------------------------------------------------------------

    def set_result(
        self, task_id: str, status: CallbackStatus, note: str, agent: str | None
    ) -> CallbackTask:
        task = self.tasks.get(task_id)
        if task is None:
            raise NoSuchTask(task_id)
        if status not in MANUAL_RESULTS:
            raise ValueError(f"status must be one of {list(MANUAL_RESULTS)}")
        return self._close(task, status, note, agent=agent)

    # -- keeping ----------------------------------------------------------------------

    def _close(
        self, task: CallbackTask, status: CallbackStatus, note: str, **more: Any
    ) -> CallbackTask:
        closed = replace(task, status=status, note=note, closed_at=self.clock.now(), **more)
        return self._save(closed)

    def _save(self, task: CallbackTask) -> CallbackTask:
        task = replace(task, version=max(task.version + 1, version_at(self.clock.now())))
        if task.is_open:
            self.tasks[task.task_id] = task
        else:
            self.tasks.pop(task.task_id, None)
        self.store(task)
        self.publish({"type": "callback", "task": task_view(task)})
        return task

    def overdue(self, now: datetime) -> list[CallbackTask]:
        return [t for t in self.tasks.values() if t.due_at < now]


def task_view(task: CallbackTask) -> dict[str, Any]:
    def iso(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    return {
        "task_id": task.task_id,
        "server": task.server,
        "call_id": task.call_id,
        "line": task.line,
        "caller_number": mask_number(task.caller_number),  # in full: POST …/reveal
        "reason": task.reason,
        "status": task.status,
        "created_at": iso(task.created_at),
        "due_at": iso(task.due_at),
        "attempts": task.attempts,
        "last_attempt_at": iso(task.last_attempt_at),
        "agent": task.agent,
        "seat": task.seat,
        "result_call_id": task.result_call_id,
        "note": task.note,
        "closed_at": iso(task.closed_at),
    }
