"""Helpers of the ACD's end-to-end tests: the whole service on desks of the test's choosing
(agents, skills, lines), routing rules of its own, the API, the wallboard's WebSocket and
what the simulated Asterisk saw. No tests here; ``service_kit`` has the common parts."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

from acd.routing import WaitingCaller
from acd.rules import RoutingRules
from telephony.clock import ScaledClock
from telephony.simulator import SeatBehaviour, SimulatedAsterisk, SimulatorConfig
from telephony.wire import AmiMessage, decode_message
from tests.integration.service_kit import SECRET, SPEED, USER, ClientFactory, Service
from tests.integration.staff_kit import staff_client
from tickets.audit import list_audit
from tickets.records import AuditEntry, CallRecord
from web.app import create_app
from web.keys import CENTRE, SESSIONS, WRITER
from web.order_settings import OrderSettings
from web.recording_settings import RecordingSettings
from web.settings import DEFAULT_LINES, AmiServer, SeatConfig, Settings

# tests of calls read the WAVs back and need no conversion (the recordings tests do)
KEEP_WAVS = RecordingSettings(workers=0)
# Short budgets so that a scenario takes seconds: ring 5 s, wrap-up 2 s (clock seconds)
QUICK = RoutingRules(ring_timeout=5.0, wrapup_seconds=2.0, reserve_timeout=5.0, back_on_hold=3.0)


def desk(
    seat: str,
    agent: str | None = None,
    *,
    lines: Iterable[str] = DEFAULT_LINES,
    skills: Iterable[str] = (),
) -> SeatConfig:
    """A configured seat; ``agent`` is signed in at start."""
    return SeatConfig(seat, "pbx1", tuple(lines), skills=tuple(skills), agent=agent)


@contextlib.asynccontextmanager
async def acd_service(
    client_factory: ClientFactory,
    tmp_path: Path,
    database_url: str,
    desks: Iterable[SeatConfig],
    *,
    rules: RoutingRules = QUICK,
    answer_delay: float = 1.0,
    phones: Iterable[str] = (),
    clock: ScaledClock | None = None,
    orders: OrderSettings | None = None,
    recordings: RecordingSettings = KEEP_WAVS,
) -> AsyncIterator[Service]:
    """The service on ``desks``; ``phones`` are softphones the ACD does not know at start
    (a supervisor's, a temporary seat's). A restart passes the ``clock`` of the service
    before it, so that time goes on rather than back. ``orders``: the ``[orders]``
    settings (default: no units). ``recordings``: by default nothing is converted and
    the WAVs stay, which tests of calls read back."""
    desks = tuple(desks)
    clock = clock or ScaledClock(SPEED)
    softphones = (*(d.seat_id for d in desks), *phones)
    config = SimulatorConfig(
        seats=softphones, recordings_dir=tmp_path / "recordings", username=USER, secret=SECRET
    )
    sim = SimulatedAsterisk(config, clock)
    for phone in softphones:
        sim.set_seat(phone, SeatBehaviour(answer_delay=answer_delay))
    await sim.start()
    try:
        settings = Settings(
            ami=(AmiServer("pbx1", "127.0.0.1", sim.port, USER, SECRET),),
            database_url=database_url,
            recordings_dir=tmp_path / "recordings",
            seats=desks,
            routing=rules,
            spill_path=tmp_path / "unwritten.jsonl",
            orders=orders,
            recordings=recordings,
        )
        client = await staff_client(client_factory, create_app(settings, clock))
        service = Service(sim, client, clock, settings)
        await service.until(lambda: service.app[CENTRE].links.get("pbx1", False), 30, "AMI link up")
        yield service
    finally:
        await sim.stop()


async def api(service: Service, method: str, path: str, body: Any = None, status: int = 200) -> Any:
    """Call the API; the answer must have ``status``; returns its JSON."""
    response = await service.client.request(method, path, json=body)
    text = await response.text()
    assert response.status == status, (method, path, body, response.status, text)
    return await response.json()


async def seats(service: Service) -> dict[str, dict[str, Any]]:
    return {s["seat"]: s for s in (await service.get("/api/seats"))["seats"]}


def seat_state(service: Service, seat: str) -> str:
    found = service.app[CENTRE].board.find(seat)
    return found.state if found is not None else "closed"


def waiting(service: Service) -> list[WaitingCaller]:
    return service.app[CENTRE].router.queue_view()


def ended_call(service: Service, number: str) -> CallRecord | None:
    """The inbound call of ``number`` that ended last, if any."""
    calls = [r for r in service.ended() if r.caller_number == number and r.direction == "in"]
    return calls[-1] if calls else None


async def until_ended(service: Service, number: str, within: float = 60.0) -> CallRecord:
    await service.until(lambda: ended_call(service, number) is not None, within, f"{number} ended")
    record = ended_call(service, number)
    assert record is not None
    return record


async def audit_log(service: Service) -> list[AuditEntry]:
    """Every audit entry stored, oldest first."""
    await service.app[WRITER].flush()
    async with service.app[SESSIONS]() as session:
        entries, _ = await list_audit(session, limit=500)
    return entries[::-1]


def day(service: Service) -> tuple[Any, Any]:
    start = service.app[CENTRE].today.day_start
    return start, start + timedelta(days=1)


class Wallboard:
    """A page on the WebSocket: every event it was sent, in order."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.events: list[dict[str, Any]] = []
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Wallboard:
        ws = await self.service.client.ws_connect("/ws")
        self._task = asyncio.get_running_loop().create_task(self._read(ws))
        await self.service.until(lambda: bool(self.events), 30, "the snapshot")
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _read(self, ws: Any) -> None:
        try:
            async for message in ws:
                self.events.append(message.json())
        finally:
            await ws.close()

    def alerts(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e.get("type") == "alert" and e.get("kind") == kind]

    async def until_alert(
        self, kind: str, within: float, check: Callable[[dict[str, Any]], bool] = lambda a: True
    ) -> dict[str, Any]:
        await self.service.until(
            lambda: any(check(a) for a in self.alerts(kind)), within, f"alert {kind}"
        )
        return next(a for a in self.alerts(kind) if check(a))


class AmiLog:
    """Every event the simulated Asterisk published, decoded."""

    def __init__(self, sim: SimulatedAsterisk) -> None:
        self.seen: list[AmiMessage] = []
        sim.engine.bus.listeners.append(self._published)

    def _published(self, name: str, data: bytes) -> None:
        message = decode_message(data.rstrip(b"\r\n"))
        if message is not None:
            self.seen.append(message)

    def events(self, name: str) -> list[AmiMessage]:
        return [m for m in self.seen if m.event == name]

    def index(self, predicate: Callable[[AmiMessage], bool]) -> int:
        return next(i for i, m in enumerate(self.seen) if predicate(m))


def actions(sim: SimulatedAsterisk, name: str) -> list[AmiMessage]:
    """The actions ``name`` the simulated Asterisk received."""
    return [a.message for a in sim.actions_log if a.message.get("Action") == name]


def rules(**changes: Any) -> RoutingRules:
    return dataclasses.replace(QUICK, **changes)
