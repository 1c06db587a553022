"""Skills: the menu key asks for a desk (1 方言 dialect); only a seat with that skill takes
the caller, until ``skill_fallback_after`` seconds, then any seat of the line."""

from __future__ import annotations

from pathlib import Path

from tests.integration.acd_kit import acd_service, api, desk, rules, seats, until_ended, waiting
from tests.integration.service_kit import ClientFactory, script

DIALECT_KEY = "1"


async def test_a_caller_pressing_1_reaches_the_dialect_seat_only(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str
) -> None:
    # 8002 signs in first, so it is the longest idle: a caller without a skill would go there
    desks = (desk("8002", "1002"), desk("8001", "1001", skills=["dialect"]))
    async with acd_service(aiohttp_client, tmp_path, sqlite_url, desks) as service:
        shown = await seats(service)
        assert shown["8002"]["since"] < shown["8001"]["since"]
        await service.sim.place_call(
            "12345", "13800000012", "", script(talk=3, menu_key=DIALECT_KEY, hangs_up_first=True)
        )
        dialect = await until_ended(service, "13800000012")
    assert dialect.seat == "8001"
    assert [(a.seat, a.result) for a in dialect.attempts] == [("8001", "ANSWER")]


async def test_a_dialect_caller_goes_to_any_seat_of_the_line_after_the_fallback_time(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str
) -> None:
    desks = (desk("8001", "1001", skills=["dialect"]), desk("8002", "1002"))
    fallback = rules(skill_fallback_after=8.0)
    async with acd_service(aiohttp_client, tmp_path, sqlite_url, desks, rules=fallback) as service:
        await api(service, "POST", "/api/seats/8001/pause", {"reason": "培训"})
        await service.sim.place_call(
            "12345", "13800000013", "", script(talk=3, menu_key=DIALECT_KEY, hangs_up_first=True)
        )
        await service.until(lambda: len(waiting(service)) == 1, 30, "caller waiting")
        (caller,) = (await service.get("/api/queue"))["queue"]
        assert (caller["skill"], caller["offered_to"]) == ("dialect", None)
        call = await until_ended(service, "13800000013")
    assert [(a.seat, a.result) for a in call.attempts] == [("8002", "ANSWER")]
    assert call.wait_seconds is not None
    assert call.wait_seconds >= 8.0
