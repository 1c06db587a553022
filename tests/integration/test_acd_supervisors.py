"""Supervisors: listen to, whisper to and barge into a seat's call from their own softphone
(ChanSpy), and force another agent's seat to pause, be ready or sign out — every command
in the audit log."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.integration.acd_kit import (
    AmiLog,
    acd_service,
    actions,
    api,
    audit_log,
    day,
    desk,
    seat_state,
    seats,
)
from tests.integration.service_kit import ClientFactory, script
from tests.integration.sim_client import client
from tickets.agents import agent_sessions_between
from web.keys import CENTRE, SESSIONS

DESKS = (desk("8001", "1001"), desk("8002", "1002"))
SUPERVISOR_PHONE = "8009"


def supervise(seat: str, mode: str) -> dict[str, str]:
    return {"supervisor_seat": SUPERVISOR_PHONE, "seat": seat, "mode": mode, "actor": "S01"}


async def test_a_supervisor_listens_whispers_and_barges_on_a_call_and_it_is_audited(
    aiohttp_client: ClientFactory, tmp_path: Path, database_url: str
) -> None:
    async with acd_service(
        aiohttp_client, tmp_path, database_url, DESKS, phones=(SUPERVISOR_PHONE,)
    ) as svc:
        ami = AmiLog(svc.sim)
        await api(svc, "POST", "/api/supervise", supervise("8001", "listen"), status=409)
        await api(svc, "POST", "/api/supervise", supervise("8001", "spy"), status=400)
        await api(svc, "POST", "/api/supervise", supervise("9999", "listen"), status=404)
        await svc.sim.place_call("12345", "13800000121", "", script(talk=60, hangs_up_first=True))
        await svc.until(lambda: seat_state(svc, "8001") == "talking", 30, "8001 answers")
        (call,) = svc.app[CENTRE].ledger.live.values()

        async with client(svc.sim) as supervisor_line:
            for count, mode in enumerate(("listen", "whisper", "barge"), start=1):
                placed = await api(svc, "POST", "/api/supervise", supervise("8001", mode), 202)
                assert placed == {"mode": mode, "seat": "8001", "supervisor_seat": "8009"}
                await svc.until(_count_is(ami, "ChanSpyStart", count), 30, mode)
                spy = ami.events("ChanSpyStart")[-1]
                assert spy["SpyeeChannel"].startswith("PJSIP/8001-")
                assert spy["SpyeeLinkedid"] == call.linked_id
                assert spy["SpyerChannel"].startswith(f"PJSIP/{SUPERVISOR_PHONE}-")
                # the supervisor hangs up; the call goes on
                await supervisor_line.action("Hangup", Channel=spy["SpyerChannel"])
                await svc.until(_spyers_gone(ami, count), 30, "the supervisor hung up")
            assert seat_state(svc, "8001") == "talking"
        assert [a["Data"] for a in actions(svc.sim, "Originate")] == [
            "PJSIP/8001,qE",
            "PJSIP/8001,qwE",
            "PJSIP/8001,qBE",
        ]
        entries = await audit_log(svc)
    spies = [(e.actor, e.action, e.target, e.details) for e in entries]
    assert spies == [
        ("S01", f"call.{mode}", "seat:8001", {"supervisor_seat": "8009", "call_id": call.call_id})
        for mode in ("listen", "whisper", "barge")
    ]


def _count_is(ami: AmiLog, event: str, count: int) -> Callable[[], bool]:
    return lambda: len(ami.events(event)) == count


def _spyers_gone(ami: AmiLog, count: int) -> Callable[[], bool]:
    def gone() -> bool:
        hangups = [m for m in ami.events("Hangup") if m["Channel"].startswith("PJSIP/8009-")]
        return len(hangups) == count

    return gone


async def test_a_supervisor_forces_another_agents_seat_and_it_is_audited_as_forced(
    aiohttp_client: ClientFactory, tmp_path: Path, database_url: str
) -> None:
    async with acd_service(aiohttp_client, tmp_path, database_url, DESKS) as svc:
        await api(svc, "POST", "/api/seats/8001/pause", {"reason": "小休"})  # her own pause
        forced = {"actor": "S01"}
        paused = await api(svc, "POST", "/api/seats/8002/pause", {"reason": "会议", **forced})
        assert (paused["state"], paused["reason"]) == ("paused", "会议")
        ready = await api(svc, "POST", "/api/seats/8002/ready", forced)
        assert ready["state"] == "ready"
        await api(svc, "POST", "/api/seats/8002/logout", forced)
        shown = (await seats(svc))["8002"]
        assert (shown["state"], shown["agent"]) == ("offline", None)
        entries = await audit_log(svc)
        async with svc.app[SESSIONS]() as session:
            sessions = await agent_sessions_between(session, *day(svc), agent="1002")
    assert [(e.actor, e.action, e.target, e.details) for e in entries] == [
        ("1001", "seat.pause", "seat:8001", {"reason": "小休"}),
        ("S01", "seat.force_pause", "seat:8002", {"reason": "会议"}),
        ("S01", "seat.force_ready", "seat:8002", {}),
        ("S01", "seat.force_logout", "seat:8002", {}),
    ]
    assert all(e.source == "127.0.0.1" for e in entries)
    assert [(s.seat, s.ended_by) for s in sessions] == [("8002", "S01")]
