"""``hotline demo``: the whole product on one machine, with nothing to install or configure.

It starts the simulated Asterisk (seats as softphones that answer after a few
seconds, callers arriving at random with Chinese names and their own patience),
the service on SQLite without Redis, and the wallboard; prints the address; and
runs until Ctrl-C or ``--duration``. ``--summary-json`` writes the figures of the
calls of this run when it stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import logging
import random
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from acd.figures import compute_figures, within
from acd.rules import RoutingRules
from acd.views import figures_view
from telephony.clock import Clock, ScaledClock, SystemClock
from telephony.simulator import (
    SeatBehaviour,
    SimulatedAsterisk,
    SimulatorConfig,
    TrafficGenerator,
    TrafficProfile,
)
from tickets.catalogue import DEMO_UNITS
from web.app import create_app
from web.demo_people import DEMO_AGENTS, DEMO_PASSWORD, DEMO_STAFF, add_demo_people
from web.keys import CENTRE, WRITER
from web.order_settings import default_order_settings
from web.serve import start_site, stop_event_on_signals
from web.settings import DEFAULT_LINES, AmiServer, SeatConfig, Settings, parse_http

log = logging.getLogger(__name__)

DEMO_USER, DEMO_SECRET = "hotline", "hotline-secret"
DEFAULT_HTTP = ("127.0.0.1", 8080)
PORT_TRIES = 20
# A demo centre at a healthy load: short calls and wrap-up so a newcomer sees
# calls queue, ring, connect and end within a minute.
DEMO_ROUTING = RoutingRules(ring_timeout=15.0, wrapup_seconds=8.0)
DEMO_TALK_MEAN = 20.0
DEMO_PATIENCE_MEAN = 60.0


@dataclass(frozen=True)
class DemoOptions:
    seats: int = 2
    calls_per_minute: float = 3.0
    duration: float | None = None
    summary_json: Path | None = None
    http: str | None = None
    data_dir: Path = Path("hotline-demo")
    seed: int = 12345
    speed: float = 1.0  # simulated time runs this many times faster than real time


def demo_seat_ids(count: int) -> tuple[str, ...]:
    return tuple(str(8001 + index) for index in range(count))


def _agent_names(count: int) -> list[str]:
    return [DEMO_AGENTS[i % len(DEMO_AGENTS)] for i in range(count)]


def sign_in_demo_agents(app: web.Application, count: int) -> None:
    """Agents 1001, 1002, … sign in to seats 8001, 8002, … as they would on their desk page."""
    desk = app[CENTRE].desk
    for index, (seat, name) in enumerate(
        zip(demo_seat_ids(count), _agent_names(count), strict=True)
    ):
        if app[CENTRE].board.get(seat).agent is None:
            desk.sign_in(seat, str(1001 + index), name)


def demo_settings(options: DemoOptions, ami_port: int, http: tuple[str, int]) -> Settings:
    data_dir = options.data_dir.resolve()
    return Settings(
        ami=(AmiServer("pbx1", "127.0.0.1", ami_port, DEMO_USER, DEMO_SECRET),),
        database_url=f"sqlite+aiosqlite:///{data_dir / 'hotline.db'}",
        recordings_dir=data_dir / "recordings",
        http_host=http[0],
        http_port=http[1],
        seats=tuple(
            SeatConfig(seat, "pbx1", DEFAULT_LINES) for seat in demo_seat_ids(options.seats)
        ),
        routing=DEMO_ROUTING,
        spill_path=data_dir / "hotline-unwritten.jsonl",
        # a small fictional district's units, so that orders can be dispatched in the demo
        orders=default_order_settings(ZoneInfo("Asia/Shanghai"), DEMO_UNITS),
    )


async def _start_simulator(options: DemoOptions, clock: Clock) -> SimulatedAsterisk:
    seats = demo_seat_ids(options.seats)
    config = SimulatorConfig(
        seats=seats,
        recordings_dir=options.data_dir.resolve() / "recordings",
        username=DEMO_USER,
        secret=DEMO_SECRET,
    )
    sim = SimulatedAsterisk(config, clock)
    rng = random.Random(options.seed)
    for seat in seats:
        sim.set_seat(seat, SeatBehaviour(answer_delay=round(rng.uniform(1.5, 4.0), 1)))
    await sim.start()
    return sim


async def _start_web(app: web.Application, http: str | None) -> tuple[web.AppRunner, str, int]:
    if http is not None:
        host, port = parse_http(http, "--http")
        return await start_site(app, host, port), host, port
    host, port = DEFAULT_HTTP
    for candidate in range(port, port + PORT_TRIES):
        try:
            return await start_site(app, host, candidate), host, candidate
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
    raise OSError(
        errno.EADDRINUSE, f"ports {port}-{port + PORT_TRIES - 1} are all in use; give --http"
    )


def _summary(app: web.Application, started: datetime, options: DemoOptions) -> dict[str, Any]:
    centre = app[CENTRE]
    records = within(centre.today.records(), started)
    figures = figures_view(compute_figures(records, centre.figure_rules))
    return {
        "started_at": started.isoformat(),
        "seats": options.seats,
        "calls_per_minute": options.calls_per_minute,
        "calls_offered": figures["offered"],
        "calls_answered": figures["answered"],
        "calls_abandoned": figures["abandoned"],
        "calls_in_progress": sum(
            1 for r in records if r.answered_at is None and r.ended_at is None
        ),
        "answer_rate_15s": figures["answer_rate_in_target"],
        "connection_rate": figures["connection_rate"],
        "asa_seconds": figures["asa_seconds"],
        "per_seat": figures["per_seat"],
        "database_writes_pending": app[WRITER].health().pending,
    }


def _print_people(seats: int) -> None:
    staff = ", ".join(f"{p.user_id} {p.roles[0]}" for p in DEMO_STAFF.values())
    print(
        f"hotline demo: sign in with password {DEMO_PASSWORD} as agents 1001-{1000 + seats} "
        f"or {staff}",
        flush=True,
    )


def demo_clock(speed: float) -> Clock:
    return SystemClock() if speed == 1.0 else ScaledClock(speed)


async def run_demo(options: DemoOptions) -> int:
    clock = demo_clock(options.speed)
    options.data_dir.mkdir(parents=True, exist_ok=True)
    sim = await _start_simulator(options, clock)
    app = create_app(demo_settings(options, sim.port, DEFAULT_HTTP), clock)
    traffic_task: asyncio.Task[None] | None = None
    try:
        runner, host, port = await _start_web(app, options.http)
        sign_in_demo_agents(app, options.seats)
        await add_demo_people(app, options.seats, DEMO_PASSWORD)
        started = clock.now()
        print(f"hotline demo: wallboard at http://{host}:{port}/  (Ctrl-C to stop)", flush=True)
        _print_people(options.seats)
        profile = TrafficProfile(
            calls_per_minute=options.calls_per_minute,
            talk_mean=DEMO_TALK_MEAN,
            patience_mean=DEMO_PATIENCE_MEAN,
        )
        traffic = TrafficGenerator(sim, clock, profile, seed=options.seed)
        first = traffic.next_caller()  # a newcomer sees a call at once, not after a random gap
        await sim.place_call(first.line, first.number, first.name, first.script)
        traffic_task = asyncio.get_running_loop().create_task(traffic.run(options.duration))
        await _wait_until_done(traffic_task, options.duration, clock)
        await app[WRITER].flush()
        summary = _summary(app, started, options)
        _report(summary, options.summary_json)
        await runner.cleanup()
    finally:
        if traffic_task is not None:
            traffic_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await traffic_task
        await sim.stop()
    return 0


async def _wait_until_done(
    traffic: asyncio.Task[None], duration: float | None, clock: Clock
) -> None:
    stop = asyncio.get_running_loop().create_task(stop_event_on_signals().wait())
    waiters: set[asyncio.Future[Any]] = {stop}
    if duration is not None:
        waiters.add(asyncio.ensure_future(clock.sleep(duration)))
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
    if traffic.done() and traffic.exception() is not None:
        log.error("simulated traffic stopped: %s", traffic.exception())


def _report(summary: dict[str, Any], path: Path | None) -> None:
    text = json.dumps(summary, ensure_ascii=False, indent=2)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
        print(f"hotline demo: figures written to {path}", flush=True)
    rate = summary["answer_rate_15s"]
    rate_text = "-" if rate is None else f"{rate:.1%}"
    print(
        f"hotline demo: {summary['calls_offered']} calls offered, "
        f"{summary['calls_answered']} answered, {summary['calls_abandoned']} abandoned, "
        f"15-second rate {rate_text}",
        flush=True,
    )
