"""MixMonitor: a real WAV (RIFF, PCM 16-bit signed, mono, 8000 Hz) of a recorded channel's life.

The audio is synthesised from what the channel went through, as in the lab:
the caller's 600 Hz beeps all along, quieter hold music while on hold, and
the seat's 440 Hz beeps while bridged. The file is written off the event loop
(``asyncio.to_thread``) when the recording stops (hangup or StopMixMonitor).
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import logging
import math
import sys
import wave
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from telephony.clock import Clock

if TYPE_CHECKING:
    from telephony.simulator.channels import Channel

log = logging.getLogger(__name__)

RATE = 8000
FRAME_SECONDS = 0.02  # MixMonitor writes whole 20 ms frames
CALLER, HOLD, TALK = "caller", "hold", "talk"


@dataclass
class Recording:
    path: Path
    started: float  # clock.monotonic()
    changes: list[tuple[float, str]] = field(default_factory=list)  # (monotonic, kind)
    stopped: float | None = None

    def segments(self) -> list[tuple[int, int, str]]:
        """(first sample, sample count, kind) from start to stop, whole frames only."""
        end = self.stopped if self.stopped is not None else self.started
        total = math.floor((end - self.started) / FRAME_SECONDS + 1e-9) * int(RATE * FRAME_SECONDS)
        marks = [*self.changes, (end, CALLER)]
        out: list[tuple[int, int, str]] = []
        for (at, kind), (next_at, _) in itertools.pairwise(marks):
            first = min(total, round((at - self.started) * RATE))
            last = min(total, round((next_at - self.started) * RATE))
            if last > first:
                out.append((first, last - first, kind))
        return out


def audio_kind(channel: Channel) -> str:
    if channel.bridge is not None and len(channel.bridge.channels) > 1:
        return TALK
    if channel.moh_class is not None:
        return HOLD
    return CALLER


class Recorder:
    """The MixMonitors of one simulated Asterisk."""

    def __init__(self, clock: Clock, write_files: bool) -> None:
        self.clock = clock
        self.write_files = write_files
        self.active: dict[str, Recording] = {}
        self.writes: set[asyncio.Task[None]] = set()
        self.written: list[Path] = []

    def start(self, channel: Channel, path: str) -> None:
        self.stop(channel)
        now = self.clock.monotonic()
        recording = Recording(Path(path), now, [(now, audio_kind(channel))])
        self.active[channel.uniqueid] = recording
        channel.audio_listeners.append(self._changed)

    def _changed(self, channel: Channel) -> None:
        recording = self.active.get(channel.uniqueid)
        if recording is None:
            return
        if channel.gone:
            self.stop(channel)
            return
        recording.changes.append((self.clock.monotonic(), audio_kind(channel)))

    def stop(self, channel: Channel) -> bool:
        """End the channel's recording; the file is written in the background."""
        recording = self.active.pop(channel.uniqueid, None)
        if recording is None:
            return False
        if self._changed in channel.audio_listeners:
            channel.audio_listeners.remove(self._changed)
        recording.stopped = self.clock.monotonic()
        if self.write_files:
            task = asyncio.get_running_loop().create_task(self._write(recording))
            self.writes.add(task)
            task.add_done_callback(self.writes.discard)
        return True

    def discard_all(self) -> None:
        """Asterisk died: nothing more is written for recordings still running."""
        self.active.clear()

    async def _write(self, recording: Recording) -> None:
        try:
            await asyncio.to_thread(write_wav, recording.path, recording.segments())
            self.written.append(recording.path)
        except OSError:
            log.exception("simulated MixMonitor could not write %s", recording.path)

    async def flushed(self) -> None:
        while self.writes:
            await asyncio.gather(*list(self.writes), return_exceptions=True)


def write_wav(path: Path, segments: list[tuple[int, int, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        for first, count, kind in segments:
            out.writeframes(_tile(_block(kind), first, count))


def _tile(block: bytes, first: int, count: int) -> bytes:
    size = len(block) // 2
    position = first % size
    out = bytearray()
    while count > 0:
        take = min(count, size - position)
        out += block[position * 2 : (position + take) * 2]
        count -= take
        position = 0
    return bytes(out)


@functools.cache
def _block(kind: str) -> bytes:
    """One second of audio of ``kind`` (every pattern repeats each second)."""
    samples = array("h")
    for n in range(RATE):
        t = n / RATE
        value = _beep(t, 600.0, 0.25, 0.25)  # the caller (lab: Playtones(600/250,0/750))
        if kind == TALK:
            value += _beep(t, 440.0, 0.20, 0.25)  # the seat (lab: Playtones(440/200,0/800))
        elif kind == HOLD:
            value += 0.08 * math.sin(2 * math.pi * (330.0 if t < 0.5 else 392.0) * t)
        samples.append(int(max(-1.0, min(1.0, value)) * 32767))
    if sys.byteorder == "big":
        samples.byteswap()  # WAV is little-endian
    return samples.tobytes()


def _beep(t: float, frequency: float, on_seconds: float, level: float) -> float:
    return level * math.sin(2 * math.pi * frequency * t) if t < on_seconds else 0.0
