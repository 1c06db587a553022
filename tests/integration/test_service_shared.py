"""The service with real PostgreSQL and Redis: live state shared between instances, and a
database outage under load that loses no call."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType
from sqlalchemy import make_url

from tests.integration.db_kit import TcpProxy
from tests.integration.service_kit import ClientFactory, running_service, script, service_settings
from tests.integration.staff_kit import staff_client
from web.app import create_app
from web.keys import WRITER


async def test_a_web_only_instance_shows_what_the_routing_instance_shares_in_redis(
    aiohttp_client: ClientFactory,
    tmp_path: Path,
    postgres_url: str,
    redis_url: str,
    redis_prefix: str,
) -> None:
    shared = {"redis_url": redis_url, "redis_prefix": redis_prefix}
    async with running_service(aiohttp_client, tmp_path, postgres_url, **shared) as routing:
        web_only = await staff_client(
            aiohttp_client,
            create_app(
                service_settings(tmp_path / "b", postgres_url, None, (), **shared), routing.clock
            ),
        )
        health = await (await web_only.get("/api/health")).json()
        assert health["role"] == "web-only"
        ws = await web_only.ws_connect("/ws")
        assert (await ws.receive_json())["type"] == "snapshot"

        await routing.sim.place_call("12345", "13800138000", "赵敏", script(talk=5))
        kinds: Counter[str] = Counter()
        while kinds["call"] == 0 or kinds["seat"] == 0:
            message = await ws.receive(timeout=30)
            assert message.type == WSMsgType.TEXT
            kinds[message.json()["type"]] += 1
        await routing.until(lambda: len(routing.ended()) == 1, 60, "call ended")
        seats: list[dict[str, Any]] = (await (await web_only.get("/api/seats")).json())["seats"]
        assert [s["seat"] for s in seats] == ["8001", "8002"]
        stats = await (await web_only.get("/api/stats/today")).json()
        assert "today" in stats
        await routing.app[WRITER].flush()
        calls = await (await web_only.get("/api/calls")).json()
        assert calls["total"] == 1
        assert calls["calls"][0]["caller_number"] == "138****8000"
        refused = await web_only.post("/api/seats/8001/pause", json={"reason": "小休"})
        assert refused.status == 503
        await ws.close()


async def test_database_outage_under_load_keeps_routing_and_loses_no_call(
    aiohttp_client: ClientFactory, tmp_path: Path, postgres_url: str
) -> None:
    target = make_url(postgres_url)
    proxy = TcpProxy(target.host or "127.0.0.1", target.port or 5432)
    await proxy.start()
    seats = tuple(str(8001 + i) for i in range(8))
    try:
        async with running_service(
            aiohttp_client, tmp_path, proxy.url_for(postgres_url), seats=seats, answer_delay=1.0
        ) as service:
            await proxy.cut()
            numbers = [f"1380000{n:04d}" for n in range(24)]
            for number in numbers:
                await service.sim.place_call("12345", number, "", script(talk=8))
                await service.clock.sleep(0.5)
            await service.until(lambda: len(service.ended()) == len(numbers), 300, "calls ended")
            assert all(call.outcome == "answered" for call in service.ended())  # routing went on
            health = await (await service.client.get("/api/health")).json()
            assert health["status"] == "degraded"
            assert health["writer"]["alarm"]
            assert health["writer"]["pending"] > 0
            await proxy.restore()
            stored = await service.stored_calls()
            assert sorted(c.caller_number for c in stored) == numbers  # every call, none twice
            assert all(c.outcome == "answered" and c.ended_at is not None for c in stored)
            assert not service.app[WRITER].health().alarm
    finally:
        await proxy.close()
