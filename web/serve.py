"""Running the application until a signal: shared by ``hotline serve`` and ``hotline demo``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from aiohttp import web

from telephony.clock import SystemClock
from web.app import create_app
from web.settings import Settings

log = logging.getLogger(__name__)


def stop_event_on_signals() -> asyncio.Event:
    """An event set by SIGINT or SIGTERM (systemd, docker stop, Ctrl-C)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    return stop


async def start_site(app: web.Application, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    return runner


async def serve(settings: Settings) -> int:
    logging.getLogger().setLevel(settings.log_level.upper())
    app = create_app(settings, SystemClock())
    runner = await start_site(app, settings.http_host, settings.http_port)
    log.info("serving on http://%s:%d", settings.http_host, settings.http_port)
    try:
        await stop_event_on_signals().wait()
    finally:
        log.info("stopping")
        await runner.cleanup()
    return 0
