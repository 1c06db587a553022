"""A seat that rings out passes the caller on; two misses in a row pause it with reason
"no answer" and alert the supervisors; pauses take listed reasons only; wrap-up is shown
with its end, ended early or extended once."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from telephony.simulator import SeatBehaviour
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
)
from tests.integration.service_kit import ClientFactory, script

DESKS = (desk("8001", "1001"), desk("8002", "1002"))


async def test_a_seat_that_rings_out_passes_the_caller_on_and_is_paused_after_two_misses(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str
) -> None:
    ring = rules(ring_timeout=4.0, max_consecutive_misses=2)
    async with acd_service(aiohttp_client, tmp_path, sqlite_url, DESKS, rules=ring) as svc:
        svc.sim.set_seat("8001", SeatBehaviour(mode="noanswer"))
        async with Wallboard(svc) as board:
            # 8001 is the longest idle: it rings first, for 4 s, then 8002 answers
            await svc.sim.place_call(
                "12345", "13800000061", "", script(talk=10, hangs_up_first=True)
            )
            await svc.until(lambda: seat_state(svc, "8002") == "talking", 30, "8002 answers")
            assert (await seats(svc))["8001"]["consecutive_misses"] == 1
            # the only free seat: rings out again and is paused
            await svc.sim.place_call(
                "12345", "13800000062", "", script(talk=2, hangs_up_first=True)
            )
            alert = await board.until_alert("seat_no_answer", 30)
            shown = (await seats(svc))["8001"]
            assert (shown["state"], shown["reason"]) == ("paused", "no answer")
            assert (alert["seat"], alert["misses"]) == ("8001", 2)
            first = await until_ended(svc, "13800000061")
            second = await until_ended(svc, "13800000062")
        assert [(a.seat, a.result) for a in first.attempts] == [
            ("8001", "NOANSWER"),
            ("8002", "ANSWER"),
        ]
        assert first.wait_seconds is not None
        assert first.wait_seconds >= 4.0
        assert [(a.seat, a.result) for a in second.attempts] == [
            ("8001", "NOANSWER"),
            ("8002", "ANSWER"),
        ]
        assert seat_state(svc, "8001") == "paused"  # nobody is offered to it any more
        back = await api(svc, "POST", "/api/seats/8001/ready")
        assert (back["state"], back["consecutive_misses"]) == ("ready", 0)


async def test_a_pause_needs_a_reason_from_the_list(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str
) -> None:
    async with acd_service(aiohttp_client, tmp_path, sqlite_url, DESKS) as svc:
        refused = await api(svc, "POST", "/api/seats/8001/pause", {"reason": "打游戏"}, 400)
        assert "小休" in refused["message"]
        reasons = (await svc.get("/api/stats/today"))["pause_reasons"]
        assert reasons == ["小休", "用餐", "培训", "会议", "事后处理"]
        paused = await api(svc, "POST", "/api/seats/8001/pause", {"reason": "培训"})
        assert (paused["state"], paused["reason"]) == ("paused", "培训")
        await api(svc, "PUT", "/api/routing/rules", {"pause_reasons": ["学习"]})
        await api(svc, "POST", "/api/seats/8002/pause", {"reason": "培训"}, 400)
        await api(svc, "POST", "/api/seats/8002/pause", {"reason": "学习"})
        assert seat_state(svc, "8001") == "paused"


async def test_wrapup_is_shown_with_its_end_extended_once_and_ended_early(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str
) -> None:
    long_wrapup = rules(wrapup_seconds=20.0, wrapup_extension=30.0)
    async with acd_service(
        aiohttp_client, tmp_path, sqlite_url, (desk("8001", "1001"),), rules=long_wrapup
    ) as svc:
        await api(svc, "POST", "/api/seats/8001/wrapup/end", status=409)  # not in wrap-up
        await svc.sim.place_call("12345", "13800000071", "", script(talk=2, hangs_up_first=True))
        call = await until_ended(svc, "13800000071")
        assert call.ended_at is not None
        shown = (await seats(svc))["8001"]
        ends_at = datetime.fromisoformat(shown["wrapup_ends_at"])
        assert shown["state"] == "wrapup"
        assert abs((ends_at - call.ended_at).total_seconds() - 20.0) < 1.0

        extended = await api(svc, "POST", "/api/seats/8001/wrapup/extend")
        assert extended["wrapup_extended"] is True
        later = datetime.fromisoformat(extended["wrapup_ends_at"])
        assert abs(later - ends_at - timedelta(seconds=30)) < timedelta(seconds=1)
        again = await api(svc, "POST", "/api/seats/8001/wrapup/extend", status=409)
        assert "once" in again["message"]
        ended = await api(svc, "POST", "/api/seats/8001/wrapup/end")
        assert (ended["state"], ended["wrapup_ends_at"]) == ("ready", None)
        entries = [e.action for e in await audit_log(svc)]
    assert entries == [
        "seat.wrapup_end.refused",  # not in wrap-up yet
        "seat.wrapup_extend",
        "seat.wrapup_extend.refused",  # extended once already
        "seat.wrapup_end",
    ]
