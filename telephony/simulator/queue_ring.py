"""One round of ringing queue members (app_queue's try_calling up to the answer).

``ring_round`` scores the members (``strategies``), rings the best one (ringall:
every member sharing the best score) and waits for an answer, a refusal (the
next member is rung), the member timeout (AgentRingNoAnswer, DialEnd NOANSWER)
or the caller leaving (DialEnd CANCEL, twice, as app_queue publishes it). The
member's channel is set up as app_queue does: AppQueue, a caller id taken from
the caller's connected line, DIALEDPEERNUMBER, then the call; its new exten
and connected line are published only when it rings.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from telephony.simulator import legs
from telephony.simulator.channels import RINGING, Channel, Headers
from telephony.simulator.dial import CAUSE_STATUS, REFUSALS, dial_event
from telephony.simulator.queue_members import set_paused
from telephony.simulator.queues import MEMBER_STATUS, NOT_INUSE, UNKNOWN, Member, Queue, QueueCaller
from telephony.simulator.strategies import Attempt, find_best, remember_next, round_of

if TYPE_CHECKING:
    from telephony.simulator.engine import Engine

RING_NEXT_MIN = 0.5  # after a refusal the next member is rung only with this much time left
AUTOPAUSE_REASON = "Auto-Pause"
CALLING_PRES = ("CID-CallingPres", "0 (Presentation Allowed, Not Screened)")
UNPUBLISHED = ("Exten", "ConnectedLineNum", "ConnectedLineName")


class Ended(enum.Enum):
    ANSWERED = "answered"
    NOBODY = "nobody"  # nobody could be rung, or nobody answered in time
    CALLER_LEFT = "caller left"  # hung up or redirected while members rang


@dataclass
class RoundResult:
    ended: Ended
    answered: Attempt | None = None
    attempts: list[Attempt] = field(default_factory=list)


def member_event(
    engine: Engine, event: str, caller: Channel, attempt: Attempt, extra: Headers
) -> None:
    """AgentCalled / AgentConnect / AgentComplete / AgentRingNoAnswer: a fresh snapshot of both."""
    peer = attempt.channel
    member = attempt.member
    dest = peer.headers("Dest", live=True) if peer is not None else []
    engine.bus.emit(
        event,
        "agent",
        [
            *caller.headers(live=True),
            *dest,
            ("Queue", member.queue),
            ("Interface", member.interface),
            ("MemberName", member.name),
            *extra,
        ],
    )


async def ring_round(engine: Engine, queue: Queue, entry: QueueCaller) -> RoundResult:
    now = int(engine.clock.time())
    attempts = round_of(queue, entry, now, engine.queues.rng)
    timeout = ring_timeout(queue, entry, now)
    ring_one(engine, queue, entry, attempts)
    remember_next(queue, entry, attempts)
    if not any(a.channel is not None for a in attempts):
        return RoundResult(Ended.NOBODY, attempts=attempts)
    entry.pending = True
    try:
        return await _wait_for_answer(
            _Round(engine, queue, entry, attempts, timeout, engine.clock.monotonic())
        )
    finally:
        entry.pending = False


def ring_timeout(queue: Queue, entry: QueueCaller, now: int) -> float | None:
    """Seconds the members may ring: the member timeout, or what is left of Queue()'s."""
    if entry.expire is not None:
        left = int(entry.expire) - now
        if not queue.timeout or (queue.timeoutpriority == "app" and left <= queue.timeout):
            return float(max(0, left))
    return float(queue.timeout) if queue.timeout else None


def ring_one(engine: Engine, queue: Queue, entry: QueueCaller, attempts: list[Attempt]) -> bool:
    """Ring the best member that can be rung (ringall: all who share its score)."""
    while (best := find_best(attempts)) is not None:
        if queue.strategy == "ringall":
            level = [a for a in attempts if a.still_going and a.channel is None]
            rung = False
            for attempt in level:
                if attempt.metric <= best.metric:
                    rung = ring_entry(engine, queue, entry, attempt) or rung
            if rung:
                return True
        elif ring_entry(engine, queue, entry, best):
            return True
    return False


def can_ring(engine: Engine, queue: Queue, member: Member) -> bool:
    """can_ring_entry: paused, busy, in wrap-up or already being rung by another caller."""
    now = int(engine.clock.time())
    if member.paused or queue.in_wrapup(member, now):
        return False
    if member.ringinuse:
        return True
    if member.status not in (NOT_INUSE, UNKNOWN) or member.pending:
        return False
    # the device-state callback may not have run yet: ask the device itself
    state = MEMBER_STATUS.get(engine.devstate.state_of(member.device), UNKNOWN)
    return state in (NOT_INUSE, UNKNOWN)


def ring_entry(engine: Engine, queue: Queue, entry: QueueCaller, attempt: Attempt) -> bool:
    member, caller = attempt.member, entry.channel
    target = legs.parse_target(member.interface)
    peer = None
    if target is not None and can_ring(engine, queue, member):
        peer = legs.request(engine, target, caller.linkedid)
    if target is None or peer is None:
        attempt.still_going = False
        return False
    member.pending = True
    attempt.channel, attempt.dialstring = peer, target.dialstring
    attempt.rung_at = engine.clock.time()
    peer.dialer = caller
    peer.waker = caller.waker  # the caller's thread reads the member's channel
    _prepare(engine, caller, peer, target.dialstring)
    legs.call(engine, peer, target.optimize)
    member_event(engine, "AgentCalled", caller, attempt, [])
    dial_event(engine, "DialBegin", caller, peer, [("DialString", member.interface)])
    return True


def _prepare(engine: Engine, caller: Channel, peer: Channel, dialstring: str) -> None:
    if caller.connected_num:
        peer.caller_num, peer.caller_name = caller.connected_num, caller.connected_name
    else:  # no connected line: the number the caller dialled
        peer.caller_num, peer.caller_name = caller.dialed or caller.exten, ""
    engine.newexten(peer, "AppQueue", "(Outgoing Line)")
    engine.channel_event("NewCallerid", "call", peer, [CALLING_PRES])
    engine.set_var(peer, "DIALEDPEERNUMBER", dialstring)
    published = dict(peer.headers())
    peer.shown = {name: published[name] for name in UNPUBLISHED}
    peer.connected_num, peer.connected_name = caller.caller_num, caller.caller_name
    peer.exten = caller.exten


@dataclass
class _Round:
    engine: Engine
    queue: Queue
    entry: QueueCaller
    attempts: list[Attempt]
    timeout: float | None
    started: float

    def left(self) -> float | None:
        if self.timeout is None:
            return None
        return self.started + self.timeout - self.engine.clock.monotonic()


async def _wait_for_answer(ring: _Round) -> RoundResult:
    engine, attempts, caller = ring.engine, ring.attempts, ring.entry.channel
    while True:
        for attempt in _ringing(attempts):
            if _read_controls(ring, attempt):
                cancel(engine, caller, attempts, keep=attempt)
                return RoundResult(Ended.ANSWERED, attempt, attempts)
        if caller.hung_up or caller.async_goto is not None:
            _caller_left(engine, caller, attempts)
            return RoundResult(Ended.CALLER_LEFT, attempts=attempts)
        if not _ringing(attempts):
            return RoundResult(Ended.NOBODY, attempts=attempts)
        left = ring.left()
        if left is not None and left <= 1e-6:
            _no_answer(ring)
            return RoundResult(Ended.NOBODY, attempts=attempts)
        await caller.waker.sleep(left)


def _ringing(attempts: list[Attempt]) -> list[Attempt]:
    return [a for a in attempts if a.channel is not None and a.still_going]


def _read_controls(ring: _Round, attempt: Attempt) -> bool:
    """Act on what a member's channel said; True when it answered."""
    peer = attempt.channel
    assert peer is not None
    controls, peer.controls = peer.controls, []
    for control in controls:
        if control == "ringing" and not attempt.ringing_seen:
            _member_rings(ring.engine, ring.entry.channel, attempt)
        elif control == "answer":
            return True
        elif control in REFUSALS:
            _refused(ring, attempt, *REFUSALS[control])
            return False
    if peer.hung_up:
        _refused(ring, attempt, CAUSE_STATUS.get(peer.hangupcause, "CHANUNAVAIL"), peer.hangupcause)
    return False


def _member_rings(engine: Engine, caller: Channel, attempt: Attempt) -> None:
    peer = attempt.channel
    assert peer is not None
    attempt.ringing_seen = True
    peer.shown = {}
    engine.set_state(peer, RINGING)
    engine.newexten(peer, "AppQueue", "(Outgoing Line)")
    engine.channel_event("NewConnectedLine", "call", peer)
    if (caller.connected_num, caller.connected_name) != (peer.caller_num, peer.caller_name):
        engine.set_connected(caller, peer.caller_num, peer.caller_name)
    dial_event(engine, "DialState", caller, peer, [("DialStatus", "RINGING")])


def _refused(ring: _Round, attempt: Attempt, status: str, cause: int) -> None:
    """Busy, congested, unavailable: DialEnd, AgentRingNoAnswer, and the next member."""
    engine, caller, peer = ring.engine, ring.entry.channel, attempt.channel
    assert peer is not None
    dial_event(engine, "DialEnd", caller, peer, [("DialStatus", status)])
    rang = int(engine.clock.time()) - int(attempt.rung_at)
    member_event(engine, "AgentRingNoAnswer", caller, attempt, [("RingTime", str(rang * 1000))])
    hang_up(engine, attempt, cause)
    left = ring.left()
    if left is not None and left <= RING_NEXT_MIN:
        return
    # ringall moves on to the next penalty level once every member of this one is done
    if ring.queue.strategy != "ringall" or not _ringing(ring.attempts):
        ring_one(engine, ring.queue, ring.entry, ring.attempts)


def _no_answer(ring: _Round) -> None:
    """The member timeout: AgentRingNoAnswer (and autopause), DialEnd NOANSWER, then CANCEL."""
    engine, queue, caller = ring.engine, ring.queue, ring.entry.channel
    ringing = _ringing(ring.attempts)
    ring_ms = [("RingTime", str(round((ring.timeout or 0.0) * 1000)))]
    for attempt in ringing:
        member_event(engine, "AgentRingNoAnswer", caller, attempt, ring_ms)
        if queue.autopause != "no":
            where = None if queue.autopause == "all" else queue.name
            set_paused(engine, where, attempt.member.interface, True, AUTOPAUSE_REASON)
    for attempt in ringing:
        assert attempt.channel is not None
        dial_event(engine, "DialEnd", caller, attempt.channel, [("DialStatus", "NOANSWER")])
    cancel(engine, caller, ring.attempts)


def _caller_left(engine: Engine, caller: Channel, attempts: list[Attempt]) -> None:
    from telephony.simulator.apps import stop_moh

    stop_moh(engine, caller)
    for attempt in _ringing(attempts):
        assert attempt.channel is not None
        dial_event(engine, "DialEnd", caller, attempt.channel, [("DialStatus", "CANCEL")])
    cancel(engine, caller, attempts)


def cancel(
    engine: Engine, caller: Channel, attempts: list[Attempt], keep: Attempt | None = None
) -> None:
    """hangupcalls: DialEnd CANCEL and hang up every member channel but ``keep``."""
    for attempt in _ringing(attempts):
        if attempt is keep:
            continue
        assert attempt.channel is not None
        dial_event(engine, "DialEnd", caller, attempt.channel, [("DialStatus", "CANCEL")])
        hang_up(engine, attempt, 0)  # the member's leg ends without a cause


def hang_up(engine: Engine, attempt: Attempt, cause: int) -> None:
    peer = attempt.channel
    attempt.still_going = False
    attempt.member.pending = False
    if peer is not None and not peer.gone:
        if not peer.hangup_queued:
            peer.hangupcause = cause
        engine.destroy(peer)
