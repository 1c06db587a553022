"""The call centre: one dispatch table from call facts to everything they change.

A fact goes to the ledger (a new call record snapshot: stored by the write-behind
writer, counted in today's figures, shown on the wallboard) and to the router
(seats and the waiting queue). An answered call opens a draft work order and
pops it on the seat's page; a call that reached nobody opens a callback task.
Nothing here waits for the database.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from acd.alerts import OverflowWatch
from acd.callbacks import CallbackBook, task_id_of
from acd.desk import Desk, SeatSpec
from acd.figures import FigureRules, compute_figures, last_minutes, meets_targets, targets
from acd.gate import LocalGate, OfferGate
from acd.history import CallerMemory
from acd.ledger import CallLedger
from acd.ports import Dialer
from acd.router import Router
from acd.rules import RoutingRules
from acd.seats import Seat, SeatBoard
from acd.today import TodayCalls
from acd.views import call_view, figures_view, seat_view, waiting_view
from telephony.clock import Clock, Timer
from telephony.facts import (
    CHANNEL_GONE,
    CallAnswered,
    CallbackPlaced,
    CallEnded,
    CallerKeptPlace,
    CallerWaiting,
    DeviceStateChanged,
    Fact,
    LinkDown,
    LinkUp,
    SeatMissed,
    SeatRinging,
    TalkEnded,
)
from tickets.records import (
    AgentSession,
    AuditEntry,
    CallbackTask,
    CallRecord,
    SeatStateInterval,
    WorkOrderDraft,
)

log = logging.getLogger(__name__)

RECENT_WINDOW_MINUTES = 30
FIGURES_EVERY_SECONDS = 1.0
WATCH_EVERY_SECONDS = 5.0


class RecordSink(Protocol):
    """Where records go to be stored (tickets.writer.WriteBehind)."""

    def submit_call(self, record: CallRecord) -> None: ...

    def submit_seat_state(self, interval: SeatStateInterval) -> None: ...

    def submit_order(self, draft: WorkOrderDraft) -> None: ...

    def submit_agent_session(self, session: AgentSession) -> None: ...

    def submit_callback_task(self, task: CallbackTask) -> None: ...

    def submit_audit(self, entry: AuditEntry) -> None: ...


class Publisher(Protocol):
    """The live event hub (to WebSocket pages, across instances through Redis)."""

    def publish(self, event: dict[str, Any]) -> None: ...


OrderNumbering = Callable[[str, datetime, str, str], str]


class CallCentre:
    def __init__(
        self,
        *,
        clock: Clock,
        dialer: Dialer,
        routing: RoutingRules,
        routed_servers: Iterable[str],
        sink: RecordSink,
        hub: Publisher,
        figure_rules: FigureRules,
        zone: ZoneInfo,
        order_number: OrderNumbering,
        gate: OfferGate | None = None,
    ) -> None:
        self.clock = clock
        self.sink = sink
        self.hub = hub
        self.figure_rules = figure_rules
        self.order_number = order_number
        self.ledger = CallLedger()
        self.today = TodayCalls(zone, clock.now())
        self.memory = CallerMemory()
        # the work-order side links a callback (回访) call to its attempt (set by web.app)
        self.on_revisit_placed: Callable[[CallbackPlaced], None] | None = None
        # the recordings pipeline takes the WAV of every call that ended (set by web.app)
        self.on_call_ended: Callable[[CallRecord], None] | None = None
        self.gate: OfferGate = gate or LocalGate()
        self.board = SeatBoard(clock, self._seat_changed)
        self.board.subscribe_sessions(self._session_changed)
        self.router = Router(
            self.board,
            dialer,
            clock,
            routing,
            routed_servers,
            self._router_event,
            self.gate,
            self.memory,
        )
        self.desk = Desk(self.board, self.router)
        self.callbacks = CallbackBook(
            clock, lambda: self.router.rules, self._store_task, hub.publish
        )
        self.overflow = OverflowWatch()
        self.links: dict[str, bool] = {}
        self.gate.subscribe(self._lease_changed)
        self._figures_timer: Timer | None = None
        self._watch_timer: Timer | None = None
        self._dispatch: dict[type, Callable[[Any], None]] = {
            CallerKeptPlace: self.router.caller_kept_place,
            CallbackPlaced: self._callback_placed,
            SeatRinging: self.router.seat_ringing,
            CallAnswered: self._answered,
            SeatMissed: self.router.seat_missed,
            TalkEnded: self.router.talk_ended,
            CallEnded: self.router.call_ended,
            DeviceStateChanged: self.router.device_state,
        }

    # -- facts ------------------------------------------------------------------------

    def handle(self, fact: Fact) -> None:
        fact = self._enrich(fact)
        record = self.ledger.apply(fact)
        if record is not None:
            self._record_changed(record)
        action = self._dispatch.get(type(fact))
        if action is not None:
            action(fact)

    def handle_all(self, facts: Iterable[Fact]) -> None:
        for fact in facts:
            self.handle(fact)

    def _enrich(self, fact: Fact) -> Fact:
        """What the ACD adds to a fact before it is recorded: priority, the agent."""
        if isinstance(fact, CallerWaiting):
            caller = self.router.caller_waiting(fact)
            return dataclasses.replace(fact, priority=caller.priority)
        if isinstance(fact, CallAnswered) and fact.agent is None:
            seat = self.board.find(fact.seat)
            if seat is not None and seat.agent is not None:
                return dataclasses.replace(fact, agent=seat.agent)
        return fact

    def link_up(self, up: LinkUp, live_call_ids: set[str]) -> None:
        """After a (re)connect and resync: calls the ledger still holds open but whose
        channel Asterisk no longer has ended while we could not see them."""
        for record in self.ledger.live_calls(up.server):
            if record.call_id not in live_call_ids:
                self.handle(CallEnded(up.server, record.call_id, up.at, None, CHANNEL_GONE))
        self.links[up.server] = True
        self.router.link_up(up.server)
        self.hub.publish(
            {"type": "link", "server": up.server, "up": True, "restarted": up.restarted}
        )

    def link_down(self, down: LinkDown) -> None:
        self.links[down.server] = False
        self.router.link_down(down.server)
        self.hub.publish(
            {"type": "link", "server": down.server, "up": False, "reason": down.reason}
        )

    def restore(self, records: Iterable[CallRecord]) -> None:
        """Today's stored calls, read back at start, so figures and versions continue."""
        records = list(records)
        self.today.load(records)
        self.ledger.restore(records)
        for record in records:
            self.memory.note_call(record)

    # -- seats ------------------------------------------------------------------------

    def add_seat(self, spec: SeatSpec, agent: str | None = None) -> Seat:
        seat = self.desk.open_seat(spec)
        if agent:
            self.desk.sign_in(seat.seat_id, agent)
        return seat

    def audit(
        self, actor: str, action: str, target: str, source: str = "", **details: str
    ) -> AuditEntry:
        entry = AuditEntry.new(self.clock.now(), actor, action, target, source, details)
        self.sink.submit_audit(entry)
        return entry

    # -- views ------------------------------------------------------------------------

    def seats_view(self) -> list[dict[str, Any]]:
        return [seat_view(seat) for seat in sorted(self.board.all(), key=lambda s: s.seat_id)]

    def queue_view(self) -> list[dict[str, Any]]:
        now = self.clock.now()
        return [waiting_view(caller, now) for caller in self.router.queue_view()]

    def stats_view(self) -> dict[str, Any]:
        now = self.clock.now()
        self.today.roll(now)
        records = self.today.records()
        waiting = self.router.queue_view()
        longest = max(((now - c.queued_at).total_seconds() for c in waiting), default=0.0)
        today = compute_figures(records, self.figure_rules)
        recent = compute_figures(
            last_minutes(records, now, RECENT_WINDOW_MINUTES), self.figure_rules
        )
        return {
            "at": now.isoformat(),
            "day_start": self.today.day_start.isoformat(),
            "today": figures_view(today),
            "last_30_minutes": figures_view(recent),
            "targets": targets(self.figure_rules),
            "targets_met": {
                "today": meets_targets(today, self.figure_rules),
                "last_30_minutes": meets_targets(recent, self.figure_rules),
            },
            "waiting_now": len(waiting),
            "waiting_by_line": _count_by_line(waiting),
            "longest_wait_now_seconds": round(max(0.0, longest), 1),
            "answer_target_seconds": self.figure_rules.answer_target,
            "links": dict(self.links),
            "alerts": list(self.overflow.active.values()),
            "callbacks_open": len(self.callbacks.tasks),
            "callbacks_overdue": len(self.callbacks.overdue(now)),
            "pause_reasons": list(self.router.rules.pause_reasons),
        }

    def recent_calls(self, limit: int = 20) -> list[dict[str, Any]]:
        return [call_view(record) for record in self.today.recent(limit)]

    # -- internals --------------------------------------------------------------------

    def _answered(self, fact: CallAnswered) -> None:
        self.router.call_answered(fact)
        record = self.ledger.live.get((fact.server, fact.call_id))
        if record is None or record.answered_at != fact.at or record.direction != "in":
            return  # not a new inbound answer (a resync repeating it, a callback)
        draft = self._draft(record, fact.at, fact.seat, fact.agent)
        self.memory.note_order(draft)
        if self.gate.holds(fact.server):
            self.sink.submit_order(draft)
        self.hub.publish(
            {
                "type": "screen_pop",
                "seat": fact.seat,
                "agent": fact.agent,
                "order": draft.number,
                "call": call_view(record, mask=False),
            }
        )

    def _draft(
        self, record: CallRecord, at: datetime, seat: str | None, agent: str | None
    ) -> WorkOrderDraft:
        return WorkOrderDraft(
            number=self.order_number(record.line, at, record.server, record.call_id),
            server=record.server,
            call_id=record.call_id,
            line=record.line,
            caller_number=record.caller_number,
            created_at=at,
            seat=seat,
            agent=agent,
        )

    def _callback_placed(self, fact: CallbackPlaced) -> None:
        self.router.callback_placed(fact)
        seat = self.board.find(fact.seat)
        task = fact.task or (task_id_of(fact.server, fact.callback_of) if fact.callback_of else "")
        self.callbacks.callback_placed(task, fact.seat, seat.agent if seat else None)
        if fact.order and self.on_revisit_placed is not None:
            self.on_revisit_placed(fact)

    def _record_changed(self, record: CallRecord) -> None:
        if self.gate.holds(record.server):
            self.sink.submit_call(record)
        self.today.update(record)
        self.memory.note_call(record)
        self.hub.publish({"type": "call", "call": call_view(record)})
        if record.ended_at is not None:
            self.callbacks.call_ended(record)
            if record.recording_path and self.on_call_ended is not None:
                self.on_call_ended(record)
        if record.ended_at is not None or record.answered_at is not None:
            self._schedule_figures()

    def _store_task(self, task: CallbackTask) -> None:
        if self.gate.holds(task.server):
            self.sink.submit_callback_task(task)

    def _seat_changed(
        self, seat: Seat, closed: SeatStateInterval | None, opened: SeatStateInterval
    ) -> None:
        if self.gate.holds(seat.server):
            if closed is not None:
                self.sink.submit_seat_state(closed)
            self.sink.submit_seat_state(opened)
        self.hub.publish({"type": "seat", "seat": seat_view(seat)})

    def _session_changed(self, seat: Seat, session: AgentSession) -> None:
        if self.gate.holds(seat.server):
            self.sink.submit_agent_session(session)

    def _lease_changed(self, server: str, held: bool) -> None:
        """A server we now lead: store what we watched while another instance led it."""
        self.hub.publish({"type": "lease", "server": server, "held": held})
        if not held:
            return
        for record in self.today.records():
            if record.server == server:
                self.sink.submit_call(record)
                self._resubmit_order(record)
        for seat in self.board.all():
            if seat.server != server:
                continue
            interval = self.board.open_interval(seat.seat_id)
            session = self.board.session_of(seat.seat_id)
            if interval is not None:
                self.sink.submit_seat_state(interval)
            if session is not None:
                self.sink.submit_agent_session(session)
        for task in self.callbacks.tasks.values():
            if task.server == server:
                self.sink.submit_callback_task(task)

    def _resubmit_order(self, record: CallRecord) -> None:
        """Order numbers are derived from the call, so the draft of a call answered while
        another instance led is the same draft: storing it again changes nothing."""
        if record.direction != "in" or record.answered_at is None:
            return
        self.sink.submit_order(self._draft(record, record.answered_at, record.seat, record.agent))

    def _router_event(self, event: dict[str, Any]) -> None:
        if event.get("type") == "queue":
            event = {"type": "queue", "queue": self.queue_view()}
        elif event.get("type") == "alert":
            log.warning("alert: %s", event)
        self.hub.publish(event)

    def _schedule_figures(self) -> None:
        if self._figures_timer is not None:
            return

        def publish() -> None:
            self._figures_timer = None
            self.hub.publish({"type": "stats", "stats": self.stats_view()})

        self._figures_timer = self.clock.call_later(FIGURES_EVERY_SECONDS, publish)

    def start_watching(self) -> None:
        """Check the overflow conditions every few seconds from now on."""

        def tick() -> None:
            now = self.clock.now()
            recent = compute_figures(
                last_minutes(self.today.records(), now, RECENT_WINDOW_MINUTES), self.figure_rules
            )
            for alert in self.overflow.check(
                now, self.router.waiting.values(), recent, self.router.rules
            ):
                log.warning("overflow alert: %s", alert)
                self.hub.publish(alert)
            returning = {
                (r.server, r.callback_of)
                for r in self.ledger.live.values()
                if r.direction == "callback" and r.callback_of
            }
            self.callbacks.release_stale(now, returning)
            self._watch_timer = self.clock.call_later(WATCH_EVERY_SECONDS, tick)

        self._watch_timer = self.clock.call_later(WATCH_EVERY_SECONDS, tick)

    def close(self) -> None:
        for timer in (self._figures_timer, self._watch_timer):
            if timer is not None:
                timer.cancel()
        self._figures_timer = self._watch_timer = None
        for seat in self.board.all():
            if seat.timer is not None:
                seat.timer.cancel()


def _count_by_line(waiting: Iterable[Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for caller in waiting:
        counts[caller.line] = counts.get(caller.line, 0) + 1
    return counts


def day_window(centre: CallCentre) -> tuple[datetime, datetime]:
    start = centre.today.day_start
    return start, start + timedelta(days=1)
