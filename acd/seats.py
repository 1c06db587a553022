"""Seats (softphone endpoints) and their states, with every state change kept as an interval.

States: offline (nobody signed in) · ready · reserved (a caller is being moved to
it) · ringing · talking · wrapup (after-call work) · paused (with a reason) ·
unreachable (softphone not registered). A seat is offered a call only when ready.
Each transition closes the seat's current ``SeatStateInterval`` and opens the next;
the intervals feed the reports (time in pause, wrap-up, idle).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from telephony.clock import Clock, Timer
from tickets.records import SeatStateInterval, SeatStateName

PAUSE_NO_ANSWER = "no answer"


class SeatError(ValueError):
    """A seat command that the seat's state does not allow."""


class NoSuchSeat(KeyError):
    pass


@dataclass
class Seat:
    seat_id: str
    server: str
    lines: frozenset[str]
    name: str = ""
    temporary: bool = False
    state: SeatStateName = "ready"
    state_since: datetime | None = None
    idle_since: datetime | None = None
    reason: str = ""
    call: tuple[str, str] | None = (
        None  # (server, call_id) it is reserved for, ringing or talking with
    )
    consecutive_misses: int = 0
    pause_after_call: str | None = None  # a pause asked for while busy takes effect after wrap-up
    answered_today: int = 0
    timer: Timer | None = field(default=None, repr=False)

    def serves(self, line: str) -> bool:
        return line in self.lines

    @property
    def available(self) -> bool:
        return self.state == "ready"


SeatListener = Callable[[Seat, SeatStateInterval | None, SeatStateInterval], None]


class SeatBoard:
    """All seats; the only place a seat's state changes."""

    def __init__(self, clock: Clock, on_change: SeatListener | None = None) -> None:
        self.clock = clock
        self.seats: dict[str, Seat] = {}
        self._intervals: dict[str, SeatStateInterval] = {}
        self._listeners: list[SeatListener] = [on_change] if on_change else []

    def subscribe(self, listener: SeatListener) -> None:
        self._listeners.append(listener)

    def add(self, seat: Seat, state: SeatStateName = "ready", reason: str = "") -> Seat:
        if seat.seat_id in self.seats:
            raise SeatError(f"seat {seat.seat_id} already exists")
        self.seats[seat.seat_id] = seat
        self.set_state(seat, state, reason)
        return seat

    def get(self, seat_id: str) -> Seat:
        try:
            return self.seats[seat_id]
        except KeyError:
            raise NoSuchSeat(seat_id) from None

    def find(self, seat_id: str) -> Seat | None:
        return self.seats.get(seat_id)

    def remove(self, seat_id: str) -> Seat:
        seat = self.get(seat_id)
        if seat.call is not None:
            raise SeatError(f"seat {seat_id} is on a call")
        self.set_state(seat, "offline", "closed")
        del self.seats[seat_id]
        return seat

    def all(self) -> Iterable[Seat]:
        return self.seats.values()

    def set_state(self, seat: Seat, state: SeatStateName, reason: str = "") -> None:
        now = self.clock.now()
        if seat.timer is not None:
            seat.timer.cancel()
            seat.timer = None
        previous = self._intervals.get(seat.seat_id)
        closed = None
        if previous is not None:
            closed = SeatStateInterval(
                seat=previous.seat,
                state=previous.state,
                started_at=previous.started_at,
                ended_at=now,
                reason=previous.reason,
            )
        opened = SeatStateInterval(seat=seat.seat_id, state=state, started_at=now, reason=reason)
        self._intervals[seat.seat_id] = opened
        if state == "ready" and seat.state != "ready":
            seat.idle_since = now
        seat.state, seat.state_since, seat.reason = state, now, reason
        for listener in self._listeners:
            listener(seat, closed, opened)

    def open_interval(self, seat_id: str) -> SeatStateInterval | None:
        return self._intervals.get(seat_id)
