"""One work order's life as the bench writes it: its row's values, its steps in time
order, and the rows the steps write (assignments, replies, callbacks, extensions).

Steps come in two kinds. The *chain* is the order's path (accept, dispatch, sign, reply,
callback, …), each step after the one before. *Side* steps (first response, not counted,
an urge, an extension) happen at their own moment and are kept only if the order's
status then allows them — a response due while the unit has returned the order is
simply not made, as it would not be. ``settle`` walks the steps in time order through
``tickets.lifecycle.check_step``, so every history the bench writes is one the service
would accept; steps later than ``now`` are not written, and the row keeps the status
and fields of the last step that was.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tickets.lifecycle import FINAL, RULES, Status, Step, check_step
from tickets.models import WorkOrderRow

ORDER_COLUMNS = tuple(column.name for column in WorkOrderRow.__table__.columns)
EVENT_COLUMNS = ("order_id", "at", "actor", "step", "from_status", "to_status", "note", "details")
ASSIGNMENT_COLUMNS = (
    "order_id",
    "unit",
    "role",
    "state",
    "dispatched_at",
    "dispatched_by",
    "signed_at",
    "returned_at",
    "return_reason",
    "wrongly_assigned",
)
REPLY_COLUMNS = (
    "order_id",
    "unit",
    "at",
    "by",
    "handled_at",
    "place",
    "person",
    "matter",
    "result",
    "resolved",
)
REVISIT_COLUMNS = (
    "order_id",
    "attempt",
    "placed_at",
    "agent",
    "seat",
    "server",
    "call_id",
    "result",
    "resolved",
    "note",
    "recorded_at",
)
EXTENSION_COLUMNS = (
    "order_id",
    "unit",
    "asked_at",
    "asked_by",
    "until",
    "reason",
    "decided_at",
    "decided_by",
    "approved",
    "decision_note",
)

Apply = Callable[[], None]


@dataclass(slots=True)
class StoryStep:
    at: datetime
    step: Step
    to: Status | None  # None: the status stays (or the rule has one outcome)
    actor: str
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    apply: Apply | None = None
    side: bool = False
    needs: StoryStep | None = None  # a side step kept only if this one was
    kept: bool = False


class Story:
    """An order being written; ``values`` are its ``work_orders`` columns."""

    def __init__(self, order_id: int, values: dict[str, Any]) -> None:
        self.id = order_id
        self.values = values
        self.steps: list[StoryStep] = []
        self.assignments: list[dict[str, Any]] = []
        self.replies: list[dict[str, Any]] = []
        self.revisits: list[dict[str, Any]] = []
        self.extensions: list[dict[str, Any]] = []
        self.moments: list[datetime] = []  # of the steps kept, with the status after each
        self.statuses: list[str] = []
        self.due: dict[str, datetime] = {}  # the deadlines set at intake …
        self.intake_at: datetime | None = None  # … counted from this moment
        self.revisit_attempts = 0
        self._chain_at: datetime | None = None

    @property
    def number(self) -> str:
        return str(self.values["number"])

    def then(
        self,
        at: datetime,
        step: Step,
        to: Status | None = None,
        actor: str = "",
        note: str = "",
        details: dict[str, Any] | None = None,
        apply: Apply | None = None,
    ) -> datetime:
        """The next step of the chain; returns its moment."""
        if self._chain_at is not None and at < self._chain_at:
            raise ValueError(f"{self.number}: {step} at {at} comes before the step before it")
        self._chain_at = at
        self.steps.append(StoryStep(at, step, to, actor, note, details or {}, apply))
        return at

    def aside(
        self,
        at: datetime,
        step: Step,
        actor: str,
        note: str = "",
        details: dict[str, Any] | None = None,
        apply: Apply | None = None,
        needs: StoryStep | None = None,
    ) -> StoryStep:
        added = StoryStep(at, step, None, actor, note, details or {}, apply, True, needs)
        self.steps.append(added)
        return added

    def status_at(self, moment: datetime) -> str | None:
        """The status after the last kept step at or before ``moment`` (after ``settle``);
        None before the first."""
        n = bisect.bisect_right(self.moments, moment)
        return self.statuses[n - 1] if n else None

    def settle(self, now: datetime) -> list[tuple[Any, ...]]:
        """Run the steps up to ``now`` in time order; the ``order_events`` rows."""
        rows = []
        status: str | None = self.values["status"]
        for step in sorted(self.steps, key=lambda s: (s.at, s.side)):
            if step.at > now:
                break
            if step.side and not self._allows(status, step):
                continue
            after = self._after(status, step)
            if step.apply is not None:
                step.apply()
            self._set_status(after, step.at)
            step.kept = True
            rows.append(
                (
                    self.id,
                    step.at,
                    step.actor,
                    step.step.value,
                    status,
                    after,
                    step.note,
                    json.dumps(step.details, ensure_ascii=False),
                )
            )
            self.moments.append(step.at)
            self.statuses.append(after)
            status = after
        self.values["version"] = 1 + len(rows)
        return rows

    @staticmethod
    def _allows(status: str | None, step: StoryStep) -> bool:
        if step.needs is not None and not step.needs.kept:
            return False
        return status is not None and Status(status) in RULES[step.step].starts

    def _after(self, status: str | None, step: StoryStep) -> str:
        if status is None:  # received: the order is born with this step
            assert step.to is not None
            return step.to.value
        return check_step(self.number, Status(status), step.step, step.to).value

    def _set_status(self, status: str, at: datetime) -> None:
        values = self.values
        values["status"] = status
        values["open"] = Status(status) not in FINAL
        values["updated_at"] = at
        if not values["open"] and values["closed_at"] is None:
            values["closed_at"] = at

    def order_row(self) -> tuple[Any, ...]:
        return tuple(self.values[name] for name in ORDER_COLUMNS)

    def side_rows(self) -> dict[str, list[tuple[Any, ...]]]:
        def rows(items: list[dict[str, Any]], columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
            return [tuple(item[name] for name in columns) for item in items]

        return {
            "order_assignments": rows(self.assignments, ASSIGNMENT_COLUMNS),
            "order_replies": rows(self.replies, REPLY_COLUMNS),
            "order_revisits": rows(self.revisits, REVISIT_COLUMNS),
            "order_extensions": rows(self.extensions, EXTENSION_COLUMNS),
        }
