"""Helpers of the end-to-end tests: the simulated Asterisk and the whole service, built by
the same ``create_app`` as production, on one faster-than-real clock. No tests here."""

from __future__ import annotations

import contextlib
import dataclasses
import wave
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from acd.router import RoutingRules
from telephony.clock import Clock, ScaledClock
from telephony.simulator import CallerScript, SeatBehaviour, SimulatedAsterisk, SimulatorConfig
from tests.integration.staff_kit import staff_client
from tickets.calls import calls_queued_between
from tickets.records import CallRecord
from web.app import create_app
from web.keys import CENTRE, SESSIONS, WRITER
from web.recording_settings import RecordingSettings
from web.settings import DEFAULT_LINES, AmiServer, SeatConfig, Settings

SPEED = 10.0  # 15 s of ring timeout take 1.5 s
USER, SECRET = "hotline", "hotline-secret"
ClientFactory = Callable[..., Awaitable[TestClient[Any, Any]]]


async def until(clock: Clock, check: Callable[[], bool], within: float, what: str = "") -> None:
    """Wait on the clock until ``check`` holds; fail after ``within`` clock seconds."""
    deadline = clock.monotonic() + within
    while not check():
        if clock.monotonic() > deadline:
            pytest.fail(f"not within {within:g} s: {what or check}")
        await clock.sleep(0.1)


@dataclasses.dataclass
class Service:
    sim: SimulatedAsterisk
    client: TestClient[Any, Any]
    clock: ScaledClock
    settings: Settings

    @property
    def app(self) -> web.Application:
        return self.client.server.app  # type: ignore[no-any-return]

    async def until(self, check: Callable[[], bool], within: float, what: str = "") -> None:
        await until(self.clock, check, within, what)

    def ended(self) -> list[CallRecord]:
        return [r for r in self.app[CENTRE].today.records() if r.ended_at is not None]

    async def stored_calls(self) -> list[CallRecord]:
        await self.app[WRITER].flush()
        day = self.app[CENTRE].today.day_start
        async with self.app[SESSIONS]() as session:
            return await calls_queued_between(session, day, day + timedelta(days=1))

    async def get(self, path: str, **params: str) -> Any:
        response = await self.client.get(path, params=params)
        assert response.status == 200, await response.text()
        return await response.json()


def service_settings(
    tmp_path: Path,
    database_url: str,
    ami_port: int | None,
    seats: tuple[str, ...],
    **overrides: Any,
) -> Settings:
    ami = (AmiServer("pbx1", "127.0.0.1", ami_port, USER, SECRET),) if ami_port else ()
    values: dict[str, Any] = {
        "ami": ami,
        "database_url": database_url,
        "recordings_dir": tmp_path / "recordings",
        "seats": tuple(SeatConfig(seat, "pbx1", DEFAULT_LINES, agent=f"A{seat}") for seat in seats)
        if ami
        else (),
        "routing": RoutingRules(wrapup_seconds=5.0),
        "spill_path": tmp_path / "unwritten.jsonl",
        # tests of calls read the WAVs back and need no conversion (the recordings tests do)
        "recordings": RecordingSettings(workers=0),
    }
    values.update(overrides)
    return Settings(**values)


@contextlib.asynccontextmanager
async def running_service(
    client_factory: ClientFactory,
    tmp_path: Path,
    database_url: str,
    *,
    seats: tuple[str, ...] = ("8001", "8002"),
    answer_delay: float = 2.0,
    **overrides: Any,
) -> AsyncIterator[Service]:
    clock = ScaledClock(SPEED)
    config = SimulatorConfig(
        seats=seats, recordings_dir=tmp_path / "recordings", username=USER, secret=SECRET
    )
    sim = SimulatedAsterisk(config, clock)
    for seat in seats:
        sim.set_seat(seat, SeatBehaviour(answer_delay=answer_delay))
    await sim.start()
    try:
        settings = service_settings(tmp_path, database_url, sim.port, seats, **overrides)
        client = await staff_client(client_factory, create_app(settings, clock))
        service = Service(sim, client, clock, settings)
        await service.until(lambda: service.app[CENTRE].links.get("pbx1", False), 30, "AMI link up")
        yield service
    finally:
        await sim.stop()


def valid_wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 8000)
        return wav.getnframes() / 8000


def script(talk: float = 10.0, **kw: Any) -> CallerScript:
    return CallerScript(talk_seconds=talk, **kw)
