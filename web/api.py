"""JSON API: calls (from the database), seats, queue and today's figures (live), seat commands.

Every parameter is checked; a bad one gets a 400 that says which and why.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from acd.views import call_view
from tickets.calls import get_call, list_calls
from tickets.records import OUTCOMES
from web.errors import InvalidParameter, NotFound
from web.keys import CENTRE, HUB, LIVE, SESSIONS, SETTINGS, WRITER
from web.recordings_root import recordings_health
from web.requests import check_query, moment, whole_number

routes = web.RouteTableDef()

CALL_FILTERS = {"from", "to", "line", "seat", "caller", "outcome", "limit", "offset"}
MAX_LIMIT = 500
SEAT_ID = re.compile(r"^[A-Za-z0-9_.\-]{1,40}$")
_DIGITS = re.compile(r"^\+?[0-9]{3,20}$")


def call_filters(request: web.Request) -> dict[str, Any]:
    query = request.query
    check_query(request, CALL_FILTERS)
    settings = request.app[SETTINGS]
    zone = settings.zone
    start = moment("from", query["from"], zone, False) if "from" in query else None
    end = moment("to", query["to"], zone, True) if "to" in query else None
    if start and end and end <= start:
        raise InvalidParameter("to: must be after from")
    line = query.get("line")
    if line is not None and line not in settings.lines:
        raise InvalidParameter(f"line: {line!r} is not one of {list(settings.lines)}")
    seat = query.get("seat")
    if seat is not None and not SEAT_ID.match(seat):
        raise InvalidParameter("seat: letters, digits, . _ - only, at most 40")
    caller = query.get("caller")
    if caller is not None and not _DIGITS.match(caller):
        raise InvalidParameter("caller: 3 to 20 digits")
    outcome = query.get("outcome")
    if outcome is not None and outcome not in OUTCOMES:
        raise InvalidParameter(f"outcome: one of {list(OUTCOMES)}")
    return {
        "start": start,
        "end": end,
        "line": line,
        "seat": seat,
        "caller_number": caller,
        "outcome": outcome,
        "limit": whole_number("limit", query.get("limit"), 50, 1, MAX_LIMIT),
        "offset": whole_number("offset", query.get("offset"), 0, 0, 1_000_000),
    }


@routes.get("/api/calls")
async def calls(request: web.Request) -> web.Response:
    filters = call_filters(request)
    async with request.app[SESSIONS]() as session:
        records, total = await list_calls(session, **filters)
    return web.json_response(
        {
            "total": total,
            "limit": filters["limit"],
            "offset": filters["offset"],
            "calls": [call_view(record) for record in records],  # masked, like the wallboard
        }
    )


@routes.get("/api/calls/{server}/{call_id}")
async def one_call(request: web.Request) -> web.Response:
    server, call_id = request.match_info["server"], request.match_info["call_id"]
    async with request.app[SESSIONS]() as session:
        record = await get_call(session, server, call_id)
    if record is None:
        raise NotFound(f"no call {call_id} on {server}")
    return web.json_response(call_view(record))


@routes.get("/api/seats")
async def seats(request: web.Request) -> web.Response:
    return web.json_response({"seats": await request.app[LIVE].seats()})


@routes.get("/api/queue")
async def queue(request: web.Request) -> web.Response:
    return web.json_response({"queue": await request.app[LIVE].queue()})


@routes.get("/api/stats/today")
async def stats_today(request: web.Request) -> web.Response:
    body = await request.app[LIVE].stats()
    body["writer"] = _writer_health(request)
    return web.json_response(body)


@routes.get("/api/health")
async def health(request: web.Request) -> web.Response:
    centre = request.app.get(CENTRE)
    writer = _writer_health(request)
    links = dict(centre.links) if centre is not None else {}
    links_ok = all(links.get(server.name, False) for server in request.app[SETTINGS].ami)
    status = "ok" if links_ok and not writer["alarm"] else "degraded"
    leading = {name: centre.gate.holds(name) for name in links} if centre is not None else {}
    return web.json_response(
        {
            "status": status,
            "role": "routing" if centre is not None else "web-only",
            "links": links,
            "leading": leading,
            "writer": writer,
            "subscribers": request.app[HUB].subscribers,
            "recordings": recordings_health(request.app),
        }
    )


def _writer_health(request: web.Request) -> dict[str, Any]:
    health = request.app[WRITER].health()
    return {
        "pending": health.pending,
        "oldest_pending_seconds": round(health.oldest_pending_seconds, 1),
        "db_ok": health.db_ok,
        "alarm": health.alarm,
        "alarm_reason": health.alarm_reason,
        "spilled": health.spilled,
        "written_total": health.written_total,
        "last_error": health.last_error,
        "refused": [
            {"key": letter.key, "error": letter.error} for letter in health.dead_letters[:20]
        ],
    }
