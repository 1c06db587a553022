"""The browser side of ``hotline screenshots``: Debian's Chromium driven by Playwright
(headless; never a browser Playwright downloads), one browser context per person signed in
through the sign-in page, pictures at 1440x900, and every page error printed as it happens.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from web.demo_people import Person

if TYPE_CHECKING:
    from playwright.async_api import Browser, BrowserContext, ConsoleMessage, Page, ViewportSize

VIEWPORT: ViewportSize = {"width": 1440, "height": 900}
WAIT_MS = 30_000
SETTLE_SECONDS = 1.5  # after the page's requests are done: its timers and live updates draw


class ScreenshotError(Exception):
    """What stopped the pictures, said so that the person running it can act on it."""


def check_browser(chromium: Path) -> None:
    """Chromium and the Playwright package are there, or say what to install."""
    if not (chromium.is_file() and os.access(chromium, os.X_OK)):
        raise ScreenshotError(
            f"{chromium} is missing: install Debian's Chromium and CJK fonts "
            "(apt-get install chromium fonts-noto-cjk; ./test.sh does it) or give --chromium"
        )
    try:
        import playwright.async_api  # noqa: F401
    except ImportError as exc:
        raise ScreenshotError(
            "the Python package playwright is missing: .venv/bin/pip install -e '.[dev]'"
        ) from exc


@contextlib.asynccontextmanager
async def chromium(path: Path) -> AsyncIterator[Browser]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(path),
            headless=True,
            args=["--no-sandbox", "--lang=zh-CN"],  # --lang: the browser's own words too
        )
        try:
            yield browser
        finally:
            await browser.close()


class Shooter:
    """Signs people in, one browser context each, and writes the pictures."""

    def __init__(self, browser: Browser, base_url: str, password: str, out: Path) -> None:
        self.browser, self.base_url, self.password, self.out = browser, base_url, password, out
        self.contexts: dict[str, BrowserContext] = {}
        self.written: list[Path] = []

    async def context_of(self, person: Person | None) -> BrowserContext:
        key = person.user_id if person is not None else ""
        if key not in self.contexts:
            context = await self.browser.new_context(
                base_url=self.base_url, viewport=VIEWPORT, locale="zh-CN"
            )
            context.set_default_timeout(WAIT_MS)
            context.on("weberror", lambda error: _tell(f"JavaScript error: {error.error}"))
            context.on("console", _console_error)
            if person is not None:
                await _sign_in(context, person, self.password)
            self.contexts[key] = context
        return self.contexts[key]

    async def page(self, person: Person | None, path: str) -> Page:
        page = await (await self.context_of(person)).new_page()
        await page.goto(path)
        await page.wait_for_load_state("networkidle")
        return page

    async def shoot(self, page: Page, name: str) -> None:
        await asyncio.sleep(SETTLE_SECONDS)
        target = self.out / f"{name}.png"
        await page.screenshot(path=str(target))
        self.written.append(target)
        print(f"hotline screenshots: {target}", flush=True)

    async def shoot_page(self, person: Person | None, path: str, name: str) -> None:
        page = await self.page(person, path)
        await self.shoot(page, name)
        await page.close()

    async def api(self, person: Person, method: str, path: str, body: Any = None) -> Any:
        context = await self.context_of(person)
        csrf = next(c["value"] for c in await context.cookies() if c["name"] == "hotline_csrf")
        response = await context.request.fetch(
            path, method=method, data=body, headers={"X-CSRF-Token": csrf}
        )
        if not response.ok:
            raise ScreenshotError(f"{method} {path}: {response.status} {await response.text()}")
        return await response.json()


def _tell(problem: str) -> None:
    """A page's error is printed (the pictures go on: they may show it)."""
    print(f"hotline screenshots: {problem}", file=sys.stderr, flush=True)


def _console_error(message: ConsoleMessage) -> None:
    if message.type == "error":
        page = message.page.url if message.page is not None else "?"
        _tell(f"console error on {page}: {message.text}")


async def _sign_in(context: BrowserContext, person: Person, password: str) -> None:
    """Through the sign-in page, as the person would (it leads to their first page)."""
    page = await context.new_page()
    await page.goto("/signin")
    await page.locator("#user").fill(person.user_id)
    await page.locator("#password").fill(password)
    await page.locator("#submit").click()
    await page.wait_for_url(lambda url: urlsplit(url).path != "/signin")
    await page.close()
