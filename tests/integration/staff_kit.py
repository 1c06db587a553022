"""A test client that signs in like the pages do: every request carries a session cookie
and, for changes, the CSRF header, of the member of staff the test names.

Tests name the asker as ``actor`` in the JSON body or the query (the kit takes it out
before sending: the server refuses an ``actor`` field). Without one, a seat command is
sent by the agent signed in to that seat (as from their desk) and anything else by a
supervisor. Kit users hold every staff role, so these tests check the behaviour of the
steps; who may do what is checked by the access tests. No tests here."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Awaitable, Callable, Generator
from typing import Any

from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from tickets.signin import open_session
from tickets.user_models import UserRow
from tickets.users import STAFF_ROLES, hash_password
from web.auth import CSRF_HEADER, SESSION_COOKIE
from web.keys import CENTRE, CLOCK, SESSIONS

KIT_PASSWORD = "kit-password-for-tests"
KIT_HASH = hash_password(KIT_PASSWORD)  # argon2 is slow on purpose: hash once
DEFAULT_USER = "sup-kit"
SEAT_PATH = re.compile(r"^/api/seats/([^/]+)/")


class _Pending:
    """``await client.get(…)`` and ``async with client.get(…)`` both work, as on TestClient."""

    def __init__(self, send: Callable[[], Awaitable[ClientResponse]]) -> None:
        self._send = send
        self._response: ClientResponse | None = None

    def __await__(self) -> Generator[Any, None, ClientResponse]:
        return self._send().__await__()

    async def __aenter__(self) -> ClientResponse:
        self._response = await self._send()
        return self._response

    async def __aexit__(self, *exc: object) -> None:
        if self._response is not None:
            self._response.release()


class StaffClient:
    def __init__(self, client: TestClient[Any, Any]) -> None:
        self.raw = client
        self._sessions: dict[str, tuple[str, str]] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)

    @property
    def app(self) -> web.Application:
        return self.raw.server.app  # type: ignore[no-any-return]

    async def credentials(self, user_id: str) -> tuple[str, str]:
        """The (cookie token, csrf) of ``user_id``, who is created with every staff role."""
        if user_id not in self._sessions:
            self._sessions[user_id] = await self._sign_in(user_id)
        return self._sessions[user_id]

    async def as_role(self, user_id: str, *roles: str, unit: str | None = None) -> None:
        """Sign ``user_id`` in with these roles only (before the kit makes them)."""
        assert user_id not in self._sessions, f"{user_id} is signed in already"
        self._sessions[user_id] = await self._sign_in(user_id, sorted(roles), unit)

    async def _sign_in(
        self, user_id: str, roles: list[str] | None = None, unit: str | None = None
    ) -> tuple[str, str]:
        at = self.app[CLOCK].now()
        async with self.app[SESSIONS]() as session:
            row = await session.get(UserRow, user_id)
            if row is None:
                row = UserRow(
                    id=user_id,
                    name=f"测试{user_id}",
                    roles=roles or sorted(STAFF_ROLES),
                    unit=unit,
                    password_hash=KIT_HASH,
                    disabled=False,
                    created_at=at,
                    password_changed_at=at,
                )
                session.add(row)
                try:
                    await session.commit()
                except IntegrityError:  # another instance of the test made it first
                    await session.rollback()
                    row = await session.get(UserRow, user_id)
                    assert row is not None
            token, active = await open_session(
                session, row, at=at, address="127.0.0.1", user_agent="tests"
            )
            await session.commit()
        return token, active.csrf

    def _asker(self, path: str, kwargs: dict[str, Any]) -> str:
        body, params = kwargs.get("json"), kwargs.get("params")
        if isinstance(body, dict) and "actor" in body:
            kwargs["json"] = {k: v for k, v in body.items() if k != "actor"}
            return str(body["actor"])
        if isinstance(params, dict) and "actor" in params:
            kwargs["params"] = {k: v for k, v in params.items() if k != "actor"}
            return str(params["actor"])
        return self._seat_agent(path, body) or DEFAULT_USER

    def _seat_agent(self, path: str, body: Any) -> str | None:
        """The agent at the seat of the path, or of a body's ``seat`` (a callback placed from
        it), or the agent a login signs in."""
        found = SEAT_PATH.match(path)
        if path.endswith("/login") and isinstance(body, dict) and body.get("agent"):
            return str(body["agent"])
        if found is not None:
            name = found.group(1)
        elif isinstance(body, dict) and isinstance(body.get("seat"), str):
            name = body["seat"]
        else:
            return None
        centre = self.app.get(CENTRE)
        seat = centre.board.find(name) if centre is not None else None
        return seat.agent if seat is not None and seat.agent else None

    def request(self, method: str, path: str, **kwargs: Any) -> _Pending:
        async def send() -> ClientResponse:
            user = kwargs.pop("as_user", None) or self._asker(path, kwargs)
            token, csrf = await self.credentials(user)
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("Cookie", f"{SESSION_COOKIE}={token}")
            if method.upper() not in ("GET", "HEAD", "OPTIONS"):
                headers.setdefault(CSRF_HEADER, csrf)
            return await self.raw.request(method, path, headers=headers, **kwargs)

        return _Pending(send)

    def get(self, path: str, **kwargs: Any) -> _Pending:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> _Pending:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> _Pending:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> _Pending:
        return self.request("DELETE", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> _Pending:
        return self.request("PATCH", path, **kwargs)

    async def ws_connect(self, path: str, **kwargs: Any) -> Any:
        user = kwargs.pop("as_user", None) or DEFAULT_USER
        token, _ = await self.credentials(user)
        headers = dict(kwargs.pop("headers", None) or {})
        headers.setdefault("Cookie", f"{SESSION_COOKIE}={token}")
        return await self.raw.ws_connect(path, headers=headers, **kwargs)


async def staff_client(
    client_factory: Callable[..., Awaitable[TestClient[Any, Any]]], app: web.Application
) -> Any:
    """``client_factory(app)``, signing its requests in (typed Any: it stands in for
    TestClient in the kits). The supervisor signs in now, while the database is there (a
    test may take it away)."""
    client = StaffClient(await client_factory(app))
    with contextlib.suppress(OSError, SQLAlchemyError):
        await client.credentials(DEFAULT_USER)
    return client
