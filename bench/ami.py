"""``hotline bench ami``: AMI throughput and routing latency, measured in one run on this machine.

1. Events/s parsed by bare panoramisk 1.4 (its Manager with one callback for
   every event) from a real Asterisk 22 capture (burst_50: 50 queue calls,
   5,619 events) replayed many times over TCP by the simulated Asterisk.
2. Events/s through our connection alone, and through connection + facts +
   ledger + ACD (the path every event takes in the service), same stream.
3. Routing latency — from the moment the ``HotlineWaiting`` frame is decoded to
   the moment the ``Redirect`` action is written — at 200 seats and a steady
   call rate, with the simulated Asterisk playing the deploy dialplan.
Everything runs on 127.0.0.1 and stops by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from panoramisk import Manager

from acd.desk import SeatSpec
from acd.figures import FigureRules
from acd.links import AmiDialer, ServerLink
from acd.live import LocalHub
from acd.ports import DialResult
from acd.rules import RoutingRules
from acd.service import CallCentre
from telephony.clock import SystemClock
from telephony.connection import AmiConnection, AmiEndpoint
from telephony.facts import LinkDown, LinkUp
from telephony.simulator import CallerScript, SeatBehaviour, SimulatedAsterisk, SimulatorConfig
from telephony.transcript import read_transcript
from telephony.wire import AmiMessage, MessageReader
from tickets.orders import make_order_number
from tickets.records import (
    AgentSession,
    AuditEntry,
    CallbackTask,
    CallRecord,
    SeatStateInterval,
    WorkOrderDraft,
)

CAPTURE = (
    Path(__file__).resolve().parents[1]
    / "tests"
    / "fixtures"
    / "ami-captures"
    / "burst_50.amitrace"
)
USER, SECRET = "hotline", "hotline-secret"


@dataclass
class BenchPlan:
    repeats: int = 20  # copies of the capture's event stream
    seats: int = 200
    calls_per_second: float = 20.0
    routing_seconds: float = 30.0


QUICK = BenchPlan(repeats=2, seats=20, calls_per_second=5.0, routing_seconds=4.0)


# -- the event stream -----------------------------------------------------------------


def capture_stream(path: Path = CAPTURE) -> tuple[bytes, int]:
    """The backend session's events of a capture (without banner and login answer)."""
    transcript = read_transcript(path)
    payloads = [r.payload for r in transcript.records if r.session == 1 and r.direction == "<"]
    events = [p for p in payloads if p.startswith(b"Event:")]
    return b"".join(events), len(events)


# -- sinks that count ------------------------------------------------------------------


class NullSink:
    def __init__(self) -> None:
        self.calls = 0

    def submit_call(self, record: CallRecord) -> None:
        self.calls += 1

    def submit_seat_state(self, interval: SeatStateInterval) -> None:
        return None

    def submit_order(self, draft: WorkOrderDraft) -> None:
        return None

    def submit_agent_session(self, session: AgentSession) -> None:
        return None

    def submit_callback_task(self, task: CallbackTask) -> None:
        return None

    def submit_audit(self, entry: AuditEntry) -> None:
        return None


@dataclass
class Counter:
    target: int
    count: int = 0
    done: asyncio.Event = field(default_factory=asyncio.Event)
    finished_at: float = 0.0

    def tick(self) -> None:
        self.count += 1
        if self.count >= self.target and not self.done.is_set():
            self.finished_at = time.perf_counter()
            self.done.set()


class CountingHandler:
    """A LinkHandler that only counts (our connection alone)."""

    def __init__(self, counter: Counter, inner: Any = None) -> None:
        self.counter = counter
        self.inner = inner
        self.up = asyncio.Event()

    async def on_message(self, message: AmiMessage, received_at: datetime) -> None:
        if self.inner is not None:
            await self.inner.on_message(message, received_at)
        self.counter.tick()

    async def on_link_up(self, up: LinkUp, channels: list[AmiMessage]) -> None:
        if self.inner is not None:
            await self.inner.on_link_up(up, channels)
        self.up.set()

    async def on_link_down(self, down: LinkDown) -> None:
        return None


def build_centre(clock: SystemClock, dialer: AmiDialer, routed: list[str]) -> CallCentre:
    return CallCentre(
        clock=clock,
        dialer=dialer,
        routing=RoutingRules(wrapup_seconds=1.0),
        routed_servers=routed,
        sink=NullSink(),
        hub=LocalHub(),
        figure_rules=FigureRules(),
        zone=ZoneInfo("Asia/Shanghai"),
        order_number=make_order_number,
    )


# -- 1 and 2: throughput ---------------------------------------------------------------


async def _timed_injection(sim: SimulatedAsterisk, stream: bytes, counter: Counter) -> float:
    started = time.perf_counter()
    sim.faults.inject(stream)
    await asyncio.wait_for(counter.done.wait(), timeout=600)
    return counter.finished_at - started


async def bare_panoramisk_rate(sim: SimulatedAsterisk, stream: bytes, events: int) -> float:
    counter = Counter(events)
    booted = asyncio.Event()
    manager = Manager(
        host="127.0.0.1",
        port=sim.port,
        username=USER,
        secret=SECRET,
        ping_delay=3600,
        ping_interval=3600,
    )

    def on_event(_manager: Manager, message: Any) -> None:
        if message.event == "FullyBooted" and not booted.is_set():
            booted.set()
            return
        counter.tick()

    manager.register_event("*", on_event)
    await manager.connect()
    await asyncio.wait_for(booted.wait(), timeout=10)
    await asyncio.sleep(0.2)
    counter.count = 0
    try:
        seconds = await _timed_injection(sim, stream, counter)
    finally:
        manager.close()
    return events / seconds


async def our_rate(sim: SimulatedAsterisk, stream: bytes, events: int, with_acd: bool) -> float:
    clock = SystemClock()
    counter = Counter(events)
    inner = None
    if with_acd:
        centre = build_centre(clock, AmiDialer(), routed=[])
        inner = ServerLink("bench", centre, routed=False, ring_timeout=15.0)
    handler = CountingHandler(counter, inner)
    endpoint = AmiEndpoint("bench", "127.0.0.1", sim.port, USER, SECRET)
    connection = AmiConnection(endpoint, handler, clock)
    await connection.start()
    try:
        await asyncio.wait_for(handler.up.wait(), timeout=10)
        await asyncio.sleep(0.2)
        counter.count = 0
        seconds = await _timed_injection(sim, stream, counter)
    finally:
        await connection.stop()
    return events / seconds


def reader_rate(stream: bytes, events: int, repeats: int = 5) -> float:
    """The framer alone, no socket (what the connection's parsing costs)."""
    started = time.perf_counter()
    for _ in range(repeats):
        reader = MessageReader(expect_banner=False)
        for offset in range(0, len(stream), 65536):
            reader.feed(stream[offset : offset + 65536])
    return events * repeats / (time.perf_counter() - started)


# -- 3: routing latency ----------------------------------------------------------------


class TimedLink(ServerLink):
    def __init__(self, *args: Any, waiting_at: dict[str, float], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.waiting_at = waiting_at

    async def on_message(self, message: AmiMessage, received_at: datetime) -> None:
        if message.get("UserEvent") == "HotlineWaiting":
            self.waiting_at.setdefault(message["Channel"], received_at.timestamp())
        await super().on_message(message, received_at)


class TimedDialer(AmiDialer):
    def __init__(self, waiting_at: dict[str, float], latencies: list[float]) -> None:
        super().__init__()
        self.waiting_at = waiting_at
        self.latencies = latencies

    async def send_to_seat(self, server: str, channel: str, seat: str) -> DialResult:
        sent = time.time()  # the Redirect frame is written before the first await below
        waited = self.waiting_at.pop(channel, None)
        if waited is not None:
            self.latencies.append(sent - waited)
        return await super().send_to_seat(server, channel, seat)


async def routing_latency(plan: BenchPlan) -> tuple[list[float], int]:
    clock = SystemClock()
    seats = tuple(str(10001 + i) for i in range(plan.seats))
    sim = SimulatedAsterisk(SimulatorConfig(seats=seats, write_recordings=False), clock)
    for seat in seats:
        sim.set_seat(seat, SeatBehaviour(answer_delay=0.5))
    await sim.start()
    waiting_at: dict[str, float] = {}
    latencies: list[float] = []
    dialer = TimedDialer(waiting_at, latencies)
    centre = build_centre(clock, dialer, routed=["pbx1"])
    for seat in seats:
        lines = frozenset({"12345", "962121"})
        centre.add_seat(SeatSpec(seat, "pbx1", lines), agent=f"A{seat}")
    link = TimedLink("pbx1", centre, routed=True, ring_timeout=15.0, waiting_at=waiting_at)
    connection = AmiConnection(
        AmiEndpoint("pbx1", "127.0.0.1", sim.port, USER, SECRET), link, clock
    )
    link.connection = connection
    dialer.connections["pbx1"] = connection
    await connection.start()
    placed = 0
    try:
        await connection.wait_ready(10)
        placed = await _steady_calls(sim, plan)
        for _ in range(300):  # at most 30 s for the last calls to be routed
            if len(latencies) >= placed:
                break
            await asyncio.sleep(0.1)
    finally:
        await connection.stop()
        centre.close()
        await sim.stop()
    return latencies, placed


async def _steady_calls(sim: SimulatedAsterisk, plan: BenchPlan) -> int:
    gap = 1.0 / plan.calls_per_second
    # a key at the menu at once: the caller is queued without waiting out the menu's timeout
    script = CallerScript(
        patience=None, talk_seconds=3.0, hangs_up_first=True, survey_key=None, menu_key="5"
    )
    tasks: list[asyncio.Task[str]] = []
    started = time.perf_counter()
    count = int(plan.routing_seconds * plan.calls_per_second)
    for index in range(count):
        number = f"139{index:08d}"
        tasks.append(asyncio.create_task(sim.place_call("12345", number, "", script)))
        await asyncio.sleep(max(0.0, started + (index + 1) * gap - time.perf_counter()))
    await asyncio.gather(*tasks)
    return count


# -- printing --------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def _with_simulator(run: Callable[[SimulatedAsterisk], Awaitable[float]]) -> float:
    sim = SimulatedAsterisk(SimulatorConfig(write_recordings=False), SystemClock())
    await sim.start()
    try:
        return await run(sim)
    finally:
        with contextlib.suppress(Exception):
            await sim.stop()


async def run_bench(quick: bool = False) -> int:
    plan = QUICK if quick else BenchPlan()
    one, events_one = capture_stream()
    stream, events = one * plan.repeats, events_one * plan.repeats
    print(
        f"AMI stream: capture burst_50 x {plan.repeats} = {events:,} events, {len(stream):,} bytes"
    )
    bare = await _with_simulator(lambda sim: bare_panoramisk_rate(sim, stream, events))
    print(f"  bare panoramisk 1.4 Manager ............ {bare:>10,.0f} events/s")
    framer = reader_rate(stream, events)
    print(f"  our framer alone (no socket) ........... {framer:>10,.0f} events/s")
    ours = await _with_simulator(lambda sim: our_rate(sim, stream, events, with_acd=False))
    print(f"  our connection ......................... {ours:>10,.0f} events/s")
    full = await _with_simulator(lambda sim: our_rate(sim, stream, events, with_acd=True))
    print(f"  our connection + facts + ledger + ACD .. {full:>10,.0f} events/s")
    latencies, placed = await routing_latency(plan)
    print(
        f"Routing latency, HotlineWaiting frame decoded -> Redirect written "
        f"({plan.seats} seats, {plan.calls_per_second:g} calls/s for {plan.routing_seconds:g} s, "
        f"{placed} calls, {len(latencies)} routed):"
    )
    if latencies:
        ms = [value * 1000 for value in latencies]
        print(
            f"  p50 {statistics.median(ms):.2f} ms   p99 {percentile(ms, 0.99):.2f} ms   "
            f"max {max(ms):.2f} ms"
        )
    return 0
