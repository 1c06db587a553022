"""The ACD: waiting callers and seats in memory, offers made with AMI Redirect.

Facts drive it (a caller waits, a seat rings, answers, misses, a call ends);
commands come from people (pause, ready). After every change it offers free
seats to waiting callers (``routing.pick_offers``) and moves each chosen caller
with the ``Dialer``. Asterisk's Dial timeout (``HOTLINE_RING_TIMEOUT``) ends an
unanswered ring; watchdogs free a seat whose offer was never confirmed.
Calls of an Asterisk that the service only observes (its own app_queue routes)
are tracked for the wallboard but never offered.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol

from acd.gate import LocalGate, OfferGate
from acd.routing import WaitingCaller, caller_order, pick_offers
from acd.seats import PAUSE_NO_ANSWER, Seat, SeatBoard, SeatError
from telephony.clock import Clock
from telephony.facts import (
    CallAnswered,
    CallEnded,
    CallerWaiting,
    DeviceStateChanged,
    SeatMissed,
    SeatRinging,
    TalkEnded,
)

log = logging.getLogger(__name__)

# Device states of a softphone that cannot take a call (AMI DeviceStateChange)
UNREACHABLE_DEVICE_STATES = ("UNAVAILABLE", "INVALID")
# DialStatus of a ring that ended because the caller left, not the seat
CALLER_LEFT = "CANCEL"


class DialResult(Enum):
    SENT = "sent"  # Asterisk accepted the Redirect
    REJECTED = "rejected"  # Asterisk refused it (the channel is gone)
    UNKNOWN = "unknown"  # sent, but no answer (timeout, link lost): facts will tell
    NOT_SENT = "not_sent"  # the link was down


class Dialer(Protocol):
    async def send_to_seat(self, server: str, channel: str, seat: str) -> DialResult: ...


@dataclass(frozen=True, slots=True)
class RoutingRules:
    ring_timeout: float = 15.0
    wrapup_seconds: float = 30.0
    max_consecutive_misses: int = 2
    reserve_timeout: float = 10.0  # Redirect sent, no ring seen: free the seat again
    ring_grace: float = 15.0  # beyond ring_timeout before the ACD stops waiting for DialEnd
    back_on_hold: float = 5.0  # a caller not announced back on hold by then is offered anyway


Publish = Callable[[dict[str, Any]], None]


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
    ) -> None:
        self.board = board
        self.dialer = dialer
        self.clock = clock
        self.rules = rules
        self.routed_servers = set(routed_servers)
        self.publish = publish
        self.gate: OfferGate = gate or LocalGate()
        self.waiting: dict[tuple[str, str], WaitingCaller] = {}
        self._links_up: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self.gate.subscribe(self._lease_changed)
        board.subscribe(self._seat_changed)

    # -- facts ------------------------------------------------------------------------

    def caller_waiting(self, fact: CallerWaiting) -> None:
        key = (fact.server, fact.call_id)
        caller = self.waiting.get(key)
        if caller is None:
            caller = WaitingCaller(
                server=fact.server,
                call_id=fact.call_id,
                channel=fact.channel,
                line=fact.line,
                caller_number=fact.caller_number,
                caller_name=fact.caller_name,
                queued_at=fact.at,
            )
            self.waiting[key] = caller
        else:
            self._release_offer(caller)
            caller.on_hold = True
        self._queue_changed()
        self.route()

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
        caller = self.waiting.pop((fact.server, fact.call_id), None)
        if caller is not None:
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
        if unreachable and seat.state in ("ready", "reserved", "wrapup"):
            self.board.set_state(seat, "unreachable", fact.state)
        elif not unreachable and seat.state == "unreachable":
            self.board.set_state(seat, "ready")
            self.route()

    def link_up(self, server: str) -> None:
        self._links_up.add(server)
        self.route()

    def link_down(self, server: str) -> None:
        self._links_up.discard(server)

    # -- commands ---------------------------------------------------------------------

    def pause(self, seat_id: str, reason: str) -> Seat:
        seat = self.board.get(seat_id)
        if not reason.strip():
            raise SeatError("a pause needs a reason")
        if seat.state in ("ringing", "talking", "reserved"):
            seat.pause_after_call = reason
            self._publish_seat_note(seat)
        else:
            self.board.set_state(seat, "paused", reason)
        return seat

    def make_ready(self, seat_id: str) -> Seat:
        seat = self.board.get(seat_id)
        seat.pause_after_call = None
        if seat.state in ("paused", "wrapup", "offline"):
            seat.consecutive_misses = 0
            self.board.set_state(seat, "ready")
            self.route()
        elif seat.state == "unreachable":
            raise SeatError(f"seat {seat_id}'s softphone is not reachable")
        return seat

    # -- routing ----------------------------------------------------------------------

    def routable_servers(self) -> set[str]:
        return {s for s in self.routed_servers & self._links_up if self.gate.holds(s)}

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

    def route(self) -> None:
        for caller, seat in pick_offers(
            self.waiting.values(), self.board.all(), self.routable_servers()
        ):
            self._offer(caller, seat)

    def queue_view(self) -> list[WaitingCaller]:
        return sorted(self.waiting.values(), key=caller_order)

    def _offer(self, caller: WaitingCaller, seat: Seat) -> None:
        caller.offered_to = seat.seat_id
        seat.call = caller.key
        self.board.set_state(seat, "reserved", caller.line)
        self._watch(seat, self.rules.reserve_timeout, "reserved")
        self._spawn(self._redirect(caller, seat))

    async def _redirect(self, caller: WaitingCaller, seat: Seat) -> None:
        if not await self._claimed(caller, seat):
            return
        try:
            result = await self.dialer.send_to_seat(caller.server, caller.channel, seat.seat_id)
        except Exception:
            log.exception("routing %s to seat %s failed", caller.call_id, seat.seat_id)
            result = DialResult.UNKNOWN
        if result in (DialResult.REJECTED, DialResult.NOT_SENT) and seat.call == caller.key:
            log.info("seat %s freed: redirect of %s %s", seat.seat_id, caller.call_id, result.value)
            # Not again at once: a refused channel is usually hanging up, a link just went down.
            self._hold_off(caller, self.rules.back_on_hold)
            self._free_offer(seat, caller)

    async def _claimed(self, caller: WaitingCaller, seat: Seat) -> bool:
        """Another instance may lead this Asterisk now: the offer must be ours to make."""
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
                log.warning(
                    "seat %s stayed %s for %.0f s; offering it again", seat.seat_id, state, seconds
                )
                self._free_offer(seat, self.waiting.get(call) if call else None)

        seat.timer = self.clock.call_later(seconds, expire)

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
            self.publish(
                {
                    "type": "alert",
                    "kind": "seat_no_answer",
                    "seat": seat.seat_id,
                    "misses": seat.consecutive_misses,
                    "at": self.clock.now().isoformat(),
                }
            )
        else:
            self.board.set_state(seat, "ready")

    def _end_talk(self, server: str, call_id: str) -> None:
        for seat in self.board.all():
            if seat.call == (server, call_id):
                if seat.state == "talking":
                    self._start_wrapup(seat)
                elif seat.state in ("reserved", "ringing"):
                    self._free_offer(seat, None)
                seat.call = None

    def _start_wrapup(self, seat: Seat) -> None:
        self.board.set_state(seat, "wrapup")

        def done() -> None:
            seat.timer = None
            if seat.state != "wrapup":
                return
            if seat.pause_after_call:
                reason, seat.pause_after_call = seat.pause_after_call, None
                self.board.set_state(seat, "paused", reason)
            else:
                self.board.set_state(seat, "ready")
                self.route()

        seat.timer = self.clock.call_later(self.rules.wrapup_seconds, done)

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
            seat = self.board.add(Seat(seat_id=seat_id, server=server, lines=frozenset({line})))
        return seat

    def _queue_changed(self) -> None:
        self.publish({"type": "queue"})

    def _publish_seat_note(self, seat: Seat) -> None:
        self.publish(
            {"type": "seat_note", "seat": seat.seat_id, "pause_after_call": seat.pause_after_call}
        )

    async def drain(self) -> None:
        """Wait for the Redirects in flight (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


def _endpoint_of(device: str) -> str:
    """``PJSIP/8001`` -> 8001."""
    return device.split("/", 1)[1] if "/" in device else device
