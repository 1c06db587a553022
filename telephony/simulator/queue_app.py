"""Queue(queuename,options,URL,announceoverride,timeout): a caller waits in an app_queue queue.

The caller joins (QueueCallerJoin), hears hold music and waits for its turn:
it looks once a second whether fewer callers are ahead of it (not counting
those already ringing a member) than members are free. On its turn it rings
members (``queue_ring``); nobody answering means ``retry`` seconds of pause
and another round. It leaves connected (``queue_bridge``), hung up or
redirected (QueueCallerAbandon), or with QUEUESTATUS TIMEOUT, LEAVEEMPTY,
JOINEMPTY or FULL, and the dialplan goes on. Options: ``c`` (go on after the
member hangs up), ``n`` (no retries), ``r`` (ringing instead of music).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from telephony.simulator.apps import start_moh, stop_moh
from telephony.simulator.channels import Channel
from telephony.simulator.expressions import split_arguments
from telephony.simulator.pbx import Outcome, pause
from telephony.simulator.queue_bridge import connect
from telephony.simulator.queue_callers import abandon, join, leave
from telephony.simulator.queue_ring import Ended, ring_round
from telephony.simulator.queues import Queue, QueueCaller

if TYPE_CHECKING:
    from telephony.simulator.engine import Engine

RECHECK_SECONDS = 1.0  # app_queue's RECHECK: a waiting caller looks again once a second
# each look and each retry pause ends about 0.9 ms late on the captures' Asterisk
# (46 waits in burst_50: 0.66-1.2 ms per look; queue_ringnoanswer's retry: 1 ms)
CHECK_LAG = 0.0009
RESET_VARIABLES = (
    "ANSWEREDTIME",
    "ANSWEREDTIME_MS",
    "DIALEDTIME",
    "DIALEDTIME_MS",
    "QUEUEWAIT",
    "QUEUEWAIT_MS",
)


class Exit(enum.Enum):
    TIMEOUT = "TIMEOUT"
    LEAVEEMPTY = "LEAVEEMPTY"
    GONE = "GONE"  # hung up or redirected


@dataclass(frozen=True)
class QueueOptions:
    go_on: bool = False  # c
    no_retry: bool = False  # n
    ringing: bool = False  # r
    timeout: int | None = None  # seconds in the queue at most


def parse_options(args: list[str]) -> QueueOptions:
    flags = args[1] if len(args) > 1 else ""
    timeout_text = args[4].strip() if len(args) > 4 else ""
    timeout = int(timeout_text) if timeout_text.isdigit() and int(timeout_text) > 0 else None
    return QueueOptions("c" in flags, "n" in flags, "r" in flags, timeout)


async def queue_app(engine: Engine, channel: Channel, data: str) -> Outcome:
    args = split_arguments(data)
    options = parse_options(args)
    for name in RESET_VARIABLES:
        engine.set_var(channel, name, "")
    queue = engine.queues.get(args[0].strip())
    if queue is None:
        engine.set_var(channel, "QUEUESTATUS", "UNKNOWN")
        return Outcome.NEXT
    refusal = _refusal(queue, int(engine.clock.time()))
    if refusal is not None:
        engine.set_var(channel, "QUEUESTATUS", refusal)
        return Outcome.NEXT
    entry = join(engine, queue, channel, options.timeout)
    if not options.ringing:
        start_moh(engine, channel, queue.musicclass)
    return await _stay(engine, queue, entry, options)


def _refusal(queue: Queue, now: int) -> str | None:
    if queue.joinempty and queue.empty_for(queue.joinempty, now):
        return "JOINEMPTY"
    if queue.maxlen and len(queue.callers) >= queue.maxlen:
        return "FULL"
    return None


async def _stay(engine: Engine, queue: Queue, entry: QueueCaller, options: QueueOptions) -> Outcome:
    while True:
        reason = await _wait_turn(engine, queue, entry)
        while reason is None:
            result = await ring_round(engine, queue, entry)
            if result.ended is Ended.ANSWERED and result.answered is not None:
                return await connect(engine, queue, entry, result.answered, options.go_on)
            if result.ended is Ended.CALLER_LEFT:
                return _gone(engine, queue, entry)
            reason = _after_round(engine, queue, entry, options)
            if reason is None and not await pause(engine, entry.channel, queue.retry + CHECK_LAG):
                reason = Exit.GONE
            if reason is None and not queue.is_turn_of(entry, int(engine.clock.time())):
                _restart_moh(engine, queue, entry.channel, options)
                break  # "Darn priorities, going back in queue"
        if reason is Exit.GONE:
            return _gone(engine, queue, entry)
        if reason is not None:
            return _give_up(engine, queue, entry, reason)


async def _wait_turn(engine: Engine, queue: Queue, entry: QueueCaller) -> Exit | None:
    """wait_our_turn: None once it is this caller's turn."""
    while True:
        now = int(engine.clock.time())
        if queue.is_turn_of(entry, now):
            return None
        reason = _must_leave(queue, entry, now)
        if reason is not None:
            return reason
        if not await pause(engine, entry.channel, RECHECK_SECONDS + CHECK_LAG):
            return Exit.GONE


def _must_leave(queue: Queue, entry: QueueCaller, now: int) -> Exit | None:
    if entry.expire is not None and now >= entry.expire:
        return Exit.TIMEOUT
    if queue.leavewhenempty and queue.empty_for(queue.leavewhenempty, now):
        return Exit.LEAVEEMPTY
    return None


def _after_round(
    engine: Engine, queue: Queue, entry: QueueCaller, options: QueueOptions
) -> Exit | None:
    reason = _must_leave(queue, entry, int(engine.clock.time()))
    if reason is None and options.no_retry:
        reason = Exit.TIMEOUT  # n: no second round
    return reason


def _restart_moh(engine: Engine, queue: Queue, channel: Channel, options: QueueOptions) -> None:
    if not options.ringing:
        stop_moh(engine, channel)
        start_moh(engine, channel, queue.musicclass)


def _gone(engine: Engine, queue: Queue, entry: QueueCaller) -> Outcome:
    """The caller hung up (or was redirected) while waiting: an abandoned call."""
    stop_moh(engine, entry.channel)
    abandon(engine, queue, entry)
    leave(engine, queue, entry)
    return Outcome.NEXT if entry.channel.async_goto is not None else Outcome.HANGUP


def _give_up(engine: Engine, queue: Queue, entry: QueueCaller, reason: Exit) -> Outcome:
    """TIMEOUT or LEAVEEMPTY: abandoned too, then the dialplan goes on with QUEUESTATUS."""
    abandon(engine, queue, entry)
    stop_moh(engine, entry.channel)
    leave(engine, queue, entry)
    engine.set_var(entry.channel, "QUEUESTATUS", reason.value)
    return Outcome.NEXT
