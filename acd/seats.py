"""Seats (softphone endpoints), the agents signed in to them, and every change as an interval.

States: offline (nobody signed in) · ready · reserved (a caller is being moved to
it) · ringing · talking · wrapup (after-call work) · paused (with a reason) ·
unreachable (softphone not registered). A seat is offered a call only when ready
with an agent signed in. Each transition closes the seat's current
``SeatStateInterval`` and opens the next; each sign-in opens an ``AgentSession``
and each sign-out closes it — the reports' source for idle, pause and wrap-up time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from telephony.clock import Clock, Timer
from tickets.records import AgentSession, SeatStateInterval, SeatStateName

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
    skills: frozenset[str] = frozenset()
    temporary: bool = False
    state: SeatStateName = "offline"
    state_since: datetime | None = None
    idle_since: datetime | None = None
    reason: str = ""
    agent: str | None = None
    agent_name: str = ""
    # (server, call_id) the seat is reserved for, ringing or talking with
    call: tuple[str, str] | None = None
    consecutive_misses: int = 0
    pause_after_call: str | None = None  # a pause asked for while busy starts after wrap-up
    sign_out_after_call: str | None = None  # who asked for a sign-out while the seat was busy
    close_after_call: bool = False  # a temporary seat closed while busy
    wrapup_ends_at: datetime | None = None
    wrapup_extended: bool = False
    answered_today: int = 0
    timer: Timer | None = field(default=None, repr=False)

    def serves(self, line: str) -> bool:
        return line in self.lines

    def has_skill(self, skill: str) -> bool:
        return not skill or skill in self.skills

    @property
    def available(self) -> bool:
        return self.state == "ready" and self.agent is not None

    @property
    def busy(self) -> bool:
        return self.state in ("reserved", "ringing", "talking")


SeatListener = Callable[[Seat, SeatStateInterval | None, SeatStateInterval], None]
SessionListener = Callable[[Seat, AgentSession], None]


class SeatBoard:
    """All seats; the only place a seat's state or agent changes."""

    def __init__(self, clock: Clock, on_change: SeatListener | None = None) -> None:
        self.clock = clock
        self.seats: dict[str, Seat] = {}
        self._intervals: dict[str, SeatStateInterval] = {}
        self._sessions: dict[str, AgentSession] = {}
        self._listeners: list[SeatListener] = [on_change] if on_change else []
        self._session_listeners: list[SessionListener] = []

    def subscribe(self, listener: SeatListener) -> None:
        self._listeners.append(listener)

    def subscribe_sessions(self, listener: SessionListener) -> None:
        self._session_listeners.append(listener)

    def add(self, seat: Seat, state: SeatStateName | None = None, reason: str = "") -> Seat:
        if seat.seat_id in self.seats:
            raise SeatError(f"seat {seat.seat_id} already exists")
        self.seats[seat.seat_id] = seat
        self.set_state(seat, state or ("ready" if seat.agent else "offline"), reason)
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
        if seat.agent is not None:
            self.sign_out(seat, "closed")
        self.set_state(seat, "offline", "closed")
        del self.seats[seat_id]
        self._intervals.pop(seat_id, None)
        return seat

    def all(self) -> Iterable[Seat]:
        return self.seats.values()

    def seat_of_agent(self, agent: str) -> Seat | None:
        return next((seat for seat in self.seats.values() if seat.agent == agent), None)

    def sign_in(self, seat: Seat, agent: str, name: str = "") -> AgentSession:
        session = AgentSession(agent=agent, seat=seat.seat_id, started_at=self.clock.now())
        seat.agent, seat.agent_name = agent, name
        self._sessions[seat.seat_id] = session
        self._tell_session(seat, session)
        return session

    def sign_out(self, seat: Seat, by: str) -> AgentSession | None:
        session = self._sessions.pop(seat.seat_id, None)
        seat.agent, seat.agent_name = None, ""
        if session is None:
            return None
        closed = replace(session, ended_at=self.clock.now(), ended_by=by)
        self._tell_session(seat, closed)
        return closed

    def session_of(self, seat_id: str) -> AgentSession | None:
        return self._sessions.get(seat_id)

    def _tell_session(self, seat: Seat, session: AgentSession) -> None:
        for listener in self._session_listeners:
            listener(seat, session)

    def set_state(self, seat: Seat, state: SeatStateName, reason: str = "") -> None:
        now = self.clock.now()
        if seat.timer is not None:
            seat.timer.cancel()
            seat.timer = None
        previous = self._intervals.get(seat.seat_id)
        closed = replace(previous, ended_at=now) if previous is not None else None
        opened = SeatStateInterval(
            seat=seat.seat_id, state=state, started_at=now, reason=reason, agent=seat.agent
        )
        self._intervals[seat.seat_id] = opened
        if state == "ready" and seat.state != "ready":
            seat.idle_since = now
        if state != "wrapup":
            seat.wrapup_ends_at, seat.wrapup_extended = None, False
        seat.state, seat.state_since, seat.reason = state, now, reason
        for listener in self._listeners:
            listener(seat, closed, opened)

    def open_interval(self, seat_id: str) -> SeatStateInterval | None:
        return self._intervals.get(seat_id)
