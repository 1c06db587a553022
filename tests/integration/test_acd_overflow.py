"""Overflow: supervisors are alerted when the oldest caller waits too long (and told when it
is over); temporary seats (临时座席) opened from the API take calls once an agent signs in
and close after their call."""

from __future__ import annotations

from pathlib import Path

from tests.integration.acd_kit import (
    Wallboard,
    acd_service,
    api,
    audit_log,
    desk,
    rules,
    seat_state,
    seats,
    until_ended,
    waiting,
)
from tests.integration.service_kit import ClientFactory, script


async def test_a_long_wait_raises_an_overflow_alert_that_clears_once_the_caller_is_served(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str
) -> None:
    overflow = rules(overflow_wait_seconds=3.0)
    async with acd_service(
        aiohttp_client, tmp_path, sqlite_url, (desk("8001", "1001"),), rules=overflow
    ) as svc:
        await api(svc, "POST", "/api/seats/8001/pause", {"reason": "会议"})
        async with Wallboard(svc) as board:
            await svc.sim.place_call("12345", "13800000101", "", script(talk=2))
            raised = await board.until_alert("overflow_wait", 30)
            stats = await svc.get("/api/stats/today")
            assert [(a["kind"], a["state"]) for a in stats["alerts"]] == [
                ("overflow_wait", "raised")
            ]
            assert raised["state"] == "raised"
            assert raised["longest_wait_seconds"] > raised["threshold"] == 3.0
            await api(svc, "POST", "/api/seats/8001/ready")
            await until_ended(svc, "13800000101")
            cleared = await board.until_alert(
                "overflow_wait", 30, lambda a: a["state"] == "cleared"
            )
            assert (await svc.get("/api/stats/today"))["alerts"] == []
        assert [a["state"] for a in board.alerts("overflow_wait")] == ["raised", "cleared"]
        assert cleared["at"] > raised["at"]


async def test_a_temporary_seat_takes_calls_once_signed_in_and_closes_after_its_call(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str
) -> None:
    async with acd_service(
        aiohttp_client, tmp_path, sqlite_url, (desk("8001", "1001"),), phones=("8101",)
    ) as svc:
        await api(svc, "POST", "/api/seats/8001/pause", {"reason": "会议"})
        await svc.sim.place_call("12345", "13800000111", "", script(talk=5, hangs_up_first=True))
        await svc.until(lambda: len(waiting(svc)) == 1, 30, "caller waiting")
        opened = await api(
            svc,
            "POST",
            "/api/seats",
            {"seat": "8101", "lines": ["12345"], "actor": "S01"},
            status=201,
        )
        assert (opened["temporary"], opened["state"], opened["lines"]) == (
            True,
            "offline",
            ["12345"],
        )
        await api(svc, "POST", "/api/seats", {"seat": "8101"}, status=409)  # already open
        await api(svc, "POST", "/api/seats", {"seat": "8102", "lines": ["110"]}, status=400)
        await svc.clock.sleep(1.0)
        assert waiting(svc)[0].offered_to is None  # nobody signed in there yet

        await api(svc, "POST", "/api/seats/8101/login", {"agent": "T01"})
        await svc.until(lambda: seat_state(svc, "8101") == "talking", 30, "8101 answers")
        closing = await api(svc, "DELETE", "/api/seats/8101", {"actor": "S01"})
        assert (closing["state"], closing["close_after_call"]) == ("talking", True)
        await api(svc, "DELETE", "/api/seats/8001", {"actor": "S01"}, status=409)  # permanent
        call = await until_ended(svc, "13800000111")
        await svc.until(lambda: seat_state(svc, "8101") == "closed", 30, "8101 closed")
        assert list(await seats(svc)) == ["8001"]
        actions = [(e.actor, e.action, e.target) for e in await audit_log(svc)]
    assert (call.seat, call.agent) == ("8101", "T01")
    assert ("S01", "seat.open_temporary", "seat:8101") in actions
    assert ("S01", "seat.force_close_temporary", "seat:8101") in actions
