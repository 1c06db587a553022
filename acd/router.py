"""The ACD: waiting callers and seats in memory, offers made with AMI actions.

Facts drive it (a caller waits, a seat rings, answers, misses, a call ends);
people's commands come through ``acd.desk``. After every change it offers free
seats to waiting callers (``routing.pick_offers``): a caller on hold is moved with
``Redirect``; a caller who kept their place and hung up is called back with
``Originate`` (the seat first, then the caller). Asterisk's Dial timeout
(``HOTLINE_RING_TIMEOUT``) ends an unanswered ring; watchdogs free a seat whose
offer was never confirmed. Calls of an Asterisk the service only observes (its
own app_queue routes) are shown but never offered.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Iterable
from datetime import timedelta
from typing import Any

from acd.gate import LocalGate, OfferGate
from acd.ports import CallerHistory, Dialer, DialResult, NoHistory, Publish
from acd.routing import Eligibility, WaitingCaller, caller_order, pick_offers
from acd.rules import RoutingRules, priority_of
from acd.seats import PAUSE_NO_ANSWER, Seat, SeatBoard, SeatError
from acd.wrapup import WrapUp
from telephony.clock import Clock
from telephony.facts import (
    CallAnswered,
    CallbackPlaced,
    CallEnded,
    CallerKeptPlace,
    CallerWaiting,
    DeviceStateChanged,
    SeatMissed,
    SeatRinging,
    TalkEnded,
)
from tickets.records import CallbackTask

log = logging.getLogger(__name__)

# Device states of a softphone that cannot take a call (AMI DeviceStateChange)
UNREACHABLE_DEVICE_STATES = ("UNAVAILABLE", "INVALID")
# DialStatus of a ring that ended because the caller left, not the seat
CALLER_LEFT = "CANCEL"


class Router:
    def __init__(
        self,
        board: SeatBoard,
        dialer: Dialer,
        clock: Clock,
        rules: RoutingRules,
        routed_servers: Iterable[str],
        publish: Publish,
        gate: OfferGate | None = None,
        history: CallerHistory | None = None,
    ) -> None:
        self.board = board
        self.dialer = dialer
        self.clock = clock
        self.rules = rules
        self.routed_servers = set(routed_servers)
        self.publish = publish
        self.gate: OfferGate = gate or LocalGate()
        self.history: CallerHistory = history or NoHistory()
        self.waiting: dict[tuple[str, str], WaitingCaller] = {}
        self._links_up: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self.wrapup = WrapUp(board, clock, self.route, publish)
        self.gate.subscribe(self._lease_changed)
        board.subscribe(self._seat_changed)

    # -- facts ------------------------------------------------------------------------

    def caller_waiting(self, fact: CallerWaiting) -> WaitingCaller:
        caller = self.waiting.get((fact.server, fact.call_id))
        if caller is None:
            caller = self._new_caller(fact)
            self.waiting[caller.key] = caller
            self._wake_at(caller)
        else:
            self._release_offer(caller)
            caller.on_hold = True
        self._queue_changed()
        self.route()
        return caller

    def _new_caller(self, fact: CallerWaiting) -> WaitingCaller:
        window = timedelta(hours=self.rules.repeat_caller_hours)
        last = self.history.last_call(fact.caller_number, fact.at) if fact.caller_number else None
        agent = self.history.open_order_agent(fact.caller_number) if fact.caller_number else None
        caller = WaitingCaller(
            server=fact.server,
            call_id=fact.call_id,
            channel=fact.channel,
            line=fact.line,
            caller_number=fact.caller_number,
            caller_name=fact.caller_name,
            queued_at=fact.at,
            skill=fact.skill,
            emergency=fact.emergency,
            repeat=last is not None and fact.at - last <= window,
            preferred_agent=agent,
            preferred_until=fact.at + timedelta(seconds=self.rules.first_contact_window)
            if agent
            else None,
        )
        caller.priority = priority_of(caller, self.rules)
        return caller

    def _wake_at(self, caller: WaitingCaller) -> None:
        """Route again when the caller's first-contact window or skill wait runs out."""
        delays = []
        if caller.preferred_until is not None:
            delays.append((caller.preferred_until - caller.queued_at).total_seconds())
        if caller.skill and self.rules.skill_fallback_after is not None:
            delays.append(self.rules.skill_fallback_after)
        for delay in delays:
            self.clock.call_later(delay, self.route)

    def caller_kept_place(self, fact: CallerKeptPlace) -> None:
        caller = self.waiting.get((fact.server, fact.call_id))
        if caller is not None:
            caller.kept_place = True
            self._release_offer(caller)
            self._queue_changed()

    def callback_placed(self, fact: CallbackPlaced) -> None:
        """The agent's softphone took the callback: the seat talks, the caller is served."""
        served = self.waiting.pop((fact.server, fact.callback_of), None)
        if served is not None:
            self._spawn(self.gate.release_caller(fact.server, fact.callback_of))
            self._queue_changed()
        seat = self.board.find(fact.seat)
        if seat is not None:
            seat.call = (fact.server, fact.call_id)
            self.board.set_state(seat, "talking", "callback")

    def seat_ringing(self, fact: SeatRinging) -> None:
        seat = self._seat_for(fact.server, fact.seat, fact.call_id)
        caller = self.waiting.get((fact.server, fact.call_id))
        if caller is not None:
            caller.offered_to = fact.seat
        seat.call = (fact.server, fact.call_id)
        self.board.set_state(seat, "ringing")
        self._watch(seat, self.rules.ring_timeout + self.rules.ring_grace, "ringing")

    def call_answered(self, fact: CallAnswered) -> None:
        seat = self._seat_for(fact.server, fact.seat, fact.call_id)
        if self.waiting.pop((fact.server, fact.call_id), None) is not None:
            self._spawn(self.gate.release_caller(fact.server, fact.call_id))
        seat.call = (fact.server, fact.call_id)
        seat.consecutive_misses = 0
        if seat.state != "talking":
            seat.answered_today += 1
            self.board.set_state(seat, "talking")
        self._queue_changed()

    def seat_missed(self, fact: SeatMissed) -> None:
        seat = self.board.find(fact.seat)
        caller = self.waiting.get((fact.server, fact.call_id))
        if caller is not None and caller.offered_to == fact.seat:
            caller.offered_to = None
            if fact.status != CALLER_LEFT:
                caller.missed_by.add(fact.seat)
                # hotline-connect sends the caller back to hold and says so (HotlineWaiting)
                self._hold_off(caller, self.rules.back_on_hold)
        if seat is not None and seat.call == (fact.server, fact.call_id):
            self._after_miss(seat, fact.status)
        self.route()

    def talk_ended(self, fact: TalkEnded) -> None:
        self._end_talk(fact.server, fact.call_id)

    def call_ended(self, fact: CallEnded) -> None:
        caller = self.waiting.get((fact.server, fact.call_id))
        if caller is not None and not caller.kept_place:
            del self.waiting[caller.key]
            self._release_offer(caller)
            self._queue_changed()
            self._spawn(self.gate.release_caller(fact.server, fact.call_id))
        self._end_talk(fact.server, fact.call_id)
        self.route()

    def device_state(self, fact: DeviceStateChanged) -> None:
        seat = self.board.find(_endpoint_of(fact.device))
        if seat is None or seat.server != fact.server:
            return
        unreachable = fact.state in UNREACHABLE_DEVICE_STATES
        if unreachable and seat.state in ("ready", "reserved", "wrapup", "offline"):
            self.board.set_state(seat, "unreachable", fact.state)
        elif not unreachable and seat.state == "unreachable":
            self.board.set_state(seat, "ready" if seat.agent else "offline")
            self.route()

    def link_up(self, server: str) -> None:
        self._links_up.add(server)
        self.route()

    def link_down(self, server: str) -> None:
        self._links_up.discard(server)

    # -- rules ------------------------------------------------------------------------

    def update_rules(self, rules: RoutingRules) -> None:
        """A supervisor changed the rules: priorities of callers already waiting change too."""
        self.rules = rules
        for caller in self.waiting.values():
            caller.priority = priority_of(caller, rules)
        self._queue_changed()
        self.route()

    # -- routing ----------------------------------------------------------------------

    def routable_servers(self) -> frozenset[str]:
        return frozenset(s for s in self.routed_servers & self._links_up if self.gate.holds(s))

    def route(self) -> None:
        now, fallback = self.clock.now(), self.rules.skill_fallback_after
        rules = Eligibility(now, self.routable_servers(), fallback)
        for caller, seat in pick_offers(self.waiting.values(), self.board.all(), rules):
            self._offer(caller, seat)

    def queue_view(self) -> list[WaitingCaller]:
        return sorted(self.waiting.values(), key=caller_order)

    def _offer(self, caller: WaitingCaller, seat: Seat) -> None:
        caller.offered_to = seat.seat_id
        seat.call = caller.key
        self.board.set_state(seat, "reserved", "callback" if caller.kept_place else caller.line)
        patience = self.rules.reserve_timeout
        if caller.kept_place:  # the agent's softphone rings before anything is heard of it
            patience = self.rules.ring_timeout + self.rules.ring_grace
        self._watch(seat, patience, "reserved")
        self._spawn(self._move(caller, seat))

    async def _move(self, caller: WaitingCaller, seat: Seat) -> None:
        if not await self._claimed(caller, seat):
            return
        try:
            result = await self._dial(caller, seat)
        except Exception:
            log.exception("routing %s to seat %s failed", caller.call_id, seat.seat_id)
            result = DialResult.UNKNOWN
        if result in (DialResult.REJECTED, DialResult.NOT_SENT) and seat.call == caller.key:
            log.info("seat %s freed: offer of %s %s", seat.seat_id, caller.call_id, result.value)
            # Not again at once: a refused channel is usually hanging up, a link just went down.
            self._hold_off(caller, self.rules.back_on_hold)
            self._free_offer(seat, caller)

    def dial_callback(self, seat: Seat, task: CallbackTask) -> None:
        """An agent calls a callback task from their seat: reserve it, ring it, then the citizen."""
        caller = WaitingCaller(
            server=task.server,
            call_id=task.call_id,
            channel="",
            line=task.line,
            caller_number=task.caller_number,
            queued_at=task.created_at,
            kept_place=True,
        )
        self.dial_by_hand(seat, caller)

    def dial_order_callback(
        self, seat: Seat, server: str, number: str, line: str, task: str, order: str
    ) -> None:
        """A callback (回访) about a work order, from the agent's seat; ``task`` names it."""
        caller = WaitingCaller(
            server=server,
            call_id=task,
            channel="",
            line=line,
            caller_number=number,
            queued_at=self.clock.now(),
            kept_place=True,
            task=task,
            order=order,
        )
        self.dial_by_hand(seat, caller)

    def dial_by_hand(self, seat: Seat, caller: WaitingCaller) -> None:
        if not seat.available:
            raise SeatError(f"seat {seat.seat_id} is not ready")
        seat.call = caller.key
        self.board.set_state(seat, "reserved", "callback")
        self._watch(seat, self.rules.ring_timeout + self.rules.ring_grace, "reserved")
        self._spawn(self._move(caller, seat))

    async def _dial(self, caller: WaitingCaller, seat: Seat) -> DialResult:
        if caller.kept_place:
            task = caller.task or f"{caller.server}/{caller.call_id}"
            return await self.dialer.call_back(
                caller.server,
                seat.seat_id,
                caller.caller_number,
                caller.line,
                caller.call_id,
                task,
                caller.order,
            )
        return await self.dialer.send_to_seat(caller.server, caller.channel, seat.seat_id)

    async def _claimed(self, caller: WaitingCaller, seat: Seat) -> bool:
        """Another instance may lead this Asterisk now: the offer must be ours to make."""
        if caller.key not in self.waiting:
            return True  # a callback dialled by hand: nobody else offers it
        try:
            if await self.gate.claim(caller.server, caller.call_id, seat.seat_id):
                return True
        except Exception:
            log.exception("claim of %s for seat %s failed", caller.call_id, seat.seat_id)
        log.warning("offer of %s to seat %s not claimed: not sent", caller.call_id, seat.seat_id)
        if seat.call == caller.key:
            self._hold_off(caller, self.rules.back_on_hold)
            self._free_offer(seat, caller)
        return False

    def _free_offer(self, seat: Seat, caller: WaitingCaller | None) -> None:
        if caller is not None and caller.offered_to == seat.seat_id:
            caller.offered_to = None
        seat.call = None
        if seat.state in ("reserved", "ringing"):
            self.board.set_state(seat, "ready")
        self.route()

    def _hold_off(self, caller: WaitingCaller, seconds: float) -> None:
        """Do not offer this caller until it is back on hold, or ``seconds`` have passed."""
        caller.on_hold = False

        def retry() -> None:
            if self.waiting.get(caller.key) is caller and not caller.on_hold:
                caller.on_hold = True
                self.route()

        self.clock.call_later(seconds, retry)

    def _watch(self, seat: Seat, seconds: float, state: str) -> None:
        call = seat.call

        def expire() -> None:
            seat.timer = None
            if seat.state == state and seat.call == call:
                text = "seat %s stayed %s for %.0f s; offering it again"
                log.warning(text, seat.seat_id, state, seconds)
                self._free_offer(seat, self.waiting.get(call) if call else None)

        seat.timer = self.clock.call_later(seconds, expire)

    # -- after a call -----------------------------------------------------------------

    def _after_miss(self, seat: Seat, status: str) -> None:
        seat.call = None
        if status == CALLER_LEFT:
            self.board.set_state(seat, "ready")
            return
        if status == "CHANUNAVAIL":
            self.board.set_state(seat, "unreachable", status)
            return
        seat.consecutive_misses += 1
        if seat.consecutive_misses >= self.rules.max_consecutive_misses:
            self.board.set_state(seat, "paused", PAUSE_NO_ANSWER)
            self.alert("seat_no_answer", seat=seat.seat_id, misses=seat.consecutive_misses)
        else:
            self.board.set_state(seat, "ready")

    def alert(self, kind: str, **details: Any) -> None:
        self.publish({"type": "alert", "kind": kind, "at": self.clock.now().isoformat(), **details})

    def _end_talk(self, server: str, call_id: str) -> None:
        for seat in self.board.all():
            if seat.call == (server, call_id):
                if seat.state == "talking":
                    seat.call = None
                    self.wrapup.start(seat, self.rules.wrapup_seconds)
                elif seat.state in ("reserved", "ringing"):
                    self._free_offer(seat, None)
                seat.call = None

    # -- small helpers ----------------------------------------------------------------

    def _lease_changed(self, server: str, held: bool) -> None:
        if held:
            self.route()

    def _seat_changed(self, seat: Seat, closed: object, opened: object) -> None:
        if seat.state in ("ready", "paused", "offline", "unreachable") and seat.call is None:
            self._spawn(self.gate.release_seat(seat.server, seat.seat_id))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _release_offer(self, caller: WaitingCaller) -> None:
        if caller.offered_to is None:
            return
        seat = self.board.find(caller.offered_to)
        caller.offered_to = None
        if seat is not None and seat.call == caller.key and seat.state in ("reserved", "ringing"):
            seat.call = None
            self.board.set_state(seat, "ready")

    def _seat_for(self, server: str, seat_id: str, call_id: str) -> Seat:
        seat = self.board.find(seat_id)
        if seat is None:
            # A seat we were not told about (an app_queue member of an observed PBX): show it.
            line = self.waiting[(server, call_id)].line if (server, call_id) in self.waiting else ""
            seat = Seat(seat_id=seat_id, server=server, lines=frozenset({line}))
            self.board.add(seat, "ready")
        return seat

    def _queue_changed(self) -> None:
        self.publish({"type": "queue"})

    def note(self, seat: Seat) -> None:
        """A change of a seat's pending requests (pause, sign-out after the call)."""
        self.publish(
            {
                "type": "seat_note",
                "seat": seat.seat_id,
                "pause_after_call": seat.pause_after_call,
                "sign_out_after_call": seat.sign_out_after_call,
            }
        )

    async def drain(self) -> None:
        """Wait for the actions in flight (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


def _endpoint_of(device: str) -> str:
    """``PJSIP/8001`` -> 8001."""
    return device.split("/", 1)[1] if "/" in device else device
