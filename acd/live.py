"""Live events to pages, and live state shared between service instances.

``LocalHub`` fans events out to the WebSocket clients of this process.
``RedisHub`` does the same and also publishes every event on a Redis channel and
keeps the latest seats, queue and figures in Redis keys, so a second instance
(another web front, or one that does not route) shows the same wallboard.
Publishing never blocks routing: events to Redis go through a bounded queue
drained by one task; if Redis is away the oldest are dropped and the snapshot
keys are rewritten when it is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import redis.asyncio as aioredis

from acd.tasks import end_tasks

log = logging.getLogger(__name__)

SUBSCRIBER_BUFFER = 1000
REDIS_OUTBOX = 10_000


class Subscription:
    def __init__(self, hub: LocalHub) -> None:
        self.hub = hub
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(SUBSCRIBER_BUFFER)
        self.overflowed = False

    def offer(self, event: dict[str, Any]) -> None:
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.overflowed = True  # a stalled page gets a fresh snapshot instead

    def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        return self._events()

    async def _events(self) -> AsyncIterator[dict[str, Any]]:
        while True:
            if self.overflowed:
                self.overflowed = False
                self._drain()
                yield {"type": "resync"}
            yield await self.queue.get()

    def _drain(self) -> None:
        while not self.queue.empty():
            self.queue.get_nowait()

    def close(self) -> None:
        self.hub._subscribers.discard(self)


class LocalHub:
    def __init__(self) -> None:
        self._subscribers: set[Subscription] = set()
        self.published = 0

    def publish(self, event: dict[str, Any]) -> None:
        self.published += 1
        self.fan_out(event)

    def fan_out(self, event: dict[str, Any]) -> None:
        for subscriber in list(self._subscribers):
            subscriber.offer(event)

    @contextlib.contextmanager
    def subscribe(self) -> Any:
        subscription = Subscription(self)
        self._subscribers.add(subscription)
        try:
            yield subscription
        finally:
            subscription.close()

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None


# Event types whose latest payload is kept in Redis as shared live state
_SNAPSHOT_KEYS = {"stats": "stats", "queue": "queue"}
RECENT_CALLS_KEPT = 100


class RedisHub(LocalHub):
    def __init__(self, url: str, prefix: str) -> None:
        super().__init__()
        self.url = url
        self.prefix = prefix
        self.instance = secrets.token_hex(4)
        self.channel = f"{prefix}events"
        self.redis: aioredis.Redis = aioredis.from_url(url, decode_responses=True)
        self._outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue(REDIS_OUTBOX)
        self._tasks: list[asyncio.Task[None]] = []
        self.dropped = 0
        self.connected = False

    def publish(self, event: dict[str, Any]) -> None:
        super().publish(event)
        if self._outbox.full():
            self._outbox.get_nowait()
            self.dropped += 1
        self._outbox.put_nowait(event)

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._send_loop()), loop.create_task(self._receive_loop())]

    async def stop(self) -> None:
        await end_tasks(self._tasks)  # redis-py can swallow a cancellation mid-command
        await self.redis.aclose()

    async def _send_loop(self) -> None:
        while True:
            event = await self._outbox.get()
            try:
                await self._send(event)
                self.connected = True
            except (aioredis.RedisError, OSError) as exc:
                if self.connected:
                    log.error("Redis unreachable, live events stay local: %s", exc)
                self.connected = False
                await asyncio.sleep(1.0)

    async def _send(self, event: dict[str, Any]) -> None:
        body = json.dumps({"from": self.instance, "event": event}, ensure_ascii=False)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.publish(self.channel, body)
            kind = event.get("type")
            if kind == "seat":
                seat = event["seat"]
                pipe.hset(f"{self.prefix}seats", seat["seat"], json.dumps(seat, ensure_ascii=False))
            elif kind in _SNAPSHOT_KEYS:
                payload = event.get(kind)
                pipe.set(
                    f"{self.prefix}{_SNAPSHOT_KEYS[kind]}", json.dumps(payload, ensure_ascii=False)
                )
            elif kind == "call":
                self._keep_recent_call(pipe, event["call"])
            await pipe.execute()

    def _keep_recent_call(self, pipe: Any, call: dict[str, Any]) -> None:
        key = f"{call['server']}/{call['call_id']}"
        stamp = datetime.fromisoformat(call["queued_at"]).timestamp()
        pipe.hset(f"{self.prefix}calls", key, json.dumps(call, ensure_ascii=False))
        pipe.zadd(f"{self.prefix}calls:order", {key: stamp})
        pipe.zremrangebyrank(f"{self.prefix}calls:order", 0, -RECENT_CALLS_KEPT - 1)

    async def _receive_loop(self) -> None:
        while True:
            try:
                await self._receive()
            except (aioredis.RedisError, OSError) as exc:
                log.warning("Redis subscription lost (%s); retrying", exc)
                await asyncio.sleep(1.0)

    async def _receive(self) -> None:
        pubsub = self.redis.pubsub()
        await pubsub.subscribe(self.channel)
        try:
            async for message in pubsub.listen():
                if message.get("type") != "message":
                    continue
                body = json.loads(message["data"])
                if body.get("from") != self.instance:
                    self.fan_out(body["event"])
        finally:
            await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def shared_seats(self) -> list[dict[str, Any]]:
        raw = await self.redis.hgetall(f"{self.prefix}seats")
        seats = [json.loads(value) for value in raw.values()]
        return sorted(seats, key=lambda s: str(s.get("seat")))

    async def shared(self, name: str) -> Any:
        raw = await self.redis.get(f"{self.prefix}{name}")
        return json.loads(raw) if raw else None

    async def shared_recent_calls(self, limit: int) -> list[dict[str, Any]]:
        keys = await self.redis.zrevrange(f"{self.prefix}calls:order", 0, limit - 1)
        if not keys:
            return []
        raw = await self.redis.hmget(f"{self.prefix}calls", [str(key) for key in keys])
        return [json.loads(item) for item in raw if item]
