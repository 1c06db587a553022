"""Dialplan applications of the simulated Asterisk (Dial, Queue, ChanSpy have their own modules).

Each application gets the channel and its substituted argument string and
returns what the dialplan loop does next. Newexten carries the application's
registered name (``PlayTones`` for ``Playtones``) and the substituted data.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from telephony.simulator import legs
from telephony.simulator.channels import UP, Channel
from telephony.simulator.dialplan import Step, split_application
from telephony.simulator.expressions import split_arguments
from telephony.simulator.media import start_generator, stop_generator, wait_for_media
from telephony.simulator.pbx import Outcome, expand, goto, pause

if TYPE_CHECKING:
    from telephony.simulator.engine import Engine

log = logging.getLogger(__name__)

App = Callable[["Engine", Channel, str], Awaitable[Outcome]]

PLAYBACK_SECONDS = {"hotline/survey-prompt": 3.0, "hotline/survey-thanks": 2.0}
DEFAULT_PLAYBACK_SECONDS = 1.5
MONITOR_DIR = "/var/spool/asterisk/monitor"
CANONICAL = {
    name.lower(): name
    for name in (
        "NoOp",
        "Set",
        "ExecIf",
        "GotoIf",
        "Goto",
        "Answer",
        "Ringing",
        "Progress",
        "Wait",
        "PlayTones",
        "StopPlayTones",
        "Playback",
        "MusicOnHold",
        "MixMonitor",
        "StopMixMonitor",
        "UserEvent",
        "Read",
        "Background",
        "WaitExten",
        "Hangup",
        "Busy",
        "Congestion",
        "Echo",
        "Dial",
        "Queue",
        "ChanSpy",
    )
}


async def execute(engine: Engine, channel: Channel, step: Step) -> Outcome:
    """One dialplan step: Newexten, then the application."""
    data = expand(engine, channel, step.data)
    name = CANONICAL.get(step.app.lower(), step.app)
    engine.newexten(channel, name, data)
    return await run_app(engine, channel, name, data)


async def run_app(engine: Engine, channel: Channel, name: str, data: str) -> Outcome:
    app = APPS.get(name.lower())
    if app is None:
        log.warning("simulated Asterisk: no application %r (%s hangs up)", name, channel.name)
        return Outcome.HANGUP
    return await app(engine, channel, data)


async def noop(engine: Engine, channel: Channel, data: str) -> Outcome:
    return Outcome.NEXT


async def set_variable(engine: Engine, channel: Channel, data: str) -> Outcome:
    name, _, value = data.partition("=")
    name = name.strip()
    if name.upper().startswith("GLOBAL(") and name.endswith(")"):
        engine.set_var(None, name[7:-1], value)
    elif name:
        engine.set_var(channel, name, value)
    return Outcome.NEXT


async def exec_if(engine: Engine, channel: Channel, data: str) -> Outcome:
    condition, _, apps = data.partition("?")
    if_true, if_false = _split_choice(apps)
    chosen = if_false if _is_false(condition) else if_true
    if not chosen:
        return Outcome.NEXT
    app, args = split_application(chosen)
    return await run_app(engine, channel, CANONICAL.get(app.lower(), app), args)


async def goto_if(engine: Engine, channel: Channel, data: str) -> Outcome:
    condition, _, labels = data.partition("?")
    if_true, if_false = _split_choice(labels)
    chosen = if_false if _is_false(condition) else if_true
    if not chosen:
        return Outcome.NEXT
    goto(engine, channel, chosen)
    return Outcome.JUMPED


async def goto_app(engine: Engine, channel: Channel, data: str) -> Outcome:
    goto(engine, channel, data)
    return Outcome.JUMPED


def _split_choice(text: str) -> tuple[str, str]:
    depth = 0
    for index, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == ":" and depth == 0:
            return text[:index].strip(), text[index + 1 :].strip()
    return text.strip(), ""


def _is_false(value: str) -> bool:
    text = value.strip()
    return text == "" or text == "0"


async def answer(engine: Engine, channel: Channel, data: str) -> Outcome:
    if channel.state == UP:
        return Outcome.NEXT
    answer_channel(engine, channel)
    await wait_for_media(engine, channel)
    return Outcome.NEXT


def answer_channel(engine: Engine, channel: Channel) -> None:
    """The far end hears the answer: a Local ;1 dialer gets ANSWER, a phone a 200 OK."""
    engine.set_state(channel, UP)
    legs.indicate_to_dialer(engine, channel, "answer")
    if channel.phone is not None:
        channel.phone.answered(engine, channel)


async def ringing(engine: Engine, channel: Channel, data: str) -> Outcome:
    legs.indicate_to_dialer(engine, channel, "ringing")
    return Outcome.NEXT


async def progress(engine: Engine, channel: Channel, data: str) -> Outcome:
    legs.indicate_to_dialer(engine, channel, "progress")
    return Outcome.NEXT


async def wait(engine: Engine, channel: Channel, data: str) -> Outcome:
    await pause(engine, channel, _seconds(data, 0.0))
    return Outcome.NEXT


def _seconds(text: str, default: float) -> float:
    try:
        return float(text.strip())
    except ValueError:
        return default


async def playback(engine: Engine, channel: Channel, data: str) -> Outcome:
    args = split_arguments(data)
    if channel.state != UP and "noanswer" not in (args[1:] or [""])[0]:
        answer_channel(engine, channel)
    for sound in args[0].split("&"):
        if not await pause(engine, channel, PLAYBACK_SECONDS.get(sound, DEFAULT_PLAYBACK_SECONDS)):
            break
    return Outcome.NEXT


async def music_on_hold(engine: Engine, channel: Channel, data: str) -> Outcome:
    args = split_arguments(data)
    moh_class = args[0] or "default"
    duration = _seconds(args[1], 0.0) if len(args) > 1 and args[1] else None
    start_moh(engine, channel, moh_class)
    await pause(engine, channel, duration)
    stop_moh(engine, channel)
    return Outcome.NEXT


def start_moh(engine: Engine, channel: Channel, moh_class: str) -> None:
    channel.moh_class = moh_class
    start_generator(engine, channel)
    engine.channel_event("MusicOnHoldStart", "call", channel, [("Class", moh_class)])
    channel.audio_changed()


def stop_moh(engine: Engine, channel: Channel) -> None:
    if channel.moh_class is None or channel.gone:
        return
    channel.moh_class = None
    stop_generator(channel)
    engine.channel_event("MusicOnHoldStop", "call", channel)
    channel.audio_changed()


async def mix_monitor(engine: Engine, channel: Channel, data: str) -> Outcome:
    filename = split_arguments(data)[0].strip()
    if not filename:
        return Outcome.NEXT
    if not PurePosixPath(filename).is_absolute():
        base = engine.config.recordings_dir or MONITOR_DIR
        filename = str(PurePosixPath(str(base)) / filename)
    engine.set_var(channel, "MIXMONITOR_FILENAME", filename)
    engine.channel_event("MixMonitorStart", "call", channel)
    engine.recorder.start(channel, filename)
    return Outcome.NEXT


async def stop_mix_monitor(engine: Engine, channel: Channel, data: str) -> Outcome:
    if engine.recorder.stop(channel):
        engine.channel_event("MixMonitorStop", "call", channel)
    return Outcome.NEXT


async def user_event(engine: Engine, channel: Channel, data: str) -> Outcome:
    name, *body = split_arguments(data)
    headers = [("UserEvent", name.strip())]
    for item in body:
        key, sep, value = item.partition(":")
        if sep and key.strip():
            headers.append((key.strip(), value[1:] if value.startswith(" ") else value))
    engine.channel_event("UserEvent", "user", channel, headers)
    return Outcome.NEXT


async def hangup(engine: Engine, channel: Channel, data: str) -> Outcome:
    cause = int(data) if data.strip().isdigit() else 16
    engine.soft_hangup(channel, cause)
    return Outcome.HANGUP


async def busy(engine: Engine, channel: Channel, data: str) -> Outcome:
    return await _refuse(engine, channel, data, "busy", 17)


async def congestion(engine: Engine, channel: Channel, data: str) -> Outcome:
    return await _refuse(engine, channel, data, "congestion", 34)


async def _refuse(engine: Engine, channel: Channel, data: str, control: str, cause: int) -> Outcome:
    legs.indicate_to_dialer(engine, channel, control)
    channel.hangupcause = cause
    timeout = _seconds(data, 0.0)
    await pause(engine, channel, timeout if timeout > 0 else None)
    return Outcome.HANGUP


async def echo(engine: Engine, channel: Channel, data: str) -> Outcome:
    await pause(engine, channel, None)
    return Outcome.NEXT


async def play_tones(engine: Engine, channel: Channel, data: str) -> Outcome:
    """The tones play in the background (a generator on the channel)."""
    start_generator(engine, channel)
    return Outcome.NEXT


async def stop_play_tones(engine: Engine, channel: Channel, data: str) -> Outcome:
    stop_generator(channel)
    return Outcome.NEXT


async def dial(engine: Engine, channel: Channel, data: str) -> Outcome:
    from telephony.simulator.dial import dial_app

    return await dial_app(engine, channel, data)


async def queue(engine: Engine, channel: Channel, data: str) -> Outcome:
    from telephony.simulator.queue_app import queue_app

    return await queue_app(engine, channel, data)


async def chan_spy(engine: Engine, channel: Channel, data: str) -> Outcome:
    from telephony.simulator.spy import chan_spy_app

    return await chan_spy_app(engine, channel, data)


async def read(engine: Engine, channel: Channel, data: str) -> Outcome:
    from telephony.simulator.prompts import read_app

    return await read_app(engine, channel, data)


async def background(engine: Engine, channel: Channel, data: str) -> Outcome:
    from telephony.simulator.prompts import background_app

    return await background_app(engine, channel, data)


async def wait_exten(engine: Engine, channel: Channel, data: str) -> Outcome:
    from telephony.simulator.prompts import wait_exten_app

    return await wait_exten_app(engine, channel, data)


APPS: dict[str, App] = {
    "noop": noop,
    "set": set_variable,
    "execif": exec_if,
    "gotoif": goto_if,
    "goto": goto_app,
    "answer": answer,
    "ringing": ringing,
    "progress": progress,
    "wait": wait,
    "playtones": play_tones,
    "stopplaytones": stop_play_tones,
    "playback": playback,
    "musiconhold": music_on_hold,
    "mixmonitor": mix_monitor,
    "stopmixmonitor": stop_mix_monitor,
    "userevent": user_event,
    "read": read,
    "hangup": hangup,
    "busy": busy,
    "congestion": congestion,
    "echo": echo,
    "dial": dial,
    "queue": queue,
    "background": background,
    "waitexten": wait_exten,
    "chanspy": chan_spy,
}
