"""The unit's side of a work order (the unit is named in the path; a unit's handler acts
for their own unit only), the callback (回访) placed from a seat and its result, and the
photos uploaded with an order or a reply."""

from __future__ import annotations

from urllib.parse import unquote

from aiohttp import BodyPartReader, hdrs, web
from aiohttp.http_exceptions import HttpProcessingError

from acd.seats import SeatError
from tickets.handling import MAX_ATTACHMENT_BYTES
from tickets.lifecycle import Step
from tickets.order_forms import REVISIT_RESULTS, parse_reply_form
from web.access import check_own_seat
from web.auth import signed_in
from web.errors import Conflict, InvalidParameter, NotFound
from web.keys import SETTINGS
from web.order_requests import (
    FileTooLarge,
    audit,
    desk_of,
    field_choice,
    field_flag,
    field_id,
    field_moment,
    field_text,
    order_written,
    own_unit,
    path_name,
    publish_order,
    read_order,
    step_input,
)
from web.orders_root import REVISIT_TASK_PREFIX
from web.requests import SEAT_ID, actor, leading, routing_centre

routes = web.RouteTableDef()
UNIT_ORDER = "/api/units/{code}/orders/{number}"
CHUNK_BYTES = 64 * 1024


@routes.post(UNIT_ORDER + "/sign")
async def unit_sign(request: web.Request) -> web.Response:
    number, _, who = await step_input(request)
    unit = own_unit(request)
    order = await desk_of(request).unit_sign(number, unit, who)
    return order_written(request, order, Step.UNIT_SIGN, who, unit=unit)


@routes.post(UNIT_ORDER + "/return")
async def unit_return(request: web.Request) -> web.Response:
    number, body, who = await step_input(request)
    unit, reason = own_unit(request), field_text(body, "reason")
    order = await desk_of(request).unit_return(number, unit, who, reason)
    return order_written(request, order, Step.UNIT_RETURN, who, unit=unit, reason=reason)


@routes.post(UNIT_ORDER + "/reply")
async def reply(request: web.Request) -> web.Response:
    """The five elements (时间、地点、人物、事件、结果) and the ids of photos uploaded first."""
    number, body, who = await step_input(request)
    unit, form = own_unit(request), parse_reply_form(body)
    order = await desk_of(request).reply(number, unit, who, form)
    return order_written(request, order, Step.REPLY, who, unit=unit)


@routes.post(UNIT_ORDER + "/extension")
async def ask_extension(request: web.Request) -> web.Response:
    number, body, who = await step_input(request)
    unit, until = own_unit(request), field_moment(request, body, "until")
    reason = field_text(body, "reason")
    order = await desk_of(request).ask_extension(number, unit, who, until, reason)
    return order_written(
        request, order, Step.ASK_EXTENSION, who, unit=unit, until=until.isoformat()
    )


@routes.post("/api/orders/{number}/revisits")
async def place_revisit(request: web.Request) -> web.Response:
    """Ring the agent's seat; when the agent answers, the citizen is dialled and recorded.
    The call is linked to the attempt when Asterisk reports it placed."""
    number, body, _ = await step_input(request)
    centre = routing_centre(request)
    name = field_text(body, "seat", limit=40)
    if not SEAT_ID.match(name):
        raise InvalidParameter("seat: letters, digits, . _ - only, at most 40")
    seat = centre.board.find(name)
    if seat is None:
        raise NotFound(f"no seat {name}")
    who = actor(request, body)
    check_own_seat(signed_in(request), name, seat.agent)
    order = await read_order(request, number)
    if not order.caller_number:
        raise InvalidParameter(f"order {number} has no caller number to call back")
    server = order.server or seat.server
    leading(centre, server)
    if not seat.available:
        raise Conflict(f"seat {name} is not ready")
    revisit = await desk_of(request).start_revisit(number, agent=who, seat=name)
    try:
        centre.router.dial_order_callback(
            seat,
            server,
            order.caller_number,
            order.line,
            task=f"{REVISIT_TASK_PREFIX}{revisit.id}",
            order=number,
        )
    except SeatError as exc:
        raise Conflict(str(exc)) from exc
    audit(request, who, "order.revisit_call", f"order:{number}", seat=name, revisit=str(revisit.id))
    publish_order(request, number, order.status, "revisit_call")
    return web.json_response({"revisit": revisit.id, "seat": name}, status=202)


@routes.post("/api/orders/{number}/revisits/result")
async def revisit_result(request: web.Request) -> web.Response:
    """满意/基本满意 and resolved: closed; otherwise back to the unit (or another attempt)."""
    number, body, who = await step_input(request)
    result = field_choice(body, "result", REVISIT_RESULTS)
    order = await desk_of(request).record_revisit(
        number,
        who,
        result=result,
        resolved=field_flag(body, "resolved"),
        note=field_text(body, "note", required=False),
        revisit_id=field_id(body, "revisit"),
    )
    return order_written(request, order, Step.REVISIT, who, result=result)


@routes.post("/api/orders/{number}/attachments")
async def upload(request: web.Request) -> web.Response:
    """One ``file`` part (a photo, a PDF), uploaded by the signed-in user."""
    number = path_name(request, "number")
    if request.content_type != "multipart/form-data":
        raise InvalidParameter("body: multipart/form-data with one 'file' part")
    who, file = await _read_upload(request)
    if file is None:
        raise InvalidParameter("file: one 'file' part is required")
    name, content_type, data = file
    row = await desk_of(request).attach(
        number, who, request.app[SETTINGS].attachments_dir, name, content_type, data
    )
    audit(
        request, who, "order.attach", f"order:{number}", attachment=str(row.id), sha256=row.sha256
    )
    publish_order(request, number, (await read_order(request, number)).status, "attach")
    body = {"id": row.id, "name": row.name, "size": row.size, "sha256": row.sha256}
    return web.json_response(body, status=201)


Upload = tuple[str, str, bytes]


async def _read_upload(request: web.Request) -> tuple[str, Upload | None]:
    who, file = signed_in(request).user_id, None
    try:
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader):
                raise InvalidParameter("body: nested multipart is not accepted")
            if part.name == "file" and file is None:
                kind = part.headers.get(hdrs.CONTENT_TYPE, "").split(";")[0].strip()
                # clients percent-encode names (aiohttp, and browsers for '"' and new lines)
                name = unquote(part.filename or "")
                file = (name, kind, await _read_limited(part))
            else:
                raise InvalidParameter(f"body: unexpected part {part.name!r}")
    except (ValueError, HttpProcessingError) as exc:
        raise InvalidParameter(f"body: not a readable multipart/form-data ({exc})") from exc
    return who, file


async def _read_limited(part: BodyPartReader) -> bytes:
    data = bytearray()
    while chunk := await part.read_chunk(CHUNK_BYTES):
        data.extend(chunk)
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise FileTooLarge(f"file: at most {MAX_ATTACHMENT_BYTES // 1024 // 1024} MB")
    return bytes(data)
