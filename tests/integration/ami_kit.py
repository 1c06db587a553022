"""Shared pieces of the AMI connection tests (no tests here).

Two clients drive the same simulated Asterisk over real TCP: ``OurClient`` (our
``AmiConnection``) and ``BareClient`` (panoramisk's ``Manager`` as it is), behind one
small interface, so a defect test can run on both and show the difference.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any, Protocol

import pytest
from panoramisk import Manager

from telephony.clock import Clock, ScaledClock
from telephony.connection import (
    AmiConnection,
    AmiEndpoint,
    AmiLinkLost,
    AmiNotConnected,
    AmiTimeout,
    UnsafeHeader,
)
from telephony.facts import LinkDown, LinkUp
from telephony.simulator import SimulatedAsterisk, SimulatorConfig
from telephony.wire import AmiMessage

SPEED = 40.0  # scaled seconds per real second
SEATS = ("8001", "8002")
EventHook = Callable[[AmiMessage], Awaitable[None]]


async def until(clock: Clock, check: Callable[[], bool], within: float, what: str = "") -> None:
    """Poll ``check`` on the clock until it holds; fail after ``within`` clock seconds."""
    deadline = clock.monotonic() + within
    while not check():
        if clock.monotonic() > deadline:
            pytest.fail(f"not within {within:g} s: {what or check}")
        await clock.sleep(0.05)


@contextlib.asynccontextmanager
async def simulated_asterisk(
    tmp_path: Path, clock: Clock, **config: Any
) -> AsyncIterator[SimulatedAsterisk]:
    sim = SimulatedAsterisk(
        SimulatorConfig(seats=SEATS, recordings_dir=tmp_path / "recordings", **config), clock
    )
    await sim.start()
    try:
        yield sim
    finally:
        await sim.stop()


def endpoint(
    sim: SimulatedAsterisk, secret: str | None = None, port: int | None = None
) -> AmiEndpoint:
    config = sim.config
    return AmiEndpoint(
        "pbx1", config.host, port or sim.port, config.username, secret or config.secret
    )


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, piece: int) -> None:
    try:
        while data := await reader.read(65536):
            size = piece or len(data)
            for start in range(0, len(data), size):
                writer.write(data[start : start + size])
                await writer.drain()
                await asyncio.sleep(0)  # let the other side read this piece on its own
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


@contextlib.asynccontextmanager
async def chopping_relay(port: int, piece: int) -> AsyncIterator[int]:
    """A TCP hop in front of ``port`` that passes the server's bytes on in ``piece``-byte
    writes, so that the client gets them in separate TCP reads. Yields its own port."""
    pipes: set[asyncio.Task[None]] = set()

    async def relay(client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter) -> None:
        server_in, server_out = await asyncio.open_connection("127.0.0.1", port)
        loop = asyncio.get_running_loop()
        pipes.add(loop.create_task(_pipe(client_in, server_out, 0)))
        pipes.add(loop.create_task(_pipe(server_in, client_out, piece)))

    server = await asyncio.start_server(relay, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        for task in pipes:
            task.cancel()
        await asyncio.gather(*pipes, return_exceptions=True)
        await server.wait_closed()


class RecordingHandler:
    """A LinkHandler that remembers everything it was told, in order."""

    def __init__(self, hook: EventHook | None = None) -> None:
        self.hook = hook
        self.events: list[AmiMessage] = []
        self.ups: list[tuple[LinkUp, list[AmiMessage]]] = []
        self.downs: list[LinkDown] = []
        self.told: list[object] = []  # everything, in the order it was handed over

    async def on_message(self, message: AmiMessage, received_at: datetime) -> None:
        self.events.append(message)
        self.told.append(message)
        if self.hook is not None:
            await self.hook(message)

    async def on_link_up(self, up: LinkUp, channels: list[AmiMessage]) -> None:
        self.ups.append((up, channels))
        self.told.append(up)

    async def on_link_down(self, down: LinkDown) -> None:
        self.downs.append(down)
        self.told.append(down)

    def named(self, event: str) -> list[AmiMessage]:
        return [m for m in self.events if m.event == event]


@contextlib.asynccontextmanager
async def linked(
    sim: SimulatedAsterisk,
    clock: Clock,
    hook: EventHook | None = None,
    *,
    secret: str | None = None,
    wait: bool = True,
    **options: Any,
) -> AsyncIterator[tuple[AmiConnection, RecordingHandler]]:
    handler = RecordingHandler(hook)
    options.setdefault("rng", random.Random(3))
    conn = AmiConnection(endpoint(sim, secret), handler, clock, **options)
    await conn.start()
    try:
        if wait:
            await conn.wait_ready(10)
        yield conn, handler
    finally:
        sim.faults.frozen = False  # a Logoff to a hung Asterisk would wait on the clock
        await conn.stop()


@contextlib.asynccontextmanager
async def asterisk_and_link(
    tmp_path: Path, clock: Clock, hook: EventHook | None = None, **options: Any
) -> AsyncIterator[tuple[SimulatedAsterisk, AmiConnection, RecordingHandler]]:
    async with (
        simulated_asterisk(tmp_path, clock) as sim,
        linked(sim, clock, hook, **options) as (conn, handler),
    ):
        yield sim, conn, handler


def probe(seq: int) -> bytes:
    return f"Event: UserEvent\r\nUserEvent: Probe\r\nSeq: {seq}\r\n\r\n".encode()


def probes(handler: RecordingHandler) -> list[int]:
    return [int(m["Seq"]) for m in handler.events if m.get("UserEvent") == "Probe"]


def actions(sim: SimulatedAsterisk, name: str) -> list[Any]:
    return [a for a in sim.actions_log if (a.message.get("Action") or "").lower() == name.lower()]


def label(item: object) -> str:
    return (item.event or "") if isinstance(item, AmiMessage) else type(item).__name__


def waiting(handler: RecordingHandler, call_id: str) -> bool:
    return any(
        m.get("UserEvent") == "HotlineWaiting" and m.get("Uniqueid") == call_id
        for m in handler.events
    )


class Outcome(Enum):
    ANSWERED = "answered"
    REFUSED = "refused before sending"
    TIMED_OUT = "timed out"
    LINK_LOST = "link lost"
    NOTHING = "no outcome at all"


class Client(Protocol):
    label: str
    clock: Clock
    events: list[AmiMessage]

    def __init__(
        self,
        sim: SimulatedAsterisk,
        clock: Clock,
        hook: EventHook | None,
        port: int | None = None,
    ) -> None: ...

    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    def links_up(self) -> int: ...
    def links_down(self) -> int: ...
    async def send(
        self, action: Mapping[str, str], *, limit: float = 2.0, within: float = 10.0
    ) -> Outcome: ...


class OurClient:
    label = "AmiConnection"

    def __init__(
        self,
        sim: SimulatedAsterisk,
        clock: Clock,
        hook: EventHook | None,
        port: int | None = None,
    ) -> None:
        self.clock = clock
        self.handler = RecordingHandler(hook)
        self.events = self.handler.events
        self.conn = AmiConnection(
            endpoint(sim, port=port), self.handler, clock, backoff_initial=0.5, rng=random.Random(7)
        )

    async def start(self) -> None:
        await self.conn.start()
        await self.conn.wait_ready(10)

    async def stop(self) -> None:
        await self.conn.stop()

    def links_up(self) -> int:
        return len(self.handler.ups)

    def links_down(self) -> int:
        return len(self.handler.downs)

    async def send(
        self, action: Mapping[str, str], *, limit: float = 2.0, within: float = 10.0
    ) -> Outcome:
        try:
            await self.conn.send(action, timeout=limit)
        except (UnsafeHeader, AmiNotConnected):
            return Outcome.REFUSED
        except AmiTimeout:
            return Outcome.TIMED_OUT
        except AmiLinkLost:
            return Outcome.LINK_LOST
        return Outcome.ANSWERED


class BareClient:
    """panoramisk 1.4's Manager, configured for short tests (its own timers run in real time)."""

    label = "bare panoramisk"

    def __init__(
        self,
        sim: SimulatedAsterisk,
        clock: Clock,
        hook: EventHook | None,
        port: int | None = None,
    ) -> None:
        self.clock = clock
        self.hook = hook
        self.events: list[AmiMessage] = []
        self.downs = 0
        self.manager = Manager(
            loop=asyncio.get_running_loop(),
            host=sim.config.host,
            port=port or sim.port,
            username=sim.config.username,
            secret=sim.config.secret,
            ping_delay=1,
            ping_interval=1,
            reconnect_timeout=0,
            on_disconnect=self._disconnected,
        )
        self.manager.register_event("*", self._dispatched)

    async def start(self) -> None:
        self.manager.connect()
        await until(self.clock, lambda: self.links_up() >= 1, 10, "bare login")

    async def stop(self) -> None:
        self.manager.close()

    def links_up(self) -> int:
        return len([m for m in self.events if m.event == "FullyBooted"])

    def links_down(self) -> int:
        return self.downs

    async def send(
        self, action: Mapping[str, str], *, limit: float = 2.0, within: float = 10.0
    ) -> Outcome:
        future = self.manager.send_action(dict(action))
        deadline = self.clock.monotonic() + within
        while not future.done() and self.clock.monotonic() < deadline:
            await self.clock.sleep(0.05)
        if not future.done():
            return Outcome.NOTHING
        if future.exception() is not None:
            return Outcome.LINK_LOST
        return Outcome.ANSWERED

    def _dispatched(self, manager: Manager, message: Any) -> Any:
        converted = _from_panoramisk(message)
        self.events.append(converted)
        return self.hook(converted) if self.hook is not None else None

    def _disconnected(self, manager: Manager, exc: object) -> None:
        self.downs += 1


def _from_panoramisk(message: Mapping[str, Any]) -> AmiMessage:
    pairs: list[tuple[str, str]] = []
    for key, value in message.items():
        values = value if isinstance(value, list) else [value]
        pairs.extend((key, str(item)) for item in values)
    return AmiMessage.of(pairs)


CLIENTS = [
    pytest.param(BareClient, id="bare-panoramisk"),
    pytest.param(OurClient, id="ours"),
]


def defect(reason: str) -> list[Any]:
    """Both clients; the bare one is expected to fail, strictly."""
    return [
        pytest.param(
            BareClient, id="bare-panoramisk", marks=pytest.mark.xfail(strict=True, reason=reason)
        ),
        pytest.param(OurClient, id="ours"),
    ]


def scaled_clock() -> ScaledClock:
    return ScaledClock(SPEED)


@contextlib.asynccontextmanager
async def client_session(
    client_type: type[Client],
    tmp_path: Path,
    hook: EventHook | None = None,
    *,
    chop_into: int | None = None,
) -> AsyncIterator[tuple[SimulatedAsterisk, Client, Clock]]:
    """A simulated Asterisk and a started client of it (through a chopping relay if asked);
    all stopped at the end."""
    clock = scaled_clock()
    async with contextlib.AsyncExitStack() as stack:
        sim = await stack.enter_async_context(simulated_asterisk(tmp_path, clock))
        port = None
        if chop_into:
            port = await stack.enter_async_context(chopping_relay(sim.port, chop_into))
        client = client_type(sim, clock, hook, port)
        await client.start()
        try:
            yield sim, client, clock
        finally:
            sim.faults.frozen = False
            await client.stop()
