"""Wrap-up (话后处理): the after-call time of a seat, and what was asked for during the call.

A seat enters wrap-up when its call ends, for the configured time; the agent may
end it early or extend it once (``acd.desk``). When it is over, a sign-out, a
pause or the closing of a temporary seat asked for during the call happens;
otherwise the seat is ready and the router offers it the next caller.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from acd.ports import Publish
from acd.seats import Seat, SeatBoard
from acd.views import seat_view
from telephony.clock import Clock


class WrapUp:
    def __init__(
        self, board: SeatBoard, clock: Clock, route: Callable[[], None], publish: Publish
    ) -> None:
        self.board = board
        self.clock = clock
        self.route = route
        self.publish = publish

    def start(self, seat: Seat, seconds: float) -> None:
        """Wrap-up from now for ``seconds`` (again, when extended). The end is set before
        the state, so the seat event of the change carries it (the pages count down to it)."""
        seat.wrapup_ends_at = self.clock.now() + timedelta(seconds=seconds)
        if seat.state != "wrapup":
            self.board.set_state(seat, "wrapup")
        else:  # extended: no change of state, but the pages must see the new end
            self.publish({"type": "seat", "seat": seat_view(seat)})
        if seat.timer is not None:
            seat.timer.cancel()

        def done() -> None:
            seat.timer = None
            if seat.state == "wrapup":
                self.finish(seat)

        seat.timer = self.clock.call_later(seconds, done)

    def finish(self, seat: Seat) -> None:
        """Wrap-up is over: what was asked for during the call happens now."""
        if seat.close_after_call:
            self.board.remove(seat.seat_id)
            self.publish({"type": "seat_closed", "seat": seat.seat_id})
        elif seat.sign_out_after_call:
            by, seat.sign_out_after_call = seat.sign_out_after_call, None
            self.board.sign_out(seat, by)
            self.board.set_state(seat, "offline", "signed out")
        elif seat.pause_after_call:
            reason, seat.pause_after_call = seat.pause_after_call, None
            self.board.set_state(seat, "paused", reason)
        else:
            self.board.set_state(seat, "ready")
            self.route()
