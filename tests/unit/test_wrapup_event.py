"""The seat event that starts wrap-up carries its end, so the agent's desk and the
wallboard count down to it from that event on."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from acd.seats import Seat, SeatBoard
from acd.views import seat_view
from acd.wrapup import WrapUp
from telephony.clock import FakeClock
from tickets.records import SeatStateInterval


async def test_the_event_of_entering_wrapup_carries_the_end_of_it() -> None:
    clock = FakeClock()
    seen: list[dict[str, Any]] = []

    def changed(seat: Seat, closed: SeatStateInterval | None, opened: SeatStateInterval) -> None:
        seen.append(seat_view(seat))

    board = SeatBoard(clock, changed)
    published: list[dict[str, Any]] = []
    wrapup = WrapUp(board, clock, lambda: None, published.append)
    seat = board.add(Seat("8001", "pbx1", frozenset({"12345"}), agent="1001"), "talking")
    started = clock.now()

    wrapup.start(seat, 30.0)

    event = seen[-1]
    assert event["state"] == "wrapup"
    ends = datetime.fromisoformat(event["wrapup_ends_at"])
    assert (ends - started).total_seconds() == 30.0
    await clock.advance(30.0)
    assert (seen[-1]["state"], seen[-1]["wrapup_ends_at"]) == ("ready", None)


async def test_extending_wrapup_publishes_the_new_end() -> None:
    clock = FakeClock()
    board = SeatBoard(clock, lambda seat, closed, opened: None)
    published: list[dict[str, Any]] = []
    wrapup = WrapUp(board, clock, lambda: None, published.append)
    seat = board.add(Seat("8001", "pbx1", frozenset({"12345"}), agent="1001"), "talking")
    wrapup.start(seat, 30.0)
    await clock.advance(10.0)

    wrapup.start(seat, 20.0 + 60.0)  # what the desk does for an extension of 60 s

    (event,) = [e for e in published if e["type"] == "seat"]
    ends = datetime.fromisoformat(event["seat"]["wrapup_ends_at"])
    assert (ends - clock.now()).total_seconds() == 80.0
