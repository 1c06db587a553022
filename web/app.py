"""The composition root: every long-lived object of the service is built here, by hand.

``create_app`` takes settings and a clock and returns the aiohttp application;
its cleanup context opens the database (running migrations), the write-behind
writer, the live hub (Redis when configured), the call centre with its seats,
and one AMI connection per Asterisk — and closes them in reverse order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

from aiohttp import web

from acd.desk import SeatSpec
from acd.gate import LocalGate, OfferGate
from acd.handover import SeatHandover
from acd.lease import LeaseRules, RedisGate
from acd.links import AmiDialer, ServerLink
from acd.live import LocalHub, RedisHub
from acd.service import CallCentre, day_window
from telephony.clock import Clock
from telephony.connection import AmiConnection, AmiEndpoint
from tickets.callbacks import open_callback_tasks
from tickets.calls import callers_since, calls_queued_between
from tickets.db import create_engine, session_factory
from tickets.migrate import head_revision, upgrade_to_head
from tickets.orders import make_order_number, open_orders_by_caller
from tickets.writer import WriteBehind
from web import (
    api,
    api_callbacks,
    api_desk,
    api_orders,
    api_qa,
    api_recordings,
    api_reports,
    api_reveal,
    api_session,
    api_users,
    openapi,
    pages,
    ws,
)
from web.access import uncovered_routes
from web.auth import IDENTITIES, IdentityCache, signin_middleware
from web.errors import error_middleware
from web.keys import CENTRE, CLOCK, CONNECTIONS, ENGINE, HUB, LIVE, SESSIONS, SETTINGS, WRITER
from web.live_state import LocalLiveState, SharedLiveState
from web.orders_root import orders_context
from web.qa_root import qa_context
from web.recordings_root import recordings_context
from web.settings import Settings

log = logging.getLogger(__name__)

MIGRATION_RETRY_SECONDS = 5.0
LEASE_RULES = web.AppKey("lease_rules", LeaseRules)


def create_app(
    settings: Settings, clock: Clock, *, lease: LeaseRules | None = None
) -> web.Application:
    """``lease`` overrides ``settings.lease``: timings of the routing lease (real seconds)."""
    app = web.Application(
        middlewares=[error_middleware, signin_middleware], client_max_size=1024 * 1024
    )
    app[SETTINGS] = settings
    app[CLOCK] = clock
    app[LEASE_RULES] = lease or settings.lease
    app[IDENTITIES] = IdentityCache(clock)
    app.cleanup_ctx.append(_database)
    app.cleanup_ctx.append(_hub)
    app.cleanup_ctx.append(_centre)
    app.cleanup_ctx.append(_asterisk_links)
    app.cleanup_ctx.append(orders_context)
    app.cleanup_ctx.append(recordings_context)
    app.cleanup_ctx.append(qa_context)
    app.add_routes(api_session.routes)
    app.add_routes(api_users.routes)
    app.add_routes(api.routes)
    app.add_routes(api_desk.routes)
    app.add_routes(api_callbacks.routes)
    app.add_routes(api_reveal.routes)  # before …/{step} of api_orders
    app.add_routes(api_orders.routes)
    app.add_routes(api_recordings.routes)
    app.add_routes(api_qa.routes)
    app.add_routes(api_reports.routes)
    app.add_routes(openapi.routes)
    app.add_routes(ws.routes)
    app.add_routes(pages.routes)
    app.router.add_static("/static/", pages.STATIC_DIR, name="static")
    uncovered = uncovered_routes(app)
    if uncovered:
        raise RuntimeError(f"routes without a line in web.access.ACCESS: {uncovered}")
    return app


async def _database(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    engine = create_engine(settings.database_url)
    migrator = await _migrate_or_retry(settings.database_url)
    writer = WriteBehind(engine, clock=app[CLOCK], spill_path=_spill_path(settings))
    await writer.start()
    app[ENGINE], app[SESSIONS], app[WRITER] = engine, session_factory(engine), writer
    yield
    await writer.stop()
    if migrator is not None:
        migrator.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await migrator
    await engine.dispose()


def _spill_path(settings: Settings) -> Path:
    if settings.spill_path is not None:
        return settings.spill_path
    return settings.recordings_dir.parent / "hotline-unwritten.jsonl"


async def _migrate_or_retry(url: str) -> asyncio.Task[None] | None:
    """Migrate now; if the database is away, keep routing and migrate when it is back."""
    try:
        await upgrade_to_head(url)
        log.info("database schema is at revision %s", head_revision())
        return None
    except (OSError, ConnectionError, TimeoutError) as exc:
        log.error("database unreachable at start (%s); calls are buffered until it is back", exc)
    except Exception as exc:
        if "connect" not in str(exc).lower():
            raise
        log.error("database unreachable at start (%s); calls are buffered until it is back", exc)
    return asyncio.get_running_loop().create_task(_retry_migration(url))


async def _retry_migration(url: str) -> None:
    while True:
        await asyncio.sleep(MIGRATION_RETRY_SECONDS)
        try:
            await upgrade_to_head(url)
        except Exception as exc:
            log.warning("database still unreachable: %s", exc)
            continue
        log.info("database reachable again; schema is up to date")
        return


async def _hub(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    hub = RedisHub(settings.redis_url, settings.redis_prefix) if settings.redis_url else LocalHub()
    await hub.start()
    app[HUB] = hub
    yield
    await hub.stop()


async def _centre(app: web.Application) -> AsyncIterator[None]:
    settings, clock = app[SETTINGS], app[CLOCK]
    if settings.web_only:
        hub = app[HUB]
        assert isinstance(hub, RedisHub), "a web-only instance needs Redis"
        app[LIVE] = SharedLiveState(hub)
        yield
        return
    gate = _offer_gate(app)
    centre = CallCentre(
        clock=clock,
        dialer=AmiDialer(settings.routing.ring_timeout),
        routing=settings.routing,
        routed_servers=settings.routed_servers,
        sink=app[WRITER],
        hub=app[HUB],
        figure_rules=settings.figures,
        zone=settings.zone,
        order_number=make_order_number,
        gate=gate,
    )
    handover = SeatHandover(gate, centre) if isinstance(gate, RedisGate) else None
    for seat in settings.seats:
        spec = SeatSpec(
            seat.seat_id, seat.server, frozenset(seat.lines), frozenset(seat.skills), seat.name
        )
        centre.add_seat(spec, seat.agent)
    await _restore_today(app, centre)
    centre.start_watching()
    if handover is not None:
        await handover.start()
    await gate.start()
    app[CENTRE] = centre
    app[LIVE] = LocalLiveState(centre)
    yield
    await gate.stop()
    if handover is not None:
        await handover.stop()
    centre.close()
    await centre.router.drain()


def _offer_gate(app: web.Application) -> OfferGate:
    """With Redis, several instances may watch one Asterisk: one routes it at a time."""
    settings = app[SETTINGS]
    if settings.redis_url is None:
        return LocalGate()
    return RedisGate(
        settings.redis_url, settings.redis_prefix, settings.routed_servers, rules=app[LEASE_RULES]
    )


async def _restore_today(app: web.Application, centre: CallCentre) -> None:
    """Today's calls (figures), the callers of the last day and their open orders (priority,
    first contact), and the open callback tasks, as stored before this start."""
    start, end = day_window(centre)
    since = centre.clock.now() - timedelta(hours=centre.router.rules.repeat_caller_hours)
    try:
        async with app[SESSIONS]() as session:
            records = await calls_queued_between(session, start, end)
            callers = await callers_since(session, since)
            orders = await open_orders_by_caller(session)
            tasks = await open_callback_tasks(session)
    except Exception as exc:
        log.error("could not read today's calls back (%s); today's figures start from now", exc)
        return
    centre.restore(records)
    centre.memory.load(callers, orders)
    centre.callbacks.load(tasks)
    log.info("restored %d calls of today, %d open callback tasks", len(records), len(tasks))


async def _asterisk_links(app: web.Application) -> AsyncIterator[None]:
    settings, clock, centre = app[SETTINGS], app[CLOCK], app.get(CENTRE)
    if centre is None:
        yield
        return
    dialer = centre.router.dialer
    assert isinstance(dialer, AmiDialer)
    connections: dict[str, AmiConnection] = {}
    for server in settings.ami:
        link = ServerLink(
            server.name,
            centre,
            routed=server.mode == "route",
            ring_timeout=settings.routing.ring_timeout,
        )
        endpoint = AmiEndpoint(
            name=server.name,
            host=server.host,
            port=server.port,
            username=server.username,
            secret=server.secret,
            events=server.events,
        )
        connection = AmiConnection(endpoint, link, clock)
        link.connection = connection
        dialer.connections[server.name] = connection
        connections[server.name] = connection
        await connection.start()
    app[CONNECTIONS] = connections
    yield
    for connection in connections.values():
        await connection.stop()
