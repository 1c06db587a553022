"""The routing decision as a pure function: waiting callers × free seats -> offers.

Callers: highest priority first, then longest waiting. Seats: only a ready seat
on the caller's Asterisk that serves the caller's line is eligible; among those,
longest idle first, and a seat that already missed this caller only when no
other is free.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from acd.seats import Seat


@dataclass
class WaitingCaller:
    server: str
    call_id: str
    channel: str
    line: str
    caller_number: str
    queued_at: datetime
    caller_name: str = ""
    priority: int = 0
    offered_to: str | None = None  # the seat it is reserved for or ringing
    on_hold: bool = True  # False while the dialplan takes it back to hold after a failed offer
    missed_by: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str, str]:
        return (self.server, self.call_id)


def caller_order(caller: WaitingCaller) -> tuple[int, datetime, str]:
    return (-caller.priority, caller.queued_at, caller.call_id)


_NEVER = datetime(1970, 1, 1, tzinfo=UTC)


def _seat_order(caller: WaitingCaller, seat: Seat) -> tuple[bool, datetime, str]:
    idle = seat.idle_since or seat.state_since or _NEVER
    return (seat.seat_id in caller.missed_by, idle, seat.seat_id)


def pick_offers(
    callers: Iterable[WaitingCaller],
    seats: Iterable[Seat],
    routable_servers: frozenset[str] | set[str],
) -> list[tuple[WaitingCaller, Seat]]:
    """Which caller goes to which seat now. Pure: changes nothing."""
    free = [seat for seat in seats if seat.available and seat.server in routable_servers]
    if not free:
        return []
    offers: list[tuple[WaitingCaller, Seat]] = []
    waiting = sorted(
        (c for c in callers if c.on_hold and c.offered_to is None and c.server in routable_servers),
        key=caller_order,
    )
    for caller in waiting:
        eligible = [s for s in free if s.server == caller.server and s.serves(caller.line)]
        if not eligible:
            continue
        seat = min(eligible, key=lambda s: _seat_order(caller, s))
        free.remove(seat)
        offers.append((caller, seat))
        if not free:
            break
    return offers
