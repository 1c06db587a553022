"""首接负责制: a caller whose work order is still open waits up to ``first_contact_window``
seconds for the agent who accepted it, then goes to whoever is free."""

from __future__ import annotations

from pathlib import Path

from tests.integration.acd_kit import (
    acd_service,
    api,
    desk,
    rules,
    seat_state,
    until_ended,
    waiting,
)
from tests.integration.service_kit import ClientFactory, Service, script
from tickets.orders import get_order_for_call
from tickets.records import CallRecord
from web.keys import SESSIONS, WRITER

NUMBER = "13800000051"
DESKS = (desk("8001", "1001"), desk("8002", "1002"))
LONG_WRAPUP = rules(wrapup_seconds=60.0, first_contact_window=10.0)


async def first_call_answered_by_agent_1001(service: Service) -> CallRecord:
    """The citizen's first call, answered by agent 1001 at 8001; 8002 is ready afterwards."""
    await api(service, "POST", "/api/seats/8002/pause", {"reason": "小休"})
    await service.sim.place_call("12345", NUMBER, "", script(talk=2, hangs_up_first=True))
    first = await until_ended(service, NUMBER)
    await api(service, "POST", "/api/seats/8002/ready")
    return first


async def test_a_repeat_caller_waits_for_the_agent_of_the_open_order_and_gets_them(
    aiohttp_client: ClientFactory, tmp_path: Path, database_url: str
) -> None:
    async with acd_service(
        aiohttp_client, tmp_path, database_url, DESKS, rules=LONG_WRAPUP
    ) as service:
        first = await first_call_answered_by_agent_1001(service)
        await service.app[WRITER].flush()
        async with service.app[SESSIONS]() as session:
            order = await get_order_for_call(session, first.server, first.call_id)
        assert order is not None
        assert (order.status, order.agent) == ("draft", "1001")

        await service.sim.place_call("12345", NUMBER, "", script(talk=2, hangs_up_first=True))
        await service.until(lambda: len(waiting(service)) == 1, 30, "caller waiting")
        (caller,) = (await service.get("/api/queue"))["queue"]
        assert (caller["preferred_agent"], caller["offered_to"]) == ("1001", None)
        assert (seat_state(service, "8001"), seat_state(service, "8002")) == ("wrapup", "ready")
        await api(service, "POST", "/api/seats/8001/wrapup/end")
        await service.until(lambda: len(service.ended()) == 2, 30, "second call ended")
    second = service.ended()[-1]
    assert [(a.seat, a.result) for a in second.attempts] == [("8001", "ANSWER")]
    assert second.agent == "1001"


async def test_a_repeat_caller_goes_to_another_seat_when_the_agent_stays_away(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str
) -> None:
    window = rules(wrapup_seconds=60.0, first_contact_window=6.0)
    async with acd_service(aiohttp_client, tmp_path, sqlite_url, DESKS, rules=window) as svc:
        await first_call_answered_by_agent_1001(svc)
        await api(svc, "POST", "/api/seats/8001/pause", {"reason": "用餐"})
        await svc.sim.place_call("12345", NUMBER, "", script(talk=2, hangs_up_first=True))
        await svc.until(lambda: len(svc.ended()) == 2, 60, "second call ended")
    second = svc.ended()[-1]
    assert [(a.seat, a.result) for a in second.attempts] == [("8002", "ANSWER")]
    assert second.wait_seconds is not None
    assert second.wait_seconds >= 6.0


async def test_the_agent_of_an_open_order_is_remembered_over_a_restart(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str
) -> None:
    async with acd_service(aiohttp_client, tmp_path, sqlite_url, DESKS, rules=LONG_WRAPUP) as svc:
        await first_call_answered_by_agent_1001(svc)
        clock = svc.clock
    async with acd_service(
        aiohttp_client, tmp_path, sqlite_url, DESKS, rules=LONG_WRAPUP, clock=clock
    ) as svc:
        await api(svc, "POST", "/api/seats/8001/pause", {"reason": "小休"})
        await svc.sim.place_call("12345", NUMBER, "", script(talk=2, hangs_up_first=True))
        await svc.until(lambda: len(waiting(svc)) == 1, 30, "caller waiting")
        (caller,) = (await svc.get("/api/queue"))["queue"]
        assert (caller["preferred_agent"], caller["repeat"], caller["offered_to"]) == (
            "1001",
            True,
            None,
        )
        await api(svc, "POST", "/api/seats/8001/ready")
        second = await until_ended(svc, NUMBER)
    assert [(a.seat, a.result) for a in second.attempts] == [("8001", "ANSWER")]
