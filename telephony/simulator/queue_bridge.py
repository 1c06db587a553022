"""A queue caller connected to the member who answered: AgentConnect, the bridge, AgentComplete.

On the answer the caller leaves the queue (QueueCallerLeave, QUEUEWAIT) and the
member's call starts (InCall); the two are bridged until one hangs up.
AgentComplete says who did (Reason caller or agent). Without option ``c`` the
caller hangs up with the member; with it the dialplan goes on (QUEUESTATUS
CONTINUE).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from telephony.simulator.apps import answer_channel, stop_moh
from telephony.simulator.bridge import Bridge, announce_peers, create_bridge, enter_bridge
from telephony.simulator.channels import UP, Channel
from telephony.simulator.dial import dial_event, tear_down
from telephony.simulator.pbx import Outcome
from telephony.simulator.queue_callers import leave
from telephony.simulator.queue_ring import member_event
from telephony.simulator.queues import Queue, QueueCaller
from telephony.simulator.strategies import Attempt

if TYPE_CHECKING:
    from telephony.simulator.engine import Engine


async def connect(
    engine: Engine, queue: Queue, entry: QueueCaller, attempt: Attempt, go_on: bool
) -> Outcome:
    caller, peer = entry.channel, attempt.channel
    assert peer is not None
    held = _answered(engine, queue, entry, attempt, peer)
    bridge = _bridged(engine, caller, peer)
    # app_queue marks the member in a call only now: the device state of its answer
    # (a PJSIP member going INUSE) reaches the queue first, with InCall 0
    await asyncio.sleep(0)
    attempt.member.started = attempt.connected_at
    while not (caller.hung_up or caller.async_goto or peer.hung_up or peer.gone or peer.detached):
        await caller.waker.sleep(None)
    caller_left = caller.hung_up or caller.async_goto is not None
    talked = int(engine.clock.time()) - int(attempt.connected_at)
    member_event(
        engine,
        "AgentComplete",
        caller,
        attempt,
        [
            ("HoldTime", str(held)),
            ("TalkTime", str(talked)),
            ("Reason", "caller" if caller_left else "agent"),
        ],
    )
    tear_down(engine, caller, peer, bridge, caller_left, dial_status=False)
    if caller_left:
        return Outcome.NEXT
    if go_on:
        engine.set_var(caller, "QUEUESTATUS", "CONTINUE")
        return Outcome.NEXT
    # Queue() returns -1: the caller's thread hangs it up (SoftHangupRequest, then Hangup)
    engine.soft_hangup(caller, caller.hangupcause or peer.hangupcause or 16)
    return Outcome.HANGUP


def _bridged(engine: Engine, caller: Channel, peer: Channel) -> Bridge:
    bridge = create_bridge(engine)
    enter_bridge(engine, bridge, peer)
    enter_bridge(engine, bridge, caller)
    announce_peers(engine, bridge, [peer, caller])
    for channel in (caller, peer):
        if channel.phone is not None:
            channel.phone.bridged(engine, channel)
    return bridge


def _answered(
    engine: Engine, queue: Queue, entry: QueueCaller, attempt: Attempt, peer: Channel
) -> int:
    """DialEnd ANSWER, the caller leaves the queue, AgentConnect; returns the hold time."""
    caller, member = entry.channel, attempt.member
    engine.set_state(peer, UP)
    dial_event(engine, "DialEnd", caller, peer, [("DialStatus", "ANSWER")])
    stop_moh(engine, caller)
    if caller.state != UP:
        answer_channel(engine, caller)
    now = int(engine.clock.time())
    held = now - int(entry.start)
    queue.record_holdtime(held)
    leave(engine, queue, entry)
    engine.set_var(caller, "QUEUEWAIT", str(held))
    engine.set_var(caller, "QUEUEWAIT_MS", str(held * 1000))  # whole seconds, in ms
    member.completed_in_sl = held <= queue.servicelevel
    attempt.connected_at = now
    rang = now - int(attempt.rung_at)
    member_event(
        engine, "AgentConnect", caller, attempt, [("HoldTime", str(held)), ("RingTime", str(rang))]
    )
    return held
