"""``GET /api/openapi.json``: the API's description, for anyone signed in and no one else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from tests.integration.service_kit import ClientFactory, running_service
from tickets.signin import create_token
from tickets.users import add_user
from web.keys import CLOCK, SESSIONS
from web.openapi import openapi_document

PASSWORD = "梅陇镇-password-1"


async def test_the_description_is_for_signed_in_users_only(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str
) -> None:
    async with running_service(aiohttp_client, tmp_path, sqlite_url) as service:
        await _check_description(service.client.raw)


async def _check_description(client: TestClient[Any, Any]) -> None:
    app = client.server.app
    async with app[SESSIONS]() as session:
        await add_user(
            session,
            user_id="u-water",
            name="自来水公司",
            roles=["unit"],
            unit="utility.water",
            password=PASSWORD,
            at=app[CLOCK].now(),
        )
        token = await create_token(
            session,
            name="city-platform",
            roles=["integration"],
            at=app[CLOCK].now(),
            created_by="t",
        )
        await session.commit()

    anonymous = await client.get("/api/openapi.json")
    assert anonymous.status == 401
    assert (await anonymous.json())["error"] == "not-signed-in"

    by_token = await client.get("/api/openapi.json", headers={"Authorization": f"Bearer {token}"})
    assert by_token.status == 200
    assert await by_token.json() == openapi_document(app)

    signed_in = await client.post("/api/session", json={"user": "u-water", "password": PASSWORD})
    assert signed_in.status == 200, await signed_in.text()
    cookie = signed_in.cookies["hotline_session"].value  # a Secure cookie: sent by hand on http
    by_session = await client.get(
        "/api/openapi.json", headers={"Cookie": f"hotline_session={cookie}"}
    )
    assert by_session.status == 200
    document = await by_session.json()
    assert document["openapi"] == "3.1.0"
    assert "/api/openapi.json" in document["paths"]
