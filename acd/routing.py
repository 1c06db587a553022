"""The routing decision as a pure function: waiting callers × free seats -> offers.

Callers: highest priority first, then longest waiting. A seat is eligible for a
caller when it is ready with an agent signed in, on the caller's Asterisk, serves
the caller's line and has the skill the caller asked for (after
``skill_fallback_after`` seconds any seat of the line will do). A caller with an
open work order waits up to ``first_contact_window`` for the agent who accepted
it (首接负责制), then goes to everyone. Among eligible seats: longest idle first,
and a seat that already missed this caller only when no other is free.
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
    skill: str = ""
    emergency: bool = False
    repeat: bool = False  # called within the last day
    priority: int = 0
    preferred_agent: str | None = None  # 首接负责制: the agent of the caller's open work order
    preferred_until: datetime | None = None
    kept_place: bool = False  # hung up to be called back in turn; no channel to move
    task: str = ""  # a callback dialled by hand: its task ("" = the call's own task)
    order: str = ""  # the work order a callback (回访) is about
    offered_to: str | None = None  # the seat it is reserved for or ringing
    on_hold: bool = True  # False while the dialplan takes it back to hold after a failed offer
    missed_by: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str, str]:
        return (self.server, self.call_id)


@dataclass(frozen=True, slots=True)
class Eligibility:
    now: datetime
    routable_servers: frozenset[str]
    skill_fallback_after: float | None = 60.0


def caller_order(caller: WaitingCaller) -> tuple[int, datetime, str]:
    return (-caller.priority, caller.queued_at, caller.call_id)


_NEVER = datetime(1970, 1, 1, tzinfo=UTC)


def _seat_order(caller: WaitingCaller, seat: Seat) -> tuple[bool, datetime, str]:
    idle = seat.idle_since or seat.state_since or _NEVER
    return (seat.seat_id in caller.missed_by, idle, seat.seat_id)


def _skill_required(caller: WaitingCaller, rules: Eligibility) -> str:
    if not caller.skill or rules.skill_fallback_after is None:
        return caller.skill
    waited = (rules.now - caller.queued_at).total_seconds()
    return "" if waited >= rules.skill_fallback_after else caller.skill


def _first_contact_only(caller: WaitingCaller, now: datetime) -> str | None:
    if caller.preferred_agent and caller.preferred_until and now < caller.preferred_until:
        return caller.preferred_agent
    return None


def eligible_seats(caller: WaitingCaller, seats: Iterable[Seat], rules: Eligibility) -> list[Seat]:
    skill = _skill_required(caller, rules)
    agent = _first_contact_only(caller, rules.now)
    return [
        seat
        for seat in seats
        if seat.server == caller.server
        and seat.serves(caller.line)
        and seat.has_skill(skill)
        and (agent is None or seat.agent == agent)
    ]


def pick_offers(
    callers: Iterable[WaitingCaller], seats: Iterable[Seat], rules: Eligibility
) -> list[tuple[WaitingCaller, Seat]]:
    """Which caller goes to which seat now. Pure: changes nothing."""
    free = [seat for seat in seats if seat.available and seat.server in rules.routable_servers]
    if not free:
        return []
    offers: list[tuple[WaitingCaller, Seat]] = []
    waiting = sorted(
        (
            c
            for c in callers
            if c.on_hold and c.offered_to is None and c.server in rules.routable_servers
        ),
        key=caller_order,
    )
    for caller in waiting:
        eligible = eligible_seats(caller, free, rules)
        if not eligible:
            continue
        seat = min(eligible, key=lambda s, c=caller: _seat_order(c, s))  # type: ignore[misc]
        free.remove(seat)
        offers.append((caller, seat))
        if not free:
            break
    return offers
