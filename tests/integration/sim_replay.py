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
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from telephony.simulator import CallerScript, SeatBehaviour, SimulatedAsterisk, SimulatorConfig
from telephony.transcript import Transcript, read_transcript
from telephony.wire import AmiMessage, MessageReader, decode_message, encode_headers
from tests.integration.sim_clock import VirtualClock, settle

REPO = Path(__file__).resolve().parents[2]
CAPTURES = REPO / "tests" / "fixtures" / "ami-captures"
LAB = REPO / "tests" / "fixtures" / "ami-lab"
SECRET = "hotline-secret"
SETTLE_SECONDS = 1.5  # clock seconds to wait after the last record for late frames
# The lab machine's speed, which decides races between overlapping calls (burst_50) and
# between a seat's half-second wait for media and the harness's hang-up (queue_latency_20):
# a dialplan step took 0.05-0.12 ms (a seat's 12 steps before Answer(): 0.65-1.5 ms), an
# Originate's channel reached its dialplan 1.2-3.8 ms after the action.
STEP_SECONDS = 0.00008
ORIGINATE_SECONDS = 0.0018
LEAD_LIMIT = 10.0  # seconds: no recorder clock is that far off
LEAD_PRECISION = 0.005  # use the estimated lead only when the capture pins it this closely
REAL_GUARD = 5.0  # real seconds to wait for the simulator to read an action
# pjsip_queue_sip_agent: sipp's INVITE reached Asterisk 0.109 s after the harness started it
SIPP_INVITE_DELAY = 0.109
SIPP_ANSWER_DELAY = 0.0017  # the SIP agent (sipp -sn uas) answers right after its 180
SIPP_BYE = re.compile(r"BYE after (?P<seconds>\d+(?:\.\d+)?) s")
LOCAL_PAIR = re.compile(rb"Local/(?P<resource>[^\s;,/]+@[^\s;,/-]+)-[0-9a-f]{8}")


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


def lab_config(recordings: Path, **changes: Any) -> SimulatorConfig:
    config = SimulatorConfig(
        dialplan=LAB / "extensions.conf",
        queues=LAB / "queues.conf",
        recordings_dir=recordings,
    )
    return replace(config, **changes)


def capture_config(transcript: Transcript, recordings: Path) -> SimulatorConfig:
    """The lab as it ran for this capture (timestampevents; the PJSIP endpoints)."""
    config = lab_config(
        recordings,
        event_timestamps=transcript.comments.get("ami-timestampevents", "no") == "yes",
        step_seconds=STEP_SECONDS,
        originate_seconds=ORIGINATE_SECONDS,
    )
    if transcript.comments.get("title") != "pjsip_queue_sip_agent":
        return config
    # pjsip.conf of the lab: both endpoints in [from-sip]; sipcaller is matched by
    # its IP (no contact: UNAVAILABLE without a call), sipagent has a static contact
    return replace(
        config,
        seats=("sipagent",),
        seat_context="from-sip",
        seat_busy_at=0,
        trunk="sipcaller",
        trunk_context="from-sip",
        trunk_registered=False,
    )


async def replay(name: str, recordings: Path) -> ReplayRun:
    transcript = read_transcript(CAPTURES / f"{name}.amitrace")
    clock = VirtualClock(start=_epoch(transcript))
    sim = SimulatedAsterisk(capture_config(transcript, recordings), clock)
    if "sipagent" in sim.config.seats:
        sim.set_seat("sipagent", SeatBehaviour(answer_delay=SIPP_ANSWER_DELAY))
    await sim.start()
    player = _Player(sim, clock, local_pairs(transcript.received(1)))
    try:
        for record in transcript.records:
            await clock.run_until(record.t)
            await player.play(record.direction, record.session, record.payload)
        last = transcript.records[-1].t if transcript.records else 0.0
        await clock.run_until(last + SETTLE_SECONDS)
        await sim.recordings_flushed()
    finally:
        await sim.stop()
        await player.close()
    received = {number: c.received for number, c in player.connections.items()}
    return ReplayRun(transcript, received, list(sim.engine.recorder.written))


def _epoch(transcript: Transcript) -> float:
    return transcript.t0.timestamp() - recorder_lead(transcript)


def recorder_lead(transcript: Transcript) -> float:
    """How far the recorder's clock (t0-utc + T) ran ahead of Asterisk's own.

    A Uniqueid starts with Asterisk's whole second when the channel was made, a
    LastCall is Asterisk's whole second of a member's call end: each frame bounds
    the lead from both sides (its receive time is at most a few ms after the fact).
    Where they pin it down (burst_50: 4.5-6.1 ms), the replay runs on Asterisk's
    time, so that whole-second decisions (wrap-up) fall as they did; elsewhere 0.
    """
    t0 = transcript.t0.timestamp()
    low, high = -LEAD_LIMIT, LEAD_LIMIT
    for frame in captured(transcript, 1):
        for second in _whole_seconds(frame.message):
            low = max(low, t0 + frame.t - second - 1)
            high = min(high, t0 + frame.t - second)
    return (low + high) / 2 if high - low < LEAD_PRECISION else 0.0


def _whole_seconds(message: AmiMessage) -> list[int]:
    if message.event == "Newchannel":
        return [int(message["Uniqueid"].split(".")[0])]
    if message.event == "QueueMemberStatus" and message.get("LastCall", "0") != "0":
        return [int(message["LastCall"])] if message.get("Status") == "1" else []
    return []


def local_pairs(stream: bytes) -> dict[bytes, list[bytes]]:
    """Local pairs by exten@context, in the order a stream first names them."""
    pairs: dict[bytes, list[bytes]] = {}
    for match in LOCAL_PAIR.finditer(stream):
        names = pairs.setdefault(match["resource"], [])
        if match.group(0) not in names:
            names.append(match.group(0))
    return pairs


class _Player:
    """Plays one capture record against the simulator."""

    def __init__(
        self, sim: SimulatedAsterisk, clock: VirtualClock, captured_pairs: dict[bytes, list[bytes]]
    ) -> None:
        self.sim = sim
        self.clock = clock
        self.connections: dict[int, _Connection] = {}
        self.captured_pairs = captured_pairs

    async def play(self, direction: str, session: int, payload: bytes) -> None:
        if direction == ">" and session in self.connections:
            await self._send(self.connections[session], payload)
        elif direction == "!":
            await self._note(session, payload.decode("utf-8", errors="replace"))

    async def _note(self, session: int, note: str) -> None:
        if note.startswith("connect "):
            reader, writer = await asyncio.open_connection("127.0.0.1", self.sim.port)
            connection = _Connection(reader, writer)
            connection.task = asyncio.create_task(_read(connection, self.clock))
            self.connections[session] = connection
        elif note.startswith("abort") and session in self.connections:
            self.connections[session].writer.transport.abort()
        elif "core stop now" in note:
            asyncio.create_task(self.sim.shutdown())  # noqa: RUF006 (the replay ends with sim.stop)
        elif "sipp uac" in note and (bye := SIPP_BYE.search(note)) is not None:
            self.clock.call_later(SIPP_INVITE_DELAY, lambda: self._sip_call(float(bye["seconds"])))
        await settle()

    def _sip_call(self, bye_after: float) -> None:
        script = CallerScript(patience=None, hangs_up_after_answer=bye_after)
        asyncio.create_task(self.sim.place_call("q12345", "sipp", "sipp", script))  # noqa: RUF006

    def _same_calls(self, payload: bytes) -> bytes:
        """The harness names the channel of a call; chan_local may have numbered the
        simulator's pairs in another order (see the fidelity test), so the k-th pair of
        an exten@context in the capture is the simulator's k-th pair."""
        if LOCAL_PAIR.search(payload) is None:
            return payload
        names = {pair: k for pairs in self.captured_pairs.values() for k, pair in enumerate(pairs)}
        backend = self.connections.get(1)
        seen = (
            b"".join(encode_headers(r.message.headers) for r in backend.received)
            if backend
            else b""
        )
        ours = local_pairs(seen)

        def translate(match: re.Match[bytes]) -> bytes:
            ordinal = names.get(match.group(0))
            mine = ours.get(match["resource"], [])
            return mine[ordinal] if ordinal is not None and ordinal < len(mine) else match.group(0)

        return LOCAL_PAIR.sub(translate, payload)

    async def _send(self, connection: _Connection, payload: bytes) -> None:
        expected = self.sim.server.actions_read + 1
        payload = self._same_calls(payload)
        connection.writer.write(await _adapted(payload, connection))
        await connection.writer.drain()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + REAL_GUARD
        await settle()
        while self.sim.server.actions_read < expected and loop.time() < deadline:
            await asyncio.sleep(0.001)  # bytes still on the loopback
            await settle()

    async def close(self) -> None:
        for connection in self.connections.values():
            connection.writer.close()
            if connection.task is not None:
                connection.task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await connection.task


async def _adapted(payload: bytes, connection: _Connection) -> bytes:
    """An MD5 login answers the simulator's challenge, not the captured one."""
    message = decode_message(payload.rstrip(b"\r\n"), kinds=("Action",))
    if message is None or "Key" not in message:
        return payload
    await connection.challenged.wait()
    key = hashlib.md5(f"{connection.challenge}{SECRET}".encode()).hexdigest()
    return encode_headers([(k, key if k.lower() == "key" else v) for k, v in message.headers])


async def _read(connection: _Connection, clock: VirtualClock) -> None:
    framer = MessageReader()
    with contextlib.suppress(ConnectionError, OSError):
        while data := await connection.reader.read(65536):
            for message in framer.feed(data):
                if "Challenge" in message:
                    connection.challenge = message["Challenge"]
                    connection.challenged.set()
                connection.received.append(Received(clock.monotonic(), message))
