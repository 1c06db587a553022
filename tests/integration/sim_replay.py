"""Replaying a real capture's actions against the simulated Asterisk, and reading both sides.

``replay`` starts the simulator on the lab dialplan, opens one AMI connection
per capture session when the capture's ``connect`` note says so (and drops it
at its ``abort``), sends every ``>`` action at its captured time on a
``VirtualClock`` (an MD5 ``Key`` is computed again for the simulator's own
challenge), plays the harness's own steps that are not AMI (the operator's
``core stop now``, the SIP phones of the PJSIP capture), and returns what the
simulator sent on each session. ``captured`` gives the same for the real
Asterisk.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from telephony.clock import ScaledClock
from telephony.simulator import SimulatedAsterisk, SimulatorConfig
from telephony.transcript import Transcript, read_transcript
from telephony.wire import AmiMessage, MessageReader, decode_message, encode_headers

REPO = Path(__file__).resolve().parents[2]
CAPTURES = REPO / "tests" / "fixtures" / "ami-captures"
LAB = REPO / "tests" / "fixtures" / "ami-lab"
SECRET = "hotline-secret"
SETTLE_SECONDS = 1.5  # clock seconds to wait after the last record for late frames


@dataclass(frozen=True)
class Received:
    """One frame a session received, with when (seconds since the start of the run)."""

    t: float
    message: AmiMessage


@dataclass
class ReplayRun:
    transcript: Transcript
    received: dict[int, list[Received]]  # by capture session number
    recordings: list[Path]  # the WAV files the simulator wrote


@dataclass
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    received: list[Received] = field(default_factory=list)
    challenge: str | None = None
    challenged: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None


def captured(transcript: Transcript, session: int) -> list[Received]:
    frames = []
    for record in transcript.records:
        if record.session != session or record.direction != "<":
            continue
        if record.payload.startswith(b"Asterisk Call Manager/"):
            continue
        message = decode_message(record.payload.rstrip(b"\r\n"))
        if message is not None:
            frames.append(Received(record.t, message))
    return frames


def lab_config(recordings: Path) -> SimulatorConfig:
    return SimulatorConfig(
        dialplan=LAB / "extensions.conf",
        queues=LAB / "queues.conf",
        recordings_dir=recordings,
    )


async def replay(
    name: str, recordings: Path, speed: float
) -> tuple[Transcript, dict[int, list[Received]]]:
    transcript = read_transcript(CAPTURES / f"{name}.amitrace")
    clock = ScaledClock(speed, start=_epoch(transcript))
    sim = SimulatedAsterisk(lab_config(recordings), clock)
    await sim.start()
    connections: dict[int, _Connection] = {}
    started = clock.monotonic()
    try:
        for record in transcript.records:
            await clock.sleep(record.t - (clock.monotonic() - started))
            await _play(
                record.direction, record.session, record.payload, sim, connections, clock, started
            )
        await _settle(connections, clock)
    finally:
        await sim.stop()
        for connection in connections.values():
            connection.writer.close()
            if connection.task is not None:
                connection.task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await connection.task
    received = {number: c.received for number, c in connections.items()}
    return ReplayRun(transcript, received, list(sim.engine.recorder.written))


def _epoch(transcript: Transcript) -> float:
    return transcript.t0.timestamp()


async def _play(
    direction: str,
    session: int,
    payload: bytes,
    sim: SimulatedAsterisk,
    connections: dict[int, _Connection],
    clock: ScaledClock,
    started: float,
) -> None:
    note = payload.decode("utf-8", errors="replace")
    if direction == "!" and note.startswith("connect "):
        reader, writer = await asyncio.open_connection("127.0.0.1", sim.port)
        connection = _Connection(reader, writer)
        connection.task = asyncio.create_task(_read(connection, clock, started))
        connections[session] = connection
    elif direction == "!" and "core stop now" in note:
        asyncio.create_task(sim.shutdown())  # noqa: RUF006 (the replay ends with sim.stop)
    elif direction == ">" and session in connections:
        connection = connections[session]
        connection.writer.write(await _adapted(payload, connection))
        await connection.writer.drain()


async def _adapted(payload: bytes, connection: _Connection) -> bytes:
    """An MD5 login answers the simulator's challenge, not the captured one."""
    message = decode_message(payload.rstrip(b"\r\n"), kinds=("Action",))
    if message is None or "Key" not in message:
        return payload
    await connection.challenged.wait()
    key = hashlib.md5(f"{connection.challenge}{SECRET}".encode()).hexdigest()
    return encode_headers([(k, key if k.lower() == "key" else v) for k, v in message.headers])


async def _read(connection: _Connection, clock: ScaledClock, started: float) -> None:
    framer = MessageReader()
    while data := await connection.reader.read(65536):
        for message in framer.feed(data):
            if "Challenge" in message:
                connection.challenge = message["Challenge"]
                connection.challenged.set()
            connection.received.append(Received(clock.monotonic() - started, message))


async def _settle(connections: dict[int, _Connection], clock: ScaledClock) -> None:
    tasks = [c.task for c in connections.values() if c.task is not None]
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(SETTLE_SECONDS / clock.speed):
            await asyncio.gather(*tasks, return_exceptions=True)
