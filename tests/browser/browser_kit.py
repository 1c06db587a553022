"""Helpers of the browser tests: the real service on a real TCP port of 127.0.0.1 (the
simulated Asterisk over AMI/TCP, ``create_app`` served as ``hotline demo`` serves it, SQLite),
people who sign in with a password, and a watch over the JavaScript errors and console
errors of every page a test opens. No tests here."""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from playwright.async_api import (
    APIResponse,
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    ViewportSize,
    WebError,
)
from sqlalchemy import select

from acd.rules import RoutingRules
from qa.models import QaAppealRow, QaMarkRow, QaReviewRow
from recordings.models import RecordingAccessRow, RecordingRow
from telephony.clock import Clock, SystemClock
from telephony.simulator import CallerScript, SeatBehaviour, SimulatedAsterisk, SimulatorConfig
from tests.integration.service_kit import until
from tickets.catalogue import DEMO_UNITS
from tickets.models import CallRow, WorkOrderRow
from tickets.order_models import OrderEventRow
from tickets.users import add_user
from web.app import create_app
from web.keys import CENTRE, SESSIONS, WRITER
from web.order_settings import default_order_settings
from web.recording_settings import RecordingSettings
from web.serve import start_site
from web.settings import DEFAULT_LINES, AmiServer, SeatConfig, Settings

CHROMIUM = Path("/usr/bin/chromium")
AMI_USER, AMI_SECRET = "hotline", "hotline-secret"
SEATS = ("8001", "8002")
# the demo's centre: a seat rings for 15 s, 8 s of wrap-up
ROUTING = RoutingRules(ring_timeout=15.0, wrapup_seconds=8.0)
VIEWPORT: ViewportSize = {"width": 1440, "height": 900}
WAIT_MS = 20_000  # what a page may take to show what a test waits for


@dataclasses.dataclass(frozen=True)
class Person:
    """A member of staff who signs in on /signin."""

    user_id: str
    name: str
    roles: tuple[str, ...]
    password: str


AGENT = Person("1001", "王芳", ("agent",), "desk-Pass-2026")
SUPERVISOR = Person("3001", "赵磊", ("supervisor",), "board-Pass-2026")
DISPATCHER = Person("2001", "刘洋", ("dispatcher",), "route-Pass-2026")
OTHER_AGENT = Person("1002", "李强", ("agent",), "desk-Pass-2027")
QA_REVIEWER = Person("5001", "孙丽", ("qa",), "score-Pass-2026")


def chromium_or_skip() -> Path:
    """Debian's Chromium; without it the browser tests are skipped on a developer's
    machine (``./test.sh`` installs it) and fail in CI, where skipping would hide them."""
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    message = f"{CHROMIUM} is missing (Debian package chromium; ./test.sh installs it)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@dataclasses.dataclass
class LiveService:
    """The service as a browser sees it, and what the test may look at behind it."""

    sim: SimulatedAsterisk
    app: web.Application
    base_url: str
    clock: Clock

    def url(self, path: str) -> str:
        return self.base_url + path

    async def until(self, check: Callable[[], bool], within: float, what: str = "") -> None:
        await until(self.clock, check, within, what)

    async def add_person(self, person: Person) -> None:
        async with self.app[SESSIONS]() as session, session.begin():
            await add_user(
                session,
                user_id=person.user_id,
                name=person.name,
                roles=list(person.roles),
                password=person.password,
                at=self.clock.now(),
            )

    def seat_state(self, seat: str) -> str:
        found = self.app[CENTRE].board.find(seat)
        return found.state if found is not None else "closed"

    async def call(
        self, number: str, name: str, *, talk: float = 300.0, survey_key: str | None = None
    ) -> str:
        """A citizen calls 12345 and stays on the line ``talk`` seconds once answered; when
        the seat has hung up, presses ``survey_key`` in the survey (None: nothing)."""
        script = CallerScript(patience=120.0, talk_seconds=talk, survey_key=survey_key)
        return await self.sim.place_call("12345", number, name, script)

    async def stored_calls(self) -> list[CallRow]:
        await self.app[WRITER].flush()
        async with self.app[SESSIONS]() as session:
            return list(await session.scalars(select(CallRow).order_by(CallRow.id)))

    async def recordings(self) -> list[RecordingRow]:
        async with self.app[SESSIONS]() as session:
            return list(await session.scalars(select(RecordingRow).order_by(RecordingRow.id)))

    async def until_recordings_stored(self, count: int, within: float) -> list[RecordingRow]:
        """Wait (clock seconds) until ``count`` recordings are converted and stored."""
        deadline = self.clock.monotonic() + within
        while True:
            found = await self.recordings()
            if len(found) >= count and all(row.state == "stored" for row in found):
                return found
            states = [(row.call_id, row.state, row.error) for row in found]
            assert self.clock.monotonic() < deadline, f"recordings not all stored: {states}"
            await self.clock.sleep(0.2)

    async def recording_access(self, recording_id: int) -> list[RecordingAccessRow]:
        async with self.app[SESSIONS]() as session:
            rows = await session.scalars(
                select(RecordingAccessRow)
                .where(RecordingAccessRow.recording_id == recording_id)
                .order_by(RecordingAccessRow.id)
            )
            return list(rows)

    async def qa_reviews(self) -> list[QaReviewRow]:
        async with self.app[SESSIONS]() as session:
            return list(await session.scalars(select(QaReviewRow).order_by(QaReviewRow.id)))

    async def qa_marks(self) -> list[QaMarkRow]:
        async with self.app[SESSIONS]() as session:
            return list(await session.scalars(select(QaMarkRow).order_by(QaMarkRow.id)))

    async def qa_appeals(self) -> list[QaAppealRow]:
        async with self.app[SESSIONS]() as session:
            return list(await session.scalars(select(QaAppealRow).order_by(QaAppealRow.id)))

    async def order_steps(self, number: str) -> list[tuple[str, str]]:
        """(step, actor) of every stored step of the order ``number``, oldest first."""
        await self.app[WRITER].flush()
        async with self.app[SESSIONS]() as session:
            rows = await session.execute(
                select(OrderEventRow.step, OrderEventRow.actor)
                .join(WorkOrderRow, WorkOrderRow.id == OrderEventRow.order_id)
                .where(WorkOrderRow.number == number)
                .order_by(OrderEventRow.id)
            )
            return [(step, actor) for step, actor in rows.all()]

    async def stored_order(self, number: str) -> WorkOrderRow | None:
        await self.app[WRITER].flush()
        async with self.app[SESSIONS]() as session:
            found: WorkOrderRow | None = await session.scalar(
                select(WorkOrderRow).where(WorkOrderRow.number == number)
            )
            return found


def live_settings(
    tmp_path: Path, ami_port: int, recordings: RecordingSettings | None = None
) -> Settings:
    return Settings(
        ami=(AmiServer("pbx1", "127.0.0.1", ami_port, AMI_USER, AMI_SECRET),),
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'hotline.db'}",
        recordings_dir=tmp_path / "recordings",
        http_host="127.0.0.1",
        http_port=0,
        seats=tuple(SeatConfig(seat, "pbx1", DEFAULT_LINES) for seat in SEATS),
        routing=ROUTING,
        spill_path=tmp_path / "unwritten.jsonl",
        orders=default_order_settings(ZoneInfo("Asia/Shanghai"), DEMO_UNITS),
        # by default the WAVs stay as they are: a test that listens asks for workers
        recordings=recordings or RecordingSettings(workers=0),
    )


@contextlib.asynccontextmanager
async def live_service(
    tmp_path: Path, *, recordings: RecordingSettings | None = None
) -> AsyncIterator[LiveService]:
    """The simulated Asterisk with softphones on ``SEATS`` (nobody signed in) and the
    service on a free port of 127.0.0.1, on the wall clock; ``recordings`` with workers
    converts the calls' WAVs to stored recordings as ``hotline serve`` does."""
    clock = SystemClock()
    config = SimulatorConfig(
        seats=SEATS, recordings_dir=tmp_path / "recordings", username=AMI_USER, secret=AMI_SECRET
    )
    sim = SimulatedAsterisk(config, clock)
    for seat in SEATS:
        sim.set_seat(seat, SeatBehaviour(answer_delay=1.0))
    await sim.start()
    try:
        app = create_app(live_settings(tmp_path, sim.port, recordings), clock)
        runner = await start_site(app, "127.0.0.1", 0)
        try:
            host, port = runner.addresses[0][:2]
            service = LiveService(sim, app, f"http://{host}:{port}", clock)
            await service.until(lambda: app[CENTRE].links.get("pbx1", False), 30, "AMI link up")
            yield service
        finally:
            await runner.cleanup()
    finally:
        await sim.stop()


@dataclasses.dataclass
class PageProblems:
    """The uncaught JavaScript errors and console errors of every page of the watched
    browser contexts. A failed request the test expects (an agent's 403 page) is allowed
    by status and path; nothing else is."""

    seen: list[str] = dataclasses.field(default_factory=list)
    expected: list[tuple[int, str]] = dataclasses.field(default_factory=list)

    def watch(self, context: BrowserContext) -> None:
        context.on("weberror", self._web_error)
        context.on("console", self._console)

    def expect_failed_request(self, status: int, path: str) -> None:
        self.expected.append((status, path))

    def _web_error(self, error: WebError) -> None:
        page = error.page.url if error.page is not None else "?"
        self.seen.append(f"{page}: uncaught {error.error}")

    def _console(self, message: ConsoleMessage) -> None:
        if message.type != "error" or self._is_expected(message):
            return
        where = message.location.get("url", "") if message.location else ""
        page = message.page.url if message.page is not None else "?"
        self.seen.append(f"{page}: console error {message.text!r} at {where}")

    def _is_expected(self, message: ConsoleMessage) -> bool:
        where = urlsplit(message.location.get("url", "") if message.location else "").path
        return any(
            f"status of {status} " in message.text and where == path
            for status, path in self.expected
        )

    def assert_none(self) -> None:
        assert self.seen == [], "\n".join(self.seen)


class People:
    """One browser context (cookies of its own) per person, each watched for errors."""

    def __init__(
        self,
        browser: Browser,
        service: LiveService,
        problems: PageProblems,
        timezone_id: str | None = None,
    ) -> None:
        self.browser = browser
        self.service = service
        self.problems = problems
        self.timezone_id = timezone_id  # None: the machine's; the centre's staff: theirs

    async def context(self) -> BrowserContext:
        context = await self.browser.new_context(
            base_url=self.service.base_url,
            viewport=VIEWPORT,
            locale="zh-CN",
            timezone_id=self.timezone_id,
        )
        context.set_default_timeout(WAIT_MS)
        self.problems.watch(context)
        return context

    async def signed_in(self, person: Person, path: str) -> Page:
        """A new browser for ``person``: /signin?next=``path``, the form filled and sent,
        and the page it leads to."""
        page = await (await self.context()).new_page()
        await sign_in(page, person, path)
        return page


async def sign_in(page: Page, person: Person, path: str) -> None:
    await page.goto(f"/signin?next={quote(path)}")
    await page.locator("#user").fill(person.user_id)
    await page.locator("#password").fill(person.password)
    await page.locator("#submit").click()
    await page.wait_for_url(lambda url: urlsplit(url).path == path.split("?")[0])


async def api_as(context: BrowserContext, method: str, path: str, body: Any = None) -> Any:
    """A request with the context's session cookie and its CSRF token, as session.js sends
    it; the answer must be 2xx; returns its JSON (None for 204)."""
    csrf = next((c["value"] for c in await context.cookies() if c["name"] == "hotline_csrf"), "")
    response: APIResponse = await context.request.fetch(
        path, method=method, data=body, headers={"X-CSRF-Token": csrf}
    )
    assert response.ok, (method, path, response.status, await response.text())
    return None if response.status == 204 else await response.json()


async def sign_in_by_api(context: BrowserContext, person: Person) -> dict[str, Any]:
    response = await context.request.post(
        "/api/session", data={"user": person.user_id, "password": person.password}
    )
    assert response.status == 200, await response.text()
    session: dict[str, Any] = await response.json()
    return session


async def ready_at_seat(people: People, person: Person, seat: str) -> BrowserContext:
    """``person`` signs in (the API, as the desk does), takes ``seat`` and is ready for
    calls; the browser context is theirs."""
    context = await people.context()
    await sign_in_by_api(context, person)
    await api_as(context, "POST", f"/api/seats/{seat}/login", {})
    await api_as(context, "POST", f"/api/seats/{seat}/ready", {})
    await people.service.until(
        lambda: people.service.seat_state(seat) == "ready", 10, f"{seat} ready"
    )
    return context
