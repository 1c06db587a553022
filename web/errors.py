"""API errors that carry their HTTP mapping, and the middleware that renders them as JSON.

Anything else that escapes a handler becomes a 500 with an id to find it in the
log; the response never carries internals (tracebacks, SQL, caller numbers).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable

from aiohttp import web

from tickets.errors import DomainError
from tickets.redact import mask_numbers

log = logging.getLogger(__name__)


class ApiError(Exception):
    status = 400
    error_id = "bad-request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidParameter(ApiError):
    status = 400
    error_id = "invalid-parameter"


class NotSignedIn(ApiError):
    status = 401
    error_id = "not-signed-in"


class Forbidden(ApiError):
    status = 403
    error_id = "forbidden"


class NotFound(ApiError):
    status = 404
    error_id = "not-found"


class Conflict(ApiError):
    status = 409
    error_id = "conflict"


class Unavailable(ApiError):
    status = 503
    error_id = "unavailable"


def error_body(error_id: str, message: str) -> dict[str, str]:
    """The JSON of every error; a full phone number the message quotes (a bad field's
    value, say) is masked: error pages are no place for caller data."""
    return {"error": error_id, "message": mask_numbers(message)}


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except (ApiError, DomainError) as exc:
        return web.json_response(error_body(exc.error_id, exc.message), status=exc.status)
    except web.HTTPException as exc:
        if exc.status < 400 or not request.path.startswith("/api/"):
            raise
        return web.json_response(error_body(f"http-{exc.status}", exc.reason), status=exc.status)
    except Exception:
        incident = secrets.token_hex(4)
        log.exception("unhandled error %s on %s %s", incident, request.method, request.path)
        return web.json_response(
            error_body("internal", f"internal error; incident {incident} is in the service log"),
            status=500,
        )
