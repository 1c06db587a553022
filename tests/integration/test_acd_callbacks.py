"""Callbacks: a caller who presses 9 on hold keeps the place and is called back in turn (the
seat first, then the citizen, recorded); every call that reached no seat opens a callback
task (漏接回拨) that an agent dials from their seat; a citizen who does not answer counts an
attempt and the task stays open."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from acd.callbacks import task_view
from telephony.simulator import CitizenBehaviour
from tests.integration.acd_kit import (
    AmiLog,
    acd_service,
    actions,
    api,
    audit_log,
    desk,
    seat_state,
    until_ended,
    waiting,
)
from tests.integration.service_kit import ClientFactory, Service, script, valid_wav_seconds
from tickets.callbacks import get_callback_task
from tickets.records import CallbackTask
from web.keys import CENTRE, SESSIONS

KEEPS_PLACE = "13800000082"


def _callback_ended(service: Service) -> bool:
    return any(r.direction == "callback" for r in service.ended())


def _open(service: Service) -> dict[str, CallbackTask]:
    """The open callback tasks, by task id."""
    return dict(service.app[CENTRE].callbacks.tasks)


def _task(service: Service, task_id: str) -> dict[str, Any]:
    task = _open(service).get(task_id)
    return task_view(task) if task is not None else {}


async def test_a_caller_who_keeps_the_place_is_called_back_in_turn_recorded_and_stored(
    aiohttp_client: ClientFactory, tmp_path: Path, database_url: str
) -> None:
    async with acd_service(aiohttp_client, tmp_path, database_url, (desk("8001", "1001"),)) as svc:
        svc.sim.set_citizen(KEEPS_PLACE, CitizenBehaviour(answer_delay=1.0, talk_seconds=3.0))
        ami = AmiLog(svc.sim)
        await svc.sim.place_call("12345", "13800000081", "", script(talk=10, hangs_up_first=True))
        await svc.clock.sleep(0.5)
        await svc.sim.place_call(
            "12345", KEEPS_PLACE, "", script(patience=None, keep_place_after=6)
        )
        kept = await until_ended(svc, KEEPS_PLACE)
        assert kept.outcome == "kept_place"
        (place,) = (await svc.get("/api/queue"))["queue"]
        assert (place["call_id"], place["kept_place"]) == (kept.call_id, True)
        (task,) = (await svc.get("/api/callbacks"))["callbacks"]
        assert (task["call_id"], task["reason"], task["status"]) == (
            kept.call_id,
            "kept_place",
            "pending",
        )

        await svc.until(lambda: _callback_ended(svc), 60, "the callback ended")
        (callback,) = [r for r in svc.ended() if r.direction == "callback"]
        await svc.sim.recordings_flushed()
        stored = {r.call_id: r for r in await svc.stored_calls()}
        async with svc.app[SESSIONS]() as session:
            closed = await get_callback_task(session, task["task_id"])
        assert (await svc.get("/api/callbacks"))["callbacks"] == []
        assert waiting(svc) == []
    assert (callback.callback_of, callback.seat, callback.agent) == (kept.call_id, "8001", "1001")
    assert callback.caller_number == KEEPS_PLACE
    assert callback.answered_at is not None
    assert callback.recording_path is not None
    assert valid_wav_seconds(Path(callback.recording_path)) > 3.0
    assert stored[callback.call_id].callback_of == kept.call_id
    assert (stored[callback.call_id].direction, stored[callback.call_id].agent) == (
        "callback",
        "1001",
    )
    assert closed is not None
    assert (closed.status, closed.attempts, closed.result_call_id) == (
        "reached",
        1,
        callback.call_id,
    )
    (originate,) = actions(svc.sim, "Originate")
    assert (originate["Channel"], originate["Context"], originate["Exten"]) == (
        "PJSIP/8001",
        "hotline-callback",
        KEEPS_PLACE,
    )
    seat_answered = ami.index(
        lambda m: m.event == "DialEnd" and m.get("Channel") is None and m["DialStatus"] == "ANSWER"
    )
    citizen_rung = ami.index(
        lambda m: m.event == "DialBegin" and m["DestChannel"].startswith("PJSIP/trunk-")
    )
    assert seat_answered < citizen_rung


async def test_an_abandoned_call_is_called_back_from_a_seat_until_the_citizen_answers(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str
) -> None:
    number = "13800000091"
    async with acd_service(aiohttp_client, tmp_path, sqlite_url, (desk("8001", "1001"),)) as svc:
        await api(svc, "POST", "/api/seats/8001/pause", {"reason": "用餐"})
        await svc.sim.place_call("12345", number, "", script(patience=6))
        abandoned = await until_ended(svc, number)
        (task,) = (await svc.get("/api/callbacks"))["callbacks"]
        assert (task["caller_number"], task["reason"], task["status"], task["attempts"]) == (
            "138****0091",  # masked: the number is dialled by the service, not read off a list
            "abandoned",
            "pending",
            0,
        )
        assert task["call_id"] == abandoned.call_id
        dial = f"/api/callbacks/pbx1/{abandoned.call_id}/dial"
        await api(svc, "POST", "/api/seats/8001/ready")

        svc.sim.set_citizen(number, CitizenBehaviour(mode="noanswer"))
        placed = await api(svc, "POST", dial, {"seat": "8001"}, status=202)
        assert placed == {"task_id": task["task_id"], "seat": "8001"}
        await api(svc, "POST", dial, {"seat": "8001"}, status=409)  # the seat is busy with it
        await svc.until(lambda: _task(svc, task["task_id"]).get("attempts") == 1, 30, "calling")
        (calling,) = (await svc.get("/api/callbacks"))["callbacks"]
        assert (calling["status"], calling["seat"], calling["agent"]) == ("calling", "8001", "1001")
        await svc.until(lambda: _task(svc, task["task_id"])["status"] == "pending", 90, "no answer")
        (unreached,) = (await svc.get("/api/callbacks"))["callbacks"]
        assert (unreached["status"], unreached["attempts"]) == ("pending", 1)
        assert unreached["last_attempt_at"] is not None

        svc.sim.set_citizen(number, CitizenBehaviour(answer_delay=1.0, talk_seconds=2.0))
        await svc.until(lambda: seat_state(svc, "8001") == "ready", 30, "wrap-up over")
        await api(svc, "POST", dial, {"seat": "8001"}, status=202)
        await svc.until(lambda: task["task_id"] not in _open(svc), 60, "citizen reached")
        await api(svc, "POST", dial, {"seat": "8001"}, status=404)  # closed: nothing to dial
        callbacks = [r for r in svc.ended() if r.direction == "callback"]
        entries = [e for e in await audit_log(svc) if e.action == "callback.dial"]
    assert [(r.callback_of, r.answered_at is not None) for r in callbacks] == [
        (abandoned.call_id, False),
        (abandoned.call_id, True),
    ]
    assert [(e.actor, e.target, e.details) for e in entries] == [
        ("1001", f"callback:{task['task_id']}", {"seat": "8001"}),
        ("1001", f"callback:{task['task_id']}", {"seat": "8001"}),
    ]


async def test_open_callback_tasks_are_still_there_after_the_service_restarts(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str
) -> None:
    desks = (desk("8001", "1001"),)
    async with acd_service(aiohttp_client, tmp_path, sqlite_url, desks) as before:
        await api(before, "POST", "/api/seats/8001/pause", {"reason": "用餐"})
        await before.sim.place_call("12345", "13800000095", "", script(patience=5))
        abandoned = await until_ended(before, "13800000095")
        (task,) = (await before.get("/api/callbacks"))["callbacks"]
        clock = before.clock  # time goes on over the restart, not back
    async with acd_service(aiohttp_client, tmp_path, sqlite_url, desks, clock=clock) as after:
        after.sim.set_citizen("13800000095", CitizenBehaviour(answer_delay=1.0, talk_seconds=2.0))
        (kept,) = (await after.get("/api/callbacks"))["callbacks"]
        assert (await after.get("/api/stats/today"))["callbacks_open"] == 1
        await api(
            after, "POST", f"/api/callbacks/pbx1/{abandoned.call_id}/dial", {"seat": "8001"}, 202
        )
        await after.until(lambda: task["task_id"] not in _open(after), 60, "citizen reached")
    assert (kept["task_id"], kept["reason"], kept["status"]) == (
        task["task_id"],
        "abandoned",
        "pending",
    )
