"""Who may call what: one table of every route and the roles allowed on it.

The sign-in middleware (``web.auth``) looks each request up here by its method and route
template; the application refuses to start with a route that has no line (so a new route
is closed until someone decides who may use it). Rules finer than a role — an agent's own
seat, a unit's own orders, an agent's own recordings — are checked by the handlers with
the helpers at the end of this module.
"""

from __future__ import annotations

from aiohttp import web

from tickets.users import ROLES, STAFF_ROLES, User
from web.errors import Forbidden

PUBLIC = "public"  # no sign-in (the sign-in page itself, the health check, static files)
SIGNED_IN = frozenset(ROLES)  # any signed-in user or token

AGENT, DISPATCHER, CALLBACK, QA = "agent", "dispatcher", "callback", "qa"
SUPERVISOR, ADMIN, AUDITOR, UNIT, INTEGRATION = (
    "supervisor",
    "admin",
    "auditor",
    "unit",
    "integration",
)
# supervisors and administrators may act for the people they manage
MANAGERS = frozenset({SUPERVISOR, ADMIN})
OVERSEERS = MANAGERS | {AUDITOR}
STAFF = STAFF_ROLES
ORDER_READERS = frozenset({AGENT, DISPATCHER, CALLBACK, QA, INTEGRATION}) | OVERSEERS
SEAT_USERS = frozenset({AGENT, CALLBACK}) | MANAGERS
RECORDING_LISTENERS = frozenset({QA, SUPERVISOR, AUDITOR})


def _roles(*names: str | frozenset[str]) -> frozenset[str]:
    chosen: set[str] = set()
    for name in names:
        chosen |= {name} if isinstance(name, str) else set(name)
    unknown = chosen - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"
    return frozenset(chosen)


# (method, route template) -> roles; PUBLIC for no sign-in
ACCESS: dict[tuple[str, str], frozenset[str] | str] = {
    # sign-in, users, tokens, audit
    ("POST", "/api/session"): PUBLIC,
    ("GET", "/api/session"): SIGNED_IN,
    ("DELETE", "/api/session"): SIGNED_IN,
    ("GET", "/api/users"): _roles(ADMIN, AUDITOR),
    ("POST", "/api/users"): _roles(ADMIN),
    ("PUT", "/api/users/{user}"): _roles(ADMIN),
    ("POST", "/api/users/{user}/password"): _roles(ADMIN),
    ("POST", "/api/session/password"): SIGNED_IN - {INTEGRATION},
    ("GET", "/api/tokens"): _roles(ADMIN, AUDITOR),
    ("POST", "/api/tokens"): _roles(ADMIN),
    ("DELETE", "/api/tokens/{name}"): _roles(ADMIN),
    ("GET", "/api/audit"): _roles(OVERSEERS),
    ("GET", "/api/health"): PUBLIC,
    # calls, seats, the queue, today's figures
    ("GET", "/api/calls"): _roles(QA, OVERSEERS),
    ("GET", "/api/calls/{server}/{call_id}"): _roles(QA, OVERSEERS),
    ("POST", "/api/calls/{server}/{call_id}/reveal"): _roles(AGENT, CALLBACK),
    ("GET", "/api/seats"): STAFF,
    ("GET", "/api/queue"): STAFF,
    ("GET", "/api/stats/today"): STAFF,
    ("POST", "/api/seats/{seat}/login"): SEAT_USERS,
    ("POST", "/api/seats/{seat}/logout"): SEAT_USERS,
    ("POST", "/api/seats/{seat}/pause"): SEAT_USERS,
    ("POST", "/api/seats/{seat}/ready"): SEAT_USERS,
    ("POST", "/api/seats/{seat}/wrapup/end"): SEAT_USERS,
    ("POST", "/api/seats/{seat}/wrapup/extend"): SEAT_USERS,
    ("POST", "/api/seats"): MANAGERS,
    ("DELETE", "/api/seats/{seat}"): MANAGERS,
    ("POST", "/api/supervise"): _roles(SUPERVISOR),
    ("GET", "/api/routing/rules"): _roles(OVERSEERS),
    ("PUT", "/api/routing/rules"): MANAGERS,
    ("GET", "/api/seats/{seat}/screen-pop"): SEAT_USERS,
    # callbacks of missed calls
    ("GET", "/api/callbacks"): _roles(AGENT, CALLBACK, OVERSEERS),
    ("POST", "/api/callbacks/{server}/{call_id}/dial"): SEAT_USERS,
    ("POST", "/api/callbacks/{server}/{call_id}/result"): SEAT_USERS,
    # work orders: reads
    ("GET", "/api/orders/config"): SIGNED_IN,
    ("GET", "/api/orders"): ORDER_READERS - {INTEGRATION},
    ("GET", "/api/orders/board"): _roles(DISPATCHER, OVERSEERS),
    ("GET", "/api/orders/revisits"): _roles(CALLBACK, OVERSEERS),
    ("GET", "/api/orders/revisit-ledger"): _roles(CALLBACK, QA, OVERSEERS),
    ("GET", "/api/orders/notices"): _roles(DISPATCHER, OVERSEERS),
    ("GET", "/api/orders/hanging"): _roles(DISPATCHER, OVERSEERS),
    ("GET", "/api/orders/figures"): _roles(DISPATCHER, QA, OVERSEERS),
    ("GET", "/api/orders/{number}"): ORDER_READERS,
    ("GET", "/api/orders/{number}/suggestions"): _roles(AGENT, DISPATCHER, MANAGERS),
    ("GET", "/api/orders/{number}/attachments/{id}"): ORDER_READERS | {UNIT},
    ("GET", "/api/units/{code}/orders"): _roles(UNIT, DISPATCHER, OVERSEERS),
    # work orders: the hotline's steps
    ("POST", "/api/orders"): _roles(AGENT, DISPATCHER, INTEGRATION, MANAGERS),
    ("POST", "/api/orders/{number}/accept"): _roles(AGENT, MANAGERS),
    ("POST", "/api/orders/{number}/answer"): _roles(AGENT, MANAGERS),
    ("POST", "/api/orders/{number}/edit"): _roles(AGENT, DISPATCHER, MANAGERS),
    ("POST", "/api/orders/{number}/sign"): _roles(DISPATCHER, MANAGERS),
    ("POST", "/api/orders/{number}/return-up"): _roles(DISPATCHER, MANAGERS),
    ("POST", "/api/orders/{number}/dispatch"): _roles(DISPATCHER, MANAGERS),
    ("POST", "/api/orders/{number}/redispatch"): _roles(DISPATCHER, MANAGERS),
    ("POST", "/api/orders/{number}/reject-return"): _roles(DISPATCHER, MANAGERS),
    ("POST", "/api/orders/{number}/respond"): _roles(DISPATCHER, MANAGERS),
    ("POST", "/api/orders/{number}/merge"): _roles(DISPATCHER, MANAGERS),
    ("POST", "/api/orders/{number}/not-counted"): MANAGERS,
    ("POST", "/api/orders/{number}/{step}"): _roles(DISPATCHER, MANAGERS),
    ("POST", "/api/orders/{number}/hang"): _roles(DISPATCHER, MANAGERS),
    ("POST", "/api/orders/{number}/resume"): _roles(DISPATCHER, MANAGERS),
    ("POST", "/api/orders/{number}/extension/decide"): _roles(DISPATCHER, MANAGERS),
    ("POST", "/api/orders/notices/{id}/ack"): _roles(DISPATCHER, MANAGERS),
    ("POST", "/api/orders/{number}/attachments"): _roles(AGENT, DISPATCHER, UNIT, MANAGERS),
    # work orders: the unit's steps (a unit's handler for its own unit; dispatchers enter
    # what a unit without access phones or faxes in: 代录)
    ("POST", "/api/units/{code}/orders/{number}/sign"): _roles(UNIT, DISPATCHER, MANAGERS),
    ("POST", "/api/units/{code}/orders/{number}/return"): _roles(UNIT, DISPATCHER, MANAGERS),
    ("POST", "/api/units/{code}/orders/{number}/reply"): _roles(UNIT, DISPATCHER, MANAGERS),
    ("POST", "/api/units/{code}/orders/{number}/extension"): _roles(UNIT, DISPATCHER, MANAGERS),
    # callbacks (回访)
    ("POST", "/api/orders/{number}/revisits"): _roles(CALLBACK, MANAGERS),
    ("POST", "/api/orders/{number}/revisits/result"): _roles(CALLBACK, MANAGERS),
    ("POST", "/api/orders/{number}/reveal"): _roles(AGENT, CALLBACK),
    # recordings: listeners by role, and anyone for the calls they took (checked in the handler)
    ("GET", "/api/recordings"): RECORDING_LISTENERS | {ADMIN},
    ("GET", "/api/recordings/{id}"): SIGNED_IN - {UNIT, INTEGRATION},
    ("GET", "/api/recordings/{id}/audio"): SIGNED_IN - {UNIT, INTEGRATION},
    ("GET", "/api/recordings/{id}/download"): SIGNED_IN - {UNIT, INTEGRATION},
    ("POST", "/api/recordings/{id}/hold"): MANAGERS,
    ("POST", "/api/recordings/{id}/release"): MANAGERS,
    # quality assurance
    ("GET", "/api/qa/forms"): _roles(AGENT, CALLBACK, QA, OVERSEERS),
    ("GET", "/api/qa/forms/{id}"): _roles(AGENT, CALLBACK, QA, OVERSEERS),
    ("POST", "/api/qa/forms"): _roles(SUPERVISOR),
    ("GET", "/api/qa/plans/{day}"): _roles(QA, OVERSEERS),
    ("POST", "/api/qa/plans"): _roles(SUPERVISOR),
    ("GET", "/api/qa/queue"): _roles(QA, SUPERVISOR),
    ("POST", "/api/qa/samples/{id}/claim"): _roles(QA, SUPERVISOR),
    ("GET", "/api/qa/samples/{id}"): _roles(QA, OVERSEERS),
    ("POST", "/api/qa/samples/{id}/marks"): _roles(QA, SUPERVISOR),
    ("POST", "/api/qa/samples/{id}/reviews"): _roles(QA, SUPERVISOR),
    ("POST", "/api/qa/reviews/{id}/amend"): _roles(QA, SUPERVISOR),
    ("POST", "/api/qa/reviews/{id}/appeal"): _roles(AGENT, CALLBACK),
    ("GET", "/api/qa/appeals"): _roles(QA, OVERSEERS),
    ("POST", "/api/qa/appeals/{id}/decide"): _roles(SUPERVISOR),
    ("GET", "/api/qa/agents/{agent}/results"): _roles(AGENT, CALLBACK, QA, OVERSEERS),
    ("GET", "/api/qa/samples/{id}/calibration"): _roles(QA, OVERSEERS),
    ("GET", "/api/qa/figures"): _roles(QA, OVERSEERS),
    ("GET", "/api/qa/satisfaction"): _roles(QA, OVERSEERS),
    # reports and the contract assessment (read-only)
    ("GET", "/api/reports/stats"): _roles(OVERSEERS),
    ("GET", "/api/reports/stats.xlsx"): _roles(OVERSEERS),
    ("GET", "/api/reports/contracts"): _roles(OVERSEERS),
    ("GET", "/api/reports/assess"): _roles(OVERSEERS),
    ("GET", "/api/reports/assess.xlsx"): _roles(OVERSEERS),
    # live events and the API's description
    ("GET", "/ws"): STAFF | {UNIT},  # a unit sees its order events only
    ("GET", "/api/openapi.json"): SIGNED_IN,
    # pages
    ("GET", "/signin"): PUBLIC,
    ("GET", "/"): _roles(DISPATCHER, QA, OVERSEERS),
    ("GET", "/desk"): _roles(AGENT, CALLBACK, MANAGERS),
    ("GET", "/dispatch"): _roles(DISPATCHER, OVERSEERS),
    ("GET", "/orders/{number}"): STAFF,
    ("GET", "/units/{code}"): _roles(UNIT, DISPATCHER, OVERSEERS),
    ("GET", "/revisits"): _roles(CALLBACK, OVERSEERS),
    ("GET", "/recordings"): RECORDING_LISTENERS | {ADMIN},
    ("GET", "/qa"): _roles(QA, SUPERVISOR),
    ("GET", "/qa/mine"): _roles(AGENT, CALLBACK),
    ("GET", "/qa/supervise"): _roles(QA, OVERSEERS),
    ("GET", "/reports"): _roles(OVERSEERS),
    ("GET", "/admin/users"): _roles(ADMIN, AUDITOR),
}
STATIC_PREFIX = "/static"


def route_key(request: web.Request) -> tuple[str, str] | None:
    """(method, template) of the matched route; None for an unmatched path (404/405)."""
    route = request.match_info.route
    resource = route.resource
    if resource is None or request.match_info.http_exception is not None:
        return None
    method = "GET" if request.method == "HEAD" else request.method
    return method, resource.canonical


def allowed_roles(key: tuple[str, str]) -> frozenset[str] | str:
    if key[1].startswith(STATIC_PREFIX):
        return PUBLIC
    return ACCESS[key]


def uncovered_routes(app: web.Application) -> list[tuple[str, str]]:
    """Routes of the app with no line in ACCESS (the app refuses to start with any)."""
    missing = []
    for route in app.router.routes():
        if route.method in ("HEAD", "OPTIONS") or route.resource is None:
            continue
        key = (route.method, route.resource.canonical)
        if not key[1].startswith(STATIC_PREFIX) and key not in ACCESS:
            missing.append(key)
    return missing


def page_list(user: User) -> list[str]:
    """The pages this user may open, in ACCESS order; a unit's handler gets their unit's."""
    pages = []
    for (method, path), roles in ACCESS.items():
        if method != "GET" or path.startswith("/api") or path in ("/signin", "/ws"):
            continue
        if roles != PUBLIC and not user.roles & set(roles):
            continue
        if path == "/units/{code}" and user.unit is not None:
            pages.append(f"/units/{user.unit}")
        elif "{" not in path:
            pages.append(path)
    return pages


# -- finer rules, used by handlers ---------------------------------------------------------


def manages(user: User) -> bool:
    return bool(user.roles & MANAGERS)


def acts_for_unit(user: User, code: str) -> bool:
    """A unit's handler acts for its own unit only; hotline staff with the role for any."""
    if user.roles == {UNIT}:
        return user.unit == code
    return True


def check_own_seat(user: User, seat: str, agent: str | None) -> None:
    """An agent works at the seat they are signed in to; a manager at any."""
    if not manages(user) and agent != user.user_id:
        raise Forbidden(f"seat {seat} is not the seat {user.user_id} is signed in to")
