"""Who may call what, enforced on the server: every route of the app, walked by a stranger
and by a user of each role. A role the access table does not allow gets 403 (a page, the
403 page), a stranger 401 (a page: to sign in), an allowed role is never refused for its
role and never gets a 500. Then the finer rules: an agent's own seat and own recordings, a
unit's own orders, and the policy the table must keep (auditors never change anything)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from recordings.models import RecordingRow
from tests.integration.service_kit import ClientFactory, Service, running_service
from tickets.models import CallRow
from tickets.users import ROLES
from web.access import ACCESS, PUBLIC, uncovered_routes
from web.keys import SESSIONS

PARAMETERS = {
    "seat": "8001",
    "server": "pbx1",
    "call_id": "1795485600.1",
    "number": "12345-20261124-NOPE0000",
    "code": "utility.water",
    "id": "999999",
    "user": "nobody",
    "name": "nobody",
    "step": "urge",
    "agent": "someone-else",
    "day": "2026-11-24",
}
ROLE_REFUSAL = re.compile(r" may not open this ")


def _routes(app: web.Application) -> list[tuple[str, str]]:
    found = []
    for route in app.router.routes():
        resource = route.resource
        if route.method == "HEAD" or resource is None or resource.canonical.startswith("/static"):
            continue
        found.append((route.method, resource.canonical))
    return found


def _path(template: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: PARAMETERS[m.group(1)], template)


async def _ask(service: Service, method: str, template: str, user: str | None) -> Any:
    path = _path(template)
    body = {} if method != "GET" else None
    if user is None:
        return await service.client.raw.request(method, path, json=body, allow_redirects=False)
    return await service.client.request(
        method, path, json=body, as_user=user, allow_redirects=False
    )


async def _text(response: Any) -> str:
    return str(await response.text())


async def test_every_route_times_every_role_is_enforced_on_the_server(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str
) -> None:
    async with running_service(aiohttp_client, tmp_path, sqlite_url) as service:
        assert uncovered_routes(service.app) == []
        for role in ROLES:
            await service.client.as_role(
                f"r-{role}", role, unit="utility.water" if role == "unit" else None
            )
        routes = [r for r in _routes(service.app) if r != ("DELETE", "/api/session")]
        checked = 0
        for method, template in routes:
            allowed = ACCESS[(method, template)]
            stranger = await _ask(service, method, template, None)
            if allowed == PUBLIC:
                assert stranger.status not in (401, 403), (method, template)
            else:
                expected = 401 if template.startswith(("/api/", "/ws")) else 303
                assert stranger.status == expected, (method, template, stranger.status)
            for role in ROLES:
                answer = await _ask(service, method, template, f"r-{role}")
                text = await _text(answer)
                assert answer.status < 500, (method, template, role, text)
                if allowed == PUBLIC or role in allowed:
                    refused = answer.status == 403 and ROLE_REFUSAL.search(text)
                    assert not refused, (method, template, role, "refused an allowed role")
                    assert answer.status != 401, (method, template, role)
                else:
                    assert answer.status == 403, (method, template, role, answer.status, text)
                checked += 1
        assert checked == len(routes) * len(ROLES) > 700


def test_the_table_names_only_real_routes_and_auditors_change_nothing(
    tmp_path: Path, sqlite_url: str
) -> None:
    from telephony.clock import SystemClock
    from web.app import create_app
    from web.settings import Settings

    app = create_app(Settings(database_url=sqlite_url), SystemClock())
    real = set(_routes(app))
    assert set(ACCESS) - real == set(), "lines in ACCESS for routes that do not exist"
    for (method, template), roles in ACCESS.items():
        own = template.startswith("/api/session")  # signing oneself out, one's own password
        if method != "GET" and not own:
            assert roles == PUBLIC or "auditor" not in roles, (method, template)
        if not template.startswith("/api/") and template != "/ws" and roles != PUBLIC:
            assert "integration" not in roles, (method, template)  # tokens open no pages


async def _store_call(service: Service, call_id: str, agent: str) -> int:
    started = datetime(2026, 11, 24, 2, 0, tzinfo=service.clock.now().tzinfo)
    async with service.app[SESSIONS]() as session, session.begin():
        session.add(
            CallRow(
                server="pbx1",
                call_id=call_id,
                linked_id=call_id,
                version=1,
                line="12345",
                caller_number="13812345678",
                queued_at=started,
                agent=agent,
                seat="8001",
                outcome="answered",
            )
        )
        row = RecordingRow(
            server="pbx1",
            call_id=call_id,
            line="12345",
            kind="call",
            started_at=started,
            source_path=f"/var/spool/asterisk/monitor/{call_id}.wav",
            state="stored",
            storage_key=f"2026-11-24/12345/{call_id}.opus",
            format="opus",
        )
        session.add(row)
        await session.flush()
        return row.id


async def test_an_agent_hears_their_own_calls_only_and_sees_numbers_masked(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str
) -> None:
    async with running_service(aiohttp_client, tmp_path, sqlite_url) as service:
        await service.client.as_role("1001", "agent")
        await service.client.as_role("1002", "agent")
        await service.client.as_role("q1", "qa")
        mine = await _store_call(service, "1795485600.1", "1001")
        theirs = await _store_call(service, "1795485600.2", "1002")
        reason = {"reason": "复听"}

        async def play(user: str, recording: int) -> int:
            response = await service.client.get(
                f"/api/recordings/{recording}/audio", params=reason, as_user=user
            )
            return int(response.status)

        # 404: the file is not on this disk; what matters is that the check let them through
        assert await play("1001", mine) == 404
        assert await play("1001", theirs) == 403
        assert await play("q1", theirs) == 404
        listing = await service.client.get("/api/recordings", as_user="1001")
        assert listing.status == 403
        reveal = await service.client.post(
            "/api/calls/pbx1/1795485600.1/reveal", json={"reason": "回拨核实"}, as_user="1001"
        )
        assert (await reveal.json())["caller_number"] == "13812345678"
        not_theirs = await service.client.post(
            "/api/calls/pbx1/1795485600.1/reveal", json={"reason": "好奇"}, as_user="1002"
        )
        assert not_theirs.status == 403


async def test_agents_command_their_own_seat_and_units_their_own_orders(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str
) -> None:
    async with running_service(aiohttp_client, tmp_path, sqlite_url) as service:
        await service.client.as_role("A8002", "agent")  # signed in at 8002 from the settings
        await service.client.as_role("u-gas", "unit", unit="utility.gas")
        others = await service.client.post(
            "/api/seats/8001/pause", json={"reason": "用餐"}, as_user="A8002"
        )
        own = await service.client.post(
            "/api/seats/8002/pause", json={"reason": "用餐"}, as_user="A8002"
        )
        someone = await service.client.post(
            "/api/seats/8001/login", json={"agent": "1009"}, as_user="A8002"
        )
        assert (others.status, own.status, someone.status) == (403, 200, 403)
        unit_orders = await service.client.get("/api/units/utility.water/orders", as_user="u-gas")
        own_orders = await service.client.get("/api/units/utility.gas/orders", as_user="u-gas")
        assert unit_orders.status == 403
        assert own_orders.status in (200, 404)  # 404: no such unit in this catalogue
        session = await (await service.client.get("/api/session", as_user="u-gas")).json()
        assert [page["path"] for page in session["pages"]] == ["/units/utility.gas"]
