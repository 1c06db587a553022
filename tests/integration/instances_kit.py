"""Helpers of the several-instances tests: two whole services on one simulated Asterisk
and one Redis (the first through a TCP proxy that can cut it off), and a checker of
what Asterisk was asked to do against what it said happened. No tests here."""

from __future__ import annotations

import contextlib
import dataclasses
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from aiohttp import web
from aiohttp.test_utils import TestClient

from acd.lease import LeaseRules, RedisGate
from acd.service import CallCentre
from telephony.clock import ScaledClock, SystemClock
from telephony.simulator import ReceivedAction, SeatBehaviour, SimulatedAsterisk, SimulatorConfig
from telephony.wire import AmiMessage, decode_message
from tests.integration.db_kit import TcpProxy
from tests.integration.service_kit import (
    SECRET,
    SPEED,
    USER,
    ClientFactory,
    service_settings,
    until,
)
from tests.integration.staff_kit import staff_client
from web.app import create_app
from web.keys import CENTRE, CONNECTIONS

SERVER = "pbx1"
CONNECT_CONTEXT = "hotline-connect"
# Real seconds (Redis expires the lease on real time): a lapsed holder is replaced
# within FAST_LEASE.takeover_within = 2.1 s.
FAST_LEASE = LeaseRules(
    ttl=1.5, renew_every=0.3, retry_every=0.2, margin=0.5, settle=0.2, redis_timeout=0.2
)
REAL = SystemClock()


def proxied(redis_url: str, port: int) -> str:
    """``redis_url`` with its host and port replaced by the proxy's."""
    parts = urlsplit(redis_url)
    auth = parts.netloc.rpartition("@")[0]
    netloc = f"{auth}@127.0.0.1:{port}" if auth else f"127.0.0.1:{port}"
    return urlunsplit(parts._replace(netloc=netloc))


@dataclasses.dataclass
class Instance:
    name: str
    client: TestClient[Any, Any]

    @property
    def app(self) -> web.Application:
        return self.client.server.app  # type: ignore[no-any-return]

    @property
    def centre(self) -> CallCentre:
        return self.app[CENTRE]

    @property
    def gate(self) -> RedisGate:
        gate = self.centre.gate
        assert isinstance(gate, RedisGate)
        return gate

    def leads(self) -> bool:
        return self.gate.holds(SERVER)

    def linked(self) -> bool:
        connection = self.app.get(CONNECTIONS, {}).get(SERVER)
        return connection is not None and connection.ready


class Timeline:
    """What the simulated Asterisk received and published, in one order: an action
    before the events published after it was received."""

    def __init__(self, sim: SimulatedAsterisk) -> None:
        self.sim = sim
        self.events: list[tuple[int, AmiMessage]] = []  # (actions received by then, event)
        sim.engine.bus.listeners.append(self._published)

    def _published(self, name: str, data: bytes) -> None:
        message = decode_message(data.rstrip(b"\r\n"))
        if message is not None:
            self.events.append((len(self.sim.actions_log), message))

    def entries(self) -> Iterator[ReceivedAction | AmiMessage]:
        actions = list(self.sim.actions_log)
        sent = 0
        for mark, event in list(self.events):
            while sent < mark:
                yield actions[sent]
                sent += 1
            yield event
        yield from actions[sent:]


@dataclasses.dataclass
class Offers:
    """Offers (Redirects to hotline-connect) checked against the events."""

    violations: list[str] = dataclasses.field(default_factory=list)
    redirects: list[ReceivedAction] = dataclasses.field(default_factory=list)
    answered: Counter[str] = dataclasses.field(default_factory=Counter)  # caller Uniqueid
    answered_by: dict[str, str] = dataclasses.field(default_factory=dict)  # Uniqueid -> seat


def check_offers(entries: Iterator[ReceivedAction | AmiMessage]) -> Offers:
    """A caller is offered again only once HotlineWaiting brought it back to hold (or it
    hung up); a seat is offered only when no caller is being moved to it, rings it or
    talks with it."""
    offers = Offers()
    offered: dict[str, str] = {}  # caller channel -> seat of its outstanding offer
    busy: dict[str, str] = {}  # seat -> caller channel being moved to it, ringing or talking
    for entry in entries:
        if isinstance(entry, ReceivedAction):
            _redirect(entry, offers, offered, busy)
        else:
            _event(entry, offers, offered, busy)
    return offers


def _redirect(
    action: ReceivedAction, offers: Offers, offered: dict[str, str], busy: dict[str, str]
) -> None:
    message = action.message
    if message.get("Action", "").lower() != "redirect":
        return
    if message.get("Context") != CONNECT_CONTEXT:
        return
    channel, seat = message["Channel"], message["Exten"]
    offers.redirects.append(action)
    if channel in offered:
        offers.violations.append(f"{channel} offered to {seat} while offered to {offered[channel]}")
    if seat in busy:
        offers.violations.append(f"seat {seat} offered {channel} while busy with {busy[seat]}")
    if action.executed:
        offered[channel], busy[seat] = seat, channel


def _event(
    event: AmiMessage, offers: Offers, offered: dict[str, str], busy: dict[str, str]
) -> None:
    name = event.event
    if name == "UserEvent" and event.get("UserEvent") == "HotlineWaiting":
        offered.pop(event["Channel"], None)
    elif name == "UserEvent" and event.get("UserEvent") == "HotlineDialFailed":
        if busy.get(event["Seat"]) == event["Channel"]:
            del busy[event["Seat"]]
    elif name == "DialEnd" and event.get("DialStatus") == "ANSWER":
        offers.answered[event["Uniqueid"]] += 1
        offers.answered_by[event["Uniqueid"]] = _endpoint(event["DestChannel"])
    elif name == "Hangup":
        channel = event["Channel"]
        offered.pop(channel, None)
        for seat, caller in list(busy.items()):
            if caller == channel or _endpoint(channel) == seat:
                del busy[seat]


def _endpoint(channel: str) -> str:
    """``PJSIP/8001-0000002a`` -> 8001."""
    return channel.split("/", 1)[-1].rsplit("-", 1)[0]


@dataclasses.dataclass
class Pair:
    sim: SimulatedAsterisk
    clock: ScaledClock
    timeline: Timeline
    a: Instance  # reaches Redis through ``proxy``
    b: Instance
    proxy: TcpProxy
    b_first_action: int  # actions_log index from which B's sessions show up

    def sessions_of_b(self) -> set[int]:
        return {
            action.session
            for action in self.sim.actions_log[self.b_first_action :]
            if action.message.get("Action", "").lower() == "login"
        }


@contextlib.asynccontextmanager
async def two_instances(
    client_factory: ClientFactory,
    tmp_path: Path,
    database_url: str,
    redis_url: str,
    redis_prefix: str,
    *,
    seats: tuple[str, ...],
    answer_delay: float = 2.0,
) -> AsyncIterator[Pair]:
    """A leads (it starts first), B stands by; both route-mode on one Asterisk."""
    clock = ScaledClock(SPEED)
    config = SimulatorConfig(
        seats=seats, recordings_dir=tmp_path / "recordings", username=USER, secret=SECRET
    )
    sim = SimulatedAsterisk(config, clock)
    for seat in seats:
        sim.set_seat(seat, SeatBehaviour(answer_delay=answer_delay))
    parts = urlsplit(redis_url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 6379)
    await sim.start()
    await proxy.start()
    timeline = Timeline(sim)
    try:
        a = await _instance(
            "a",
            client_factory,
            tmp_path,
            database_url,
            sim,
            clock,
            proxied(redis_url, proxy.port),
            redis_prefix,
            seats,
        )
        await until(REAL, a.leads, 30, "A leads")
        first_of_b = len(sim.actions_log)
        b = await _instance(
            "b", client_factory, tmp_path, database_url, sim, clock, redis_url, redis_prefix, seats
        )
        await until(REAL, b.linked, 30, "B linked")
        yield Pair(sim, clock, timeline, a, b, proxy, first_of_b)
    finally:
        await sim.stop()
        await proxy.close()


async def _instance(
    name: str,
    client_factory: ClientFactory,
    tmp_path: Path,
    database_url: str,
    sim: SimulatedAsterisk,
    clock: ScaledClock,
    redis_url: str,
    redis_prefix: str,
    seats: tuple[str, ...],
) -> Instance:
    (tmp_path / name).mkdir(exist_ok=True)
    settings = service_settings(
        tmp_path / name,
        database_url,
        sim.port,
        seats,
        redis_url=redis_url,
        redis_prefix=redis_prefix,
        recordings_dir=tmp_path / "recordings",
    )
    client = await staff_client(client_factory, create_app(settings, clock, lease=FAST_LEASE))
    instance = Instance(name, client)
    await until(REAL, instance.linked, 30, f"{name} linked")
    return instance
