"""Administration of people and integrations: users and their roles, password resets,
API tokens; and the audit log for the people who check on everyone (read-only).

Disabling a user, resetting a password or changing roles ends the user's sessions, so a
change of rights takes effect at once. Every change is audited.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from tickets.audit import list_audit
from tickets.signin import create_token, end_user_sessions, list_tokens, revoke_token
from tickets.users import USER_ID, add_user, change_user, list_users, set_password
from web.auth import IDENTITIES, signed_in
from web.errors import InvalidParameter, NotFound
from web.keys import CLOCK, SESSIONS, SETTINGS
from web.order_requests import audit
from web.requests import check_query, json_object, moment, text, whole_number

routes = web.RouteTableDef()
AUDIT_QUERY = ("start", "end", "actor", "action", "target", "limit", "offset")


def _user_path(request: web.Request) -> str:
    user_id = request.match_info["user"]
    if not USER_ID.match(user_id):
        raise InvalidParameter("user: a staff number (letters, digits, . _ -)")
    return user_id


def _password(body: dict[str, Any]) -> str:
    value = body.get("password")
    if not isinstance(value, str):
        raise InvalidParameter("password: required")
    return value


def _flag(body: dict[str, Any], name: str) -> bool | None:
    value = body.get(name)
    if value is not None and not isinstance(value, bool):
        raise InvalidParameter(f"{name}: true or false")
    return value


@routes.get("/api/users")
async def users(request: web.Request) -> web.Response:
    check_query(request, ())
    async with request.app[SESSIONS]() as session:
        found = await list_users(session)
    return web.json_response({"users": [user.view() for user in found]})


@routes.post("/api/users")
async def new_user(request: web.Request) -> web.Response:
    admin, body = signed_in(request), await json_object(request)
    user_id = text(body, "id", limit=40)
    async with request.app[SESSIONS]() as session:
        user = await add_user(
            session,
            user_id=user_id,
            name=text(body, "name", limit=100),
            roles=body.get("roles"),
            unit=body.get("unit"),
            password=_password(body),
            at=request.app[CLOCK].now(),
        )
        await session.commit()
    audit(request, admin.user_id, "user.add", f"user:{user.user_id}", roles=",".join(user.roles))
    return web.json_response(user.view(), status=201)


@routes.put("/api/users/{user}")
async def change(request: web.Request) -> web.Response:
    admin, user_id, body = signed_in(request), _user_path(request), await json_object(request)
    unknown = set(body) - {"name", "roles", "unit", "disabled"}
    if unknown:
        raise InvalidParameter(f"unknown field(s) {sorted(unknown)}")
    name = text(body, "name", required=False, limit=100) or None
    at = request.app[CLOCK].now()
    async with request.app[SESSIONS]() as session:
        user = await change_user(
            session,
            user_id,
            name=name,
            roles=body.get("roles"),
            unit=body.get("unit"),
            disabled=_flag(body, "disabled"),
        )
        if "roles" in body or body.get("disabled"):
            await end_user_sessions(session, user_id, at, "rights-changed")
        await session.commit()
    request.app[IDENTITIES].forget_user(user_id)
    details = {k: str(v) for k, v in body.items()}
    audit(request, admin.user_id, "user.change", f"user:{user_id}", **details)
    return web.json_response(user.view())


@routes.post("/api/users/{user}/password")
async def reset_password(request: web.Request) -> web.Response:
    admin, user_id, body = signed_in(request), _user_path(request), await json_object(request)
    at = request.app[CLOCK].now()
    async with request.app[SESSIONS]() as session:
        await set_password(session, user_id, _password(body), at)
        await end_user_sessions(session, user_id, at, "password-reset")
        await session.commit()
    request.app[IDENTITIES].forget_user(user_id)
    audit(request, admin.user_id, "user.password_reset", f"user:{user_id}")
    return web.json_response({"reset": True})


@routes.get("/api/tokens")
async def tokens(request: web.Request) -> web.Response:
    check_query(request, ())
    async with request.app[SESSIONS]() as session:
        return web.json_response({"tokens": await list_tokens(session)})


@routes.post("/api/tokens")
async def new_token(request: web.Request) -> web.Response:
    """The token is in this answer only; the database keeps its hash."""
    admin, body = signed_in(request), await json_object(request)
    name = text(body, "name", limit=40)
    async with request.app[SESSIONS]() as session:
        token = await create_token(
            session,
            name=name,
            roles=body.get("roles"),
            at=request.app[CLOCK].now(),
            created_by=admin.user_id,
        )
        await session.commit()
    audit(request, admin.user_id, "token.create", f"token:{name}")
    return web.json_response({"name": name, "token": token}, status=201)


@routes.delete("/api/tokens/{name}")
async def revoke(request: web.Request) -> web.Response:
    admin, name = signed_in(request), request.match_info["name"]
    async with request.app[SESSIONS]() as session:
        revoked = await revoke_token(session, name, request.app[CLOCK].now())
        await session.commit()
    if not revoked:
        raise NotFound(f"no live token {name[:40]!r}")
    request.app[IDENTITIES].forget_user(f"token:{name}")
    audit(request, admin.user_id, "token.revoke", f"token:{name}")
    return web.Response(status=204)


@routes.get("/api/audit")
async def audit_log(request: web.Request) -> web.Response:
    check_query(request, AUDIT_QUERY)
    zone, query = request.app[SETTINGS].zone, request.query
    start = moment("start", query["start"], zone, False) if "start" in query else None
    end = moment("end", query["end"], zone, True) if "end" in query else None
    async with request.app[SESSIONS]() as session:
        entries, total = await list_audit(
            session,
            start=start,
            end=end,
            actor=query.get("actor"),
            action=query.get("action"),
            target=query.get("target"),
            limit=whole_number("limit", query.get("limit"), 100, 1, 500),
            offset=whole_number("offset", query.get("offset"), 0, 0, 10_000_000),
        )
    return web.json_response(
        {
            "total": total,
            "entries": [
                {
                    "at": e.at.isoformat(),
                    "actor": e.actor,
                    "action": e.action,
                    "target": e.target,
                    "details": e.details,
                    "source": e.source,
                }
                for e in entries
            ],
        }
    )
