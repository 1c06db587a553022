"""The WebSocket of live events: a snapshot on connect, then every change as it happens."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aiohttp import WSMsgType, web

from tickets.privacy import mask_number
from tickets.users import User
from web.access import manages
from web.auth import signed_in
from web.keys import HUB, LIVE

log = logging.getLogger(__name__)

routes = web.RouteTableDef()

HEARTBEAT_SECONDS = 20.0


RECENT_CALLS = 20
UNIT_SNAPSHOT = {"type": "snapshot", "seats": [], "queue": [], "stats": {}, "recent_calls": []}


async def snapshot(app: web.Application) -> dict[str, Any]:
    live = app[LIVE]
    return {
        "type": "snapshot",
        "seats": await live.seats(),
        "queue": await live.queue(),
        "stats": await live.stats(),
        "recent_calls": await live.recent_calls(RECENT_CALLS),
    }


async def snapshot_for(app: web.Application, user: User) -> dict[str, Any]:
    """A unit's handler sees nothing of the floor: an empty snapshot."""
    return UNIT_SNAPSHOT if user.unit is not None else await snapshot(app)


@routes.get("/ws")
async def live(request: web.Request) -> web.WebSocketResponse:
    user = signed_in(request)
    ws = web.WebSocketResponse(heartbeat=HEARTBEAT_SECONDS)
    await ws.prepare(request)
    with request.app[HUB].subscribe() as subscription:
        await ws.send_json(await snapshot_for(request.app, user))
        reader = asyncio.get_running_loop().create_task(_read_until_closed(ws))
        try:
            await _forward(ws, subscription, reader, request.app, user)
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
    return ws


def visible(event: dict[str, Any], user: User) -> dict[str, Any] | None:
    """What of ``event`` this user may see: a screen-pop in full to the agent on the call,
    masked to a supervisor, not at all to anyone else."""
    if user.unit is not None:  # a unit's handler: the orders' changes, nothing of the floor
        return event if event.get("type") == "order" else None
    if event.get("type") != "screen_pop":
        return event
    if event.get("agent") == user.user_id:
        return event
    if not manages(user):
        return None
    call = dict(event.get("call") or {})
    for key in ("caller", "caller_number"):
        if isinstance(call.get(key), str):
            call[key] = mask_number(call[key])
    if "caller_name" in call:
        call["caller_name"] = ""
    return {**event, "call": call}


async def _forward(
    ws: web.WebSocketResponse,
    subscription: Any,
    reader: asyncio.Task[None],
    app: web.Application,
    user: User,
) -> None:
    events = aiter(subscription)
    while not reader.done():
        next_event = asyncio.ensure_future(anext(events))
        done, _ = await asyncio.wait({next_event, reader}, return_when=asyncio.FIRST_COMPLETED)
        if next_event not in done:
            next_event.cancel()
            with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                await next_event
            return
        event = next_event.result()
        if ws.closed:
            return
        if event.get("type") == "resync":
            await ws.send_json(await snapshot_for(app, user))
            continue
        shown = visible(event, user)
        if shown is not None:
            await ws.send_json(shown)


async def _read_until_closed(ws: web.WebSocketResponse) -> None:
    """Pages only listen; anything they send is ignored, a close ends the stream."""
    async for message in ws:
        if message.type == WSMsgType.ERROR:
            log.info("websocket closed with error: %s", ws.exception())
