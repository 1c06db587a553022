"""Running the dialplan on a channel: one task per channel, as Asterisk runs one thread.

The loop finds the step at the channel's context/exten/priority, substitutes
its arguments, sends Newexten and runs the application. A Redirect (async
goto) or a hangup wakes whatever the application waits for; the loop then
jumps or ends the channel (SoftHangupRequest, then Hangup).
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from telephony.simulator.channels import Channel
from telephony.simulator.expressions import Resolver, evaluate, split_arguments, substitute

if TYPE_CHECKING:
    from telephony.simulator.engine import Engine

EPSILON = 1e-6


class Outcome(enum.Enum):
    NEXT = "next"  # go on with priority + 1
    JUMPED = "jumped"  # the application set the location itself
    HANGUP = "hangup"  # end the channel


def resolver(engine: Engine, channel: Channel | None) -> Resolver:
    def variable(name: str) -> str | None:
        if channel is not None:
            special = _special_variable(engine, channel, name)
            if special is not None:
                return special
            if name in channel.variables:
                return channel.variables[name]
        return engine.globals.get(name)

    def function(name: str, args: str) -> str:
        return _function(engine, channel, name.upper(), args)

    return Resolver(variable, function)


def _special_variable(engine: Engine, channel: Channel, name: str) -> str | None:
    values = {
        "EXTEN": channel.exten,
        "CONTEXT": channel.context,
        "PRIORITY": str(channel.priority),
        "UNIQUEID": channel.uniqueid,
        "CHANNEL": channel.name,
        "LINKEDID": channel.linkedid,
        "HANGUPCAUSE": str(channel.hangupcause),
    }
    if name == "EPOCH":
        return str(int(engine.clock.time()))
    return values.get(name)


def _function(engine: Engine, channel: Channel | None, name: str, args: str) -> str:
    if name in ("CALLERID", "CONNECTEDLINE") and channel is not None:
        connected = name == "CONNECTEDLINE"
        number = channel.connected_num if connected else channel.caller_num
        display = channel.connected_name if connected else channel.caller_name
        what = args.strip().lower()
        if what in ("num", "number"):
            return number
        if what == "name":
            return display
        return f'"{display}" <{number}>' if display else number
    if name == "LEN":
        return str(len(args))
    if name in ("ISNULL", "EXISTS"):
        empty = args == ""
        return "1" if empty == (name == "ISNULL") else "0"
    if name == "IF":
        condition, _, choices = args.partition("?")
        if_true, _, if_false = choices.partition(":")
        return if_false if evaluate(condition) in ("", "0") else if_true
    if name == "GLOBAL":
        return engine.globals.get(args.strip(), "")
    return ""


def expand(engine: Engine, channel: Channel | None, text: str) -> str:
    return substitute(text, resolver(engine, channel))


async def run(engine: Engine, channel: Channel) -> None:
    """The dialplan thread of ``channel``, from its current location to its hangup."""
    from telephony.simulator.apps import execute

    channel.pbx_running = True
    engine.processed_calls += 1
    try:
        while not channel.gone:
            if channel.async_goto is not None:
                _take_async_goto(engine, channel)
            if channel.hung_up:
                break
            step = engine.dialplan.step(channel.context, channel.exten, channel.priority)
            if step is None:
                break
            if engine.config.step_seconds:
                await engine.clock.sleep(engine.config.step_seconds)
                if channel.hung_up or channel.async_goto is not None:
                    continue
            outcome = await execute(engine, channel, step)
            if outcome is Outcome.HANGUP or channel.hung_up:
                break  # an application ended by a hangup leaves the priority where it was
            if outcome is Outcome.NEXT and channel.async_goto is None:
                channel.priority += 1
    finally:
        channel.pbx_running = False
    end_channel(engine, channel)


def end_channel(engine: Engine, channel: Channel) -> None:
    """The owner of a channel is done with it: act on a pending hangup, then destroy it."""
    if channel.hangup_queued and not channel.soft_hungup:
        engine.soft_hangup(channel)
    engine.destroy(channel)


def start(engine: Engine, channel: Channel, context: str, exten: str, priority: int = 1) -> None:
    channel.context, channel.exten, channel.priority = context, exten, priority
    channel.pbx_running = True
    engine.spawn(run(engine, channel), f"pbx {channel.name}")


def _take_async_goto(engine: Engine, channel: Channel) -> None:
    target = channel.async_goto
    channel.async_goto = None
    if target is not None:
        goto(engine, channel, ",".join(target))


def goto(engine: Engine, channel: Channel, target: str) -> bool:
    """``[[context,]exten,]priority|label``: move the channel there (False: no such place)."""
    parts = [part.strip() for part in split_arguments(target)]
    context, exten = channel.context, channel.exten
    if len(parts) == 3:
        context, exten, priority_text = parts
    elif len(parts) == 2:
        exten, priority_text = parts
    else:
        priority_text = parts[0]
    priority = engine.dialplan.resolve_priority(context, exten, priority_text)
    channel.context, channel.exten = context, exten
    if priority is None:
        channel.priority = -1  # nothing runs there: the channel falls out of the dialplan
        return False
    channel.priority = priority
    return True


async def pause(engine: Engine, channel: Channel, seconds: float | None) -> bool:
    """Wait on the clock; False as soon as the channel is hung up or redirected."""
    deadline = None if seconds is None else engine.clock.monotonic() + max(0.0, seconds)
    while not (channel.hung_up or channel.async_goto is not None):
        if deadline is None:
            await channel.waker.sleep(None)
            continue
        left = deadline - engine.clock.monotonic()
        if left <= EPSILON:
            return True
        await channel.waker.sleep(left)
    return False


def redirect(engine: Engine, channel: Channel, context: str, exten: str, priority: str) -> None:
    """AMI Redirect: an async goto for a channel in the dialplan; a channel that only
    sits in a bridge (a dialled seat) leaves it and starts a dialplan of its own."""
    if channel.pbx_running:
        channel.async_goto = (context, exten, priority)
        channel.waker.poke()
        return
    from telephony.simulator.bridge import leave_bridge
    from telephony.simulator.channels import Waker

    channel.detached = True
    if channel.bridge is not None:
        leave_bridge(engine, channel)
    channel.waker = Waker(engine.clock)
    goto(engine, channel, f"{context},{exten},{priority}")
    channel.pbx_running = True
    engine.spawn(run(engine, channel), f"pbx {channel.name}")
