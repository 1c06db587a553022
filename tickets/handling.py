"""The work order at the unit and after: the unit signs for it or returns it, the
hotline rules on a return, first response, the unit's reply with its photos,
extensions, the hanging list (挂账), and the callback (回访) that closes the order or
sends it back.

Like ``tickets.workflow`` each public method is one step in one transaction.
"""

from __future__ import annotations

import asyncio
import hashlib
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tickets import deadlines as due
from tickets.errors import InvalidOrder
from tickets.files import atomic_file
from tickets.lifecycle import IllegalStep, Status, Step
from tickets.models import WorkOrderRow
from tickets.order_forms import REVISIT_RESULTS, ReplyForm
from tickets.order_models import (
    OrderAssignmentRow,
    OrderAttachmentRow,
    OrderExtensionRow,
    OrderReplyRow,
    OrderRevisitRow,
)
from tickets.order_steps import StepContext, load_order, run_step
from tickets.workflow import OrderDesk, assignments_of

ATTACHMENT_TYPES = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
}
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
SATISFIED = ("satisfied", "basically_satisfied")


async def _unit_assignment(step: StepContext, unit: str) -> OrderAssignmentRow:
    for assignment in await assignments_of(step.session, step.order.id):
        if assignment.unit == unit and assignment.state in ("active", "signed"):
            return assignment
    raise InvalidOrder(f"unit: order {step.order.number} is not with unit {unit!r}")


def _require_main(step: StepContext, unit: str) -> None:
    if step.order.main_unit != unit:
        raise InvalidOrder(f"unit: only the main unit ({step.order.main_unit}) may do this")


class OrderHandling(OrderDesk):
    """The steps of ``OrderDesk`` and those of the unit and the callback."""

    async def unit_sign(self, number: str, unit: str, actor: str) -> WorkOrderRow:
        async def body(step: StepContext) -> None:
            _require_main(step, unit)
            assignment = await _unit_assignment(step, unit)
            assignment.state, assignment.signed_at = "signed", step.now
            step.details = {"unit": unit}

        return await run_step(self.sessions, number, Step.UNIT_SIGN, actor, self.now(), body)

    async def unit_return(self, number: str, unit: str, actor: str, reason: str) -> WorkOrderRow:
        """The main unit returns the order (not ours, ...): the hotline decides next."""
        if not reason.strip():
            raise InvalidOrder("reason: say why the order is returned")

        async def body(step: StepContext) -> None:
            _require_main(step, unit)
            assignment = await _unit_assignment(step, unit)
            assignment.state, assignment.returned_at = "returned", step.now
            assignment.return_reason = reason.strip()
            # the hotline re-dispatches or rules within the dispatch time
            step.order.dispatch_due = due.dispatch_due(
                self.rules.deadlines, step.now, urgent=step.order.urgency == "urgent"
            )
            step.details = {"unit": unit}

        return await run_step(
            self.sessions, number, Step.UNIT_RETURN, actor, self.now(), body, note=reason.strip()
        )

    async def reject_return(self, number: str, actor: str, note: str) -> WorkOrderRow:
        """The hotline rules the return unfounded: back to the unit, to re-handle within 2 days."""
        if not note.strip():
            raise InvalidOrder("note: say why the return is refused")

        async def body(step: StepContext) -> None:
            returned = [
                a
                for a in await assignments_of(step.session, step.order.id)
                if a.state == "returned"
            ]
            if not returned:
                raise InvalidOrder("no returned assignment to reinstate")
            returned[-1].state = "signed"
            step.order.reply_due = self._rehandle_due(step.now)
            step.details = {"unit": returned[-1].unit}

        return await run_step(
            self.sessions, number, Step.REJECT_RETURN, actor, self.now(), body, note=note.strip()
        )

    def _rehandle_due(self, now: datetime) -> datetime:
        return due.rehandle_due(self.rules.deadlines, self.rules.calendar, now)

    async def respond(self, number: str, actor: str, note: str) -> WorkOrderRow:
        """响应: the first contact with the citizen, against the response deadline."""

        async def body(step: StepContext) -> None:
            if step.order.responded_at is None:
                step.order.responded_at = step.now
            step.details = {"on_time": _on_time(step.now, step.order.response_due)}

        return await run_step(
            self.sessions, number, Step.RESPOND, actor, self.now(), body, note=note
        )

    async def reply(self, number: str, unit: str, actor: str, form: ReplyForm) -> WorkOrderRow:
        """The main unit's reply with the five elements and its photos; the callback is due."""

        async def body(step: StepContext) -> None:
            _require_main(step, unit)
            assignment = await _unit_assignment(step, unit)
            assignment.state = "replied"
            reply = OrderReplyRow(
                order_id=step.order.id,
                unit=unit,
                at=step.now,
                by=actor,
                handled_at=form.handled_at,
                place=form.place,
                person=form.person,
                matter=form.matter,
                result=form.result,
                resolved=form.resolved,
            )
            step.session.add(reply)
            await step.session.flush()
            await self._attach_to_reply(step, reply.id, form.attachments)
            step.order.replied_at = step.now
            step.order.result = form.result
            step.order.callback_due = due.callback_due(
                self.rules.deadlines, self.rules.calendar, step.now
            )
            step.details = {
                "unit": unit,
                "resolved": form.resolved,
                "on_time": _on_time(step.now, step.order.reply_due),
            }

        return await run_step(self.sessions, number, Step.REPLY, actor, self.now(), body)

    async def _attach_to_reply(
        self, step: StepContext, reply_id: int, ids: tuple[int, ...]
    ) -> None:
        if not ids:
            return
        rows = list(
            await step.session.scalars(
                select(OrderAttachmentRow).where(
                    OrderAttachmentRow.id.in_(ids), OrderAttachmentRow.order_id == step.order.id
                )
            )
        )
        if len(rows) != len(set(ids)):
            raise InvalidOrder(
                f"attachments: not all of {list(ids)} belong to order {step.order.number}"
            )
        for row in rows:
            row.reply_id = reply_id

    # -- extensions and the hanging list ----------------------------------------------

    async def ask_extension(
        self, number: str, unit: str, actor: str, until: datetime, reason: str
    ) -> WorkOrderRow:
        if not reason.strip():
            raise InvalidOrder("reason: say why more time is needed")

        async def body(step: StepContext) -> None:
            _require_main(step, unit)
            current = step.order.reply_due or step.now
            if until <= current:
                raise InvalidOrder(
                    f"until: must be later than the current deadline {current.isoformat()}"
                )
            step.session.add(
                OrderExtensionRow(
                    order_id=step.order.id,
                    unit=unit,
                    asked_at=step.now,
                    asked_by=actor,
                    until=until,
                    reason=reason.strip(),
                )
            )
            step.details = {"unit": unit, "until": until.isoformat()}

        return await run_step(
            self.sessions, number, Step.ASK_EXTENSION, actor, self.now(), body, note=reason.strip()
        )

    async def decide_extension(
        self, number: str, actor: str, *, approve: bool, note: str = ""
    ) -> WorkOrderRow:
        """The hotline approves (the deadline moves) or refuses the open request."""

        async def body(step: StepContext) -> None:
            request = await step.session.scalar(
                select(OrderExtensionRow)
                .where(
                    OrderExtensionRow.order_id == step.order.id,
                    OrderExtensionRow.decided_at.is_(None),
                )
                .order_by(OrderExtensionRow.id.desc())
            )
            if request is None:
                raise InvalidOrder(f"order {number} has no extension request to decide")
            request.decided_at, request.decided_by = step.now, actor
            request.approved, request.decision_note = approve, note
            if approve:
                step.order.reply_due = request.until
                step.order.close_due = max(step.order.close_due or request.until, request.until)
                step.order.escalation = ""
            step.details = {"approved": approve, "until": request.until.isoformat()}

        return await run_step(
            self.sessions, number, Step.DECIDE_EXTENSION, actor, self.now(), body, note=note
        )

    async def hang(self, number: str, actor: str, reason: str) -> WorkOrderRow:
        """挂账: cannot be solved now; the order is reported with monthly progress."""
        if not reason.strip():
            raise InvalidOrder("reason: say why the order cannot be solved now")
        return await run_step(
            self.sessions, number, Step.HANG, actor, self.now(), _nothing, note=reason.strip()
        )

    async def resume(self, number: str, actor: str, note: str = "") -> WorkOrderRow:
        async def body(step: StepContext) -> None:
            step.order.reply_due = self._rehandle_due(step.now)
            await self.reopen_assignment(step.session, step.order)

        return await run_step(
            self.sessions, number, Step.RESUME, actor, self.now(), body, note=note
        )

    # -- the callback (回访) ------------------------------------------------------------

    async def start_revisit(self, number: str, agent: str, seat: str | None) -> OrderRevisitRow:
        """A callback attempt about to be placed from ``seat``; its call is linked when placed."""
        async with self.sessions() as session, session.begin():
            order = await load_order(session, number)
            if order.status != Status.REPLIED.value:
                raise IllegalStep(number, Status(order.status), Step.REVISIT)
            revisit = OrderRevisitRow(
                order_id=order.id,
                attempt=order.revisit_attempts + 1,
                placed_at=self.now(),
                agent=agent,
                seat=seat,
            )
            session.add(revisit)
        return revisit

    async def link_revisit_call(self, revisit_id: int, server: str, call_id: str) -> None:
        """The callback's recorded call (``hotline-callback``) belongs to this attempt."""
        async with self.sessions() as session, session.begin():
            revisit = await session.get(OrderRevisitRow, revisit_id)
            if revisit is not None and revisit.call_id is None:
                revisit.server, revisit.call_id = server, call_id

    async def record_revisit(
        self,
        number: str,
        actor: str,
        *,
        result: str,
        resolved: bool,
        note: str,
        revisit_id: int | None = None,
    ) -> WorkOrderRow:
        """满意/基本满意 and resolved: closed. 不满意 or unresolved: back to the unit and another
        callback later. 无法联系: another attempt, until the attempts are used up."""
        if result not in REVISIT_RESULTS:
            raise InvalidOrder(f"result: {result!r} is not one of {sorted(REVISIT_RESULTS)}")

        async def body(step: StepContext) -> None:
            order = step.order
            revisit = await self._revisit_row(step, revisit_id, actor)
            revisit.result, revisit.resolved, revisit.note = result, resolved, note
            revisit.recorded_at = step.now
            order.revisit_attempts = revisit.attempt
            step.to = self._after_revisit(step, result, resolved)
            if step.to == Status.HANDLING:
                await self.reopen_assignment(step.session, order)
            step.details = {
                "result": result,
                "resolved": resolved,
                "attempt": revisit.attempt,
                "call_id": revisit.call_id or "",
            }

        return await run_step(
            self.sessions, number, Step.REVISIT, actor, self.now(), body, note=note
        )

    async def _revisit_row(
        self, step: StepContext, revisit_id: int | None, actor: str
    ) -> OrderRevisitRow:
        if revisit_id is not None:
            revisit = await step.session.get(OrderRevisitRow, revisit_id)
            if revisit is None or revisit.order_id != step.order.id or revisit.result is not None:
                raise InvalidOrder(f"revisit: {revisit_id} is not an open callback of this order")
            return revisit
        revisit = OrderRevisitRow(
            order_id=step.order.id,
            attempt=step.order.revisit_attempts + 1,
            placed_at=step.now,
            agent=actor,
        )
        step.session.add(revisit)
        return revisit

    def _after_revisit(self, step: StepContext, result: str, resolved: bool) -> Status:
        order = step.order
        if result == "unreachable":
            if order.revisit_attempts < self.rules.revisit_attempts:
                return Status.REPLIED
            order.result = f"{order.result or ''}（回访{order.revisit_attempts}次无法联系）"
            return Status.CLOSED
        order.satisfaction = result
        if result in SATISFIED and resolved:
            return Status.CLOSED
        # unsatisfied or unresolved: the unit handles it again, then another callback
        order.reply_due = self._rehandle_due(step.now)
        order.callback_due = None
        return Status.HANDLING

    async def reopen_assignment(self, session: AsyncSession, order: WorkOrderRow) -> None:
        for assignment in await assignments_of(session, order.id):
            if assignment.role == "main" and assignment.state == "replied":
                assignment.state = "signed"

    # -- attachments ------------------------------------------------------------------

    async def attach(
        self, number: str, actor: str, directory: Path, name: str, content_type: str, data: bytes
    ) -> OrderAttachmentRow:
        """Store a photo or document of the order; the same file twice is stored once."""
        suffix = ATTACHMENT_TYPES.get(content_type)
        if suffix is None:
            raise InvalidOrder(f"file: {content_type!r} is not one of {sorted(ATTACHMENT_TYPES)}")
        if not data or len(data) > MAX_ATTACHMENT_BYTES:
            raise InvalidOrder(f"file: 1 byte to {MAX_ATTACHMENT_BYTES // 1024 // 1024} MB")
        digest = hashlib.sha256(data).hexdigest()
        async with self.sessions() as session, session.begin():
            order = await load_order(session, number)
            stored = await session.scalar(
                select(OrderAttachmentRow).where(
                    OrderAttachmentRow.order_id == order.id, OrderAttachmentRow.sha256 == digest
                )
            )
            if stored is not None:
                return stored
            relative = Path(order.number) / f"{digest}{suffix}"
            await _write_file(directory / relative, data)
            row = OrderAttachmentRow(
                order_id=order.id,
                name=name[:200] or relative.name,
                content_type=content_type,
                size=len(data),
                sha256=digest,
                path=str(relative),
                uploaded_at=self.now(),
                uploaded_by=actor,
            )
            session.add(row)
        return row


async def _nothing(step: StepContext) -> None:
    return None


def _on_time(at: datetime, due_at: datetime | None) -> bool:
    return due_at is None or at <= due_at


async def _write_file(path: Path, data: bytes) -> None:
    """Written off the event loop; a crash leaves no half file (``tickets.files``)."""

    def write() -> None:
        with atomic_file(path) as out:
            out.write(data)

    await asyncio.to_thread(write)
