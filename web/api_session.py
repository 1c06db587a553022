"""Signing in and out over HTTP: ``/api/session`` sets and ends the session cookie.

Sign-in answers who the user is, the CSRF token the pages send back on every change, and
the pages the user may open. Every sign-in, failed sign-in and sign-out is audited.
"""

from __future__ import annotations

from typing import Any

from aiohttp import hdrs, web

from tickets.signin import SignInThrottled, end_session, sign_in
from tickets.user_models import UserRow
from tickets.users import ROLES, User, check_password, password_matches, set_password
from web.access import page_list
from web.auth import (
    CSRF_COOKIE,
    IDENTITIES,
    SESSION_COOKIE,
    identity_of,
    signed_in,
    signin_rules,
)
from web.errors import Forbidden, InvalidParameter, error_body
from web.keys import CLOCK, SESSIONS
from web.order_requests import audit
from web.requests import client_address, json_object

routes = web.RouteTableDef()

# page path -> (Chinese, English) titles, in the order of the navigation bar
PAGE_TITLES: dict[str, tuple[str, str]] = {
    "/": ("实时监控", "Wallboard"),
    "/desk": ("座席工作台", "Agent desk"),
    "/dispatch": ("派单台", "Dispatch"),
    "/revisits": ("回访", "Callbacks"),
    "/recordings": ("录音查询", "Recordings"),
    "/qa": ("质检评分", "QA review"),
    "/qa/mine": ("我的质检", "My QA results"),
    "/qa/supervise": ("质检管理", "QA supervision"),
    "/reports": ("报表与考核", "Reports"),
    "/admin/users": ("用户管理", "Users"),
}


def session_view(user: User, csrf: str | None) -> dict[str, Any]:
    allowed = page_list(user)
    pages = [
        {"path": path, "title_zh": zh, "title_en": en}
        for path, (zh, en) in PAGE_TITLES.items()
        if path in allowed
    ]
    if user.unit is not None and f"/units/{user.unit}" in allowed:
        pages.insert(
            0, {"path": f"/units/{user.unit}", "title_zh": "本单位工单", "title_en": "Our orders"}
        )
    return {
        "user": user.view(),
        "role_labels": {role: list(ROLES[role]) for role in sorted(user.roles)},
        "csrf": csrf,
        "pages": pages,
    }


def _text_field(body: dict[str, Any], name: str, limit: int = 200) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value or len(value) > limit:
        raise InvalidParameter(f"{name}: required, up to {limit} characters")
    return value


@routes.post("/api/session")
async def sign_in_route(request: web.Request) -> web.Response:
    body = await json_object(request)
    user_id, password = _text_field(body, "user", 40), _text_field(body, "password")
    rules = signin_rules(request.app)
    previous = identity_of(request)
    at, address = request.app[CLOCK].now(), client_address(request)
    try:
        async with request.app[SESSIONS]() as session:
            if previous is not None and previous.session_id is not None:
                await end_session(session, previous.session_id, at, "signed-in-again")
                request.app[IDENTITIES].forget(previous.session_id)
            token, active = await sign_in(
                session,
                user_id=user_id,
                password=password,
                at=at,
                address=address,
                user_agent=request.headers.get(hdrs.USER_AGENT, ""),
                rules=rules,
            )
    except SignInThrottled as exc:
        audit(request, user_id[:40], "signin.throttled", f"user:{user_id[:40]}")
        return web.json_response(
            error_body(exc.error_id, exc.message),
            status=429,
            headers={hdrs.RETRY_AFTER: str(exc.retry_after)},
        )
    except Exception:
        audit(request, user_id[:40], "signin.failed", f"user:{user_id[:40]}")
        raise
    audit(request, active.user.user_id, "signin", f"user:{active.user.user_id}")
    response = web.json_response(session_view(active.user, active.csrf))
    _set_cookies(response, token, active.csrf, rules.secure_cookies)
    return response


def _set_cookies(response: web.Response, token: str, csrf: str, secure: bool) -> None:
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, secure=secure, samesite="Strict", path="/"
    )
    response.set_cookie(CSRF_COOKIE, csrf, secure=secure, samesite="Strict", path="/")


@routes.get("/api/session")
async def current_session(request: web.Request) -> web.Response:
    identity = identity_of(request)
    user = signed_in(request)
    return web.json_response(session_view(user, identity.csrf if identity else None))


@routes.delete("/api/session")
async def sign_out(request: web.Request) -> web.Response:
    identity = identity_of(request)
    user = signed_in(request)
    if identity is None or identity.session_id is None:
        raise Forbidden("a token is not a session: revoke it instead")
    async with request.app[SESSIONS]() as session:
        await end_session(session, identity.session_id, request.app[CLOCK].now(), "signed-out")
    request.app[IDENTITIES].forget(identity.session_id)
    audit(request, user.user_id, "signout", f"user:{user.user_id}")
    response = web.Response(status=204)
    response.del_cookie(SESSION_COOKIE, path="/")
    response.del_cookie(CSRF_COOKIE, path="/")
    return response


@routes.post("/api/session/password")
async def change_own_password(request: web.Request) -> web.Response:
    """The user's own change: the current password, then the new one; other sessions end."""
    user = signed_in(request)
    body = await json_object(request)
    current, new = _text_field(body, "current"), _text_field(body, "new")
    check_password(user.user_id, new)
    async with request.app[SESSIONS]() as session:
        row = await session.get(UserRow, user.user_id)
        if row is None or not password_matches(row.password_hash, current):
            raise Forbidden("current: the current password is wrong")
        await set_password(session, user.user_id, new, request.app[CLOCK].now())
        await session.commit()
    audit(request, user.user_id, "user.password", f"user:{user.user_id}")
    return web.json_response({"changed": True})
