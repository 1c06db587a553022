"""The work-order side of the service, built by hand: the order desk, the link from a
callback (回访) call to its attempt, and the supervision scan that raises 催办 / 督办
notices on the live hub.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Coroutine
from typing import Any

from aiohttp import web
from sqlalchemy.exc import IntegrityError

from telephony.facts import CallbackPlaced
from tickets.handling import OrderHandling
from tickets.supervision import NOTICE_LABELS, Notice, scan
from web.keys import CENTRE, CLOCK, HUB, ORDERS, SESSIONS, SETTINGS

log = logging.getLogger(__name__)
REVISIT_TASK_PREFIX = "revisit-"


async def orders_context(app: web.Application) -> AsyncIterator[None]:
    settings, clock = app[SETTINGS], app[CLOCK]
    desk = OrderHandling(app[SESSIONS], settings.order_settings.rules, clock.now)
    app[ORDERS] = desk
    centre = app.get(CENTRE)
    pending: set[asyncio.Task[None]] = set()
    if centre is not None:
        centre.on_revisit_placed = lambda fact: _spawn(pending, _link_revisit(desk, fact))
    supervisor = asyncio.create_task(_supervise(app, desk), name="order supervision")
    try:
        yield
    finally:
        supervisor.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await supervisor
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)


def _spawn(pending: set[asyncio.Task[None]], work: Coroutine[Any, Any, None]) -> None:
    task = asyncio.create_task(work)
    pending.add(task)
    task.add_done_callback(pending.discard)


async def _link_revisit(desk: OrderHandling, fact: CallbackPlaced) -> None:
    if not fact.task.startswith(REVISIT_TASK_PREFIX):
        return
    try:
        revisit_id = int(fact.task.removeprefix(REVISIT_TASK_PREFIX))
        await desk.link_revisit_call(revisit_id, fact.server, fact.call_id)
    except Exception as exc:  # the call is recorded either way; the link can be redone
        log.error("could not link callback call %s to %s: %s", fact.call_id, fact.task, exc)


async def _supervise(app: web.Application, desk: OrderHandling) -> None:
    clock, seconds = app[CLOCK], app[SETTINGS].order_settings.scan_seconds
    while True:
        try:
            for notice in await scan_once(desk):
                app[HUB].publish(notice_event(notice))
        except IntegrityError:
            log.info("another instance raised the same notices; next scan goes on")
        except Exception as exc:
            log.error("order supervision scan failed: %s", exc)
        await clock.sleep(seconds)


async def scan_once(desk: OrderHandling) -> list[Notice]:
    async with desk.sessions() as session, session.begin():
        return await scan(session, desk.rules, desk.now())


def notice_event(notice: Notice) -> dict[str, object]:
    return {
        "type": "order_notice",
        "order": notice.order,
        "kind": notice.kind,
        "label": NOTICE_LABELS[notice.kind],
        "deadline": notice.deadline,
        "due_at": notice.due_at.isoformat(),
        "unit": notice.unit,
    }
