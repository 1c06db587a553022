"""The OpenAPI document covers every API route of the application, and only those: a new
route without a line in ``web.openapi_operations`` fails here."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from aiohttp import web

from telephony.clock import SystemClock
from web.access import ACCESS, PUBLIC
from web.app import create_app
from web.openapi import openapi_document, route_keys, stale_operations, undescribed_routes
from web.settings import Settings


@pytest.fixture
def app(tmp_path: Path) -> web.Application:
    """The application as ``hotline serve`` builds it (not started: no database is opened)."""
    settings = Settings(
        ami=(),
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'hotline.db'}",
        recordings_dir=tmp_path / "recordings",
    )
    return create_app(settings, SystemClock())


def _operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path): operation
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    }


def test_every_api_route_has_a_description_and_every_description_a_route(
    app: web.Application,
) -> None:
    assert undescribed_routes(app) == []
    assert stale_operations(app) == []


def test_the_document_has_every_api_route_and_nothing_else(app: web.Application) -> None:
    operations = _operations(openapi_document(app))
    assert set(operations) == route_keys(app)
    assert ("GET", "/api/openapi.json") in operations
    assert ("GET", "/api/orders/{number}") in operations
    assert not [key for key in operations if not key[1].startswith("/api/")]


def test_each_operation_says_what_it_does_and_who_may_call_it(app: web.Application) -> None:
    operations = _operations(openapi_document(app))
    ids = Counter(operation["operationId"] for operation in operations.values())
    assert [name for name, count in ids.items() if count > 1] == []
    for (method, path), operation in operations.items():
        assert operation["summary"], (method, path)
        named = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
        assert named == set(re.findall(r"{(\w+)}", path)), (method, path)
        if ACCESS[(method, path)] == PUBLIC:
            assert operation["security"] == [], (method, path)
            assert "401" not in operation["responses"], (method, path)
        else:
            assert operation["x-roles"] == sorted(ACCESS[(method, path)]), (method, path)
            assert {"bearer": []} in operation["security"], (method, path)
            assert {"401", "403"} <= set(operation["responses"]), (method, path)


def test_changes_made_with_a_session_need_the_csrf_header(app: web.Application) -> None:
    operations = _operations(openapi_document(app))
    assert {"session": [], "csrf": []} in operations[("POST", "/api/orders")]["security"]
    assert {"session": []} in operations[("GET", "/api/orders")]["security"]
    assert operations[("POST", "/api/session")]["security"] == []
    assert "429" in operations[("POST", "/api/session")]["responses"]


def test_errors_share_one_schema(app: web.Application) -> None:
    document = openapi_document(app)
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["error", "message"]
    refs = {
        response["$ref"]
        for operation in _operations(document).values()
        for status, response in operation["responses"].items()
        if status.startswith(("4", "5"))
    }
    for ref in refs:
        name = ref.rsplit("/", 1)[-1]
        schema = document["components"]["responses"][name]["content"]["application/json"]
        assert schema["schema"] == {"$ref": "#/components/schemas/Error"}


def test_bodies_and_queries_are_described(app: web.Application) -> None:
    operations = _operations(openapi_document(app))
    order = operations[("POST", "/api/orders")]["requestBody"]["content"]["application/json"]
    assert set(order["schema"]["required"]) == {
        "line",
        "channel",
        "caller_number",
        "category",
        "content",
    }
    queries = {p["name"] for p in operations[("GET", "/api/calls")]["parameters"]}
    assert queries == {"from", "to", "line", "seat", "caller", "outcome", "limit", "offset"}
    upload = operations[("POST", "/api/orders/{number}/attachments")]["requestBody"]
    assert "multipart/form-data" in upload["content"]


def test_the_document_loads_as_openapi_3_1(app: web.Application) -> None:
    document = openapi_document(app)
    assert document["openapi"] == "3.1.0"
    schema = schemathesis.openapi.from_dict(document)
    loaded = [result.ok() for result in schema.get_all_operations()]
    assert len(loaded) == len(_operations(document))


async def _new_thing(request: web.Request) -> web.Response:
    return web.json_response({})


def test_a_route_added_without_a_description_is_reported(app: web.Application) -> None:
    app.router.add_get("/api/new-thing", _new_thing)
    assert undescribed_routes(app) == [("GET", "/api/new-thing")]
    assert ("GET", "/api/new-thing") in _operations(openapi_document(app))
