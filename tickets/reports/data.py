"""Everything a report reads about one period, loaded once: the calls (the same rows and
the same ``CallRecord`` the wallboard counts), wrap-up time, work orders and the steps that
fell in the period, callbacks (回访), QA reviews and the hanging list.

Each kind of fact is kept on a ``Timeline`` sorted by the moment that places it in a
period, so a day of a month is a bisect away and every figure of a day is computed from
the same loaded facts as the month's.

A month of a busy centre is some hundred thousand rows: they are read as the columns the
reports need (Core ``select()``), never as ORM entities.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar, TypeVarTuple

from sqlalchemy import ColumnElement, Row, Select, and_, select, union
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from qa.models import QaReviewRow, QaSampleRow
from tickets.calls import calls_queued_between
from tickets.deadlines import DeadlineRules, callback_due
from tickets.lifecycle import Status, Step
from tickets.models import SeatStateRow, WorkOrderRow
from tickets.order_models import (
    OrderAssignmentRow,
    OrderEventRow,
    OrderReplyRow,
    OrderRevisitRow,
)
from tickets.records import CallRecord
from tickets.reports.period import Period
from tickets.workdays import WorkCalendar

T = TypeVar("T")
Ts = TypeVarTuple("Ts")
# a callback is due at most this long after the reply (2 working days over a long holiday)
_LOOKBACK = timedelta(days=20)


class Timeline(Generic[T]):
    """Items sorted by their moment; ``between`` is ``[start, end)``."""

    def __init__(self, items: Iterable[T], moment: Callable[[T], datetime]) -> None:
        pairs = sorted(((moment(item), n, item) for n, item in enumerate(items)))
        self._moments = [pair[0] for pair in pairs]
        self._items = [pair[2] for pair in pairs]

    def between(self, start: datetime, end: datetime) -> list[T]:
        low = bisect.bisect_left(self._moments, start)
        high = bisect.bisect_left(self._moments, end)
        return self._items[low:high]

    def all(self) -> list[T]:
        return list(self._items)

    def __len__(self) -> int:
        return len(self._items)


@dataclass(frozen=True, slots=True)
class Filters:
    """Narrow a report to one line, seat, agent or category (a code covers its children)."""

    line: str | None = None
    seat: str | None = None
    agent: str | None = None
    category: str | None = None
    lines: tuple[str, ...] = ()  # a contract's lines (empty: every line)

    def takes_line(self, line: str) -> bool:
        if self.line is not None and line != self.line:
            return False
        return not self.lines or line in self.lines

    def takes_category(self, category: str | None) -> bool:
        if self.category is None:
            return True
        return category is not None and (
            category == self.category or category.startswith(self.category + ".")
        )

    def as_json(self) -> dict[str, str | None]:
        return {
            "line": self.line,
            "seat": self.seat,
            "agent": self.agent,
            "category": self.category,
        }


@dataclass(frozen=True, slots=True)
class Wrapup:
    seat: str
    agent: str | None
    started_at: datetime
    seconds: float


@dataclass(frozen=True, slots=True)
class Order:
    """The fields of a work order the reports read."""

    id: int
    number: str
    line: str
    channel: str
    status: str
    seat: str | None
    agent: str | None
    server: str | None
    call_id: str | None
    category: str | None
    address: str | None
    content: str | None
    created_at: datetime
    accepted_at: datetime | None
    responded_at: datetime | None
    response_due: datetime | None
    closed_at: datetime | None
    close_due: datetime | None
    handled_directly: bool
    main_unit: str | None
    not_counted: str | None
    not_counted_note: str | None
    duplicate_of: str | None
    merged_into: str | None

    @property
    def counted(self) -> bool:
        return self.not_counted is None


# the columns of an Order, in the order of its fields: ``Order(*row)``
_ORDER_COLUMNS = tuple(getattr(WorkOrderRow, f.name) for f in dataclasses.fields(Order))


@dataclass(frozen=True, slots=True)
class Dispatch:
    """A dispatch step (派单) and whether it was within the dispatch deadline."""

    event_id: int
    order: Order
    at: datetime
    unit: str
    on_time: bool


@dataclass(frozen=True, slots=True)
class Assignment:
    """An order's main unit (主办): wrongly assigned when the hotline accepted its return."""

    order: Order
    unit: str
    dispatched_at: datetime
    wrongly_assigned: bool
    return_reason: str | None


@dataclass(frozen=True, slots=True)
class Revisit:
    id: int
    order: Order
    recorded_at: datetime
    result: str
    agent: str
    server: str | None
    call_id: str | None


@dataclass(frozen=True, slots=True)
class CallbackDue:
    """A unit's reply that asks for a callback (回访) by ``due``; ``done`` is the first
    recorded callback after the reply, if any."""

    order: Order
    replied_at: datetime
    due: datetime
    done: Revisit | None


@dataclass(frozen=True, slots=True)
class Review:
    id: int
    submitted_at: datetime
    agent: str | None
    score: float
    red_lines: tuple[str, ...]
    server: str
    call_id: str
    order_number: str | None
    answers: dict[str, object]
    form_id: int


@dataclass
class Snapshot:
    """The loaded facts of one period (and, for trends, nothing of any other)."""

    period: Period
    filters: Filters
    now: datetime
    calls: Timeline[CallRecord]  # inbound calls and the callbacks returning them
    callbacks_of: dict[str, list[CallRecord]]  # call id -> the outbound callbacks returning it
    wrapups: Timeline[Wrapup]
    accepted: Timeline[Order]
    responses_due: Timeline[Order]
    closures_due: Timeline[Order]
    dispatches: Timeline[Dispatch]
    assignments: Timeline[Assignment]
    revisits: Timeline[Revisit]
    callbacks_due: Timeline[CallbackDue]
    reviews: Timeline[Review]
    hanging: list[Order] = field(default_factory=list)
    hanging_progress: dict[int, datetime] = field(default_factory=dict)  # order id -> latest

    def calls_callbacks(self, call_id: str) -> list[CallRecord]:
        return self.callbacks_of.get(call_id, [])


async def load_snapshot(
    session: AsyncSession,
    period: Period,
    *,
    filters: Filters | None = None,
    deadlines: DeadlineRules | None = None,
    calendar: WorkCalendar | None = None,
    now: datetime,
) -> Snapshot:
    """Read the period's facts; ``now`` decides which deadlines have passed."""
    filters = filters or Filters()
    deadlines = deadlines or DeadlineRules()
    records = await calls_queued_between(session, period.start, period.end)
    orders = await _orders_of(session, period, filters)
    wanted = _call_filter(filters, orders)
    calls = [r for r in records if r.direction == "in" and wanted(r)]
    kept = {r.call_id for r in calls}
    callbacks: dict[str, list[CallRecord]] = {}
    for record in records:
        if record.direction == "callback" and record.callback_of in kept:
            callbacks.setdefault(record.callback_of or "", []).append(record)
            calls.append(record)
    by_id = {order.id: order for order in orders}
    calendar = calendar or WorkCalendar()
    revisits = await _revisits(session, period, by_id)
    return Snapshot(
        period=period,
        filters=filters,
        now=now,
        calls=Timeline(calls, lambda r: r.queued_at),
        callbacks_of=callbacks,
        wrapups=Timeline(await _wrapups(session, period, filters), lambda w: w.started_at),
        accepted=Timeline(
            [o for o in orders if o.accepted_at is not None],
            lambda o: o.accepted_at or o.created_at,
        ),
        responses_due=Timeline(
            [o for o in orders if o.response_due is not None and o.response_due <= now],
            lambda o: o.response_due or o.created_at,
        ),
        closures_due=Timeline(
            [o for o in orders if o.close_due is not None and o.close_due <= now],
            lambda o: o.close_due or o.created_at,
        ),
        dispatches=Timeline(await _dispatches(session, period, by_id), lambda d: d.at),
        assignments=Timeline(await _assignments(session, period, by_id), lambda a: a.dispatched_at),
        revisits=Timeline(
            [v for v in revisits if period.start <= v.recorded_at < period.end],
            lambda v: v.recorded_at,
        ),
        callbacks_due=Timeline(
            await _callbacks_due(session, period, by_id, revisits, deadlines, calendar, now),
            lambda c: c.due,
        ),
        reviews=Timeline(await _reviews(session, period, filters), lambda r: r.submitted_at),
        hanging=await _hanging(session, filters),
        hanging_progress=await _hanging_progress(session),
    )


def _call_filter(filters: Filters, orders: Sequence[Order]) -> Callable[[CallRecord], bool]:
    of_category = (
        None
        if filters.category is None
        else {(o.server, o.call_id) for o in orders if o.call_id is not None}
    )

    def wanted(record: CallRecord) -> bool:
        if not filters.takes_line(record.line):
            return False
        if filters.seat is not None and record.seat != filters.seat:
            return False
        if filters.agent is not None and record.agent != filters.agent:
            return False
        return of_category is None or (record.server, record.call_id) in of_category

    return wanted


def _in(column: InstrumentedAttribute[Any], period: Period) -> ColumnElement[bool]:
    return and_(column >= period.start, column < period.end)


async def _orders_of(session: AsyncSession, period: Period, filters: Filters) -> list[Order]:
    """Orders with any step of the reports in the period: accepted, response or closure
    due, dispatched, replied, called back, closed.

    A union of the four ways in, each by its own index (an OR of them reads the whole
    table)."""
    touched = select(OrderEventRow.order_id).where(
        OrderEventRow.at >= period.start - _LOOKBACK,
        OrderEventRow.at < period.end,
        OrderEventRow.step.in_(
            (Step.DISPATCH.value, Step.REDISPATCH.value, Step.REPLY.value, Step.REVISIT.value)
        ),
    )
    ids = union(
        *(
            select(WorkOrderRow.id).where(_in(column, period))
            for column in (
                WorkOrderRow.accepted_at,
                WorkOrderRow.response_due,
                WorkOrderRow.close_due,
            )
        ),
        touched,
    ).subquery()
    rows = await _rows(
        session,
        select(*_ORDER_COLUMNS).join(ids, ids.c.id == WorkOrderRow.id).order_by(WorkOrderRow.id),
    )
    return [order for order in (Order(*row) for row in rows) if _order_wanted(order, filters)]


async def _rows(session: AsyncSession, query: Select[*Ts]) -> Sequence[Row[*Ts]]:
    """The rows of a Core select, fetched at once on the session's connection."""
    connection = await session.connection()
    return (await connection.execute(query)).all()


def _order_wanted(order: Order, filters: Filters) -> bool:
    if not filters.takes_line(order.line) or not filters.takes_category(order.category):
        return False
    if filters.seat is not None and order.seat != filters.seat:
        return False
    return filters.agent is None or order.agent == filters.agent


async def _wrapups(session: AsyncSession, period: Period, filters: Filters) -> list[Wrapup]:
    rows = await _rows(
        session,
        select(
            SeatStateRow.seat, SeatStateRow.agent, SeatStateRow.started_at, SeatStateRow.ended_at
        ).where(
            SeatStateRow.state == "wrapup",
            _in(SeatStateRow.started_at, period),
            SeatStateRow.ended_at.is_not(None),
        ),
    )
    found = []
    for seat, agent, started_at, ended_at in rows:
        if filters.seat is not None and seat != filters.seat:
            continue
        if filters.agent is not None and agent != filters.agent:
            continue
        assert ended_at is not None
        seconds = max(0.0, (ended_at - started_at).total_seconds())
        found.append(Wrapup(seat, agent, started_at, seconds))
    return found


async def _dispatches(
    session: AsyncSession, period: Period, orders: dict[int, Order]
) -> list[Dispatch]:
    rows = await _rows(
        session,
        select(
            OrderEventRow.id, OrderEventRow.order_id, OrderEventRow.at, OrderEventRow.details
        ).where(OrderEventRow.step == Step.DISPATCH.value, _in(OrderEventRow.at, period)),
    )
    return [
        Dispatch(
            event_id,
            orders[order_id],
            at,
            str(details.get("main_unit", "")),
            bool(details.get("on_time", False)),
        )
        for event_id, order_id, at, details in rows
        if order_id in orders
    ]


async def _assignments(
    session: AsyncSession, period: Period, orders: dict[int, Order]
) -> list[Assignment]:
    rows = await _rows(
        session,
        select(
            OrderAssignmentRow.order_id,
            OrderAssignmentRow.unit,
            OrderAssignmentRow.dispatched_at,
            OrderAssignmentRow.wrongly_assigned,
            OrderAssignmentRow.return_reason,
        ).where(
            OrderAssignmentRow.role == "main",
            _in(OrderAssignmentRow.dispatched_at, period),
        ),
    )
    return [
        Assignment(orders[order_id], unit, dispatched_at, wrongly_assigned, return_reason)
        for order_id, unit, dispatched_at, wrongly_assigned, return_reason in rows
        if order_id in orders
    ]


async def _revisits(
    session: AsyncSession, period: Period, orders: dict[int, Order]
) -> list[Revisit]:
    """Recorded callbacks from the period's start on (those after its end answer replies
    made near its end)."""
    rows = await _rows(
        session,
        select(
            OrderRevisitRow.id,
            OrderRevisitRow.order_id,
            OrderRevisitRow.recorded_at,
            OrderRevisitRow.result,
            OrderRevisitRow.agent,
            OrderRevisitRow.server,
            OrderRevisitRow.call_id,
        )
        .where(
            OrderRevisitRow.recorded_at >= period.start,
            OrderRevisitRow.result.is_not(None),
        )
        .order_by(OrderRevisitRow.recorded_at, OrderRevisitRow.id),
    )
    return [
        Revisit(id_, orders[order_id], recorded_at, result or "", agent, server, call_id)
        for id_, order_id, recorded_at, result, agent, server, call_id in rows
        if order_id in orders and recorded_at is not None
    ]


async def _callbacks_due(
    session: AsyncSession,
    period: Period,
    orders: dict[int, Order],
    revisits: list[Revisit],
    deadlines: DeadlineRules,
    calendar: WorkCalendar,
    now: datetime,
) -> list[CallbackDue]:
    """Every unit reply asks for a callback by ``callback_due``; those due in the period
    (and already due now) are judged, each by the first callback recorded after it."""
    rows = await _rows(
        session,
        select(OrderReplyRow.order_id, OrderReplyRow.at).where(
            OrderReplyRow.at >= period.start - _LOOKBACK, OrderReplyRow.at < period.end
        ),
    )
    by_order: dict[int, list[Revisit]] = {}
    for revisit in revisits:
        by_order.setdefault(revisit.order.id, []).append(revisit)
    found = []
    for order_id, replied_at in rows:
        if order_id not in orders:
            continue
        due = callback_due(deadlines, calendar, replied_at)
        if not period.start <= due < period.end or due > now:
            continue
        after = [v for v in by_order.get(order_id, []) if v.recorded_at >= replied_at]
        found.append(CallbackDue(orders[order_id], replied_at, due, after[0] if after else None))
    return found


async def _reviews(session: AsyncSession, period: Period, filters: Filters) -> list[Review]:
    rows = await session.execute(
        select(QaReviewRow, QaSampleRow)
        .join(QaSampleRow, QaSampleRow.id == QaReviewRow.sample_id)
        .where(QaReviewRow.current, ~QaSampleRow.calibration, _in(QaReviewRow.submitted_at, period))
    )
    found = []
    for review, sample in rows:
        if not filters.takes_line(sample.line):
            continue
        if filters.agent is not None and review.agent != filters.agent:
            continue
        if filters.seat is not None and sample.seat != filters.seat:
            continue
        found.append(
            Review(
                review.id,
                review.submitted_at,
                review.agent,
                review.score,
                tuple(review.red_lines),
                sample.server,
                sample.call_id,
                sample.order_number,
                dict(review.answers),
                review.form_id,
            )
        )
    return found


async def _hanging(session: AsyncSession, filters: Filters) -> list[Order]:
    rows = await _rows(
        session,
        select(*_ORDER_COLUMNS)
        .where(WorkOrderRow.status == Status.HANGING.value)
        .order_by(WorkOrderRow.created_at),
    )
    return [order for order in (Order(*row) for row in rows) if _order_wanted(order, filters)]


async def _hanging_progress(session: AsyncSession) -> dict[int, datetime]:
    rows = await session.execute(
        select(OrderEventRow.order_id, OrderEventRow.at)
        .join(WorkOrderRow, WorkOrderRow.id == OrderEventRow.order_id)
        .where(
            WorkOrderRow.status == Status.HANGING.value,
            OrderEventRow.step.in_((Step.HANG.value, Step.HANGING_PROGRESS.value)),
        )
        .order_by(OrderEventRow.id)
    )
    return {order_id: at for order_id, at in rows}
