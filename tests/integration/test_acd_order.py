"""Who is served first: emergency (menu 0) and repeat callers before those who waited longer;
a rule change re-orders callers already waiting; the longest idle seat takes the next call."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from telephony.simulator import CallerScript
from tests.integration.acd_kit import (
    acd_service,
    api,
    audit_log,
    desk,
    rules,
    until_ended,
    waiting,
)
from tests.integration.service_kit import ClientFactory, script

EMERGENCY_KEY = "0"


def caller(talk: float = 2.0, **kw: Any) -> CallerScript:
    return script(talk=talk, hangs_up_first=True, **kw)


async def test_emergency_and_repeat_callers_go_before_those_who_waited_longer(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str
) -> None:
    async with acd_service(aiohttp_client, tmp_path, sqlite_url, (desk("8001", "1001"),)) as svc:
        await api(svc, "POST", "/api/seats/8001/pause", {"reason": "会议"})
        # an earlier call today, given up: the number is a repeat caller from now on
        await svc.sim.place_call("12345", "13800000022", "", script(patience=5))
        await until_ended(svc, "13800000022")
        await svc.sim.place_call("12345", "13800000021", "", caller())  # waits longest
        await svc.clock.sleep(1.0)
        await svc.sim.place_call("12345", "13800000022", "", caller())
        await svc.clock.sleep(1.0)
        await svc.sim.place_call("12345", "13800000023", "", caller(menu_key=EMERGENCY_KEY))
        await svc.until(lambda: len(waiting(svc)) == 3, 30, "three callers waiting")
        queue = (await svc.get("/api/queue"))["queue"]
        assert [(c["caller"], c["priority"], c["emergency"], c["repeat"]) for c in queue] == [
            ("138****0023", 100, True, False),
            ("138****0022", 10, False, True),
            ("138****0021", 0, False, False),
        ]
        await api(svc, "POST", "/api/seats/8001/ready")
        await svc.until(lambda: len(svc.ended()) == 4, 90, "all served")
    answered = sorted(
        (r for r in svc.ended() if r.answered_at is not None),
        key=lambda r: r.answered_at or r.queued_at,
    )
    assert [r.caller_number for r in answered] == ["13800000023", "13800000022", "13800000021"]
    assert [r.priority for r in answered] == [100, 10, 0]


async def test_a_rule_change_reorders_the_callers_already_waiting(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str
) -> None:
    async with acd_service(aiohttp_client, tmp_path, sqlite_url, (desk("8001", "1001"),)) as svc:
        await api(svc, "POST", "/api/seats/8001/pause", {"reason": "会议"})
        await svc.sim.place_call("12345", "13800000031", "", caller())
        await svc.clock.sleep(1.0)
        await svc.sim.place_call("962121", "13800000032", "", caller())
        await svc.until(lambda: len(waiting(svc)) == 2, 30, "two callers waiting")
        before = [c["line"] for c in (await svc.get("/api/queue"))["queue"]]

        changed = await api(
            svc, "PUT", "/api/routing/rules", {"line_priority": {"962121": 5}, "actor": "S01"}
        )
        after = [(c["line"], c["priority"]) for c in (await svc.get("/api/queue"))["queue"]]
        await api(svc, "PUT", "/api/routing/rules", {"ring_timeout": 1}, status=400)
        await api(svc, "PUT", "/api/routing/rules", {"line_priority": {"12345": "high"}}, 400)
        await api(svc, "POST", "/api/seats/8001/ready")
        await svc.until(lambda: len(svc.ended()) == 2, 60, "both served")
        entries = [e for e in await audit_log(svc) if e.action == "routing.rules"]
    assert before == ["12345", "962121"]
    assert changed["line_priority"] == {"962121": 5}
    assert after == [("962121", 5), ("12345", 0)]
    answered = sorted(svc.ended(), key=lambda r: r.answered_at or r.queued_at)  # all answered
    assert [r.line for r in answered] == ["962121", "12345"]
    assert [(e.actor, sorted(e.details)) for e in entries] == [("S01", ["line_priority"])]
    assert "962121" in entries[0].details["line_priority"]


async def test_the_longest_idle_seat_takes_the_next_call(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str
) -> None:
    desks = (desk("8001", "1001"), desk("8002", "1002"), desk("8003", "1003"))
    async with acd_service(
        aiohttp_client, tmp_path, sqlite_url, desks, rules=rules(wrapup_seconds=30.0)
    ) as svc:
        for seat in ("8001", "8003"):  # idle since now: after 8002, 8001 before 8003
            await api(svc, "POST", f"/api/seats/{seat}/pause", {"reason": "小休"})
            await svc.clock.sleep(0.5)
            await api(svc, "POST", f"/api/seats/{seat}/ready")
            await svc.clock.sleep(0.5)
        numbers = ("13800000041", "13800000042", "13800000043")
        for number in numbers:  # each routed before the next one is through the menu
            await svc.sim.place_call("12345", number, "", caller())
            await svc.clock.sleep(0.5)
        await svc.until(lambda: len(svc.ended()) == 3, 60, "all three served")
        taken = {r.caller_number: r.seat for r in svc.ended()}
    assert [taken[number] for number in numbers] == ["8002", "8001", "8003"]
