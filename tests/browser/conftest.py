"""Fixtures of the browser tests: Debian's Chromium driven by Playwright (headless, never a
browser Playwright downloads), the real service on a port of 127.0.0.1 with its people, and
a watch over every page's errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright, expect

from tests.browser.browser_kit import (
    AGENT,
    DISPATCHER,
    SUPERVISOR,
    WAIT_MS,
    LiveService,
    PageProblems,
    People,
    chromium_or_skip,
    live_service,
)

# what a page may take to show what a test waits for (Playwright's default is 5 s)
expect.set_options(timeout=WAIT_MS)


@pytest.fixture
def chromium() -> Path:
    return chromium_or_skip()


@pytest.fixture
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(chromium), headless=True, args=["--no-sandbox"]
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def hotline(tmp_path: Path, chromium: Path) -> AsyncIterator[LiveService]:
    """The service with an agent, a dispatcher and a supervisor who may sign in."""
    async with live_service(tmp_path) as service:
        for person in (AGENT, DISPATCHER, SUPERVISOR):
            await service.add_person(person)
        yield service


@pytest.fixture
def problems() -> PageProblems:
    return PageProblems()


@pytest.fixture
def people(browser: Browser, hotline: LiveService, problems: PageProblems) -> People:
    return People(browser, hotline, problems)
