"""When audio reaches a channel: the 20 ms frame clock of the generator that feeds it.

Answer() returns once the first media frame arrives (up to half a second,
as with a PJSIP phone that sends no RTP). On a Local channel that frame comes
from the generator at the far end of what the channel hears: the other half's
hold music or tones, or - through the bridge the other half is in, or the call
that dials it - the caller's own tones. A generator sends its first frame
20 ms after it starts and one every 20 ms after that (captures: a seat's
Answer() ends on the caller's Playtones grid, a caller's on the queue's hold
music).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from telephony.simulator.channels import Channel
from telephony.simulator.pbx import EPSILON

if TYPE_CHECKING:
    from telephony.simulator.engine import Engine

FRAME_SECONDS = 0.02
FRAME_DELAY = 0.0003  # a frame reaches the reading thread this long after its tick
MEDIA_WAIT = 0.5  # Answer() gives up waiting for media after this long


def start_generator(engine: Engine, channel: Channel) -> None:
    """Hold music or tones start on ``channel``: who hears it may stop waiting for media."""
    channel.generator_started = engine.clock.monotonic()
    _tell_listener(channel)


def stop_generator(channel: Channel) -> None:
    """A generator that stops before its first frame sent nothing."""
    channel.generator_started = None
    _tell_listener(channel)


def _tell_listener(channel: Channel) -> None:
    if channel.other_half is not None and not channel.other_half.gone:
        channel.other_half.waker.poke()


def feeding(channel: Channel, depth: int = 0) -> float | None:
    """When the generator started whose frames ``channel`` reads (None: no audio)."""
    other = channel.other_half
    if channel.tech != "Local" or other is None or other.gone or depth > 4:
        return None
    if other.generator_started is not None:
        return other.generator_started
    peer = other.bridge.peer_of(other) if other.bridge is not None else other.dialer
    return feeding(peer, depth + 1) if peer is not None else None


def next_frame(started: float, now: float) -> float:
    ticks = max(1, math.floor((now - started) / FRAME_SECONDS) + 1)
    return started + ticks * FRAME_SECONDS + FRAME_DELAY


async def wait_for_media(engine: Engine, channel: Channel) -> None:
    """Answer()'s wait for the first frame of audio, half a second at most."""
    clock = engine.clock
    since = clock.monotonic()
    deadline = since + MEDIA_WAIT
    while not channel.hung_up and channel.async_goto is None:
        now = clock.monotonic()
        started = feeding(channel)
        due = deadline if started is None else min(deadline, next_frame(started, since))
        if due - now <= EPSILON:
            return
        await channel.waker.sleep(due - now)  # a generator starting or stopping wakes it
