"""One real call path end to end: the simulated Asterisk over TCP, the ACD, the database
(SQLite and PostgreSQL), recordings on disk, the API and the wallboard's WebSocket."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from aiohttp import WSMsgType

from acd.figures import compute_figures
from acd.views import figures_view
from tests.integration.service_kit import ClientFactory, running_service, script, valid_wav_seconds
from tickets.orders import get_order_for_call
from web.keys import CENTRE, CONNECTIONS, SESSIONS


async def test_calls_are_queued_routed_answered_ended_stored_and_recorded(
    aiohttp_client: ClientFactory, tmp_path: Path, database_url: str
) -> None:
    async with running_service(aiohttp_client, tmp_path, database_url) as service:
        for number in ("13800138001", "13800138002", "13800138003"):
            await service.sim.place_call("12345", number, "王秀英", script(talk=10))
        await service.until(lambda: len(service.ended()) == 3, 120, "three calls ended")
        await service.sim.recordings_flushed()

        stored = await service.stored_calls()
        assert sorted(c.caller_number for c in stored) == [
            "13800138001",
            "13800138002",
            "13800138003",
        ]
        assert Counter(c.outcome for c in stored) == {"answered": 3}
        assert {c.seat for c in stored} == {"8001", "8002"}  # two seats, three callers: both worked
        for call in stored:
            assert call.caller_name == "王秀英"
            assert call.wait_seconds is not None
            assert call.talk_seconds is not None
            assert 8 <= call.talk_seconds <= 12
            assert call.recording_path is not None
            assert valid_wav_seconds(Path(call.recording_path)) > 5
        async with service.app[SESSIONS]() as session:
            orders = [await get_order_for_call(session, c.server, c.call_id) for c in stored]
        assert all(order is not None and order.status == "draft" for order in orders)


async def test_live_figures_are_the_figures_of_the_stored_rows(
    aiohttp_client: ClientFactory, tmp_path: Path, database_url: str
) -> None:
    async with running_service(aiohttp_client, tmp_path, database_url, seats=("8001",)) as service:
        await service.sim.place_call("12345", "13900000001", "", script(talk=30))
        await service.sim.place_call("962121", "13900000002", "", script(talk=10, patience=8))
        await service.sim.place_call("12345", "13900000003", "", script(talk=10))
        await service.until(lambda: len(service.ended()) == 3, 180, "three calls ended")
        live = await service.get("/api/stats/today")
        stored = await service.stored_calls()
        assert live["today"] == figures_view(compute_figures(stored, service.settings.figures))
        assert live["today"]["offered"] == 3
        assert live["today"]["abandoned"] == 1
        assert live["today"]["answered"] == 2


async def test_api_lists_filters_and_refuses_bad_parameters(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str
) -> None:
    async with running_service(aiohttp_client, tmp_path, sqlite_url) as service:
        await service.sim.place_call("12345", "13800000001", "", script(talk=5))
        await service.sim.place_call("962121", "13800000002", "", script(talk=5))
        await service.until(lambda: len(service.ended()) == 2, 120, "two calls ended")
        await service.stored_calls()

        body = await service.get("/api/calls", line="962121")
        assert body["total"] == 1
        assert (
            body["calls"][0]["caller_number"] == "138****0002"
        )  # searched by the whole number, shown masked
        call = body["calls"][0]
        one = await service.get(f"/api/calls/{call['server']}/{call['call_id']}")
        assert one["call_id"] == call["call_id"]
        for params, needle in (
            ({"line": "110"}, "line"),
            ({"limit": "0"}, "limit"),
            ({"from": "yesterday"}, "from"),
            ({"from": "2026-11-23", "to": "2026-11-22"}, "to"),
            ({"outcome": "great"}, "outcome"),
            ({"caller": "13'; drop"}, "caller"),
            ({"colour": "red"}, "unknown parameter"),
        ):
            response = await service.client.get("/api/calls", params=params)
            assert response.status == 400, params
            assert needle in (await response.json())["message"]
        missing = await service.client.get("/api/calls/pbx1/0.0")
        assert missing.status == 404


async def test_a_paused_seat_gets_no_call_and_ready_brings_it_back(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str
) -> None:
    async with running_service(aiohttp_client, tmp_path, sqlite_url) as service:
        response = await service.client.post("/api/seats/8001/pause", json={"reason": "用餐"})
        assert response.status == 200
        assert (await response.json())["state"] == "paused"
        await service.sim.place_call("12345", "13700000001", "", script(talk=5))
        await service.until(lambda: len(service.ended()) == 1, 60, "call ended")
        (call,) = service.ended()
        assert call.seat == "8002"
        seats = {s["seat"]: s for s in (await service.get("/api/seats"))["seats"]}
        assert (seats["8001"]["state"], seats["8001"]["reason"]) == ("paused", "用餐")
        assert (await service.client.post("/api/seats/8001/ready")).status == 200

        for path, body, status in (
            ("/api/seats/8001/pause", {"reason": ""}, 400),
            ("/api/seats/8001/pause", {"reason": "x" * 41}, 400),
            ("/api/seats/8001/pause", ["break"], 400),
            ("/api/seats/9999/pause", {"reason": "小休"}, 404),
            ("/api/seats/9999/ready", None, 404),
        ):
            response = await service.client.post(path, json=body)
            assert response.status == status, (path, body)
        garbage = await service.client.post(
            "/api/seats/8001/pause",
            data=b"\xff\xfe not json",
            headers={"Content-Type": "application/json"},
        )
        assert garbage.status == 400


async def test_wallboard_gets_a_snapshot_then_live_events(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str
) -> None:
    async with running_service(aiohttp_client, tmp_path, sqlite_url) as service:
        page = await service.client.get("/")
        assert page.status == 200
        assert "热线实时监控" in await page.text()
        ws = await service.client.ws_connect("/ws")  # a supervisor's wallboard
        await service.client.as_role("A8002", "agent")
        agent_ws = await service.client.ws_connect("/ws", as_user="A8001")  # the seat's desk
        other_ws = await service.client.ws_connect("/ws", as_user="A8002")
        snapshot = await ws.receive_json()
        assert snapshot["type"] == "snapshot"
        assert [s["seat"] for s in snapshot["seats"]] == ["8001", "8002"]
        await service.sim.place_call("12345", "13512345678", "张伟", script(talk=5))
        seen: set[str] = set()
        states: set[str] = set()
        while not {"call", "seat", "queue", "screen_pop"} <= seen or "talking" not in states:
            message = await ws.receive(timeout=30)
            assert message.type == WSMsgType.TEXT
            event = message.json()
            seen.add(event["type"])
            if event["type"] == "seat":
                states.add(event["seat"]["state"])
            if event["type"] == "call":
                assert event["call"]["caller_number"] == "135****5678"  # masked on the wallboard
            if event["type"] == "screen_pop":
                assert event["call"]["caller_number"] == "135****5678"  # masked to a supervisor
        pop = await event_of(agent_ws, "screen_pop")
        assert pop["seat"] == "8001"
        assert pop["call"]["caller_number"] == "13512345678"  # whole for the agent on the call
        await service.until(lambda: len(service.ended()) == 1, 60, "call ended")
        other_kinds = {event["type"] for event in await drained(other_ws)}
        assert {"call", "seat"} <= other_kinds
        assert "screen_pop" not in other_kinds  # another agent never sees it
        for socket in (ws, agent_ws, other_ws):
            await socket.close()


async def event_of(ws: Any, kind: str) -> dict[str, Any]:
    while True:
        message = await ws.receive(timeout=30)
        assert message.type == WSMsgType.TEXT
        event: dict[str, Any] = message.json()
        if event["type"] == kind:
            return event


async def drained(ws: Any) -> list[dict[str, Any]]:
    """What the socket has received so far (it stays quiet for a second after)."""
    seen = []
    while True:
        try:
            message = await ws.receive(timeout=1.0)
        except TimeoutError:
            return seen
        seen.append(message.json())


async def test_garbage_on_the_ami_socket_disturbs_no_call(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str
) -> None:
    async with running_service(aiohttp_client, tmp_path, sqlite_url) as service:
        connection = service.app[CONNECTIONS]["pbx1"]
        await service.sim.place_call("12345", "13600000001", "", script(talk=20))
        await service.until(lambda: bool(service.app[CENTRE].ledger.live), 30, "call live")
        service.sim.faults.inject(b"\x00\x01\x02\xff\xfe binary garbage\r\n\r\n")
        service.sim.faults.inject(b"Event: Hangup\r\nUniqueid: 1.1\r\nCause: sixteen\r\n\r\n")
        service.sim.faults.inject(b"Event: X\r\n" + b"Y: " + b"z" * (5 * 1024 * 1024) + b"\r\n\r\n")
        service.sim.faults.inject(b"no colon here at all\r\n\r\n")
        await service.until(lambda: len(service.ended()) == 1, 60, "call ended")
        (call,) = service.ended()
        assert call.outcome == "answered"
        assert connection.stats.reconnects == 0
        assert connection.stats.skipped_garbage >= 2
        assert connection.stats.skipped_oversized >= 1


async def test_a_reconnect_during_a_call_keeps_the_call_and_stores_it_once(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str
) -> None:
    async with running_service(aiohttp_client, tmp_path, sqlite_url) as service:
        await service.sim.place_call("12345", "13600000002", "", script(talk=30))
        centre = service.app[CENTRE]
        await service.until(
            lambda: any(r.answered_at for r in centre.ledger.live.values()), 60, "call answered"
        )
        await service.sim.drop_connections()
        await service.until(
            lambda: service.app[CONNECTIONS]["pbx1"].stats.reconnects >= 1, 60, "reconnected"
        )
        await service.until(lambda: len(service.ended()) == 1, 120, "call ended")
        stored = await service.stored_calls()
        assert [(c.outcome, c.seat) for c in stored] == [("answered", "8001")]


async def test_an_asterisk_restart_ends_its_calls_as_lost(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str
) -> None:
    async with running_service(aiohttp_client, tmp_path, sqlite_url) as service:
        await service.sim.place_call("12345", "13600000003", "", script(talk=60))
        centre = service.app[CENTRE]
        await service.until(
            lambda: any(r.answered_at for r in centre.ledger.live.values()), 60, "call answered"
        )
        await service.sim.restart()
        await service.until(lambda: len(service.ended()) == 1, 120, "call closed after restart")
        (call,) = service.ended()
        assert call.outcome == "answered"  # it was answered; the end time is when we learnt it
        assert call.end_cause_text == "channel gone after AMI reconnect"
        seats = {s["seat"]: s["state"] for s in (await service.get("/api/seats"))["seats"]}
        assert seats["8001"] in ("wrapup", "ready")


@pytest.mark.parametrize("answer_delay", [30.0])
async def test_unanswered_seat_rings_out_and_the_next_seat_takes_the_caller(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str, answer_delay: float
) -> None:
    async with running_service(
        aiohttp_client, tmp_path, sqlite_url, answer_delay=answer_delay
    ) as service:
        from telephony.simulator import SeatBehaviour

        service.sim.set_seat("8002", SeatBehaviour(answer_delay=1.0))
        await service.sim.place_call("12345", "13600000004", "", script(talk=5, patience=None))
        await service.until(lambda: len(service.ended()) == 1, 120, "call ended")
        (call,) = service.ended()
        assert [(a.seat, a.result) for a in call.attempts] == [
            ("8001", "NOANSWER"),
            ("8002", "ANSWER"),
        ]
        assert call.wait_seconds is not None
        assert call.wait_seconds >= 15
