"""Evaluation forms (质检评分表): sections of items with weights, N/A per item and red-line
items, checked from JSON or TOML; the default form drawn from the service contracts;
versions of a form stored in ``qa_forms``.

A red-line item (红线) fails the whole call when it is marked failed, whatever the other
items score; it may carry no weight of its own (weight 0).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from qa.models import QaFormRow
from tickets.errors import DomainError

DEFAULT_FORM_NAME = "standard"


@dataclass(frozen=True)
class FormItem:
    code: str
    label: str
    weight: float  # the points the item is worth
    allow_na: bool = True  # may be marked not applicable (不适用)
    red_line: bool = False
    hint: str = ""


@dataclass(frozen=True)
class FormSection:
    code: str
    label: str
    items: tuple[FormItem, ...]

    @property
    def weight(self) -> float:
        return sum(item.weight for item in self.items)


@dataclass(frozen=True)
class EvaluationForm:
    name: str
    title: str
    sections: tuple[FormSection, ...]

    def items(self) -> tuple[FormItem, ...]:
        return tuple(item for section in self.sections for item in section.items)

    def item(self, code: str) -> FormItem | None:
        return next((item for item in self.items() if item.code == code), None)

    def section(self, code: str) -> FormSection | None:
        return next((section for section in self.sections if section.code == code), None)

    @property
    def total(self) -> float:
        return sum(item.weight for item in self.items())

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "sections": [
                {
                    "code": section.code,
                    "label": section.label,
                    "items": [
                        {
                            "code": item.code,
                            "label": item.label,
                            "weight": item.weight,
                            "allow_na": item.allow_na,
                            "red_line": item.red_line,
                            "hint": item.hint,
                        }
                        for item in section.items
                    ],
                }
                for section in self.sections
            ],
        }


class FormError(DomainError):
    """A form definition that cannot be used; the message starts with the path at fault."""

    error_id = "invalid-parameter"

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path


def parse_form(data: Mapping[str, Any]) -> EvaluationForm:
    """The form described by ``data`` (the shape ``EvaluationForm.as_json`` gives)."""
    if not isinstance(data, Mapping):
        raise FormError("form", "must be an object")
    name = _text(data, "name", "name")
    title = _text(data, "title", "title")
    sections = data.get("sections")
    if not isinstance(sections, list) or not sections:
        raise FormError("sections", "must be a non-empty list")
    parsed = tuple(_section(section, f"sections[{i}]") for i, section in enumerate(sections))
    _check_unique(parsed)
    form = EvaluationForm(name, title, parsed)
    if form.total <= 0:
        raise FormError("sections", "at least one item must carry a weight")
    return form


def _section(data: Any, path: str) -> FormSection:
    if not isinstance(data, Mapping):
        raise FormError(path, "must be an object")
    items = data.get("items")
    if not isinstance(items, list) or not items:
        raise FormError(f"{path}.items", "must be a non-empty list")
    return FormSection(
        code=_text(data, "code", f"{path}.code"),
        label=_text(data, "label", f"{path}.label"),
        items=tuple(_item(item, f"{path}.items[{i}]") for i, item in enumerate(items)),
    )


def _item(data: Any, path: str) -> FormItem:
    if not isinstance(data, Mapping):
        raise FormError(path, "must be an object")
    red_line = _flag(data, "red_line", False, path)
    weight = data.get("weight", 0 if red_line else None)
    if isinstance(weight, bool) or not isinstance(weight, int | float) or math.isnan(weight):
        raise FormError(f"{path}.weight", "must be a number")
    if weight < 0 or (weight == 0 and not red_line) or math.isinf(weight):
        raise FormError(f"{path}.weight", "must be > 0" + (" (or 0)" if red_line else ""))
    hint = data.get("hint", "")
    if not isinstance(hint, str):
        raise FormError(f"{path}.hint", "must be text")
    return FormItem(
        code=_text(data, "code", f"{path}.code"),
        label=_text(data, "label", f"{path}.label"),
        weight=float(weight),
        allow_na=_flag(data, "allow_na", True, path),
        red_line=red_line,
        hint=hint,
    )


def _text(data: Mapping[str, Any], key: str, path: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise FormError(path, "must be non-empty text")
    return value.strip()


def _flag(data: Mapping[str, Any], key: str, default: bool, path: str) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise FormError(f"{path}.{key}", "must be true or false")
    return value


def _check_unique(sections: tuple[FormSection, ...]) -> None:
    seen_sections: set[str] = set()
    seen_items: set[str] = set()
    for i, section in enumerate(sections):
        if section.code in seen_sections:
            raise FormError(f"sections[{i}].code", f"{section.code!r} is used twice")
        seen_sections.add(section.code)
        for j, item in enumerate(section.items):
            if item.code in seen_items:
                raise FormError(f"sections[{i}].items[{j}].code", f"{item.code!r} is used twice")
            seen_items.add(item.code)


def _i(code: str, label: str, weight: float, hint: str, *, allow_na: bool = True) -> FormItem:
    return FormItem(code, label, weight, allow_na=allow_na, hint=hint)


def _red(code: str, label: str, hint: str) -> FormItem:
    return FormItem(code, label, 0.0, allow_na=False, red_line=True, hint=hint)


# The contracts score work-order quality (complete, fluent, standard, correctly
# classified) as 15 of 100 points: the 工单质量 section carries exactly 15.
WORK_ORDER_SECTION = "order"
DEFAULT_FORM = EvaluationForm(
    name=DEFAULT_FORM_NAME,
    title="12345/962121 话务质检标准表",
    sections=(
        FormSection(
            "opening",
            "开场与结束语",
            (
                _i("greeting", "规范开场问候", 5, "报工号、使用标准问候语", allow_na=False),
                _i("closing", "规范结束语", 5, "确认诉求、礼貌道别、提示满意度评价"),
            ),
        ),
        FormSection(
            "attitude",
            "服务态度",
            (
                _i("courtesy", "语气亲切、用语礼貌", 10, "", allow_na=False),
                _i("patience", "耐心倾听、不打断来电人", 10, ""),
                _red("shirking", "推诿", "以各种理由拒绝受理或推给其他部门"),
                _red("quarrel", "与市民争吵", "顶撞、讽刺、与来电人争吵"),
            ),
        ),
        FormSection(
            "knowledge",
            "业务知识",
            (
                _i("knowledge", "政策与业务熟悉", 10, "能准确理解诉求、熟悉办理流程"),
                _i("accuracy", "答复准确", 15, "解答内容正确、无误导"),
            ),
        ),
        FormSection(
            WORK_ORDER_SECTION,
            "工单质量",
            (
                _i("completeness", "要素完整", 6, "人物、地点、事件、诉求记录齐全"),
                _i("fluency", "语句通顺", 3, ""),
                _i("wording", "用语规范", 3, "使用规范书面用语"),
                _i("classification", "分类正确", 3, "诉求类别、紧急程度选择正确"),
            ),
        ),
        FormSection(
            "dispatch",
            "派单准确",
            (_i("dispatch", "派单准确", 20, "承办单位选择正确，未被退回为错派"),),
        ),
        FormSection(
            "confidentiality",
            "保密",
            (
                _i("privacy", "来电人信息保护规范", 10, "按保密要求处理来电人信息"),
                _red("leak", "泄露来电人信息", "向被反映方或无关人员透露来电人身份"),
            ),
        ),
    ),
)


def form_of(row: QaFormRow) -> EvaluationForm:
    """The form a stored version defines."""
    return parse_form(row.definition)


async def ensure_default_form(session: AsyncSession, now: datetime | None = None) -> QaFormRow:
    """The form new reviews start from: version 1 of the default form is stored when no
    form exists yet; otherwise the newest active version of the default form (or of
    any form, when the default one was retired)."""
    newest = await session.scalar(
        select(QaFormRow)
        .where(QaFormRow.active)
        .order_by((QaFormRow.name == DEFAULT_FORM_NAME).desc(), QaFormRow.version.desc())
        .limit(1)
    )
    if newest is not None:
        return newest
    anything = await session.scalar(select(QaFormRow).order_by(QaFormRow.id.desc()).limit(1))
    if anything is not None:
        return anything
    return await save_form_version(session, DEFAULT_FORM, "system", now or datetime.now(UTC))


async def save_form_version(
    session: AsyncSession, form: EvaluationForm, actor: str, now: datetime
) -> QaFormRow:
    """A new version of ``form.name`` (the highest so far + 1); older versions of the
    name stay for the reviews made with them but are no longer offered."""
    last = await session.scalar(
        select(func.max(QaFormRow.version)).where(QaFormRow.name == form.name)
    )
    for older in await session.scalars(
        select(QaFormRow).where(QaFormRow.name == form.name, QaFormRow.active)
    ):
        older.active = False
    row = QaFormRow(
        name=form.name,
        version=(last or 0) + 1,
        title=form.title,
        definition=form.as_json(),
        active=True,
        created_at=now,
        created_by=actor,
    )
    session.add(row)
    await session.flush()
    return row


async def active_forms(session: AsyncSession) -> list[QaFormRow]:
    """The form versions offered for new reviews, by name."""
    rows = await session.scalars(
        select(QaFormRow).where(QaFormRow.active).order_by(QaFormRow.name, QaFormRow.version)
    )
    return list(rows)
