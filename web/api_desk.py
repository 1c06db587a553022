"""Seat and supervisor commands: sign in/out, pause, ready, wrap-up, temporary seats,
listen/whisper/barge, routing rules. Every command is written to the audit log."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

from aiohttp import web

from acd.desk import SeatSpec
from acd.links import SPY_OPTIONS, AmiDialer
from acd.ports import DialResult
from acd.rules import RoutingRules
from acd.seats import NoSuchSeat, Seat, SeatError
from acd.service import CallCentre
from acd.views import seat_view
from tickets.users import User
from web.access import check_own_seat, manages
from web.auth import signed_in
from web.errors import Conflict, Forbidden, InvalidParameter, NotFound, Unavailable
from web.keys import SETTINGS
from web.requests import (
    AGENT_ID,
    SEAT_ID,
    actor,
    client_address,
    json_object,
    leading,
    names,
    routing_centre,
    seat_id,
    text,
)

routes = web.RouteTableDef()

# rules a supervisor may change at run time, and their types
EDITABLE_RULES: dict[str, type] = {
    "wrapup_seconds": float,
    "wrapup_extension": float,
    "max_consecutive_misses": int,
    "first_contact_window": float,
    "emergency_priority": int,
    "repeat_caller_priority": int,
    "overflow_wait_seconds": float,
    "overflow_rate_target": float,
    "callback_deadline_minutes": float,
}


def _seat_command(
    request: web.Request,
    command: Callable[[CallCentre, str], Seat],
    action: str,
    body: dict[str, Any],
    signs_in: str | None = None,
) -> web.Response:
    """Run a seat command and audit it. An agent commands the seat they are signed in to
    (or signs themselves in: ``signs_in``); a supervisor's command on someone's seat is
    audited as forced."""
    centre = routing_centre(request)
    seat = seat_id(request)
    current = centre.board.find(seat)
    if current is not None:
        leading(centre, current.server)
    agent = current.agent if current else None  # before the command signs anyone in or out
    who = actor(request, body)
    _check_own_seat(signed_in(request), seat, agent, signs_in)
    details = {key: _detail(value) for key, value in body.items()}
    try:
        result = command(centre, seat)
    except NoSuchSeat as exc:
        raise NotFound(f"no seat {seat}") from exc
    except SeatError as exc:
        # a refused command is evidence too (a supervisor forcing a busy seat, say)
        centre.audit(
            who,
            f"seat.{action}.refused",
            f"seat:{seat}",
            client_address(request),
            **details,
            refusal=str(exc),
        )
        raise Conflict(str(exc)) from exc
    except ValueError as exc:
        raise InvalidParameter(str(exc)) from exc
    forced = agent is not None and who != agent
    centre.audit(
        who,
        f"seat.{'force_' if forced else ''}{action}",
        f"seat:{seat}",
        client_address(request),
        **details,
    )
    return web.json_response(seat_view(result))


def _check_own_seat(user: User, seat: str, agent: str | None, signs_in: str | None) -> None:
    if signs_in is None:
        check_own_seat(user, seat, agent)
    elif signs_in != user.user_id and not manages(user):
        raise Forbidden(f"{user.user_id} may sign only themselves in to a seat")


@routes.post("/api/seats/{seat}/login")
async def login(request: web.Request) -> web.Response:
    body = await json_object(request)
    agent = text(body, "agent", required=False, limit=32) or signed_in(request).user_id
    if not AGENT_ID.match(agent):
        raise InvalidParameter("agent: a staff number (letters, digits, . _ -)")
    name = text(body, "name", required=False, limit=40)
    user = signed_in(request)
    if not name and agent == user.user_id:
        name = user.name[:40]  # the wallboard shows who is at the seat
    return _seat_command(
        request, lambda c, s: c.desk.sign_in(s, agent, name), "login", body, signs_in=agent
    )


@routes.post("/api/seats/{seat}/logout")
async def logout(request: web.Request) -> web.Response:
    body = await json_object(request)
    user = signed_in(request)
    seat = routing_centre(request).board.find(seat_id(request))
    by = "agent" if seat is not None and seat.agent == user.user_id else user.user_id
    return _seat_command(request, lambda c, s: c.desk.sign_out(s, by), "logout", body)


@routes.post("/api/seats/{seat}/pause")
async def pause(request: web.Request) -> web.Response:
    body = await json_object(request)
    reason = text(body, "reason", limit=40)
    return _seat_command(request, lambda c, s: c.desk.pause(s, reason), "pause", body)


@routes.post("/api/seats/{seat}/ready")
async def ready(request: web.Request) -> web.Response:
    body = await json_object(request)
    return _seat_command(request, lambda c, s: c.desk.make_ready(s), "ready", body)


@routes.post("/api/seats/{seat}/wrapup/end")
async def end_wrapup(request: web.Request) -> web.Response:
    body = await json_object(request)
    return _seat_command(request, lambda c, s: c.desk.end_wrapup(s), "wrapup_end", body)


@routes.post("/api/seats/{seat}/wrapup/extend")
async def extend_wrapup(request: web.Request) -> web.Response:
    body = await json_object(request)
    return _seat_command(request, lambda c, s: c.desk.extend_wrapup(s), "wrapup_extend", body)


@routes.post("/api/seats")
async def open_seat(request: web.Request) -> web.Response:
    """Open a temporary seat (临时座席) now; it takes calls as soon as an agent signs in."""
    centre = routing_centre(request)
    body = await json_object(request)
    new_id = text(body, "seat", limit=40)
    if not SEAT_ID.match(new_id):
        raise InvalidParameter("seat: letters, digits, . _ - only, at most 40")
    settings = request.app[SETTINGS]
    lines = names(body, "lines") or frozenset(settings.lines)
    unknown = lines - set(settings.lines)
    if unknown:
        raise InvalidParameter(f"lines: unknown {sorted(unknown)}")
    server = str(body.get("server") or (settings.routed_servers or ("",))[0])
    if server not in settings.routed_servers:
        raise InvalidParameter(f"server: one of {list(settings.routed_servers)}")
    leading(centre, server)
    spec = SeatSpec(
        new_id,
        server,
        lines,
        names(body, "skills"),
        text(body, "name", required=False, limit=40),
        True,
    )
    try:
        seat = centre.desk.open_seat(spec)
    except SeatError as exc:
        raise Conflict(str(exc)) from exc
    centre.audit(
        actor(request, body), "seat.open_temporary", f"seat:{new_id}", client_address(request)
    )
    return web.json_response(seat_view(seat), status=201)


@routes.delete("/api/seats/{seat}")
async def close_seat(request: web.Request) -> web.Response:
    body = await json_object(request)
    return _seat_command(request, lambda c, s: c.desk.close_seat(s), "close_temporary", body)


@routes.post("/api/supervise")
async def supervise(request: web.Request) -> web.Response:
    """Listen to, whisper to or barge into a seat's call from the supervisor's own seat."""
    centre = routing_centre(request)
    body = await json_object(request)
    mode = body.get("mode")
    if mode not in SPY_OPTIONS:
        raise InvalidParameter(f"mode: one of {list(SPY_OPTIONS)}")
    target, own = text(body, "seat", limit=40), text(body, "supervisor_seat", limit=40)
    seat = centre.board.find(target)
    if seat is None:
        raise NotFound(f"no seat {target}")
    if seat.state != "talking":
        raise Conflict(f"seat {target} is not on a call")
    leading(centre, seat.server)
    who = actor(request, body)
    dialer = centre.router.dialer
    if not isinstance(dialer, AmiDialer):
        raise Unavailable("no Asterisk to place the call with")
    result = await dialer.spy(seat.server, own, target, str(mode))
    centre.audit(
        who,
        f"call.{mode}",
        f"seat:{target}",
        client_address(request),
        supervisor_seat=own,
        call_id=seat.call[1] if seat.call else "",
    )
    if result is not DialResult.SENT:
        raise Unavailable(f"Asterisk did not take the call ({result.value})")
    return web.json_response({"mode": mode, "seat": target, "supervisor_seat": own}, status=202)


@routes.get("/api/routing/rules")
async def get_rules(request: web.Request) -> web.Response:
    return web.json_response(rules_view(routing_centre(request).router.rules))


@routes.put("/api/routing/rules")
async def put_rules(request: web.Request) -> web.Response:
    """Change rules at run time; priorities of callers already waiting follow."""
    centre = routing_centre(request)
    body = await json_object(request)
    changes = _rule_changes(body)
    rules = dataclasses.replace(centre.router.rules, **changes)
    centre.router.update_rules(rules)
    details = {key: _detail(value) for key, value in body.items()}
    centre.audit(
        actor(request, body), "routing.rules", "routing", client_address(request), **details
    )
    return web.json_response(rules_view(rules))


def _detail(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _rule_changes(body: dict[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for key, value in body.items():
        if key == "line_priority":
            changes[key] = _line_priority(value)
        elif key == "pause_reasons":
            if (
                not isinstance(value, list)
                or not value
                or not all(isinstance(v, str) and 0 < len(v) <= 40 for v in value)
            ):
                raise InvalidParameter("pause_reasons: a list of 1 to 40-character texts")
            changes[key] = tuple(value)
        elif key in EDITABLE_RULES:
            changes[key] = _number(key, value, EDITABLE_RULES[key])
        else:
            raise InvalidParameter(f"{key}: not a rule that can be changed")
    return changes


def _line_priority(value: Any) -> tuple[tuple[str, int], ...]:
    if not isinstance(value, dict) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in value.values()
    ):
        raise InvalidParameter("line_priority: an object of line -> whole number")
    return tuple((str(line), int(priority)) for line, priority in value.items())


def _number(key: str, value: Any, kind: type) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise InvalidParameter(f"{key}: a number not below 0")
    if kind is int and not float(value).is_integer():
        raise InvalidParameter(f"{key}: a whole number")
    return kind(value)


def rules_view(rules: RoutingRules) -> dict[str, Any]:
    view = dataclasses.asdict(rules)
    view["line_priority"] = dict(rules.line_priority)
    view["pause_reasons"] = list(rules.pause_reasons)
    return view
