"""The simulated Asterisk against real Asterisk 22 captures: the same frames, in the same order.

For each scenario the capture's own actions (the harness's and the backend's)
are replayed at their captured times against the simulator running the lab
dialplan, and every session's received stream is compared with the capture's:
the same frames with the same header names in the same order and equal values
for everything deterministic (Uniqueids, bridge ids, session ids, ports and
clock readings are mapped, see ``sim_compare``).

Named tolerances, each for something real Asterisk's threads make
non-deterministic (nothing else may differ):

* ``THREAD_BURST_SECONDS``: Asterisk runs each channel's dialplan, the Dial or
  Originate that owns a channel, the device-state taskprocessor and app_queue's
  device-state callback in different threads that publish into one stasis
  topic. Frames about *different* channels/devices/queue members that the
  capture received within one burst (no gap longer than this) may interleave in
  any order; each stream (one channel, one device, one member, one bridge, the
  session itself) must still be exactly the captured sequence, and no frame may
  move into another burst.
* ``LOCAL_LAUNCH_RACE``: chan_local reports a Local device in use only once
  ``local_call`` has set LOCAL_LAUNCHED_PBX, which it does *after* starting the
  ``;2`` dialplan; when the device-state thread runs in between, the ringing
  seat reads NOT_INUSE and app_queue's member status and ``Queue:hotline_avail``
  only change at the answer. The capture routed_agent_noanswer saw that race for
  seat 8002; the simulator never loses it. For the listed device, its first
  device-state report (the one whose state the race decides) and its queue
  member's first status report (which the race moves from the ringing burst to
  the answer burst) are left out on both sides.
* ``DIAL_BEGIN_RACE``: app_dial publishes DialBegin after ``ast_call`` returned,
  with the called channel's state at that moment; a Local ``;2`` half that ran
  Ringing() in between makes it ``5 Ringing`` instead of ``0 Down``
  (routed_agent_noanswer, seat 8002; routed_answered shows Down). DialBegin's
  DestChannelState may be either of the two.
"""

from __future__ import annotations

import wave
from dataclasses import replace
from pathlib import Path

import pytest

from tests.integration.sim_compare import Item, Normalizer, order_differences, stream_differences
from tests.integration.sim_replay import Received, captured, replay

SPEED = 20.0
THREAD_BURST_SECONDS = 0.005
LOCAL_LAUNCH_RACE = {"routed_agent_noanswer": "Local/8002@agents"}
DIAL_BEGIN_RACE = {"DestChannelState": ("0", "5"), "DestChannelStateDesc": ("Down", "Ringing")}
SCENARIOS = (
    "login_ok",
    "login_bad_secret",
    "misc_actions",
    "shutdown",
    "routed_answered",
    "routed_agent_noanswer",
    "routed_abandon",
)


def items(frames: list[Received], recordings: Path | None = None) -> list[Item]:
    normalizer = Normalizer(str(recordings)) if recordings is not None else Normalizer()
    return [_dial_begin_race(item) for item in normalizer.items((f.t, f.message) for f in frames)]


def _dial_begin_race(item: Item) -> Item:
    if item.name != "DialBegin":
        return item
    values = tuple(
        (name, "|".join(DIAL_BEGIN_RACE[name]) if value in DIAL_BEGIN_RACE.get(name, ()) else value)
        for name, value in item.values
    )
    return replace(item, values=values)


def _without_first(items: list[Item], stream: str) -> list[Item]:
    first = next(index for index, item in enumerate(items) if item.stream == stream)
    return items[:first] + items[first + 1 :]


def without_launch_race(
    expected: list[Item], actual: list[Item], device: str
) -> tuple[list[Item], list[Item]]:
    for stream in (f"device {device}", f"member {device}/n"):
        expected, actual = _without_first(expected, stream), _without_first(actual, stream)
    return expected, actual


@pytest.mark.parametrize("scenario", SCENARIOS)
async def test_simulator_sends_the_frames_asterisk_sent(scenario: str, tmp_path: Path) -> None:
    run = await replay(scenario, tmp_path, SPEED)
    transcript, received = run.transcript, run.received
    sessions = sorted({r.session for r in transcript.records if r.direction == "<"})
    assert sorted(received) == sessions
    for session in sessions:
        expected = items(captured(transcript, session))
        actual = items(received[session], tmp_path)
        if scenario in LOCAL_LAUNCH_RACE and session == 1:
            expected, actual = without_launch_race(expected, actual, LOCAL_LAUNCH_RACE[scenario])
        problems = stream_differences(expected, actual)
        problems += order_differences(expected, actual, THREAD_BURST_SECONDS)
        assert not problems, f"session {session}:\n" + "\n".join(problems[:10])


def wav_format(path: Path) -> tuple[int, int, int, float]:
    with wave.open(str(path)) as recording:
        rate = recording.getframerate()
        seconds = recording.getnframes() / rate
        return recording.getnchannels(), recording.getsampwidth(), rate, seconds


@pytest.mark.parametrize("scenario", ["routed_answered", "routed_abandon"])
async def test_a_replayed_call_is_recorded_as_8khz_mono_pcm(scenario: str, tmp_path: Path) -> None:
    run = await replay(scenario, tmp_path, SPEED)
    (path,) = run.recordings
    channels, width, rate, seconds = wav_format(path)
    assert (channels, width, rate) == (1, 2, 8000)
    assert seconds > 4.0  # both calls were recorded for five seconds or more
