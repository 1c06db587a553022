"""The recordings side of the service, built by hand: the storage of converted files, the
process pool that converts them, and the pipeline fed by the calls that end; its backlog
goes to the live hub (``{"type": "recordings", ...}``) and to the health check.

A web-only instance has the storage (to play recordings) but no pipeline: the instance
that watches an Asterisk converts that Asterisk's recordings.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import multiprocessing
import socket
from collections.abc import AsyncIterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from aiohttp import web

from recordings.convert import worker_initializer
from recordings.pipeline import PipelineSettings, RecordingPipeline
from recordings.reconcile import Report, reconcile
from recordings.retention import PurgeItem, purge
from recordings.storage import LocalStorage, Storage
from telephony.clock import Clock
from tickets.db import create_engine, session_factory
from web.keys import CENTRE, CLOCK, HUB, SESSIONS, SETTINGS
from web.settings import Settings

log = logging.getLogger(__name__)

STORAGE = web.AppKey("recording_storage", Storage)
PIPELINE = web.AppKey("recording_pipeline", RecordingPipeline)  # absent on a web-only instance
BACKLOG_EVERY_SECONDS = 5.0


def pipeline_settings(settings: Settings) -> PipelineSettings:
    recordings = settings.recordings
    return PipelineSettings(
        format=recordings.format,
        workers=recordings.workers,
        delete_wav=recordings.delete_wav,
        retention=recordings.retention,
        work_dir=settings.recordings_dir / "converting",
        timezone=settings.timezone,
        instance=f"{socket.gethostname()}:{settings.http_port}",
    )


def conversion_pool(workers: int) -> ProcessPoolExecutor:
    # spawn: a forked child would inherit the event loop's threads and sockets
    return ProcessPoolExecutor(
        max_workers=workers,
        initializer=worker_initializer,
        mp_context=multiprocessing.get_context("spawn"),
    )


async def recordings_context(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    app[STORAGE] = LocalStorage(settings.recordings_storage_dir)
    centre = app.get(CENTRE)
    if centre is None or settings.recordings.workers == 0:
        yield  # a web-only instance, or one that leaves conversion to another instance
        return
    executor = conversion_pool(settings.recordings.workers)
    pipeline = RecordingPipeline(
        app[SESSIONS], app[STORAGE], pipeline_settings(settings), app[CLOCK], executor
    )
    pipeline.new_executor = functools.partial(conversion_pool, settings.recordings.workers)
    app[PIPELINE] = pipeline
    centre.on_call_ended = pipeline.enqueue
    await pipeline.start()
    housekeeping = asyncio.create_task(_housekeep(app, pipeline), name="recordings housekeeping")
    try:
        yield
    finally:
        centre.on_call_ended = None
        housekeeping.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await housekeeping
        await pipeline.stop()
        await asyncio.to_thread(pipeline.executor.shutdown, wait=True, cancel_futures=True)


async def _housekeep(app: web.Application, pipeline: RecordingPipeline) -> None:
    """Sweep for calls without a recording row now and then; publish the backlog when it
    changes."""
    clock, every = app[CLOCK], pipeline.settings.sweep_seconds
    next_sweep = clock.monotonic()
    published: dict[str, int] | None = None
    while True:
        try:
            if clock.monotonic() >= next_sweep:
                await pipeline.release_stale_claims()
                added = await pipeline.sweep()
                if added:
                    log.warning("%d ended call(s) had no recording row: added", added)
                next_sweep = clock.monotonic() + every
            backlog = await pipeline.backlog()
            if backlog != published:
                app[HUB].publish(backlog_event(backlog))
                published = backlog
        except Exception as exc:
            log.error("recordings housekeeping failed: %s", exc)
        await clock.sleep(BACKLOG_EVERY_SECONDS)


async def run_purge(settings: Settings, clock: Clock, *, dry_run: bool) -> list[PurgeItem]:
    """``hotline recordings purge``: what retention removes now (only listed, ``dry_run``)."""
    engine = create_engine(settings.database_url)
    try:
        storage = LocalStorage(settings.recordings_storage_dir)
        return await purge(session_factory(engine), storage, clock.now(), dry_run=dry_run)
    finally:
        await engine.dispose()


async def run_reconcile(settings: Settings, *, repair: bool) -> Report:
    """``hotline recordings reconcile``: database and storage compared."""
    engine = create_engine(settings.database_url)
    try:
        storage = LocalStorage(settings.recordings_storage_dir)
        return await reconcile(session_factory(engine), storage, repair=repair)
    finally:
        await engine.dispose()


def backlog_event(backlog: dict[str, int]) -> dict[str, Any]:
    return {"type": "recordings", "backlog": backlog}


def recordings_health(app: web.Application) -> dict[str, int] | None:
    """The last backlog counted (None on a web-only instance)."""
    pipeline = app.get(PIPELINE)
    return None if pipeline is None else dict(pipeline.last_backlog)
