"""``hotline screenshots``: one picture of every page, as the people of each role see it.

It starts the demo in this process (the simulated Asterisk, the service on SQLite in a
scratch folder, the demo agents on their seats, callers arriving), then, in Debian's
Chromium (headless, driven by Playwright; never a browser of Playwright's own), signs in as
a person of each role and writes one PNG per page at 1440x900: the sign-in page, the
agent's desk with a call's screen-pop, the wallboard, dispatch, an order, a unit, the
callbacks, the recordings, quality assurance, and the reports when the service has them.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp import web

from telephony.clock import Clock
from telephony.simulator import (
    CallerScript,
    SeatBehaviour,
    SimulatedAsterisk,
    SimulatorConfig,
    TrafficGenerator,
    TrafficProfile,
)
from web.app import create_app
from web.demo import (
    DEMO_PATIENCE_MEAN,
    DEMO_SECRET,
    DEMO_TALK_MEAN,
    DEMO_USER,
    DemoOptions,
    demo_clock,
    demo_seat_ids,
    demo_settings,
    sign_in_demo_agents,
)
from web.demo_people import (
    DEMO_PASSWORD,
    DEMO_STAFF,
    DEMO_UNIT,
    Person,
    add_demo_people,
    demo_agents,
)
from web.keys import CENTRE, SETTINGS
from web.pages import PAGES
from web.screenshot_browser import ScreenshotError, Shooter, check_browser, chromium
from web.serve import start_site

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = DEMO_PASSWORD
# a caller who wrote in on the web before and now phones: the desk's screen-pop has history
REPEAT_CALLER, REPEAT_NAME = "13812345678", "王秀英"


def _order(
    line: str, channel: str, caller: str, category: str, content: str, address: str
) -> dict[str, str]:
    return {
        "line": line,
        "channel": channel,
        "caller_number": caller,
        "category": category,
        "content": content,
        "address": address,
    }


EARLIER_ORDER = _order(
    "12345",
    "web",
    REPEAT_CALLER,
    "utilities.water",
    "梅陇镇锦梅苑3号楼停水两天，无人通知",
    "上海市闵行区梅陇镇锦梅苑3号楼",
)
NEW_ORDER = {
    "category": "utilities.water",
    "content": "锦梅苑3号楼又停水了，上次的工单还没有处理完，请尽快派人",
    "address": "上海市闵行区梅陇镇锦梅苑3号楼2单元",
}
# orders from the other channels, so that the dispatch board has some to dispatch
OTHER_CHANNELS = (
    _order("12345", "wechat", "13917650423", "utilities.gas",
           "莘庄镇莘松路某小区楼道有燃气味，请派人检查", "上海市闵行区莘庄镇莘松路"),
    _order("12345", "sms", "18621094876", "complaint",
           "梅陇镇集心路夜间施工噪音扰民，晚上十一点后仍在施工", "上海市闵行区梅陇镇集心路"),
    _order("962121", "web", "02154391287", "property_repair.lift",
           "小区8号楼电梯停运三天，老人上下楼困难", "上海市闵行区莘庄镇春申路某小区8号楼"),
)  # fmt: skip


@dataclasses.dataclass(frozen=True)
class ScreenshotOptions:
    out: Path
    seats: int = 3
    calls_per_minute: float = 8.0
    warmup: float = 40.0  # real seconds of calls before the first picture
    speed: float = 3.0  # the demo's simulated time runs this many times faster
    chromium: Path = CHROMIUM
    seed: int = 12345


async def take_screenshots(options: ScreenshotOptions) -> list[Path]:
    """Every picture, written into ``options.out``; returns their paths."""
    check_browser(options.chromium)
    options.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="hotline-screenshots-") as scratch:
        async with _demo(options, Path(scratch)) as demo, chromium(options.chromium) as browser:
            shooter = Shooter(browser, demo.base_url, PASSWORD, options.out)
            return await _shoot_all(shooter, demo, options)


@dataclasses.dataclass
class Demo:
    sim: SimulatedAsterisk
    app: web.Application
    base_url: str
    clock: Clock
    seats: tuple[str, ...]


@contextlib.asynccontextmanager
async def _demo(options: ScreenshotOptions, scratch: Path) -> AsyncIterator[Demo]:
    demo_options = DemoOptions(seats=options.seats, data_dir=scratch, seed=options.seed)
    clock = demo_clock(options.speed)
    sim = await _simulator(demo_options, clock)
    traffic: asyncio.Task[None] | None = None
    try:
        app = create_app(demo_settings(demo_options, sim.port, ("127.0.0.1", 0)), clock)
        runner = await start_site(app, "127.0.0.1", 0)
        try:
            host, port = runner.addresses[0][:2]
            demo = Demo(sim, app, f"http://{host}:{port}", clock, demo_seat_ids(options.seats))
            await add_demo_people(demo.app, len(demo.seats), PASSWORD)
            sign_in_demo_agents(app, options.seats)
            traffic = asyncio.get_running_loop().create_task(_traffic(demo, options))
            yield demo
        finally:
            if traffic is not None:
                traffic.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await traffic
            await runner.cleanup()
    finally:
        await sim.stop()


async def _simulator(options: DemoOptions, clock: Clock) -> SimulatedAsterisk:
    """The demo's Asterisk: softphones that answer after 1.5 to 4 seconds."""
    seats = demo_seat_ids(options.seats)
    config = SimulatorConfig(
        seats=seats,
        recordings_dir=options.data_dir / "recordings",
        username=DEMO_USER,
        secret=DEMO_SECRET,
    )
    sim = SimulatedAsterisk(config, clock)
    for index, seat in enumerate(seats):
        sim.set_seat(seat, SeatBehaviour(answer_delay=1.5 + index % 3))
    await sim.start()
    return sim


async def _traffic(demo: Demo, options: ScreenshotOptions) -> None:
    profile = TrafficProfile(
        calls_per_minute=options.calls_per_minute,
        talk_mean=DEMO_TALK_MEAN,
        patience_mean=DEMO_PATIENCE_MEAN,
    )
    await TrafficGenerator(demo.sim, demo.clock, profile, seed=options.seed).run(None)


async def _shoot_all(shooter: Shooter, demo: Demo, options: ScreenshotOptions) -> list[Path]:
    await shooter.shoot_page(None, "/signin", "signin")
    await asyncio.sleep(options.warmup)
    number = await _desk(shooter, demo)
    await shooter.shoot_page(DEMO_STAFF["supervisor"], "/", "wallboard")
    for order in OTHER_CHANNELS:
        await shooter.api(DEMO_STAFF["dispatcher"], "POST", "/api/orders", order)
    await shooter.shoot_page(DEMO_STAFF["dispatcher"], "/dispatch", "dispatch")
    await shooter.api(
        DEMO_STAFF["dispatcher"],
        "POST",
        f"/api/orders/{number}/dispatch",
        {"main_unit": DEMO_UNIT},
    )
    shots: list[tuple[Person, str, str]] = [
        (DEMO_STAFF["dispatcher"], f"/orders/{number}", "order"),
        (DEMO_STAFF["unit"], f"/units/{DEMO_UNIT}", "unit"),
        (DEMO_STAFF["callback"], "/revisits", "revisits"),
        (DEMO_STAFF["supervisor"], "/recordings", "recordings"),
    ]
    for person, path, name in shots:
        await shooter.shoot_page(person, path, name)
    await _quality(shooter, demo, options)
    if "/reports" in PAGES:
        today = demo.clock.now().astimezone(demo.app[SETTINGS].zone).date().isoformat()
        period = f"/reports?from={today}&to={today}&month={today[:7]}"  # the demo's own day
        await shooter.shoot_page(DEMO_STAFF["supervisor"], period, "reports")
    return shooter.written


async def _quality(shooter: Shooter, demo: Demo, options: ScreenshotOptions) -> None:
    """Today's sampling plan (made by the supervisor), a reviewer who opens the first
    sample of the queue, an agent's own results and the supervisor's page."""
    today = demo.clock.now().astimezone(ZoneInfo("Asia/Shanghai")).date()
    await shooter.api(DEMO_STAFF["supervisor"], "POST", "/api/qa/plans", {"day": today.isoformat()})
    page = await shooter.page(DEMO_STAFF["qa"], "/qa")
    claim = page.get_by_role("button", name="领取")
    if await claim.count():
        await claim.first.click()
        await page.wait_for_load_state("networkidle")
    await shooter.shoot(page, "qa")
    await page.close()
    await shooter.shoot_page(demo_agents(options.seats)[0], "/qa/mine", "qa-mine")
    await shooter.shoot_page(DEMO_STAFF["supervisor"], "/qa/supervise", "qa-supervise")


async def _desk(shooter: Shooter, demo: Demo) -> str:
    """The repeat caller phones; the agent who answers sees the screen-pop with the earlier
    order, fills the form (the picture) and saves it (受理). Returns the order's number."""
    earlier = await shooter.api(DEMO_STAFF["dispatcher"], "POST", "/api/orders", EARLIER_ORDER)
    script = CallerScript(patience=600.0, talk_seconds=1800.0, survey_key="1")
    await demo.sim.place_call("12345", REPEAT_CALLER, REPEAT_NAME, script)
    agent = await _answered_by(demo, REPEAT_CALLER)
    person = next(p for p in demo_agents(len(demo.seats)) if p.user_id == agent)
    page = await shooter.page(person, "/desk")  # the desk shows the seat the agent is on
    await page.locator("#call", has_text=REPEAT_CALLER).wait_for()
    await page.locator("#history-orders", has_text=earlier["number"]).wait_for()
    await page.locator("#of-category").select_option(NEW_ORDER["category"])
    await page.locator("#of-address").fill(NEW_ORDER["address"])
    await page.locator("#of-content").fill(NEW_ORDER["content"])
    await shooter.shoot(page, "desk")
    number = (await page.locator("#draft-number").inner_text()).strip()
    await page.locator("#accept").click()
    await page.locator("#form-error.ok").wait_for()
    await page.close()
    return number


async def _answered_by(demo: Demo, number: str, within: float = 120.0) -> str:
    """The agent who answered the live call of ``number``."""
    centre = demo.app[CENTRE]
    deadline = asyncio.get_running_loop().time() + within
    while asyncio.get_running_loop().time() < deadline:
        for record in centre.ledger.live.values():
            if record.caller_number == number and record.answered_at and record.agent:
                return record.agent
        await asyncio.sleep(0.2)
    raise ScreenshotError(f"no seat answered {number} within {within:g} s")


def run_screenshots(options: ScreenshotOptions) -> int:
    try:
        written = asyncio.run(take_screenshots(options))
    except ScreenshotError as exc:
        print(f"hotline screenshots: {exc}", file=sys.stderr, flush=True)
        return 2
    print(f"hotline screenshots: {len(written)} pictures in {options.out}", flush=True)
    return 0
