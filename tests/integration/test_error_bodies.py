"""Error bodies never quote a full phone number, whatever raised them; the ids they name
(call ids, order numbers) come through as they are."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from tests.integration.service_kit import ClientFactory
from tickets.errors import InvalidOrder, NoSuchOrder
from web.errors import InvalidParameter, error_middleware


async def _bad_field(request: web.Request) -> web.Response:
    raise InvalidParameter("channel: '13812341234' is not one of ['app', 'sms', 'web']")


async def _no_order(request: web.Request) -> web.Response:
    raise NoSuchOrder("12345-20261123-K3J9QX2M")


async def _bad_form(request: web.Request) -> web.Response:
    raise InvalidOrder("caller_number: 021-64881234 does not match call 1700000000.12")


async def _http_error(request: web.Request) -> web.Response:
    raise web.HTTPBadRequest(reason="bad caller +8613812341234")


async def _errors_of(client: Any, path: str) -> tuple[int, dict[str, str]]:
    response = await client.get(path)
    return response.status, await response.json()


async def test_error_bodies_mask_numbers_and_keep_ids(aiohttp_client: ClientFactory) -> None:
    app = web.Application(middlewares=[error_middleware])
    app.router.add_get("/api/field", _bad_field)
    app.router.add_get("/api/order", _no_order)
    app.router.add_get("/api/form", _bad_form)
    app.router.add_get("/api/http", _http_error)
    client = await aiohttp_client(app)

    assert await _errors_of(client, "/api/field") == (
        400,
        {
            "error": "invalid-parameter",
            "message": "channel: '138****1234' is not one of ['app', 'sms', 'web']",
        },
    )
    assert await _errors_of(client, "/api/order") == (
        404,
        {"error": "no-such-order", "message": "no work order '12345-20261123-K3J9QX2M'"},
    )
    assert await _errors_of(client, "/api/form") == (
        400,
        {
            "error": "invalid-order",
            "message": "caller_number: 021****1234 does not match call 1700000000.12",
        },
    )
    assert await _errors_of(client, "/api/http") == (
        400,
        {"error": "http-400", "message": "bad caller +86****1234"},
    )
