"""Callback tasks (漏接回拨): the open list, dialling one from a seat, recording a result."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from acd.callbacks import MANUAL_RESULTS, NoSuchTask, task_id_of, task_view
from acd.seats import SeatError
from web.access import check_own_seat
from web.auth import signed_in
from web.errors import Conflict, InvalidParameter, NotFound
from web.requests import actor, check_query, client_address, json_object, routing_centre, text

routes = web.RouteTableDef()


def _task_id(request: web.Request) -> str:
    return task_id_of(request.match_info["server"], request.match_info["call_id"])


@routes.get("/api/callbacks")
async def open_callbacks(request: web.Request) -> web.Response:
    """Open tasks, the soonest due first (optionally of one line or agent)."""
    centre = routing_centre(request)
    line, agent = request.query.get("line"), request.query.get("agent")
    check_query(request, ("line", "agent"))
    tasks = [
        task
        for task in centre.callbacks.tasks.values()
        if (line is None or task.line == line) and (agent is None or task.agent == agent)
    ]
    tasks.sort(key=lambda t: t.due_at)
    now = centre.clock.now()
    return web.json_response(
        {
            "now": now.isoformat(),
            "callbacks": [dict(task_view(t), overdue=t.due_at < now) for t in tasks],
        }
    )


@routes.post("/api/callbacks/{server}/{call_id}/dial")
async def dial(request: web.Request) -> web.Response:
    """Ring the agent's seat; when the agent answers, the citizen is dialled (recorded)."""
    centre = routing_centre(request)
    body = await json_object(request)
    task = centre.callbacks.tasks.get(_task_id(request))
    if task is None:
        raise NotFound(f"no open callback task {_task_id(request)}")
    seat = centre.board.find(text(body, "seat", limit=40))
    if seat is None:
        raise NotFound("no such seat")
    check_own_seat(signed_in(request), seat.seat_id, seat.agent)
    if not centre.gate.holds(task.server):
        raise Conflict(f"another instance routes {task.server}")
    try:
        centre.router.dial_callback(seat, task)
    except SeatError as exc:
        raise Conflict(str(exc)) from exc
    who = actor(request, body)
    centre.audit(
        who, "callback.dial", f"callback:{task.task_id}", client_address(request), seat=seat.seat_id
    )
    return web.json_response({"task_id": task.task_id, "seat": seat.seat_id}, status=202)


@routes.post("/api/callbacks/{server}/{call_id}/result")
async def result(request: web.Request) -> web.Response:
    centre = routing_centre(request)
    body: dict[str, Any] = await json_object(request)
    status = body.get("status")
    if status not in MANUAL_RESULTS:
        raise InvalidParameter(f"status: one of {list(MANUAL_RESULTS)}")
    note = text(body, "note", required=False, limit=500)
    who = actor(request, body)
    try:
        task = centre.callbacks.set_result(_task_id(request), status, note, who)
    except NoSuchTask as exc:
        raise NotFound(f"no open callback task {_task_id(request)}") from exc
    centre.audit(
        who,
        "callback.result",
        f"callback:{task.task_id}",
        client_address(request),
        status=str(status),
    )
    return web.json_response(task_view(task))
