"""The work order's steps up to the unit: accept while talking (or answer on the spot),
orders from other channels, signing for and returning platform orders, dispatch,
merging duplicates, marking orders not counted, supervision notes.

Each public method is one step (``tickets.order_steps.run_step``): checked, applied
and written to the order's history in one transaction. Deadlines are set as the
contract says (``tickets.deadlines``) on the working-day calendar. The unit's side
(sign for, return, reply, extensions) and the callback are in ``tickets.handling``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tickets import deadlines as due
from tickets.catalogue import Catalogue
from tickets.categories import CategoryTree
from tickets.deadlines import DeadlineRules
from tickets.duplicates import OrderGist, find_duplicates
from tickets.errors import InvalidOrder
from tickets.lifecycle import Status, Step, is_open
from tickets.models import WorkOrderRow
from tickets.order_forms import CHANNELS, NOT_COUNTED_REASONS, OrderForm
from tickets.order_models import OrderAssignmentRow
from tickets.order_steps import StepContext, add_event, load_order, run_step, set_status
from tickets.orders import ORDER_NUMBER_ZONE
from tickets.workdays import WorkCalendar

Now = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class OrderRules:
    """Everything about work orders an operator configures ([orders] in the settings)."""

    deadlines: DeadlineRules
    calendar: WorkCalendar
    categories: CategoryTree
    catalogue: Catalogue
    duplicate_window: timedelta = timedelta(days=7)
    duplicate_threshold: float = 0.6
    revisit_attempts: int = 3  # callbacks to an unreachable citizen before closing
    property_kinds: tuple[str, ...] = ("property",)  # units the 15-minute rule applies to


def new_order_number(line: str, now: datetime, sequence: int) -> str:
    """Orders without a call (other channels): ``<line>-<yyyymmdd>-W<sequence>``."""
    day = now.astimezone(ORDER_NUMBER_ZONE).strftime("%Y%m%d")
    return f"{line}-{day}-W{sequence:07d}"


def _gist(order: WorkOrderRow) -> OrderGist:
    return OrderGist(
        number=order.number,
        caller_number=order.caller_number,
        category=order.category,
        address=order.address,
        content=order.content,
        created_at=order.created_at,
    )


def _fill_form(order: WorkOrderRow, form: OrderForm) -> None:
    order.category = form.category
    order.content = form.content
    order.address = form.address
    order.urgency = form.urgency
    order.confidential = form.confidential
    if form.caller_name:
        order.caller_name = form.caller_name


class OrderDesk:
    """The hotline's steps on work orders; ``now`` is the injected clock."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], rules: OrderRules, now: Now
    ) -> None:
        self.sessions = sessions
        self.rules = rules
        self.now = now

    def _set_intake_deadlines(self, order: WorkOrderRow, at: datetime) -> None:
        urgent = order.urgency == "urgent"
        rules, calendar = self.rules.deadlines, self.rules.calendar
        order.dispatch_due = due.dispatch_due(rules, at, urgent=urgent)
        order.response_due = due.response_due(rules, calendar, at, urgent=urgent)
        order.close_due = due.close_due(rules, calendar, at)

    def _check_category(self, line: str, form: OrderForm) -> None:
        if self.rules.categories.find(line, form.category) is None:
            raise InvalidOrder(f"category: line {line} has no category {form.category!r}")

    # -- accept while talking --------------------------------------------------------

    async def accept(self, number: str, actor: str, form: OrderForm) -> WorkOrderRow:
        """受理: the agent saves the form of the call's draft; the deadlines start."""

        async def body(step: StepContext) -> None:
            self._check_category(step.order.line, form)
            _fill_form(step.order, form)
            step.order.accepted_at = step.now
            self._set_intake_deadlines(step.order, step.now)
            await self._flag_duplicate(step.session, step.order)

        return await run_step(self.sessions, number, Step.ACCEPT, actor, self.now(), body)

    async def _flag_duplicate(self, session: AsyncSession, order: WorkOrderRow) -> None:
        """同人同诉: the best earlier order of the same caller about the same matter, flagged
        for the dispatcher to merge (并单) or keep."""
        if not order.caller_number:
            return
        since = order.created_at - self.rules.duplicate_window
        earlier = await session.scalars(
            select(WorkOrderRow).where(
                WorkOrderRow.caller_number == order.caller_number,
                WorkOrderRow.created_at >= since,
                WorkOrderRow.id != order.id,
                WorkOrderRow.status.not_in((Status.DRAFT.value, Status.MERGED.value)),
            )
        )
        matches = find_duplicates(
            _gist(order),
            [_gist(row) for row in earlier],
            window=self.rules.duplicate_window,
            threshold=self.rules.duplicate_threshold,
        )
        order.duplicate_of = matches[0].number if matches else None

    async def answer_directly(
        self, number: str, actor: str, form: OrderForm, answer: str
    ) -> WorkOrderRow:
        """直办: a question answered on the spot is closed at once and counted as such."""
        if not answer.strip():
            raise InvalidOrder("answer: say what the caller was told")

        async def body(step: StepContext) -> None:
            self._check_category(step.order.line, form)
            _fill_form(step.order, form)
            step.order.accepted_at = step.order.accepted_at or step.now
            step.order.handled_directly = True
            step.order.responded_at = step.now
            step.order.result = answer.strip()
            step.note = answer.strip()

        return await run_step(self.sessions, number, Step.ANSWER_DIRECTLY, actor, self.now(), body)

    async def edit(self, number: str, actor: str, form: OrderForm) -> WorkOrderRow:
        async def body(step: StepContext) -> None:
            self._check_category(step.order.line, form)
            step.details = {
                "before": {"category": step.order.category, "address": step.order.address}
            }
            _fill_form(step.order, form)

        return await run_step(self.sessions, number, Step.EDIT, actor, self.now(), body)

    # -- other channels --------------------------------------------------------------

    async def receive(
        self,
        *,
        line: str,
        channel: str,
        caller_number: str,
        form: OrderForm,
        actor: str,
        source_ref: str | None = None,
    ) -> WorkOrderRow:
        """An order from SMS, web, WeChat, app (accepted at once) or from the city or
        district platform (to sign for first). The same ``source_ref`` of a channel
        is the same order: a repeated delivery returns the stored order."""
        if channel not in CHANNELS or channel == "phone":
            raise InvalidOrder(
                f"channel: {channel!r} is not one of {sorted(set(CHANNELS) - {'phone'})}"
            )
        self._check_category(line, form)
        now = self.now()
        async with self.sessions() as session, session.begin():
            if source_ref:
                stored = await self._by_source(session, channel, source_ref)
                if stored is not None:
                    return stored
            order = await self._insert_received(session, line, channel, caller_number, form, now)
            order.source_ref = source_ref
            await self._flag_duplicate(session, order)
            status = Status.PENDING_SIGN if channel == "platform" else Status.ACCEPTED
            set_status(order, status, now)
            add_event(
                session,
                order,
                step=Step.RECEIVE,
                actor=actor,
                at=now,
                before=None,
                details={"channel": channel, "source_ref": source_ref or ""},
            )
        return order

    async def _by_source(
        self, session: AsyncSession, channel: str, ref: str
    ) -> WorkOrderRow | None:
        return await session.scalar(
            select(WorkOrderRow).where(
                WorkOrderRow.channel == channel, WorkOrderRow.source_ref == ref
            )
        )

    async def _insert_received(
        self,
        session: AsyncSession,
        line: str,
        channel: str,
        caller: str,
        form: OrderForm,
        now: datetime,
    ) -> WorkOrderRow:
        order = WorkOrderRow(
            number=f"pending-{now.timestamp()}",
            line=line,
            caller_number=caller,
            channel=channel,
            status=Status.ACCEPTED.value,
            created_at=now,
            updated_at=now,
            accepted_at=now,
        )
        _fill_form(order, form)
        self._set_intake_deadlines(order, now)
        session.add(order)
        await session.flush()  # the id names the order
        order.number = new_order_number(line, now, order.id)
        return order

    async def sign(self, number: str, actor: str, note: str = "") -> WorkOrderRow:
        """签收: a platform order inside our area and remit."""

        async def body(step: StepContext) -> None:
            step.order.accepted_at = step.now

        return await run_step(self.sessions, number, Step.SIGN, actor, self.now(), body, note=note)

    async def return_up(self, number: str, actor: str, reason: str) -> WorkOrderRow:
        """退回: a platform order outside our area or remit goes back with the reason."""
        if not reason.strip():
            raise InvalidOrder("reason: say why the order is returned")

        async def body(step: StepContext) -> None:
            step.order.result = f"退回上级: {reason.strip()}"

        return await run_step(
            self.sessions, number, Step.RETURN_UP, actor, self.now(), body, note=reason
        )

    # -- dispatch --------------------------------------------------------------------

    async def dispatch(
        self, number: str, actor: str, main_unit: str, assisting: Sequence[str] = (), note: str = ""
    ) -> WorkOrderRow:
        """派单 to a main unit (主办) and any assisting units (协办)."""
        self._check_units(main_unit, assisting)

        async def body(step: StepContext) -> None:
            self._assign(step, main_unit, assisting, actor)

        return await run_step(
            self.sessions, number, Step.DISPATCH, actor, self.now(), body, note=note
        )

    def _check_units(self, main_unit: str, assisting: Sequence[str]) -> None:
        for code in (main_unit, *assisting):
            unit = self.rules.catalogue.get(code)
            if unit is None or not unit.active:
                raise InvalidOrder(f"unit: {code!r} is not an active unit of the catalogue")
        if main_unit in assisting or len(set(assisting)) != len(assisting):
            raise InvalidOrder("assisting: each unit once, and not the main unit")

    def _assign(
        self, step: StepContext, main_unit: str, assisting: Sequence[str], actor: str
    ) -> None:
        order = step.order
        for code, role in ((main_unit, "main"), *((code, "assist") for code in assisting)):
            step.session.add(
                OrderAssignmentRow(
                    order_id=order.id,
                    unit=code,
                    role=role,
                    state="active",
                    dispatched_at=step.now,
                    dispatched_by=actor,
                    wrongly_assigned=False,
                )
            )
        on_time = order.dispatch_due is None or step.now <= order.dispatch_due
        order.main_unit = main_unit
        order.dispatched_at = step.now
        order.sign_due = due.sign_due(self.rules.deadlines, self.rules.calendar, step.now)
        order.reply_due = order.close_due
        order.escalation = ""
        step.details = {"main_unit": main_unit, "assisting": list(assisting), "on_time": on_time}

    async def redispatch(
        self,
        number: str,
        actor: str,
        main_unit: str,
        assisting: Sequence[str] = (),
        *,
        wrongly_assigned: bool,
        note: str = "",
    ) -> WorkOrderRow:
        """改派 after a unit's return the hotline accepts; ``wrongly_assigned`` counts the
        earlier dispatch against dispatch accuracy (派单准确率)."""
        self._check_units(main_unit, assisting)

        async def body(step: StepContext) -> None:
            for assignment in await assignments_of(step.session, step.order.id):
                if assignment.state == "returned" and assignment.role == "main":
                    assignment.wrongly_assigned = assignment.wrongly_assigned or wrongly_assigned
                if assignment.state in ("active", "signed"):
                    assignment.state = "withdrawn"
            self._assign(step, main_unit, assisting, actor)
            step.details["wrongly_assigned"] = wrongly_assigned

        return await run_step(
            self.sessions, number, Step.REDISPATCH, actor, self.now(), body, note=note
        )

    # -- duplicates, exclusions, supervision ----------------------------------------

    async def merge(self, number: str, into: str, actor: str, note: str = "") -> WorkOrderRow:
        """并单: the order joins an open order of the same matter; the target's history says so."""
        if number == into:
            raise InvalidOrder("into: an order cannot be merged into itself")
        now = self.now()

        async def body(step: StepContext) -> None:
            # read in the step's transaction: the target cannot close between check and merge
            target = await load_order(step.session, into)
            if not is_open(target.status):
                raise InvalidOrder(
                    f"into: order {into} is {target.status}; merge into an open order"
                )
            step.order.merged_into = into
            step.order.result = f"并入 {into}"
            step.details = {"into": into}
            add_event(
                step.session,
                target,
                step=Step.MERGE,
                actor=actor,
                at=now,
                before=Status(target.status),
                note=f"{number} 并入本单",
                details={"from": number},
            )

        return await run_step(self.sessions, number, Step.MERGE, actor, now, body, note=note)

    async def mark_not_counted(
        self, number: str, actor: str, reason: str, justification: str
    ) -> WorkOrderRow:
        """不纳入考核 with a justification kept for the reports."""
        if reason not in NOT_COUNTED_REASONS:
            raise InvalidOrder(f"reason: {reason!r} is not one of {sorted(NOT_COUNTED_REASONS)}")
        if not justification.strip():
            raise InvalidOrder("justification: required")

        async def body(step: StepContext) -> None:
            step.order.not_counted = reason
            step.order.not_counted_note = justification.strip()
            step.details = {"reason": reason}

        return await run_step(
            self.sessions, number, Step.NOT_COUNTED, actor, self.now(), body, note=justification
        )

    async def note(self, number: str, step: Step, actor: str, note: str) -> WorkOrderRow:
        """A step that only writes history: a follow-up (跟踪), an urge (催办), 督办."""
        if step not in (Step.FOLLOW_UP, Step.URGE, Step.SUPERVISE, Step.HANGING_PROGRESS):
            raise InvalidOrder(f"step: {step.value} is not a note")
        if not note.strip():
            raise InvalidOrder("note: required")

        async def body(context: StepContext) -> None:
            if step in (Step.URGE, Step.SUPERVISE):
                context.order.escalation = step.value

        return await run_step(
            self.sessions, number, step, actor, self.now(), body, note=note.strip()
        )


async def assignments_of(session: AsyncSession, order_id: int) -> list[OrderAssignmentRow]:
    rows = await session.scalars(
        select(OrderAssignmentRow)
        .where(OrderAssignmentRow.order_id == order_id)
        .order_by(OrderAssignmentRow.id)
    )
    return list(rows)
