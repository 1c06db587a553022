"""Who is asking, and may they: the sign-in middleware.

Every request is identified by its session cookie (browsers) or its bearer token
(integrations), then checked against the access table (``web.access``). State changes made
with a cookie must carry the session's CSRF token in ``X-CSRF-Token``, and any state change
whose ``Origin`` is another site is refused. Handlers read the asker with ``signed_in``.
"""

from __future__ import annotations

import contextlib
import hmac
import logging
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote, urlsplit

from aiohttp import hdrs, web
from sqlalchemy.exc import SQLAlchemyError

from telephony.clock import Clock
from tickets.signin import SignInRules, digest, find_session, find_token
from tickets.users import User
from web.access import PUBLIC, allowed_roles, route_key
from web.errors import Forbidden, Handler, NotSignedIn, Unavailable, error_body
from web.keys import CLOCK, SESSIONS, SETTINGS

log = logging.getLogger(__name__)

SESSION_COOKIE = "hotline_session"
CSRF_COOKIE = "hotline_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class Identity:
    user: User
    via: Literal["session", "token"]
    session_id: str | None = None
    csrf: str | None = None


IDENTITY = web.RequestKey("identity", Identity)


def signin_rules(app: web.Application) -> SignInRules:
    return app[SETTINGS].signin


def identity_of(request: web.Request) -> Identity | None:
    return request.get(IDENTITY)


def signed_in(request: web.Request) -> User:
    """The asker of a route that needs sign-in (the middleware made sure there is one)."""
    identity = identity_of(request)
    if identity is None:
        raise NotSignedIn("sign in first (请先登录)")
    return identity.user


@web.middleware
async def signin_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    key = route_key(request)
    if key is None:
        return await handler(request)
    roles = allowed_roles(key)
    if request.method not in SAFE_METHODS or key == ("GET", "/ws"):
        _same_origin(request)  # a WebSocket is opened with GET, and then changes hands
    if roles == PUBLIC:
        with contextlib.suppress(Unavailable):  # the health check answers in an outage
            identity = await _identify(request)
            if identity is not None:
                request[IDENTITY] = identity
        return await handler(request)
    identity = await _identify(request)
    if identity is not None:
        request[IDENTITY] = identity
    if identity is None:
        return _not_signed_in(request)
    if not identity.user.roles & set(roles):
        return _forbidden(request, identity.user)
    if request.method not in SAFE_METHODS and identity.via == "session":
        _check_csrf(request, identity)
    return await handler(request)


class IdentityCache:
    """Identities checked in the last ``fresh_seconds``, by the digest of their secret.

    It spares the database a read per request, and keeps people who were signed in working
    while the database is away (calls are routed through an outage: so is the desk).
    A sign-out here takes effect at once; one on another instance within ``fresh_seconds``.
    """

    def __init__(self, clock: Clock, fresh_seconds: float = 10.0) -> None:
        self.clock, self.fresh_seconds = clock, fresh_seconds
        self._known: dict[str, tuple[Identity, float]] = {}

    def fresh(self, key: str) -> Identity | None:
        found = self._known.get(key)
        if found is None or self.clock.monotonic() - found[1] > self.fresh_seconds:
            return None
        return found[0]

    def last_known(self, key: str, idle_limit: float) -> Identity | None:
        found = self._known.get(key)
        if found is None or self.clock.monotonic() - found[1] > idle_limit:
            return None
        return found[0]

    def remember(self, key: str, identity: Identity | None) -> None:
        if identity is None:
            self._known.pop(key, None)
        else:
            self._known[key] = (identity, self.clock.monotonic())
        if len(self._known) > 10_000:  # forget the oldest half
            for old in sorted(self._known, key=lambda k: self._known[k][1])[:5_000]:
                del self._known[old]

    def forget(self, session_id: str) -> None:
        self._known.pop(session_id, None)

    def forget_user(self, user_id: str) -> None:
        """After a change of rights: the user's next request is checked again."""
        for key in [k for k, (known, _) in self._known.items() if known.user.user_id == user_id]:
            del self._known[key]


IDENTITIES = web.AppKey("identities", IdentityCache)


async def _identify(request: web.Request) -> Identity | None:
    authorization = request.headers.get(hdrs.AUTHORIZATION, "")
    if authorization.startswith("Bearer "):
        secret, kind = authorization.removeprefix("Bearer ").strip(), "token"
    else:
        secret, kind = request.cookies.get(SESSION_COOKIE, ""), "session"
    if not secret:
        return None
    cache, key = request.app[IDENTITIES], digest(secret)
    known = cache.fresh(key)
    if known is not None:
        return known
    try:
        found = await _look_up(request, secret, kind)
    except (OSError, TimeoutError, SQLAlchemyError) as exc:
        idle = signin_rules(request.app).idle_minutes * 60
        known = cache.last_known(key, idle)
        if known is None:
            raise Unavailable("sign-in cannot be checked: the database is away") from exc
        log.warning("database away (%s): %s stays signed in as checked before", exc, known.user)
        return known
    cache.remember(key, found)
    return found


async def _look_up(request: web.Request, secret: str, kind: str) -> Identity | None:
    at = request.app[CLOCK].now()
    async with request.app[SESSIONS]() as session:
        if kind == "token":
            user = await find_token(session, secret, at)
            return Identity(user, "token") if user is not None else None
        active = await find_session(session, secret, at, signin_rules(request.app))
    if active is None:
        return None
    return Identity(active.user, "session", active.session_id, active.csrf)


def _same_origin(request: web.Request) -> None:
    """A state change sent by a page of another site is refused, signed in or not."""
    origin = request.headers.get(hdrs.ORIGIN)
    if origin is None or origin == "null":
        return
    if urlsplit(origin).netloc != request.host:
        raise Forbidden("a request from another site is refused (跨站请求被拒绝)")


def _check_csrf(request: web.Request, identity: Identity) -> None:
    given = request.headers.get(CSRF_HEADER, "")
    if not identity.csrf or not _equal(given, identity.csrf):
        raise Forbidden(f"missing or wrong {CSRF_HEADER} header (CSRF)")


def _equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def _is_page(request: web.Request) -> bool:
    return not request.path.startswith("/api/") and request.path != "/ws"


def _not_signed_in(request: web.Request) -> web.StreamResponse:
    if _is_page(request):
        target = request.path_qs
        raise web.HTTPSeeOther(f"/signin?next={quote(target, safe='/')}")
    return web.json_response(
        error_body(NotSignedIn.error_id, "sign in first (请先登录)"), status=401
    )


def _forbidden(request: web.Request, user: User) -> web.StreamResponse:
    message = f"{user.user_id} may not open this (无权访问)"
    if _is_page(request):
        return web.Response(status=403, text=FORBIDDEN_PAGE, content_type="text/html")
    return web.json_response(error_body(Forbidden.error_id, message), status=403)


FORBIDDEN_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>无权访问 · Forbidden</title>
<link rel="icon" href="/static/favicon.svg"></head>
<body style="font-family:sans-serif;margin:3em">
<h1>无权访问</h1><p>您的角色不能打开此页面。 · Your role may not open this page.</p>
<p><a href="/signin">换一个账号登录 · Sign in as someone else</a></p>
</body></html>
"""
