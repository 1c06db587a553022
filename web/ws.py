"""The WebSocket of live events: a snapshot on connect, then every change as it happens."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aiohttp import WSMsgType, web

from web.keys import HUB, LIVE

log = logging.getLogger(__name__)

routes = web.RouteTableDef()

HEARTBEAT_SECONDS = 20.0


RECENT_CALLS = 20


async def snapshot(app: web.Application) -> dict[str, Any]:
    live = app[LIVE]
    return {
        "type": "snapshot",
        "seats": await live.seats(),
        "queue": await live.queue(),
        "stats": await live.stats(),
        "recent_calls": await live.recent_calls(RECENT_CALLS),
    }


@routes.get("/ws")
async def live(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(heartbeat=HEARTBEAT_SECONDS)
    await ws.prepare(request)
    with request.app[HUB].subscribe() as subscription:
        await ws.send_json(await snapshot(request.app))
        reader = asyncio.get_running_loop().create_task(_read_until_closed(ws))
        try:
            await _forward(ws, subscription, reader, request.app)
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
    return ws


async def _forward(
    ws: web.WebSocketResponse, subscription: Any, reader: asyncio.Task[None], app: web.Application
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
        await ws.send_json(await snapshot(app) if event.get("type") == "resync" else event)


async def _read_until_closed(ws: web.WebSocketResponse) -> None:
    """Pages only listen; anything they send is ignored, a close ends the stream."""
    async for message in ws:
        if message.type == WSMsgType.ERROR:
            log.info("websocket closed with error: %s", ws.exception())
