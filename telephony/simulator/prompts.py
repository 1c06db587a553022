"""Prompts and keys: Read(), Background(), WaitExten() and the DTMF a caller's phone presses.

Read() asks the phone which key it presses for that prompt (the menu, the
survey). A key pressed at any other time (``press``: DTMFBegin/DTMFEnd) waits
in the channel's buffer: Background() plays its prompts and WaitExten() waits,
each until a key arrives, and the key is the extension to go to in the current
context ('i' if there is none). A WaitExten() that hears nothing goes to 't'.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from telephony.simulator.apps import (
    DEFAULT_PLAYBACK_SECONDS,
    PLAYBACK_SECONDS,
    answer_channel,
    start_moh,
    stop_moh,
)
from telephony.simulator.channels import UP, Channel
from telephony.simulator.dial import parse_options
from telephony.simulator.expressions import split_arguments
from telephony.simulator.pbx import EPSILON, Outcome, goto, pause

if TYPE_CHECKING:
    from telephony.simulator.engine import Engine

DEFAULT_READ_TIMEOUT = 5.0  # Read() without a timeout waits this long for a key
DEFAULT_WAITEXTEN = 10.0  # WaitExten() without seconds: the response timeout (10 s)


def send_dtmf(engine: Engine, channel: Channel, digits: str) -> None:
    """DTMFBegin/DTMFEnd of keys the far end pressed."""
    for digit in digits:
        received = [("Digit", digit), ("Direction", "Received")]
        engine.channel_event("DTMFBegin", "dtmf", channel, received)
        engine.channel_event(
            "DTMFEnd", "dtmf", channel, [*received[:1], ("DurationMs", "120"), received[1]]
        )


def press(engine: Engine, channel: Channel, digits: str) -> None:
    """The caller keys ``digits`` while no Read() asks: they wait in the channel's buffer."""
    if channel.hung_up:
        return
    send_dtmf(engine, channel, digits)
    channel.digits += digits
    channel.waker.poke()


async def read_app(engine: Engine, channel: Channel, data: str) -> Outcome:
    args = split_arguments(data) + [""] * 6
    variable, prompt, maxdigits = args[0].strip(), args[1].strip(), args[2].strip()
    attempts = max(1, int(_seconds(args[4], 1)))
    timeout = _seconds(args[5], 0.0) or DEFAULT_READ_TIMEOUT
    if channel.state != UP:
        answer_channel(engine, channel)
    phone = channel.phone
    key, delay = phone.read_digits(channel, prompt) if phone is not None else (None, 0.0)
    digits, status = "", "TIMEOUT"
    if key is not None and delay < timeout:
        if await pause(engine, channel, delay):
            digits, status = key[: int(maxdigits)] if maxdigits.isdigit() else key, "OK"
            send_dtmf(engine, channel, digits)
    elif not await pause(engine, channel, timeout * attempts):
        status = "HANGUP"
    if channel.hung_up:
        status = "HANGUP"
    engine.set_var(channel, variable, digits)
    engine.set_var(channel, "READSTATUS", status)
    return Outcome.NEXT


async def background_app(engine: Engine, channel: Channel, data: str) -> Outcome:
    args = split_arguments(data)
    if channel.state != UP:
        answer_channel(engine, channel)
    for sound in args[0].split("&"):
        seconds = PLAYBACK_SECONDS.get(sound, DEFAULT_PLAYBACK_SECONDS)
        if not await _listen(engine, channel, seconds):
            break
    if channel.digits and not _interrupted(channel):
        return _dialled(engine, channel)
    return Outcome.NEXT


async def wait_exten_app(engine: Engine, channel: Channel, data: str) -> Outcome:
    args = split_arguments(data)
    seconds = _seconds(args[0], 0.0) if args and args[0].strip() else DEFAULT_WAITEXTEN
    options = parse_options(["", "", args[1] if len(args) > 1 else ""])
    if options.moh_class:
        start_moh(engine, channel, options.moh_class)
    await _listen(engine, channel, seconds or DEFAULT_WAITEXTEN)
    stop_moh(engine, channel)
    if _interrupted(channel):
        return Outcome.NEXT
    if channel.digits:
        return _dialled(engine, channel)
    return _go_to(engine, channel, "t")


def _interrupted(channel: Channel) -> bool:
    return channel.hung_up or channel.async_goto is not None


async def _listen(engine: Engine, channel: Channel, seconds: float) -> bool:
    """Wait ``seconds`` unless a key arrives first; False if a key, hangup or redirect came."""
    deadline = engine.clock.monotonic() + seconds
    while not (channel.digits or _interrupted(channel)):
        left = deadline - engine.clock.monotonic()
        if left <= EPSILON:
            return True
        await channel.waker.sleep(left)
    return False


def _dialled(engine: Engine, channel: Channel) -> Outcome:
    digits, channel.digits = channel.digits, ""
    known = engine.dialplan.extension(channel.context, digits) is not None
    return _go_to(engine, channel, digits if known else "i")


def _go_to(engine: Engine, channel: Channel, exten: str) -> Outcome:
    if engine.dialplan.extension(channel.context, exten) is None:
        return Outcome.HANGUP  # no 't' or 'i' extension: the channel falls out of the dialplan
    goto(engine, channel, f"{channel.context},{exten},1")
    return Outcome.JUMPED


def _seconds(text: str, default: float) -> float:
    try:
        return float(text.strip())
    except ValueError:
        return default
