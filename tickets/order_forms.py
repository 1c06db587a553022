"""What people type into a work order, checked field by field before any step runs.

Each ``parse_*`` takes the JSON object a page or an integration sent and returns a
frozen form, or raises InvalidOrder naming the field and what is wrong with it, so
that a bad form changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tickets.categories import CategoryTree
from tickets.errors import InvalidOrder

CHANNELS = {
    "phone": "电话",
    "sms": "短信",
    "web": "网站",
    "wechat": "微信小程序",
    "app": "APP",
    "platform": "市/区平台",
}
URGENCIES = {"normal": "一般", "urgent": "紧急"}
NOT_COUNTED_REASONS = {
    "same_person_same_complaint": "同人同诉",
    "litigation": "涉法涉诉",
    "against_policy": "不符合政策",
    "unreasonable": "不合理诉求",
}
REVISIT_RESULTS = {
    "satisfied": "满意",
    "basically_satisfied": "基本满意",
    "unsatisfied": "不满意",
    "unreachable": "无法联系",
}
MAX_TEXT = 4000


@dataclass(frozen=True, slots=True)
class OrderForm:
    category: str
    content: str
    address: str = ""
    urgency: str = "normal"
    confidential: bool = False
    caller_name: str = ""


@dataclass(frozen=True, slots=True)
class ReplyForm:
    """The platform's five required elements (时间、地点、人物、事件、结果)."""

    handled_at: str
    place: str
    person: str
    matter: str
    result: str
    resolved: bool
    attachments: tuple[int, ...] = ()


def text(
    data: Mapping[str, Any], name: str, *, required: bool = True, limit: int = MAX_TEXT
) -> str:
    value = data.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidOrder(f"{name}: must be text")
    value = value.strip()
    if required and not value:
        raise InvalidOrder(f"{name}: required")
    if len(value) > limit or "\x00" in value:
        raise InvalidOrder(f"{name}: at most {limit} characters, no NUL")
    return value


def flag(data: Mapping[str, Any], name: str, default: bool = False) -> bool:
    value = data.get(name, default)
    if not isinstance(value, bool):
        raise InvalidOrder(f"{name}: must be true or false")
    return value


def one_of(
    data: Mapping[str, Any], name: str, allowed: Mapping[str, str], default: str | None = None
) -> str:
    value = data.get(name, default)
    if not isinstance(value, str) or value not in allowed:
        raise InvalidOrder(f"{name}: {value!r} is not one of {sorted(allowed)}")
    return str(value)


def parse_order_form(data: Mapping[str, Any], line: str, categories: CategoryTree) -> OrderForm:
    category_code = text(data, "category", limit=200)
    try:
        category = categories.require_leaf_or_node(line, category_code)
    except ValueError as exc:
        raise InvalidOrder(f"category: {exc}") from exc
    default_urgency = "urgent" if category.urgent else "normal"
    return OrderForm(
        category=category.code,
        content=text(data, "content"),
        address=text(data, "address", required=False, limit=500),
        urgency=one_of(data, "urgency", URGENCIES, default_urgency),
        confidential=flag(data, "confidential"),
        caller_name=text(data, "caller_name", required=False, limit=100),
    )


def parse_reply_form(data: Mapping[str, Any]) -> ReplyForm:
    attachments = data.get("attachments", [])
    if not isinstance(attachments, list) or not all(
        isinstance(item, int) and not isinstance(item, bool) for item in attachments
    ):
        raise InvalidOrder("attachments: must be a list of attachment ids")
    return ReplyForm(
        handled_at=text(data, "handled_at", limit=100),
        place=text(data, "place", limit=500),
        person=text(data, "person", limit=500),
        matter=text(data, "matter"),
        result=text(data, "result"),
        resolved=flag(data, "resolved", True),
        attachments=tuple(attachments),
    )
