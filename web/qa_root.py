"""The quality-assurance side of the service, built by hand: the default evaluation form
ensured at start, and the nightly task that makes the sampling plan of the previous
local day at ``[qa].nightly_at`` (a night missed while the service was down is made at
start), announcing it on the live hub as ``{"type": "qa_plan", "day", "samples"}``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta, tzinfo

from aiohttp import web
from sqlalchemy.exc import IntegrityError

from qa.forms import ensure_default_form
from qa.sampling import make_plan, plan_of_day, samples_of_plan
from web.keys import CLOCK, HUB, SESSIONS, SETTINGS
from web.qa_settings import QaSettings

log = logging.getLogger(__name__)

QA_SETTINGS = web.AppKey("qa_settings", QaSettings)
NIGHTLY_ACTOR = "nightly"
RETRY_SECONDS = 300.0


async def qa_context(app: web.Application) -> AsyncIterator[None]:
    app[QA_SETTINGS] = app[SETTINGS].qa
    try:
        async with app[SESSIONS]() as session, session.begin():
            await ensure_default_form(session, app[CLOCK].now())
    except IntegrityError:
        log.info("another instance stored the default evaluation form first")
    except Exception as exc:
        log.error("could not ensure the default evaluation form: %s", exc)
    nightly = asyncio.create_task(_nightly(app), name="qa nightly plan")
    try:
        yield
    finally:
        nightly.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await nightly


async def _nightly(app: web.Application) -> None:
    clock, settings = app[CLOCK], app[QA_SETTINGS]
    zone = app[SETTINGS].zone
    while True:
        try:
            await plan_due_day(app)
            wait = seconds_until(clock.now(), settings.nightly_at, zone)
        except IntegrityError:
            log.info("another instance made the same sampling plan")
            wait = 1.0
        except Exception as exc:
            log.error("the nightly sampling plan failed: %s", exc)
            wait = RETRY_SECONDS
        await clock.sleep(wait)


def due_day(now: datetime, nightly_at: time, zone: tzinfo) -> date:
    """The latest day whose plan is due: yesterday once ``nightly_at`` has passed today,
    the day before yesterday until then."""
    shifted = now.astimezone(zone) - timedelta(hours=nightly_at.hour, minutes=nightly_at.minute)
    return shifted.date() - timedelta(days=1)


def seconds_until(now: datetime, at: time, zone: tzinfo) -> float:
    """Seconds from ``now`` to the next local ``at`` (a whole day when it is ``at`` now)."""
    local = now.astimezone(zone)
    target = datetime.combine(local.date(), at, zone)
    if target <= local:
        target = datetime.combine(local.date() + timedelta(days=1), at, zone)
    return (target - local).total_seconds()


def plan_seed(day: date) -> int:
    """The seed of a nightly plan: the day itself, so that anyone can draw it again."""
    return int(day.strftime("%Y%m%d"))


async def plan_due_day(app: web.Application) -> int | None:
    """Makes the due day's plan if it is absent and announces it; the number of samples,
    or None when the plan already existed."""
    settings, now = app[QA_SETTINGS], app[CLOCK].now()
    zone = app[SETTINGS].zone
    day = due_day(now, settings.nightly_at, zone)
    async with app[SESSIONS]() as session, session.begin():
        if await plan_of_day(session, day) is not None:
            return None
        plan = await make_plan(
            session, day, settings.sampling, plan_seed(day), NIGHTLY_ACTOR, now, zone
        )
        samples = len(await samples_of_plan(session, plan.id))
    log.info("sampling plan of %s: %d calls to review", day, samples)
    app[HUB].publish({"type": "qa_plan", "day": day.isoformat(), "samples": samples})
    return samples
