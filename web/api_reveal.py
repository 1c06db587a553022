"""Showing a caller's full number, on purpose and on the record.

Numbers are masked everywhere (138****1234). The agent on a call sees it in full on the
screen-pop; besides that a full number is given only here: to the agent who took the
call (or accepted the order), and to a callback agent for an order waiting for its 回访.
Every reveal is audited with the reason given.
"""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select

from tickets.errors import NoSuchOrder
from tickets.lifecycle import Status
from tickets.models import CallRow, WorkOrderRow
from web.access import CALLBACK
from web.auth import signed_in
from web.errors import Forbidden, NotFound
from web.keys import SESSIONS
from web.order_requests import PATH_NAME, audit
from web.requests import json_object, text

routes = web.RouteTableDef()
MAX_REASON = 200


def _path(request: web.Request, name: str) -> str:
    value = request.match_info[name]
    if not PATH_NAME.match(value):
        raise NotFound(f"no {name} {value[:60]!r}")
    return value


@routes.post("/api/calls/{server}/{call_id}/reveal")
async def reveal_call(request: web.Request) -> web.Response:
    user, body = signed_in(request), await json_object(request)
    server, call_id = _path(request, "server"), _path(request, "call_id")
    reason = text(body, "reason", limit=MAX_REASON)
    async with request.app[SESSIONS]() as session:
        call = await session.scalar(
            select(CallRow).where(CallRow.server == server, CallRow.call_id == call_id)
        )
    if call is None:
        raise NotFound(f"no call {server}/{call_id}")
    if call.agent != user.user_id:
        raise Forbidden("only the agent who took the call sees its number in full")
    audit(request, user.user_id, "caller.reveal", f"call:{server}/{call_id}", reason=reason)
    return web.json_response({"caller_number": call.caller_number})


@routes.post("/api/orders/{number}/reveal")
async def reveal_order(request: web.Request) -> web.Response:
    user, body = signed_in(request), await json_object(request)
    number = _path(request, "number")
    reason = text(body, "reason", limit=MAX_REASON)
    async with request.app[SESSIONS]() as session:
        order = await session.scalar(select(WorkOrderRow).where(WorkOrderRow.number == number))
    if order is None:
        raise NoSuchOrder(number)
    took_it = order.agent == user.user_id
    calls_back = CALLBACK in user.roles and order.status == Status.REPLIED
    if not (took_it or calls_back):
        raise Forbidden(
            "only the agent who accepted the order, or a callback agent for an order "
            "waiting for its callback, sees the number in full"
        )
    audit(request, user.user_id, "caller.reveal", f"order:{number}", reason=reason)
    return web.json_response({"caller_number": order.caller_number})
