"""Agents sign in and out of seats over the API; every session and seat state is stored;
a softphone that is not registered is offered nothing until it is back."""

from __future__ import annotations

from pathlib import Path

from tests.integration.acd_kit import (
    acd_service,
    actions,
    api,
    audit_log,
    day,
    desk,
    seat_state,
    seats,
    until_ended,
    waiting,
)
from tests.integration.service_kit import ClientFactory, script
from tickets.agents import agent_sessions_between
from tickets.seats import seat_states_between
from web.keys import SESSIONS


async def test_agents_sign_in_take_calls_sign_out_after_wrapup_and_it_is_all_stored(
    aiohttp_client: ClientFactory, tmp_path: Path, database_url: str
) -> None:
    desks = (desk("8001"), desk("8002"))
    async with acd_service(aiohttp_client, tmp_path, database_url, desks) as service:
        assert {s: v["state"] for s, v in (await seats(service)).items()} == {
            "8001": "offline",
            "8002": "offline",
        }
        await service.sim.place_call("12345", "13800000001", "", script(talk=3))
        await service.until(lambda: len(waiting(service)) == 1, 30, "caller waiting")

        signed_in = await api(
            service, "POST", "/api/seats/8001/login", {"agent": "1001", "name": "王芳"}
        )
        assert (signed_in["agent"], signed_in["agent_name"]) == ("1001", "王芳")
        await service.until(lambda: seat_state(service, "8001") == "talking", 30, "answered")
        await api(service, "POST", "/api/seats/8002/login", {"agent": "1001"}, status=409)
        await api(service, "POST", "/api/seats/8001/login", {"agent": "1002"}, status=409)
        await api(service, "POST", "/api/seats/8001/login", {"agent": "10 01"}, status=400)
        leaving = await api(service, "POST", "/api/seats/8001/logout")
        assert (leaving["state"], leaving["sign_out_after_call"]) == ("talking", "agent")
        call = await until_ended(service, "13800000001")
        assert (call.seat, call.agent) == ("8001", "1001")
        await service.until(lambda: seat_state(service, "8001") == "offline", 30, "signed out")

        await api(service, "POST", "/api/seats/8002/login", {"agent": "1002"})
        paused = await api(service, "POST", "/api/seats/8002/pause", {"reason": "用餐"})
        assert (paused["state"], paused["reason"]) == ("paused", "用餐")
        await api(service, "POST", "/api/seats/8002/ready")
        gone = await api(service, "POST", "/api/seats/8002/logout")
        assert (gone["state"], gone["agent"]) == ("offline", None)
        await api(service, "POST", "/api/seats/8002/logout", status=409)

        entries = await audit_log(service)
        async with service.app[SESSIONS]() as session:
            sessions = await agent_sessions_between(session, *day(service))
            states = await seat_states_between(session, *day(service))
    assert [(e.actor, e.action, e.target) for e in entries] == [
        ("1001", "seat.login", "seat:8001"),
        ("1001", "seat.login.refused", "seat:8002"),  # already signed in at 8001
        ("1002", "seat.login.refused", "seat:8001"),  # 8001 is taken
        ("1001", "seat.logout", "seat:8001"),
        ("1002", "seat.login", "seat:8002"),
        ("1002", "seat.pause", "seat:8002"),
        ("1002", "seat.ready", "seat:8002"),
        ("1002", "seat.logout", "seat:8002"),
        ("sup-kit", "seat.logout.refused", "seat:8002"),  # nobody signed in
    ]
    assert entries[1].details["refusal"] == "agent 1001 is signed in at seat 8001"
    assert entries[0].details == {"agent": "1001", "name": "王芳"}
    assert [(s.agent, s.seat, s.ended_by, s.ended_at is not None) for s in sessions] == [
        ("1001", "8001", "agent", True),
        ("1002", "8002", "agent", True),
    ]
    assert [(s.state, s.reason, s.agent) for s in states if s.seat == "8001"] == [
        ("offline", "", None),
        ("ready", "", "1001"),
        ("reserved", "12345", "1001"),
        ("ringing", "", "1001"),
        ("talking", "", "1001"),
        ("wrapup", "", "1001"),
        ("offline", "signed out", None),
    ]
    assert [(s.state, s.reason) for s in states if s.seat == "8002"] == [
        ("offline", ""),
        ("ready", ""),
        ("paused", "用餐"),
        ("ready", ""),
        ("offline", "signed out"),
    ]
    for seat in ("8001", "8002"):
        *closed, current = [s for s in states if s.seat == seat]
        assert all(s.ended_at is not None for s in closed)
        assert current.ended_at is None


async def test_an_unreachable_softphone_is_never_offered_a_call_until_it_is_back(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str
) -> None:
    desks = (desk("8001", "1001"), desk("8002", "1002"))
    async with acd_service(aiohttp_client, tmp_path, sqlite_url, desks) as service:
        service.sim.set_seat_reachable("8001", False)
        await service.until(lambda: seat_state(service, "8001") == "unreachable", 30, "offline")
        shown = (await seats(service))["8001"]
        assert (shown["state"], shown["reason"], shown["agent"]) == (
            "unreachable",
            "UNAVAILABLE",
            "1001",
        )
        await api(service, "POST", "/api/seats/8001/pause", {"reason": "小休"}, status=409)

        await service.sim.place_call("12345", "13800000002", "", script(talk=30))
        await service.until(lambda: seat_state(service, "8002") == "talking", 30, "8002 answers")
        await service.sim.place_call("12345", "13800000003", "", script(talk=3))
        await service.until(lambda: len(waiting(service)) == 1, 30, "second caller waiting")
        await service.clock.sleep(3.0)  # a free but unregistered seat: the caller keeps waiting
        assert seat_state(service, "8001") == "unreachable"
        assert [r["Exten"] for r in actions(service.sim, "Redirect")] == ["8002"]

        service.sim.set_seat_reachable("8001", True)
        second = await until_ended(service, "13800000003")
        assert [(a.seat, a.result) for a in second.attempts] == [("8001", "ANSWER")]
        assert second.wait_seconds is not None
        assert second.wait_seconds >= 3.0
        assert [r["Exten"] for r in actions(service.sim, "Redirect")] == ["8002", "8001"]
