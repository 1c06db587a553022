"""Which member a queue rings next: app_queue's metrics, one per strategy, lowest first.

Every round of ringing scores each member (calc_metric); the lowest score that
can still be rung goes first (ringall: every member sharing it). A member's
penalty adds a million. rrmemory/rrordered remember where the last round
stopped (the queue's ``rrpos``), linear does so per caller. Ties go to the
member app_queue meets first in its list of attempts, which it builds back to
front: the member listed last.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from telephony.simulator.channels import Channel
from telephony.simulator.queues import Member, Queue, QueueCaller

PENALTY_WEIGHT = 1_000_000
WRAP = 1000  # rrmemory/linear: members before the remembered position score 1000 + position


@dataclass(eq=False)
class Attempt:
    """One member in one round of ringing (app_queue's callattempt)."""

    member: Member
    metric: int
    still_going: bool = True  # may still be rung (or is ringing) in this round
    channel: Channel | None = None  # the member's channel once rung
    dialstring: str = ""
    rung_at: float = 0.0  # clock time (epoch seconds) of the ring
    connected_at: int = 0  # time(NULL) of the answer
    ringing_seen: bool = False


def round_of(queue: Queue, caller: QueueCaller, now: int, rng: random.Random) -> list[Attempt]:
    """The attempts of one round, in app_queue's order (the last member first)."""
    attempts = [
        Attempt(member, _metric(queue, caller, member, index, now, rng))
        for index, member in enumerate(queue.members)
    ]
    return list(reversed(attempts))


def _metric(
    queue: Queue, caller: QueueCaller, member: Member, index: int, now: int, rng: random.Random
) -> int:
    penalty = member.penalty * PENALTY_WEIGHT
    strategy = queue.strategy
    if strategy == "ringall":
        return penalty
    if strategy == "linear":
        if index < caller.linpos:
            return WRAP + index + penalty
        caller.linwrapped = caller.linwrapped or index > caller.linpos
        return index + penalty
    if strategy in ("rrmemory", "rrordered"):
        if member.position < queue.rrpos:
            return WRAP + member.position + penalty
        queue.wrapped = queue.wrapped or member.position > queue.rrpos
        return member.position + penalty
    if strategy == "random":
        return rng.randrange(1000) + penalty
    if strategy == "wrandom":
        return rng.randrange((1 + member.penalty) * 1000)
    if strategy == "fewestcalls":
        return member.calls_taken + penalty
    # leastrecent: the member idle longest scores lowest
    return (PENALTY_WEIGHT - (now - member.last_call) if member.last_call else 0) + penalty


def find_best(attempts: list[Attempt]) -> Attempt | None:
    best: Attempt | None = None
    for attempt in attempts:
        waiting = attempt.still_going and attempt.channel is None
        if waiting and (best is None or attempt.metric < best.metric):
            best = attempt
    return best


def remember_next(queue: Queue, caller: QueueCaller, attempts: list[Attempt]) -> None:
    """After ringing: rrmemory/rrordered (store_next_rr) and linear (store_next_lin)."""
    if queue.strategy in ("rrmemory", "rrordered"):
        best = find_best(attempts)
        if best is not None:
            queue.rrpos = best.metric % WRAP
        else:
            queue.rrpos = 0 if queue.wrapped else queue.rrpos + 1
        queue.wrapped = False
    elif queue.strategy == "linear":
        best = find_best(attempts)
        if best is not None:
            caller.linpos = best.metric % WRAP
        else:
            caller.linpos = 0 if caller.linwrapped else caller.linpos + 1
        caller.linwrapped = False
