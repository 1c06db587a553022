"""What people do to seats: sign in and out, pause, ready, wrap-up, temporary seats.

Agents act on their own seat; a supervisor may force any of it on any seat (the
API records who, in the audit log). A request that the seat's state does not
allow now is either queued for after the call (pause, sign-out, closing a
temporary seat) or refused with a ``SeatError`` that says why.
"""

from __future__ import annotations

from dataclasses import dataclass

from acd.router import Router
from acd.seats import PAUSE_NO_ANSWER, Seat, SeatBoard, SeatError

MAX_REASON = 40


@dataclass(frozen=True, slots=True)
class SeatSpec:
    """A seat to open at run time (临时座席) or from configuration."""

    seat_id: str
    server: str
    lines: frozenset[str]
    skills: frozenset[str] = frozenset()
    name: str = ""
    temporary: bool = False


class Desk:
    def __init__(self, board: SeatBoard, router: Router) -> None:
        self.board = board
        self.router = router

    # -- agents -----------------------------------------------------------------------

    def sign_in(self, seat_id: str, agent: str, name: str = "") -> Seat:
        seat = self.board.get(seat_id)
        elsewhere = self.board.seat_of_agent(agent)
        if elsewhere is not None and elsewhere is not seat:
            raise SeatError(f"agent {agent} is signed in at seat {elsewhere.seat_id}")
        if seat.agent is not None and seat.agent != agent:
            raise SeatError(f"seat {seat_id} is taken by agent {seat.agent}")
        if seat.agent == agent:
            return seat
        self.board.sign_in(seat, agent, name)
        if seat.state in ("offline", "paused"):
            self.board.set_state(seat, "ready")
        self.router.route()
        return seat

    def sign_out(self, seat_id: str, by: str = "agent") -> Seat:
        seat = self.board.get(seat_id)
        if seat.agent is None:
            raise SeatError(f"nobody is signed in at seat {seat_id}")
        if seat.busy or seat.state == "wrapup":
            seat.sign_out_after_call = by
            self.router.note(seat)
            return seat
        self.board.sign_out(seat, by)
        if seat.state != "unreachable":
            self.board.set_state(seat, "offline", "signed out")
        return seat

    # -- pause and ready --------------------------------------------------------------

    def pause(self, seat_id: str, reason: str) -> Seat:
        seat = self.board.get(seat_id)
        reason = reason.strip()
        allowed = (*self.router.rules.pause_reasons, PAUSE_NO_ANSWER)
        if reason not in allowed:
            raise ValueError(f"reason must be one of {list(self.router.rules.pause_reasons)}")
        if seat.agent is None:
            raise SeatError(f"nobody is signed in at seat {seat_id}")
        if seat.busy:
            seat.pause_after_call = reason
            self.router.note(seat)
        elif seat.state == "unreachable":
            raise SeatError(f"seat {seat_id}'s softphone is not reachable")
        else:
            self.board.set_state(seat, "paused", reason)
        return seat

    def make_ready(self, seat_id: str) -> Seat:
        seat = self.board.get(seat_id)
        seat.pause_after_call = None
        if seat.agent is None:
            raise SeatError(f"nobody is signed in at seat {seat_id}")
        if seat.state == "unreachable":
            raise SeatError(f"seat {seat_id}'s softphone is not reachable")
        if seat.state in ("paused", "wrapup", "offline"):
            seat.consecutive_misses = 0
            self.board.set_state(seat, "ready")
            self.router.route()
        return seat

    # -- wrap-up ----------------------------------------------------------------------

    def end_wrapup(self, seat_id: str) -> Seat:
        seat = self._in_wrapup(seat_id)
        self.router.wrapup.finish(seat)
        return seat

    def extend_wrapup(self, seat_id: str) -> Seat:
        seat = self._in_wrapup(seat_id)
        if seat.wrapup_extended:
            raise SeatError(f"seat {seat_id}'s wrap-up was extended once already")
        now = self.board.clock.now()
        left = (seat.wrapup_ends_at - now).total_seconds() if seat.wrapup_ends_at else 0.0
        self.router.wrapup.start(seat, max(0.0, left) + self.router.rules.wrapup_extension)
        seat.wrapup_extended = True
        return seat

    def _in_wrapup(self, seat_id: str) -> Seat:
        seat = self.board.get(seat_id)
        if seat.state != "wrapup":
            raise SeatError(f"seat {seat_id} is not in wrap-up")
        return seat

    # -- seats ------------------------------------------------------------------------

    def open_seat(self, spec: SeatSpec) -> Seat:
        seat = Seat(
            seat_id=spec.seat_id,
            server=spec.server,
            lines=spec.lines,
            skills=spec.skills,
            name=spec.name,
            temporary=spec.temporary,
        )
        return self.board.add(seat)

    def close_seat(self, seat_id: str) -> Seat:
        """Close a temporary seat now, or after its call."""
        seat = self.board.get(seat_id)
        if not seat.temporary:
            raise SeatError(f"seat {seat_id} is a permanent seat; only temporary seats close")
        if seat.busy or seat.state == "wrapup":
            seat.close_after_call = True
            self.router.note(seat)
            return seat
        return self.board.remove(seat_id)
