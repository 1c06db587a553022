"""A small AMI client for the simulator tests: raw TCP, the project's own framer.

``wait_for`` moves a ``FakeClock`` forward in small steps while it waits for a
frame, so a test of a 15-second ring timeout runs in milliseconds; the only
real waiting is for bytes on the loopback socket (with a guard against a
frame that never comes).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from telephony.clock import Clock, FakeClock
from telephony.simulator import SimulatedAsterisk, SimulatorConfig
from telephony.wire import AmiMessage, MessageReader, decode_message, encode_headers

IO_WAIT = 0.02  # real seconds to let loopback bytes arrive between clock steps
REAL_GUARD = 10.0  # real seconds before a wait gives up (a frame that never comes)

Predicate = Callable[[AmiMessage], bool]
T = TypeVar("T")


@asynccontextmanager
async def running(config: SimulatorConfig, clock: Clock) -> AsyncIterator[SimulatedAsterisk]:
    sim = SimulatedAsterisk(config, clock)
    await sim.start()
    try:
        yield sim
    finally:
        await sim.stop()


@asynccontextmanager
async def client(
    sim: SimulatedAsterisk, login: bool = True, **headers: str
) -> AsyncIterator[AmiTestClient]:
    connection = await AmiTestClient.connect(sim.port, sim)
    try:
        if login:
            await connection.login(**headers)
        yield connection
    finally:
        await connection.close()


class AmiTestClient:
    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        activity: Callable[[], int] | None = None,
    ) -> None:
        self.activity = activity  # grows when the simulator publishes or runs something
        self.reader = reader
        self.writer = writer
        self.framer = MessageReader()
        self.frames: list[AmiMessage] = []
        self.raw = bytearray()
        self.reads: list[bytes] = []
        self.eof = False
        self._arrived = asyncio.Event()
        self._ids = itertools.count(1)
        self._task = asyncio.create_task(self._pump())

    @classmethod
    async def connect(cls, port: int, sim: SimulatedAsterisk | None = None) -> AmiTestClient:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        activity = None
        if sim is not None:
            bus, log = sim.engine.bus, sim.actions_log
            activity = lambda: bus.published + len(log)  # noqa: E731
        return cls(reader, writer, activity)

    async def _pump(self) -> None:
        try:
            while data := await self.reader.read(65536):
                self.reads.append(data)
                self.raw += data
                self.frames.extend(self.framer.feed(data))
                self._arrived.set()
        except (ConnectionError, OSError):
            pass
        self.eof = True
        self._arrived.set()

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await self.writer.wait_closed()
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError, ConnectionError, OSError):
            await self._task

    def send(self, action: str, **headers: str | list[str]) -> str:
        action_id = str(headers.pop("ActionID", f"t-{next(self._ids)}"))
        self.writer.write(
            encode_headers([("Action", action), ("ActionID", action_id), *headers.items()])
        )
        return action_id

    def send_raw(self, data: bytes) -> None:
        self.writer.write(data)

    async def action(
        self, action: str, clock: Clock | None = None, **headers: str | list[str]
    ) -> AmiMessage:
        action_id = self.send(action, **headers)
        return await self.response(action_id, clock)

    async def response(self, action_id: str, clock: Clock | None = None) -> AmiMessage:
        return await self.wait_for(
            lambda m: m.response is not None and m.get("ActionID") == action_id, clock
        )

    async def login(self, secret: str = "hotline-secret", **headers: str) -> AmiMessage:
        return await self.action("Login", Username="hotline", Secret=secret, **headers)

    def events(self, name: str | None = None) -> list[AmiMessage]:
        return [m for m in self.frames if m.event is not None and (name is None or m.event == name)]

    def user_events(self, name: str) -> list[AmiMessage]:
        return [m for m in self.events("UserEvent") if m.get("UserEvent") == name]

    async def wait_for(
        self,
        predicate: Predicate,
        clock: Clock | None = None,
        max_clock: float = 300.0,
        step: float = 0.25,
    ) -> AmiMessage:
        """The first frame (already received or still to come) that matches."""
        return await self._wait(
            lambda: next((m for m in self.frames if predicate(m)), None), clock, max_clock, step
        )

    async def wait_eof(self, clock: Clock | None = None, max_clock: float = 30.0) -> None:
        await self._wait(lambda: True if self.eof else None, clock, max_clock, 0.25)

    async def _wait(
        self, found: Callable[[], T | None], clock: Clock | None, max_clock: float, step: float
    ) -> T:
        loop = asyncio.get_running_loop()
        real_deadline = loop.time() + REAL_GUARD
        advanced = 0.0
        busy = True  # bytes may be on their way
        while (result := found()) is None:
            if loop.time() > real_deadline or advanced > max_clock:
                recent = [dict(m.headers) for m in self.frames[-8:]]
                raise AssertionError(f"never came; last received: {recent}")
            if busy or not isinstance(clock, FakeClock):
                self._arrived.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._arrived.wait(), IO_WAIT)
                if found() is not None:
                    continue
            if isinstance(clock, FakeClock):
                mark = self.activity() if self.activity else None
                await clock.advance(step)
                advanced += step
                busy = self.activity is None or self.activity() != mark
        return result


class EventTimes:
    """When, on the simulator's own clock, each event was published."""

    def __init__(self, sim: SimulatedAsterisk, clock: Clock) -> None:
        self.clock = clock
        self.seen: list[tuple[float, AmiMessage]] = []
        sim.engine.bus.listeners.append(self._published)

    def _published(self, name: str, data: bytes) -> None:
        message = decode_message(data.rstrip(b"\r\n"))
        if message is not None:
            self.seen.append((self.clock.time(), message))

    def time_of(self, predicate: Predicate) -> float:
        return next(t for t, message in self.seen if predicate(message))


async def run_clock(clock: FakeClock, seconds: float, step: float = 0.25) -> None:
    """Let ``seconds`` of fake time pass in steps, with time for the sockets between them."""
    steps = max(1, round(seconds / step))
    for _ in range(steps):
        await clock.advance(seconds / steps)
        await asyncio.sleep(IO_WAIT / 4)
