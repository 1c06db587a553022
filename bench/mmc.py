"""``hotline bench acd``: the ACD against queueing theory, and routing latency at scale.

One arrival/talk-time trace (Poisson arrivals, exponential talk times) goes
1. through the simulated Asterisk and the service's ACD on a time-scaled clock
   (seats answer after a short ring, no wrap-up, callers never give up), and
2. through a reference M/M/c simulation of the same trace (first come first
   served, a caller takes a seat the instant one is free),
and both print the service level (share answered within 15 s), ASA, and the
seconds per hour a seat sat idle while a caller waited; the Erlang C formula
gives the service level theory expects for the same load. Then the routing
latency (HotlineWaiting frame decoded -> Redirect written) at 500 seats and
50 new calls a second. Everything runs on 127.0.0.1 and stops by itself.
"""

from __future__ import annotations

import heapq
import math
import random
import statistics
import time
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from acd.desk import SeatSpec
from acd.figures import FigureRules
from acd.links import AmiDialer, ServerLink
from acd.live import LocalHub
from acd.rules import RoutingRules
from acd.service import CallCentre
from bench.ami import BenchPlan, NullSink, percentile, routing_latency
from telephony.clock import ScaledClock
from telephony.connection import AmiConnection, AmiEndpoint
from telephony.simulator import CallerScript, SeatBehaviour, SimulatedAsterisk, SimulatorConfig
from tickets.orders import make_order_number
from tickets.records import CallRecord

TARGET = 15.0  # seconds: the contract's answer target
USER, SECRET = "hotline", "hotline-secret"


@dataclass(frozen=True)
class TracePlan:
    seats: int = 20
    erlangs: float = 17.0  # offered load: 85 % of 20 seats
    talk_mean: float = 120.0  # seconds
    hours: float = 1.0
    speed: float = 40.0  # one simulated hour in 90 real seconds
    ring_seconds: float = 1.0  # a seat answers after ringing this long
    seed: int = 2026


QUICK_TRACE = TracePlan(seats=5, erlangs=3.5, talk_mean=60.0, hours=0.1, speed=40.0)


@dataclass(frozen=True)
class TraceCall:
    number: str
    arrives: float  # seconds from the start
    talk: float


def make_trace(plan: TracePlan) -> list[TraceCall]:
    rng = random.Random(plan.seed)
    rate = plan.erlangs / plan.talk_mean  # calls per second
    calls: list[TraceCall] = []
    now = 0.0
    while True:
        now += rng.expovariate(rate)
        if now >= plan.hours * 3600:
            return calls
        talk = max(1.0, rng.expovariate(1.0 / plan.talk_mean))
        calls.append(TraceCall(f"139{len(calls):08d}", round(now, 3), round(talk, 3)))


# -- theory -----------------------------------------------------------------------------


def erlang_c(seats: int, erlangs: float) -> float:
    """Probability that a caller has to wait (M/M/c)."""
    term, total = 1.0, 1.0
    for k in range(1, seats):
        term *= erlangs / k
        total += term
    top = term * erlangs / seats * seats / (seats - erlangs)
    return top / (total + top)


def erlang_c_service_level(plan: TracePlan) -> float:
    wait = erlang_c(plan.seats, plan.erlangs)
    return 1 - wait * math.exp(-(plan.seats - plan.erlangs) * TARGET / plan.talk_mean)


# -- the reference M/M/c simulation ---------------------------------------------------


@dataclass
class Outcome:
    waits: list[float] = field(default_factory=list)
    idle_while_waiting: float = 0.0  # seat-seconds
    hours: float = 1.0

    @property
    def service_level(self) -> float:
        return sum(1 for w in self.waits if w <= TARGET) / len(self.waits) if self.waits else 0.0

    @property
    def asa(self) -> float:
        return statistics.fmean(self.waits) if self.waits else 0.0

    @property
    def idle_seconds_per_hour(self) -> float:
        return self.idle_while_waiting / self.hours


def reference_mmc(trace: list[TraceCall], plan: TracePlan) -> Outcome:
    """First come first served; a free seat takes the next caller at once
    (never idle while one waits)."""
    free_at = [0.0] * plan.seats
    heapq.heapify(free_at)
    outcome = Outcome(hours=plan.hours)
    for call in trace:
        seat_free = heapq.heappop(free_at)
        start = max(call.arrives, seat_free)
        outcome.waits.append(start - call.arrives)
        heapq.heappush(free_at, start + call.talk)
    return outcome


# -- the same trace through the simulated Asterisk and the ACD --------------------------


class IdleMeter:
    """Integrates ready seats × [a caller waits] over time, from the centre's own state."""

    def __init__(self, centre: CallCentre, clock: ScaledClock) -> None:
        self.centre, self.clock = centre, clock
        self.total = 0.0
        self._last = clock.monotonic()

    def sample(self) -> None:
        now = self.clock.monotonic()
        routable = [c for c in self.centre.router.waiting.values() if c.offered_to is None]
        idle = sum(1 for seat in self.centre.board.all() if seat.available)
        if routable:
            self.total += idle * (now - self._last)
        self._last = now


async def through_the_acd(trace: list[TraceCall], plan: TracePlan) -> Outcome:
    clock = ScaledClock(plan.speed)
    seats = tuple(str(8001 + i) for i in range(plan.seats))
    sim = SimulatedAsterisk(SimulatorConfig(seats=seats, write_recordings=False), clock)
    for seat in seats:
        sim.set_seat(seat, SeatBehaviour(answer_delay=plan.ring_seconds))
    await sim.start()
    centre = _centre(clock, seats)
    meter = IdleMeter(centre, clock)
    centre.board.subscribe(lambda seat, closed, opened: meter.sample())
    connection = _connect(centre, clock, sim.port)
    await connection.start()
    try:
        await connection.wait_ready(10)
        await _place(sim, clock, trace, meter)
        await _until_all_answered(centre, clock, len(trace), meter)
    finally:
        await connection.stop()
        centre.close()
        await sim.stop()
    answered = [r for r in centre.today.records() if r.answered_at is not None]
    return Outcome(
        waits=[_wait(r) for r in answered], idle_while_waiting=meter.total, hours=plan.hours
    )


def _centre(clock: ScaledClock, seats: tuple[str, ...]) -> CallCentre:
    dialer = AmiDialer()
    centre = CallCentre(
        clock=clock,
        dialer=dialer,
        routing=RoutingRules(wrapup_seconds=0.0),
        routed_servers=["pbx1"],
        sink=NullSink(),
        hub=LocalHub(),
        figure_rules=FigureRules(),
        zone=ZoneInfo("Asia/Shanghai"),
        order_number=make_order_number,
    )
    for seat in seats:
        centre.add_seat(SeatSpec(seat, "pbx1", frozenset({"12345"})), agent=f"A{seat}")
    return centre


def _connect(centre: CallCentre, clock: ScaledClock, port: int) -> AmiConnection:
    link = ServerLink("pbx1", centre, routed=True, ring_timeout=15.0)
    connection = AmiConnection(AmiEndpoint("pbx1", "127.0.0.1", port, USER, SECRET), link, clock)
    link.connection = connection
    dialer = centre.router.dialer
    assert isinstance(dialer, AmiDialer)
    dialer.connections["pbx1"] = connection
    return connection


async def _place(
    sim: SimulatedAsterisk, clock: ScaledClock, trace: list[TraceCall], meter: IdleMeter
) -> None:
    started = clock.monotonic()
    for call in trace:
        await clock.sleep(call.arrives - (clock.monotonic() - started))
        script = CallerScript(
            patience=None,
            talk_seconds=call.talk,
            hangs_up_first=True,
            survey_key=None,
            menu_key="5",
        )
        await sim.place_call("12345", call.number, "", script)
        meter.sample()


async def _until_all_answered(
    centre: CallCentre, clock: ScaledClock, count: int, meter: IdleMeter
) -> None:
    while sum(1 for r in centre.today.records() if r.answered_at is not None) < count:
        meter.sample()
        await clock.sleep(1.0)


def _wait(record: CallRecord) -> float:
    return record.wait_seconds or 0.0


# -- printing ---------------------------------------------------------------------------


def _row(name: str, outcome: Outcome) -> str:
    return (
        f"  {name:<34} {outcome.service_level:>8.1%} {outcome.asa:>9.1f} s "
        f"{outcome.idle_seconds_per_hour:>12.1f} s/h"
    )


async def run_acd_bench(quick: bool = False) -> int:
    plan = QUICK_TRACE if quick else TracePlan()
    trace = make_trace(plan)
    offered = len(trace)
    print(
        f"Trace: {offered} calls in {plan.hours:g} h, Poisson arrivals, exponential talk "
        f"(mean {plan.talk_mean:g} s), {plan.seats} seats, {plan.erlangs:g} Erlang offered, "
        f"seats ring {plan.ring_seconds:g} s, no wrap-up, no abandonment; clock x{plan.speed:g}"
    )
    started = time.perf_counter()
    acd = await through_the_acd(trace, plan)
    elapsed = time.perf_counter() - started
    reference = reference_mmc(trace, plan)
    print(f"  {'':<34} {'SL 15 s':>8} {'ASA':>11} {'seat idle while a caller waited':>12}")
    print(_row("reference M/M/c, same trace", reference))
    print(_row("simulated Asterisk + hotline ACD", acd))
    print(
        f"  Erlang C for this load: service level {erlang_c_service_level(plan):.1%}, "
        f"P(wait) {erlang_c(plan.seats, plan.erlangs):.1%}"
    )
    print(f"  (the ACD run took {elapsed:.0f} s of real time)")
    latency_plan = BenchPlan(
        seats=500, calls_per_second=50.0, routing_seconds=4.0 if quick else 10.0
    )
    latencies, placed = await routing_latency(latency_plan)
    ms = [value * 1000 for value in latencies]
    print(
        f"Routing latency at {latency_plan.seats} seats, "
        f"{latency_plan.calls_per_second:g} new calls/s "
        f"({placed} calls, {len(ms)} routed): p50 {statistics.median(ms):.2f} ms, "
        f"p99 {percentile(ms, 0.99):.2f} ms, max {max(ms):.2f} ms"
        if ms
        else "Routing latency: no call was routed"
    )
    return 0
