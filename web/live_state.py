"""Where the pages' live state comes from: this instance's call centre, or Redis.

An instance that routes calls shows its own seats, queue and figures. A
web-only instance (no Asterisk configured, Redis configured) shows what the
routing instances share in Redis, and forwards their events to its pages.
"""

from __future__ import annotations

from typing import Any, Protocol

from acd.live import RedisHub
from acd.service import CallCentre


class LiveState(Protocol):
    routes_calls: bool

    async def seats(self) -> list[dict[str, Any]]: ...

    async def queue(self) -> list[dict[str, Any]]: ...

    async def stats(self) -> dict[str, Any]: ...

    async def recent_calls(self, limit: int) -> list[dict[str, Any]]: ...


class LocalLiveState:
    routes_calls = True

    def __init__(self, centre: CallCentre) -> None:
        self.centre = centre

    async def seats(self) -> list[dict[str, Any]]:
        return self.centre.seats_view()

    async def queue(self) -> list[dict[str, Any]]:
        return self.centre.queue_view()

    async def stats(self) -> dict[str, Any]:
        return self.centre.stats_view()

    async def recent_calls(self, limit: int) -> list[dict[str, Any]]:
        return self.centre.recent_calls(limit)


class SharedLiveState:
    routes_calls = False

    def __init__(self, hub: RedisHub) -> None:
        self.hub = hub

    async def seats(self) -> list[dict[str, Any]]:
        return await self.hub.shared_seats()

    async def queue(self) -> list[dict[str, Any]]:
        return list(await self.hub.shared("queue") or [])

    async def stats(self) -> dict[str, Any]:
        stats = await self.hub.shared("stats")
        return dict(stats) if stats else {}

    async def recent_calls(self, limit: int) -> list[dict[str, Any]]:
        return await self.hub.shared_recent_calls(limit)
