"""Reading request bodies and path parameters, with a 400 that says what is wrong."""

from __future__ import annotations

import json
import re
from typing import Any

from aiohttp import web

from acd.service import CallCentre
from web.errors import Conflict, InvalidParameter, Unavailable
from web.keys import CENTRE

SEAT_ID = re.compile(r"^[A-Za-z0-9_.\-]{1,40}$")
AGENT_ID = re.compile(r"^[A-Za-z0-9_.\-]{1,32}$")
MAX_TEXT = 200


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


def actor(request: web.Request, body: dict[str, Any], fallback: str | None) -> str:
    """Who asks (until sign-in exists: the ``actor`` field, else the seat's agent)."""
    given = body.get("actor")
    if given is not None:
        if not isinstance(given, str) or not AGENT_ID.match(given):
            raise InvalidParameter("actor: a staff number (letters, digits, . _ -)")
        return given
    return fallback or "unknown"


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
