"""Signing in over HTTP as a browser does: the cookies' flags, rotation at sign-in, CSRF on
every change, other sites refused, throttling with Retry-After, sign-out, bearer tokens,
and the audit trail of it all."""

from __future__ import annotations

from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiohttp.test_utils import TestClient

from tests.integration.service_kit import ClientFactory, Service, running_service
from tickets.audit import list_audit
from tickets.users import add_user
from web.keys import CLOCK, SESSIONS, WRITER

PASSWORD = "seat-8001-Pass!"


async def _add(service: Service, user_id: str, roles: list[str], **kw: Any) -> None:
    async with service.app[SESSIONS]() as session:
        await add_user(
            session,
            user_id=user_id,
            name=f"员工{user_id}",
            roles=roles,
            password=PASSWORD,
            at=service.app[CLOCK].now(),
            **kw,
        )
        await session.commit()


def _raw(service: Service) -> TestClient[Any, Any]:
    client: TestClient[Any, Any] = service.client.raw
    return client


async def _sign_in(service: Service, user: str, password: str = PASSWORD) -> Any:
    return await _raw(service).post("/api/session", json={"user": user, "password": password})


def _cookies(response: Any) -> dict[str, Any]:
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.getall("Set-Cookie", []):
        jar.load(header)
    return {name: jar[name] for name in jar}


def _headers(token: str, csrf: str | None = None) -> dict[str, str]:
    headers = {"Cookie": f"hotline_session={token}"}
    if csrf is not None:
        headers["X-CSRF-Token"] = csrf
    return headers


async def test_sign_in_sets_strict_cookies_and_answers_who_and_what_pages(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str
) -> None:
    async with running_service(aiohttp_client, tmp_path, sqlite_url) as service:
        await _add(service, "1001", ["agent"])
        response = await _sign_in(service, "1001")
        assert response.status == 200
        body = await response.json()
        cookies = _cookies(response)
        session, csrf = cookies["hotline_session"], cookies["hotline_csrf"]
        assert (session["httponly"], session["secure"]) == (True, True)
        assert (session["samesite"], session["path"]) == ("Strict", "/")
        assert (csrf["httponly"], csrf["samesite"]) == ("", "Strict")
        assert csrf.value == body["csrf"]
        assert body["user"] == {
            "id": "1001",
            "name": "员工1001",
            "roles": ["agent"],
            "unit": None,
            "disabled": False,
        }
        assert [page["path"] for page in body["pages"]] == ["/desk", "/qa/mine"]
        me = await _raw(service).get("/api/session", headers=_headers(session.value))
        assert (await me.json())["user"]["id"] == "1001"


async def test_sign_in_rotates_the_session_and_sign_out_ends_it(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str
) -> None:
    async with running_service(aiohttp_client, tmp_path, sqlite_url) as service:
        await _add(service, "1001", ["agent"])
        first = _cookies(await _sign_in(service, "1001"))["hotline_session"].value
        again = await _raw(service).post(
            "/api/session",
            json={"user": "1001", "password": PASSWORD},
            headers=_headers(first),
        )
        cookies = _cookies(again)
        second, csrf = cookies["hotline_session"].value, cookies["hotline_csrf"].value
        assert second != first
        old = await _raw(service).get("/api/session", headers=_headers(first))
        assert old.status == 401
        no_csrf = await _raw(service).delete("/api/session", headers=_headers(second))
        assert no_csrf.status == 403
        out = await _raw(service).delete("/api/session", headers=_headers(second, csrf))
        assert out.status == 204
        after = await _raw(service).get("/api/session", headers=_headers(second))
        assert after.status == 401
        await service.app[WRITER].flush()
        async with service.app[SESSIONS]() as db:
            entries, _ = await list_audit(db, actor="1001")
        assert [e.action for e in reversed(entries)] == ["signin", "signin", "signout"]


async def test_every_change_needs_the_csrf_token_and_this_site(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str
) -> None:
    async with running_service(aiohttp_client, tmp_path, sqlite_url) as service:
        await _add(service, "3001", ["supervisor"])
        body = await (await _sign_in(service, "3001")).json()
        token = _cookies(await _sign_in(service, "3001"))["hotline_session"].value
        fresh = await _raw(service).get("/api/session", headers=_headers(token))
        csrf = (await fresh.json())["csrf"]
        assert csrf != body["csrf"]  # each session its own token
        rules = {"wrapup_seconds": 7}
        raw = _raw(service)
        missing = await raw.put("/api/routing/rules", json=rules, headers=_headers(token))
        wrong = await raw.put("/api/routing/rules", json=rules, headers=_headers(token, "x"))
        other_site = await raw.put(
            "/api/routing/rules",
            json=rules,
            headers={**_headers(token, csrf), "Origin": "https://evil.example"},
        )
        good = await raw.put("/api/routing/rules", json=rules, headers=_headers(token, csrf))
        assert [r.status for r in (missing, wrong, other_site, good)] == [403, 403, 403, 200]
        assert (await good.json())["wrapup_seconds"] == 7
        reads = await raw.get("/api/routing/rules", headers=_headers(token))  # reads need none
        assert reads.status == 200


async def test_failed_sign_ins_are_throttled_with_retry_after_and_audited(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str
) -> None:
    async with running_service(aiohttp_client, tmp_path, sqlite_url) as service:
        await _add(service, "1001", ["agent"])
        statuses = [(await _sign_in(service, "1001", "wrong-password")).status for _ in range(5)]
        throttled = await _sign_in(service, "1001")  # the right password, too late
        assert statuses == [401] * 5
        assert throttled.status == 429
        assert 0 < int(throttled.headers["Retry-After"]) <= 15 * 60
        messages = {(await (await _sign_in(service, "1001", "x" * 12)).json())["error"]}
        assert messages == {"signin-throttled"}
        unknown = await _sign_in(service, "9999", "whatever-it-is")
        assert (unknown.status, (await unknown.json())["error"]) == (401, "signin-refused")
        await service.app[WRITER].flush()
        async with service.app[SESSIONS]() as db:
            entries, _ = await list_audit(db, target="user:1001")
        actions = [e.action for e in entries]
        assert actions.count("signin.failed") == 5
        assert actions.count("signin.throttled") == 2


async def test_a_bearer_token_works_without_cookies_and_within_its_roles(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str
) -> None:
    async with running_service(aiohttp_client, tmp_path, sqlite_url) as service:
        await _add(service, "9001", ["admin"])
        token = _cookies(await _sign_in(service, "9001"))["hotline_session"].value
        csrf = (await (await _raw(service).get("/api/session", headers=_headers(token))).json())[
            "csrf"
        ]
        made = await _raw(service).post(
            "/api/tokens",
            json={"name": "city-platform", "roles": ["integration"]},
            headers=_headers(token, csrf),
        )
        assert made.status == 201
        bearer = {"Authorization": f"Bearer {(await made.json())['token']}"}
        listed = await (await _raw(service).get("/api/tokens", headers=_headers(token))).json()
        assert [t["name"] for t in listed["tokens"]] == ["city-platform"]
        assert "token" not in listed["tokens"][0]
        config = await _raw(service).get("/api/orders/config", headers=bearer)
        seats = await _raw(service).get("/api/seats", headers=bearer)
        wallboard = await _raw(service).get("/", headers=bearer, allow_redirects=False)
        assert (config.status, seats.status, wallboard.status) == (200, 403, 403)
        revoked = await _raw(service).delete(
            "/api/tokens/city-platform", headers=_headers(token, csrf)
        )
        assert revoked.status == 204
        after = await _raw(service).get("/api/orders/config", headers=bearer)
        assert after.status == 401


async def test_pages_send_strangers_to_sign_in_and_keep_the_address(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str
) -> None:
    async with running_service(aiohttp_client, tmp_path, sqlite_url) as service:
        raw = _raw(service)
        page = await raw.get("/qa/mine?day=2026-11-24", allow_redirects=False)
        assert page.status == 303
        location = urlsplit(page.headers["Location"])
        assert location.path == "/signin"
        assert parse_qs(location.query) == {"next": ["/qa/mine?day=2026-11-24"]}
        api = await raw.get("/api/seats")
        assert (api.status, (await api.json())["error"]) == (401, "not-signed-in")
        signin = await raw.get("/signin")
        health = await raw.get("/api/health")
        assert (signin.status, health.status) == (200, 200)
