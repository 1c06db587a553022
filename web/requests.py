"""Reading request bodies, query parameters and path parameters, with a 400 that says
what is wrong."""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from acd.service import CallCentre
from web.auth import signed_in
from web.errors import Conflict, InvalidParameter, Unavailable
from web.keys import CENTRE

SEAT_ID = re.compile(r"^[A-Za-z0-9_.\-]{1,40}$")
AGENT_ID = re.compile(r"^[A-Za-z0-9_.\-]{1,32}$")
MAX_TEXT = 200


# the days a query or a step may name: far from the ends of the calendar, where a day's
# end or a time zone's offset would overflow (datetime stops at year 9999)
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2999, 12, 31)


def supported_day(name: str, day: date) -> date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidParameter(f"{name}: a date from {FIRST_DAY} to {LAST_DAY}")
    return day


def moment(name: str, raw: str, zone: ZoneInfo, end_of_day: bool) -> datetime:
    """A query's date (2026-11-23: its start, or its end with ``end_of_day``) or ISO time;
    a time without a zone is in ``zone``."""
    try:
        if len(raw) == 10:
            day = supported_day(name, date.fromisoformat(raw))
            start = datetime.combine(day, time(0), tzinfo=zone)
            return start + timedelta(days=1) if end_of_day else start
        parsed = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise InvalidParameter(
            f"{name}: {raw!r} is not a date (2026-11-23) or time (ISO 8601)"
        ) from exc
    supported_day(name, parsed.date())
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def whole_number(name: str, raw: str | None, default: int, low: int, high: int) -> int:
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise InvalidParameter(f"{name}: must be a whole number from {low} to {high}")
    return int(raw)


def check_query(request: web.Request, allowed: Collection[str]) -> None:
    unknown = set(request.query) - set(allowed)
    if unknown:
        raise InvalidParameter(
            f"unknown parameter(s) {sorted(unknown)}; allowed: {sorted(allowed)}"
        )


async def json_object(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidParameter("body: not valid JSON") from exc
    if not isinstance(body, dict):
        raise InvalidParameter("body: must be a JSON object")
    return body


def text(body: dict[str, Any], name: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    value = body.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise InvalidParameter(f"{name}: a text of 1 to {limit} characters")
    return value.strip()


def names(body: dict[str, Any], name: str, pattern: re.Pattern[str] = SEAT_ID) -> frozenset[str]:
    value = body.get(name, [])
    if not isinstance(value, list) or not all(
        isinstance(v, str) and pattern.match(v) for v in value
    ):
        raise InvalidParameter(f"{name}: a list of names (letters, digits, . _ -)")
    return frozenset(value)


def seat_id(request: web.Request, key: str = "seat") -> str:
    value = request.match_info[key]
    if not SEAT_ID.match(value):
        raise InvalidParameter(f"{key}: letters, digits, . _ - only, at most 40")
    return value


def actor(request: web.Request, body: dict[str, Any]) -> str:
    """Who asks: the signed-in user (a body naming someone else is refused, not ignored)."""
    if "actor" in body:
        raise InvalidParameter("actor: not accepted; the signed-in user is the actor")
    return signed_in(request).user_id


def routing_centre(request: web.Request) -> CallCentre:
    centre = request.app.get(CENTRE)
    if centre is None:
        raise Unavailable(
            "this instance shows the shared wallboard only; "
            "send seat commands to an instance that routes calls"
        )
    return centre


def leading(centre: CallCentre, server: str) -> None:
    """Commands for an Asterisk go to the instance that routes it now."""
    if not centre.gate.holds(server):
        raise Conflict(
            f"this instance does not route {server} now (another instance does); "
            "send the command to the routing instance"
        )


def client_address(request: web.Request) -> str:
    return request.remote or ""
