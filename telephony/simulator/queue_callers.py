"""Callers entering and leaving a queue: QueueCallerJoin, QueueCallerLeave, QueueCallerAbandon.

The queue's own device ``Queue:<name>`` rings while anybody waits in it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from telephony.simulator.channels import Channel
from telephony.simulator.queues import Queue, QueueCaller

if TYPE_CHECKING:
    from telephony.simulator.engine import Engine


def join(engine: Engine, queue: Queue, channel: Channel, timeout: int | None) -> QueueCaller:
    start = engine.clock.time()
    expire = int(start) + timeout if timeout else None
    entry = QueueCaller(channel, start, len(queue.callers) + 1, expire)
    queue.callers.append(entry)
    if len(queue.callers) == 1:
        engine.devstate.publish(queue.device, "RINGING")
    count = str(len(queue.callers))
    place = [("Queue", queue.name), ("Position", count), ("Count", count)]
    engine.channel_event("QueueCallerJoin", "agent", channel, place)
    return entry


def leave(engine: Engine, queue: Queue, entry: QueueCaller) -> None:
    if entry not in queue.callers:
        return
    position = str(queue.position(entry))
    queue.callers.remove(entry)
    if not queue.callers:
        engine.devstate.publish(queue.device, "NOT_INUSE")
    place = [("Queue", queue.name), ("Position", position), ("Count", str(len(queue.callers)))]
    engine.channel_event("QueueCallerLeave", "agent", entry.channel, place)
    engine.set_var(entry.channel, "QUEUEPOSITION", position)


def abandon(engine: Engine, queue: Queue, entry: QueueCaller) -> None:
    """record_abandoned, with the wait and dial times app_queue sets before it."""
    channel = entry.channel
    now = engine.clock.time()
    waited = int(now) - int(entry.start)
    lived = now - channel.created_at
    engine.set_var(channel, "QUEUEWAIT", str(waited))
    engine.set_var(channel, "QUEUEWAIT_MS", str(waited * 1000))  # whole seconds, in ms
    engine.set_var(channel, "DIALEDTIME", str(int(lived)))
    engine.set_var(channel, "DIALEDTIME_MS", str(round(lived * 1000)))
    engine.set_var(channel, "ANSWEREDTIME", "0")
    engine.set_var(channel, "ANSWEREDTIME_MS", "0")
    engine.set_var(channel, "ABANDONED", "TRUE")
    queue.abandoned += 1
    queue.abandoned_in_sl += waited <= queue.servicelevel
    position = str(queue.position(entry)) if entry in queue.callers else "0"
    engine.channel_event(
        "QueueCallerAbandon",
        "agent",
        channel,
        [
            ("Queue", queue.name),
            ("Position", position),
            ("OriginalPosition", str(entry.original_position)),
            ("HoldTime", str(waited)),
        ],
    )
