"""Dynamic queue members: adding, removing and pausing them (app_queue's add_to_queue,
remove_from_queue, set_member_paused), with the events and device states Asterisk sends.

Each member has a ``Queue:<queue>_pause_<interface>`` device (INUSE while
paused). Adding an available member or unpausing one sets
``Queue:<queue>_avail`` to NOT_INUSE; pausing leaves it as it was, as
app_queue does.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from telephony.simulator.queues import (
    MEMBER_STATUS,
    QUEUE_PAUSED_DEVSTATE,
    QUEUE_UNPAUSED_DEVSTATE,
    UNKNOWN,
    Member,
    Queue,
)

if TYPE_CHECKING:
    from telephony.simulator.engine import Engine


class Change(enum.Enum):
    """app_queue's RES_* results of a member change."""

    OKAY = "okay"
    EXISTS = "exists"  # adding: already there; removing: not there
    NO_SUCH_QUEUE = "no such queue"
    NOT_DYNAMIC = "not dynamic"  # a member of queues.conf cannot be removed


def add_member(
    engine: Engine,
    queue_name: str,
    interface: str,
    *,
    name: str = "",
    penalty: int = 0,
    paused: bool = False,
    state_interface: str = "",
    wrapuptime: int = 0,
) -> Change:
    queue = engine.queues.get(queue_name)
    if queue is None:
        return Change.NO_SUCH_QUEUE
    if queue.member(interface) is not None:
        return Change.EXISTS
    now = int(engine.clock.time())
    member = Member(
        queue.name,
        name or interface,
        interface,
        state_interface or interface,
        now,
        penalty=penalty,
        membership="dynamic",
        paused=paused,
        wrapuptime=wrapuptime,
        ringinuse=queue.ringinuse,
        position=len(queue.members),
    )
    member.status = MEMBER_STATUS.get(engine.devstate.state_of(member.device), UNKNOWN)
    queue.members.append(member)
    pause_state = QUEUE_PAUSED_DEVSTATE if paused else QUEUE_UNPAUSED_DEVSTATE
    engine.devstate.publish(member.pause_device, pause_state)
    engine.bus.emit("QueueMemberAdded", "agent", member.event_headers())
    _announce_available(engine, queue, member)
    return Change.OKAY


def remove_member(engine: Engine, queue_name: str, interface: str) -> Change:
    queue = engine.queues.get(queue_name)
    if queue is None:
        return Change.NO_SUCH_QUEUE
    member = queue.member(interface)
    if member is None:
        return Change.EXISTS
    if member.membership != "dynamic":
        return Change.NOT_DYNAMIC
    engine.bus.emit("QueueMemberRemoved", "agent", member.event_headers())
    member.pending = False
    engine.devstate.publish(member.pause_device, QUEUE_UNPAUSED_DEVSTATE)
    queue.members.remove(member)
    if queue.rrpos > member.position:
        queue.rrpos -= 1
    for position, each in enumerate(queue.members):
        each.position = position
    return Change.OKAY


def set_paused(
    engine: Engine, queue_name: str | None, interface: str, paused: bool, reason: str = ""
) -> bool:
    """Pause or unpause ``interface`` in one queue (None: in every queue); False if not found."""
    found = False
    for queue in engine.queues.queues.values():
        member = queue.member(interface)
        if member is None or (queue_name and queue.name != queue_name):
            continue
        found = True
        _pause(engine, queue, member, paused, reason)
    return found


def _pause(engine: Engine, queue: Queue, member: Member, paused: bool, reason: str) -> None:
    if paused and not member.paused:
        member.last_pause = int(engine.clock.time())
    member.paused = paused
    member.paused_reason = reason if paused else ""
    state = QUEUE_PAUSED_DEVSTATE if paused else QUEUE_UNPAUSED_DEVSTATE
    engine.devstate.publish(member.pause_device, state)
    if not paused:
        _announce_available(engine, queue, member)
    engine.bus.emit("QueueMemberPause", "agent", member.event_headers())


def _announce_available(engine: Engine, queue: Queue, member: Member) -> None:
    if queue.is_available(member, int(engine.clock.time())):
        engine.devstate.publish(queue.avail_device, "NOT_INUSE")
