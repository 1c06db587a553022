"""The work-order JSON API (registered as one table): the hotline's steps are here, the
reads in ``web.api_order_reads``, the unit's steps, callbacks and files in
``web.api_order_units``. Each write is one step of ``tickets``; it is audited, published on
the hub and answered with the order's summary (callers masked)."""

from __future__ import annotations

from aiohttp import web

from tickets.errors import NoSuchOrder
from tickets.lifecycle import Step
from tickets.order_forms import CHANNELS, NOT_COUNTED_REASONS
from tickets.order_search import order_by_source
from tickets.order_views import acknowledge_notice
from web import api_order_reads, api_order_units
from web.errors import InvalidParameter, NotFound
from web.keys import CLOCK, SESSIONS, WRITER
from web.order_requests import (
    CALLER_NUMBER,
    audit,
    desk_of,
    field_choice,
    field_code,
    field_codes,
    field_flag,
    field_text,
    order_form,
    order_written,
    publish_order,
    read_order,
    step_input,
    summary_response,
)
from web.requests import actor, json_object

hotline = web.RouteTableDef()
NOTE_STEPS = {
    "follow-up": Step.FOLLOW_UP,
    "urge": Step.URGE,
    "supervise": Step.SUPERVISE,
    "hanging-progress": Step.HANGING_PROGRESS,
}


# -- the hotline's steps --------------------------------------------------------------


async def _line_of(request: web.Request, number: str, *, wait_for_draft: bool = False) -> str:
    """The order's line; a draft the ACD has not written yet is waited for once."""
    try:
        return (await read_order(request, number)).line
    except NoSuchOrder:
        if not wait_for_draft:
            raise
    await request.app[WRITER].flush()
    return (await read_order(request, number)).line


@hotline.post("/api/orders/{number}/accept")
async def accept(request: web.Request) -> web.Response:
    """受理: the agent saves the form of the call's draft."""
    number, body, who = await step_input(request)
    line = await _line_of(request, number, wait_for_draft=True)
    desk = desk_of(request)
    form = order_form(body, line, desk.rules.categories)
    order = await desk.accept(number, who, form)
    return order_written(request, order, Step.ACCEPT, who, category=form.category)


@hotline.post("/api/orders/{number}/answer")
async def answer_directly(request: web.Request) -> web.Response:
    """直办: answered on the spot and closed."""
    number, body, who = await step_input(request)
    line = await _line_of(request, number, wait_for_draft=True)
    desk = desk_of(request)
    form = order_form(body, line, desk.rules.categories)
    order = await desk.answer_directly(number, who, form, field_text(body, "answer"))
    return order_written(request, order, Step.ANSWER_DIRECTLY, who, category=form.category)


@hotline.post("/api/orders/{number}/edit")
async def edit(request: web.Request) -> web.Response:
    number, body, who = await step_input(request)
    desk = desk_of(request)
    form = order_form(body, await _line_of(request, number), desk.rules.categories)
    order = await desk.edit(number, who, form)
    return order_written(request, order, Step.EDIT, who, category=form.category)


@hotline.post("/api/orders")
async def receive(request: web.Request) -> web.Response:
    """An order from another channel: 201; the same ``source_ref`` again: the stored one."""
    body = await json_object(request)
    who, desk = actor(request, body), desk_of(request)
    line = field_text(body, "line", limit=20)
    if line not in desk.rules.categories.lines():
        raise InvalidParameter(
            f"line: {line!r} is not one of {list(desk.rules.categories.lines())}"
        )
    channel = field_choice(body, "channel", {k: v for k, v in CHANNELS.items() if k != "phone"})
    caller = field_text(body, "caller_number", limit=20)
    if not CALLER_NUMBER.match(caller):
        raise InvalidParameter("caller_number: 3 to 20 digits")
    ref = field_text(body, "source_ref", required=False, limit=100) or None
    form = order_form(body, line, desk.rules.categories)
    if ref is not None:
        async with request.app[SESSIONS]() as session:
            stored = await order_by_source(session, channel, ref)
        if stored is not None:
            return summary_response(request, stored)
    order = await desk.receive(
        line=line, channel=channel, caller_number=caller, form=form, actor=who, source_ref=ref
    )
    return order_written(request, order, Step.RECEIVE, who, status=201, channel=channel)


@hotline.post("/api/orders/{number}/sign")
async def sign(request: web.Request) -> web.Response:
    number, body, who = await step_input(request)
    note = field_text(body, "note", required=False)
    return order_written(request, await desk_of(request).sign(number, who, note), Step.SIGN, who)


@hotline.post("/api/orders/{number}/return-up")
async def return_up(request: web.Request) -> web.Response:
    number, body, who = await step_input(request)
    reason = field_text(body, "reason")
    order = await desk_of(request).return_up(number, who, reason)
    return order_written(request, order, Step.RETURN_UP, who, reason=reason)


@hotline.post("/api/orders/{number}/dispatch")
async def dispatch(request: web.Request) -> web.Response:
    number, body, who = await step_input(request)
    main, assisting = field_code(body, "main_unit"), field_codes(body, "assisting")
    note = field_text(body, "note", required=False)
    order = await desk_of(request).dispatch(number, who, main, assisting, note)
    return order_written(request, order, Step.DISPATCH, who, main_unit=main)


@hotline.post("/api/orders/{number}/redispatch")
async def redispatch(request: web.Request) -> web.Response:
    number, body, who = await step_input(request)
    main, assisting = field_code(body, "main_unit"), field_codes(body, "assisting")
    wrong = field_flag(body, "wrongly_assigned")
    note = field_text(body, "note", required=False)
    order = await desk_of(request).redispatch(
        number, who, main, assisting, wrongly_assigned=wrong, note=note
    )
    return order_written(request, order, Step.REDISPATCH, who, main_unit=main)


@hotline.post("/api/orders/{number}/reject-return")
async def reject_return(request: web.Request) -> web.Response:
    number, body, who = await step_input(request)
    order = await desk_of(request).reject_return(number, who, field_text(body, "note"))
    return order_written(request, order, Step.REJECT_RETURN, who)


@hotline.post("/api/orders/{number}/respond")
async def respond(request: web.Request) -> web.Response:
    number, body, who = await step_input(request)
    note = field_text(body, "note", required=False)
    return order_written(
        request, await desk_of(request).respond(number, who, note), Step.RESPOND, who
    )


@hotline.post("/api/orders/{number}/merge")
async def merge(request: web.Request) -> web.Response:
    number, body, who = await step_input(request)
    into = field_code(body, "into")
    note = field_text(body, "note", required=False)
    order = await desk_of(request).merge(number, into, who, note)
    publish_order(request, into, (await read_order(request, into)).status, Step.MERGE)
    return order_written(request, order, Step.MERGE, who, into=into)


@hotline.post("/api/orders/{number}/not-counted")
async def not_counted(request: web.Request) -> web.Response:
    number, body, who = await step_input(request)
    reason = field_choice(body, "reason", NOT_COUNTED_REASONS)
    order = await desk_of(request).mark_not_counted(
        number, who, reason, field_text(body, "justification")
    )
    return order_written(request, order, Step.NOT_COUNTED, who, reason=reason)


@hotline.post("/api/orders/{number}/{step:follow-up|urge|supervise|hanging-progress}")
async def note(request: web.Request) -> web.Response:
    """跟踪, 催办, 督办, 挂账进展: a note in the order's history."""
    number, body, who = await step_input(request)
    step = NOTE_STEPS[request.match_info["step"]]
    order = await desk_of(request).note(number, step, who, field_text(body, "note"))
    return order_written(request, order, step, who)


@hotline.post("/api/orders/{number}/hang")
async def hang(request: web.Request) -> web.Response:
    number, body, who = await step_input(request)
    order = await desk_of(request).hang(number, who, field_text(body, "reason"))
    return order_written(request, order, Step.HANG, who)


@hotline.post("/api/orders/{number}/resume")
async def resume(request: web.Request) -> web.Response:
    number, body, who = await step_input(request)
    note = field_text(body, "note", required=False)
    return order_written(
        request, await desk_of(request).resume(number, who, note), Step.RESUME, who
    )


@hotline.post("/api/orders/{number}/extension/decide")
async def decide_extension(request: web.Request) -> web.Response:
    number, body, who = await step_input(request)
    approve = field_flag(body, "approve")
    note = field_text(body, "note", required=False)
    order = await desk_of(request).decide_extension(number, who, approve=approve, note=note)
    return order_written(request, order, Step.DECIDE_EXTENSION, who, approved=str(approve).lower())


@hotline.post("/api/orders/notices/{id}/ack")
async def acknowledge(request: web.Request) -> web.Response:
    """The dispatcher has acted on a notice: it leaves the open list (kept, with who and when)."""
    body = await json_object(request)
    who = actor(request, body)
    raw = request.match_info["id"]
    if not raw.isdigit() or not 0 < int(raw) < 2**62:
        raise InvalidParameter("id: a whole number")
    notice_id = int(raw)
    async with request.app[SESSIONS]() as session, session.begin():
        if not await acknowledge_notice(session, notice_id, who, request.app[CLOCK].now()):
            raise NotFound(f"no open notice {notice_id}")
    audit(request, who, "order.notice_ack", f"notice:{notice_id}")
    return web.json_response({"id": notice_id, "acknowledged_by": who})


def _table(*tables: web.RouteTableDef) -> web.RouteTableDef:
    joined = web.RouteTableDef()
    for table in tables:
        for route in table:
            assert isinstance(route, web.RouteDef)
            joined.route(route.method, route.path, **route.kwargs)(route.handler)
    return joined


# the reads first: /api/orders/config before /api/orders/{number}
routes = _table(api_order_reads.routes, hotline, api_order_units.routes)
