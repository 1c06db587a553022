"""The API's OpenAPI 3.1 document, built from the application's own routes.

Every ``/api`` route of the router is in it: method, path and path parameters from the
route; the summary from the handler's docstring; the roles from ``web.access``; query
parameters, the JSON body and the answer's status from ``web.openapi_operations``.
Served to any signed-in user at ``GET /api/openapi.json``.
"""

from __future__ import annotations

import inspect
import re
from importlib import metadata
from typing import Any

from aiohttp import web

from web.access import ACCESS, PUBLIC
from web.openapi_operations import OPERATIONS, PATH_PARAMETERS, Operation, Schema

routes = web.RouteTableDef()

API_PREFIX = "/api/"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PATH_PARAMETER = re.compile(r"{(\w+)}")
COMMON_ERRORS = (400, 401, 403, 404, 409)
ERRORS = {
    400: "a parameter or field is wrong; the message names it",
    401: "not signed in (no session cookie, or an unknown token)",
    403: "signed in, but not allowed; or the CSRF header is missing or wrong",
    404: "no such thing",
    409: "the step does not fit the current state",
    413: "the file is too large",
    429: "too many failed sign-ins: wait for Retry-After seconds",
    503: "this instance does not route calls (web-only)",
}
SUCCESS = {200: "OK", 201: "Created", 202: "Accepted: the call is being placed", 204: "Done"}
ERROR_SCHEMA: Schema = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string", "description": "a stable id: invalid-parameter, not-found, …"},
        "message": {"type": "string", "description": "what is wrong, for people"},
    },
}
SECURITY_SCHEMES: Schema = {
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": "hotline_session",
        "description": "set by POST /api/session",
    },
    "csrf": {
        "type": "apiKey",
        "in": "header",
        "name": "X-CSRF-Token",
        "description": "the session's CSRF token (cookie hotline_csrf), on every change",
    },
    "bearer": {"type": "http", "scheme": "bearer", "description": "an integration's API token"},
}


def api_routes(app: web.Application) -> list[web.AbstractRoute]:
    """The ``/api`` routes of ``app`` (HEAD mirrors GET and is left out)."""
    return [
        route
        for route in app.router.routes()
        if route.method != "HEAD"
        and route.resource is not None
        and route.resource.canonical.startswith(API_PREFIX)
    ]


def route_keys(app: web.Application) -> set[tuple[str, str]]:
    return {(route.method, _template(route)) for route in api_routes(app)}


def undescribed_routes(app: web.Application) -> list[tuple[str, str]]:
    """API routes with no line in ``OPERATIONS``."""
    return sorted(route_keys(app) - set(OPERATIONS))


def stale_operations(app: web.Application) -> list[tuple[str, str]]:
    """Lines of ``OPERATIONS`` that no route of ``app`` answers."""
    return sorted(set(OPERATIONS) - route_keys(app))


def openapi_document(app: web.Application) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for route in api_routes(app):
        paths.setdefault(_template(route), {})[route.method.lower()] = _operation(route)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "hotline 热线呼叫中心 API",
            "version": _version(),
            "description": "12345 / 962121 hotline: calls, seats, work orders, recordings, QA. "
            'Errors are JSON {"error", "message"}.',
        },
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": {"Error": ERROR_SCHEMA},
            "responses": {str(status): _error(status) for status in sorted(ERRORS)},
            "securitySchemes": SECURITY_SCHEMES,
        },
        "security": [{"session": []}, {"bearer": []}],
    }


@routes.get("/api/openapi.json")
async def openapi_json(request: web.Request) -> web.Response:
    """This document: every API operation, its parameters, body, answers and roles."""
    return web.json_response(openapi_document(request.app))


# -- one operation ------------------------------------------------------------------------


def _template(route: web.AbstractRoute) -> str:
    assert route.resource is not None
    return route.resource.canonical


def _operation(route: web.AbstractRoute) -> dict[str, Any]:
    method, template = route.method, _template(route)
    described = OPERATIONS.get((method, template), Operation())
    summary, details = _docstring(route.handler)
    roles = ACCESS.get((method, template))
    operation: dict[str, Any] = {
        "operationId": f"{route.handler.__module__.rsplit('.', 1)[-1]}.{route.handler.__name__}",
        "tags": [template.split("/")[2].split(".")[0]],
        "summary": summary or described.summary,
        "description": "\n\n".join(part for part in (details, described.note, _who(roles)) if part),
        "parameters": _path_parameters(template, described) + _query_parameters(described),
        "responses": _responses(method, template, described, public=roles == PUBLIC),
        "security": _security(method, roles),
    }
    if roles is not None and roles != PUBLIC:
        operation["x-roles"] = sorted(roles)
    if described.body is not None:
        content = {"application/json": {"schema": described.body}}
        operation["requestBody"] = {"required": method != "DELETE", "content": content}
    if described.multipart:
        operation["requestBody"] = {"required": True, "content": _upload()}
    return operation


def _docstring(handler: Any) -> tuple[str, str]:
    """The first paragraph as one line, and the rest."""
    doc = inspect.getdoc(handler) or ""
    first, _, rest = doc.partition("\n\n")
    return " ".join(first.split()), rest.strip()


def _who(roles: frozenset[str] | str | None) -> str:
    if roles == PUBLIC:
        return "Public: no sign-in."
    if not roles:
        return ""
    return "Roles: " + ", ".join(sorted(roles)) + "."


def _path_parameters(template: str, described: Operation) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": described.path.get(name) or PATH_PARAMETERS.get(name, {"type": "string"}),
        }
        for name in PATH_PARAMETER.findall(template)
    ]


def _query_parameters(described: Operation) -> list[dict[str, Any]]:
    found = []
    for query in described.query:
        parameter: dict[str, Any] = {
            "name": query.name,
            "in": "query",
            "required": query.required,
            "schema": query.schema,
        }
        if query.description:
            parameter["description"] = query.description
        found.append(parameter)
    return found


def _responses(method: str, template: str, described: Operation, *, public: bool) -> dict[str, Any]:
    success: dict[str, Any] = {"description": SUCCESS.get(described.status, "OK")}
    if described.answer:
        success["content"] = {described.answer: {"schema": _answer_schema(described.answer)}}
    errors = set(COMMON_ERRORS) | set(described.errors)
    if public:
        errors -= {401, 403}
    if method not in UNSAFE and "{" not in template:
        errors -= {404, 409}
    responses = {str(described.status): success}
    responses |= {str(s): {"$ref": f"#/components/responses/{s}"} for s in sorted(errors)}
    return responses


def _answer_schema(content_type: str) -> Schema:
    if content_type == "application/json":
        return {"type": "object"}
    return {"type": "string", "contentMediaType": content_type}


def _security(method: str, roles: frozenset[str] | str | None) -> list[dict[str, list[str]]]:
    if roles == PUBLIC:
        return []
    if method in UNSAFE:
        return [{"session": [], "csrf": []}, {"bearer": []}]
    return [{"session": []}, {"bearer": []}]


def _error(status: int) -> dict[str, Any]:
    return {
        "description": ERRORS[status],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _upload() -> dict[str, Any]:
    return {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {
                        "type": "string",
                        "contentMediaType": "application/octet-stream",
                        "description": "a photo or a PDF",
                    }
                },
            }
        }
    }


def _version() -> str:
    try:
        return metadata.version("hotline")
    except metadata.PackageNotFoundError:
        return "0"
