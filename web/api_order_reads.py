"""What the work-order pages read: the form's lists, the order list, the dispatcher's board,
the callback lists, an order with its timeline, its files, a unit's orders and the
screen-pop of a seat's call. Callers are masked except for the agent on the call."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from aiohttp import hdrs, web

from tickets.catalogue import UNIT_KINDS, Unit
from tickets.lifecycle import STATUS_LABELS, STEP_LABELS, Status
from tickets.order_figures import order_figures
from tickets.order_forms import CHANNELS, NOT_COUNTED_REASONS, REVISIT_RESULTS, URGENCIES
from tickets.order_search import OrderQuery, attachment_of, search_orders
from tickets.order_views import (
    board,
    caller_history,
    hanging_list,
    open_notices,
    order_detail,
    order_summary,
    revisit_ledger,
    revisit_list,
    unit_orders,
)
from tickets.privacy import mask_number
from web.access import check_own_seat
from web.auth import signed_in
from web.errors import InvalidParameter, NotFound
from web.keys import SESSIONS, SETTINGS
from web.order_requests import (
    ATTACHMENT_ID,
    CALLER_NUMBER,
    PATH_NAME,
    desk_of,
    own_unit,
    path_name,
    read_order,
    unit_may_see,
)
from web.requests import check_query, moment, routing_centre, seat_id, supported_day, whole_number

routes = web.RouteTableDef()

LIST_FILTERS = ("status", "line", "unit", "caller", "from", "to", "limit", "offset")


def unit_view(unit: Unit) -> dict[str, Any]:
    return {
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "kind_label": UNIT_KINDS.get(unit.kind, unit.kind),
        "lines": list(unit.lines),
        "categories": list(unit.categories),
        "areas": list(unit.areas),
        "active": unit.active,
    }


# -- reads ----------------------------------------------------------------------------


@routes.get("/api/orders/config")
async def config(request: web.Request) -> web.Response:
    check_query(request, ())
    rules = desk_of(request).rules
    return web.json_response(
        {
            "categories": rules.categories.as_json(),
            "units": [unit_view(unit) for unit in rules.catalogue.units()],
            "channels": CHANNELS,
            "urgencies": URGENCIES,
            "not_counted_reasons": NOT_COUNTED_REASONS,
            "revisit_results": REVISIT_RESULTS,
            "status_labels": {status.value: label for status, label in STATUS_LABELS.items()},
            "step_labels": {step.value: label for step, label in STEP_LABELS.items()},
        }
    )


def _list_query(request: web.Request) -> OrderQuery:
    check_query(request, LIST_FILTERS)
    query, zone = request.query, request.app[SETTINGS].zone
    status = query.get("status")
    if status is not None and status not in set(Status):
        raise InvalidParameter(f"status: one of {[s.value for s in Status]}")
    line = query.get("line")
    if line is not None and line not in desk_of(request).rules.categories.lines():
        raise InvalidParameter(f"line: {line!r} is not a line with categories")
    unit, caller = query.get("unit"), query.get("caller")
    if unit is not None and not PATH_NAME.match(unit):
        raise InvalidParameter("unit: letters, digits, - _ . only, at most 60")
    if caller is not None and not CALLER_NUMBER.match(caller):
        raise InvalidParameter("caller: 3 to 20 digits")
    start = moment("from", query["from"], zone, False) if "from" in query else None
    end = moment("to", query["to"], zone, True) if "to" in query else None
    if start and end and end <= start:
        raise InvalidParameter("to: must be after from")
    return OrderQuery(
        status=status,
        line=line,
        unit=unit,
        caller=caller,
        start=start,
        end=end,
        limit=whole_number("limit", query.get("limit"), 50, 1, 500),
        offset=whole_number("offset", query.get("offset"), 0, 0, 1_000_000),
    )


@routes.get("/api/orders")
async def list_orders(request: web.Request) -> web.Response:
    """Orders newest first (drafts only when asked for by status), one page and the total."""
    query = _list_query(request)
    desk = desk_of(request)
    async with request.app[SESSIONS]() as session:
        rows, total = await search_orders(session, query)
    now = desk.now()
    return web.json_response(
        {
            "orders": [order_summary(row, desk.rules, now, reveal=False) for row in rows],
            "total": total,
        }
    )


@routes.get("/api/orders/board")
async def dispatch_board(request: web.Request) -> web.Response:
    check_query(request, ())
    desk = desk_of(request)
    async with request.app[SESSIONS]() as session:
        return web.json_response(await board(session, desk.rules, desk.now()))


@routes.get("/api/orders/revisits")
async def revisits_due(request: web.Request) -> web.Response:
    check_query(request, ())
    desk = desk_of(request)
    async with request.app[SESSIONS]() as session:
        return web.json_response({"orders": await revisit_list(session, desk.rules, desk.now())})


@routes.get("/api/orders/revisit-ledger")
async def ledger(request: web.Request) -> web.Response:
    """回访录音台账 of one day in the service's zone (today by default)."""
    check_query(request, ("date",))
    zone, desk = request.app[SETTINGS].zone, desk_of(request)
    raw = request.query.get("date")
    try:
        day = date.fromisoformat(raw) if raw else desk.now().astimezone(zone).date()
        supported_day("date", day)
    except ValueError as exc:
        raise InvalidParameter(f"date: {raw!r} is not a date (2026-11-23)") from exc
    start = datetime.combine(day, time(0), tzinfo=zone)
    async with request.app[SESSIONS]() as session:
        revisits = await revisit_ledger(session, start, start + timedelta(days=1))
    return web.json_response({"date": day.isoformat(), "revisits": revisits})


@routes.get("/api/orders/notices")
async def notices(request: web.Request) -> web.Response:
    """Supervision notices (催办, 督办, follow-ups, property companies to phone) not yet
    acknowledged, newest first."""
    check_query(request, ())
    async with request.app[SESSIONS]() as session:
        return web.json_response({"notices": await open_notices(session)})


@routes.get("/api/orders/hanging")
async def hanging(request: web.Request) -> web.Response:
    """挂账: the hanging orders; those without this month's progress first."""
    check_query(request, ())
    zone, desk = request.app[SETTINGS].zone, desk_of(request)
    today = desk.now().astimezone(zone)
    month_start = datetime.combine(today.date().replace(day=1), time(0), tzinfo=zone)
    async with request.app[SESSIONS]() as session:
        orders = await hanging_list(session, month_start)
    return web.json_response({"month": month_start.strftime("%Y-%m"), "orders": orders})


@routes.get("/api/orders/figures")
async def figures(request: web.Request) -> web.Response:
    """Work-order figures of a period (default: today): dispatch accuracy and timeliness,
    responses, answered on the spot, callback results."""
    check_query(request, ("from", "to"))
    zone, desk = request.app[SETTINGS].zone, desk_of(request)
    today = datetime.combine(desk.now().astimezone(zone).date(), time(0), tzinfo=zone)
    query = request.query
    start = moment("from", query["from"], zone, False) if "from" in query else today
    end = moment("to", query["to"], zone, True) if "to" in query else today + timedelta(days=1)
    if end <= start:
        raise InvalidParameter("to: must be after from")
    async with request.app[SESSIONS]() as session:
        found = await order_figures(session, start, end)
    return web.json_response(
        {"from": start.isoformat(), "to": end.isoformat(), "figures": found.as_json()}
    )


@routes.get("/api/orders/{number}")
async def one_order(request: web.Request) -> web.Response:
    check_query(request, ())
    number, desk = path_name(request, "number"), desk_of(request)
    async with request.app[SESSIONS]() as session:
        detail = await order_detail(session, number, desk.rules, desk.now(), reveal=False)
    return web.json_response(detail)


@routes.get("/api/orders/{number}/suggestions")
async def suggestions(request: web.Request) -> web.Response:
    """Units to dispatch to, best first, from the order's line, category and address."""
    check_query(request, ())
    order = await read_order(request, path_name(request, "number"))
    found = desk_of(request).rules.catalogue.suggest(order.line, order.category, order.address)
    return web.json_response(
        {
            "suggestions": [
                {"unit": unit_view(s.unit), "score": s.score, "reasons": list(s.reasons)}
                for s in found
            ]
        }
    )


@routes.get("/api/orders/{number}/attachments/{id}")
async def attachment(request: web.Request) -> web.FileResponse:
    check_query(request, ())
    number, raw_id = path_name(request, "number"), request.match_info["id"]
    if not ATTACHMENT_ID.match(raw_id):
        raise InvalidParameter("id: a whole number")
    async with request.app[SESSIONS]() as session:
        row = await attachment_of(session, number, int(raw_id))
    path = request.app[SETTINGS].attachments_dir / row.path if row is not None else None
    if row is None or path is None or not path.is_file():
        raise NotFound(f"order {number} has no attachment {raw_id}")
    await unit_may_see(request, row.order_id)
    return web.FileResponse(path, headers={hdrs.CONTENT_TYPE: row.content_type})


@routes.get("/api/units/{code}/orders")
async def orders_of_unit(request: web.Request) -> web.Response:
    check_query(request, ())
    code, desk = own_unit(request), desk_of(request)
    unit = desk.rules.catalogue.get(code)
    if unit is None:
        raise NotFound(f"no unit {code!r} in the dispatch catalogue")
    async with request.app[SESSIONS]() as session:
        orders = await unit_orders(session, code, desk.rules, desk.now())
    return web.json_response({"unit": unit_view(unit), "orders": orders})


@routes.get("/api/seats/{seat}/screen-pop")
async def screen_pop(request: web.Request) -> web.Response:
    """The call the seat is on, its draft's number and the caller's history; the number
    in full for the agent on the call, masked for a supervisor looking on."""
    check_query(request, ())
    centre, name, desk = routing_centre(request), seat_id(request), desk_of(request)
    seat = centre.board.find(name)
    record = centre.ledger.live.get(seat.call) if seat is not None and seat.call else None
    if record is None or record.answered_at is None:
        raise NotFound(f"seat {name} is not on a call")
    assert seat is not None
    check_own_seat(signed_in(request), name, seat.agent)
    on_the_call = signed_in(request).user_id == seat.agent
    async with request.app[SESSIONS]() as session:
        history = await caller_history(session, record.caller_number, desk.rules, desk.now())
    return web.json_response(
        {
            "seat": name,
            "call": {
                "server": record.server,
                "call_id": record.call_id,
                "line": record.line,
                "caller_number": record.caller_number
                if on_the_call
                else mask_number(record.caller_number),
                "caller_name": record.caller_name,
                "answered_at": record.answered_at.isoformat(),
            },
            # only an inbound call has a draft (a callback belongs to its order already)
            "order": centre.order_number(
                record.line, record.answered_at, record.server, record.call_id
            )
            if record.direction == "in"
            else None,
            "history": history,
        }
    )
