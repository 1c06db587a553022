"""Reading work-order requests and answering them: order numbers and unit codes in paths,
the typed fields of a step's body, and what every write does once its step is stored
(audit it, publish it on the hub, answer with the order's summary)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from aiohttp import web
from sqlalchemy import select

from tickets.categories import CategoryTree
from tickets.handling import OrderHandling
from tickets.models import WorkOrderRow
from tickets.order_forms import MAX_TEXT, URGENCIES, OrderForm, parse_order_form
from tickets.order_forms import text as form_text
from tickets.order_models import OrderAssignmentRow
from tickets.order_steps import load_order
from tickets.order_views import order_summary
from tickets.records import AuditEntry
from web.access import acts_for_unit
from web.auth import signed_in
from web.errors import ApiError, Forbidden, InvalidParameter
from web.keys import CENTRE, CLOCK, HUB, ORDERS, SESSIONS, SETTINGS, WRITER
from web.requests import actor, client_address, json_object, moment

# order numbers (12345-20261123-K3J9QX2M, 12345-20261123-W0000042) and unit codes
PATH_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,60}$")
ATTACHMENT_ID = re.compile(r"^[0-9]{1,18}$")
CALLER_NUMBER = re.compile(r"^\+?[0-9]{3,20}$")


class FileTooLarge(ApiError):
    status = 413
    error_id = "file-too-large"


def path_name(request: web.Request, key: str) -> str:
    value = request.match_info[key]
    if not PATH_NAME.match(value):
        raise InvalidParameter(f"{key}: letters, digits, - _ . only, at most 60")
    return value


def desk_of(request: web.Request) -> OrderHandling:
    return request.app[ORDERS]


async def step_input(request: web.Request) -> tuple[str, dict[str, Any], str]:
    """The order number of the path, the JSON body and who asks."""
    number = path_name(request, "number")
    body = await json_object(request)
    return number, body, actor(request, body)


def field_text(
    body: dict[str, Any], name: str, *, required: bool = True, limit: int = MAX_TEXT
) -> str:
    return form_text(body, name, required=required, limit=limit)


def field_choice(body: dict[str, Any], name: str, allowed: Mapping[str, str]) -> str:
    value = body.get(name)
    if not isinstance(value, str) or value not in allowed:
        raise InvalidParameter(f"{name}: {value!r} is not one of {sorted(allowed)}")
    return value


def order_form(body: dict[str, Any], line: str, categories: CategoryTree) -> OrderForm:
    """The order form's fields; a choice that is not text is refused here, before it
    reaches a lookup."""
    urgency = body.get("urgency")
    if urgency is not None and not isinstance(urgency, str):
        raise InvalidParameter(f"urgency: one of {sorted(URGENCIES)}")
    return parse_order_form(body, line, categories)


def field_flag(body: dict[str, Any], name: str) -> bool:
    value = body.get(name)
    if not isinstance(value, bool):
        raise InvalidParameter(f"{name}: required, true or false")
    return value


def field_codes(body: dict[str, Any], name: str) -> tuple[str, ...]:
    value = body.get(name, [])
    if not isinstance(value, list) or not all(
        isinstance(code, str) and PATH_NAME.match(code) for code in value
    ):
        raise InvalidParameter(f"{name}: a list of unit codes (letters, digits, - _ .)")
    return tuple(value)


def field_code(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not PATH_NAME.match(value):
        raise InvalidParameter(f"{name}: required, letters, digits, - _ . only, at most 60")
    return value


def field_id(body: dict[str, Any], name: str) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidParameter(f"{name}: a whole number id")
    return value


def field_moment(request: web.Request, body: dict[str, Any], name: str) -> datetime:
    """An ISO date-time, or a date meaning the end of that day, in the service's zone."""
    raw = field_text(body, name, limit=40)
    return moment(name, raw, request.app[SETTINGS].zone, True)


async def read_order(request: web.Request, number: str) -> WorkOrderRow:
    async with request.app[SESSIONS]() as session:
        return await load_order(session, number)


def audit(request: web.Request, who: str, action: str, target: str, **details: str) -> None:
    """Every write is in the audit log; a web-only instance writes the entry itself."""
    centre = request.app.get(CENTRE)
    if centre is not None:
        centre.audit(who, action, target, client_address(request), **details)
        return
    entry = AuditEntry.new(
        request.app[CLOCK].now(), who, action, target, client_address(request), details
    )
    request.app[WRITER].submit_audit(entry)


def publish_order(request: web.Request, number: str, status: str, step: str) -> None:
    request.app[HUB].publish({"type": "order", "number": number, "status": status, "step": step})


def summary_response(request: web.Request, order: WorkOrderRow, status: int = 200) -> web.Response:
    desk = desk_of(request)
    return web.json_response(
        order_summary(order, desk.rules, desk.now(), reveal=False), status=status
    )


def order_written(
    request: web.Request,
    order: WorkOrderRow,
    step: str,
    who: str,
    *,
    status: int = 200,
    **details: str,
) -> web.Response:
    """After a stored step: audited, published, answered with the order's summary."""
    audit(request, who, f"order.{step}", f"order:{order.number}", **details)
    publish_order(request, order.number, order.status, step)
    return summary_response(request, order, status)


def own_unit(request: web.Request) -> str:
    """The unit of the path, which a unit's handler must belong to."""
    code = path_name(request, "code")
    user = signed_in(request)
    if not acts_for_unit(user, code):
        raise Forbidden(f"{user.user_id} acts for unit {user.unit}, not {code}")
    return code


async def unit_may_see(request: web.Request, order_id: int) -> None:
    """A unit's handler sees the files of orders sent to their unit, and no others."""
    user = signed_in(request)
    if user.unit is None:
        return
    async with request.app[SESSIONS]() as session:
        sent = await session.scalar(
            select(OrderAssignmentRow.id).where(
                OrderAssignmentRow.order_id == order_id, OrderAssignmentRow.unit == user.unit
            )
        )
    if sent is None:
        raise Forbidden(f"this order was not sent to unit {user.unit}")
