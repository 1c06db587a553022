"""Evaluation forms: the default form's shape and the checks on a configured form."""

from __future__ import annotations

from typing import Any

import pytest

from qa.forms import DEFAULT_FORM, FormError, parse_form


def _form(**item: Any) -> dict[str, Any]:
    base = {"code": "greeting", "label": "问候", "weight": 10}
    return {
        "name": "short",
        "title": "简表",
        "sections": [
            {"code": "a", "label": "甲", "items": [{"code": "x", "label": "X", "weight": 5}]},
            {"code": "b", "label": "乙", "items": [{**base, **item}]},
        ],
    }


def test_the_default_form_weighs_100_points_with_15_for_work_order_quality() -> None:
    assert DEFAULT_FORM.total == 100
    order = DEFAULT_FORM.section("order")
    assert order is not None
    assert order.label == "工单质量"
    assert order.weight == 15
    assert [s.label for s in DEFAULT_FORM.sections] == [
        "开场与结束语",
        "服务态度",
        "业务知识",
        "工单质量",
        "派单准确",
        "保密",
    ]


def test_the_default_form_has_the_three_red_lines_of_the_contracts() -> None:
    red = {item.code: item.label for item in DEFAULT_FORM.items() if item.red_line}
    assert red == {"shirking": "推诿", "quarrel": "与市民争吵", "leak": "泄露来电人信息"}


def test_a_form_survives_a_round_trip_through_json() -> None:
    assert parse_form(DEFAULT_FORM.as_json()) == DEFAULT_FORM


def test_a_parsed_item_keeps_its_settings() -> None:
    form = parse_form(_form(allow_na=False, hint="报工号"))
    item = form.item("greeting")
    assert item is not None
    assert (item.weight, item.allow_na, item.red_line, item.hint) == (10.0, False, False, "报工号")
    assert form.item("nothing") is None


def test_a_zero_weight_names_the_item_path() -> None:
    with pytest.raises(FormError, match=r"^sections\[1\]\.items\[0\]\.weight: must be > 0"):
        parse_form(_form(weight=0))


def test_a_red_line_item_may_weigh_nothing() -> None:
    item = parse_form(_form(weight=0, red_line=True)).item("greeting")
    assert item is not None
    assert item.red_line
    assert item.weight == 0


def test_a_negative_or_textual_weight_is_refused() -> None:
    with pytest.raises(FormError, match=r"sections\[1\]\.items\[0\]\.weight"):
        parse_form(_form(weight=-1, red_line=True))
    with pytest.raises(FormError, match=r"sections\[1\]\.items\[0\]\.weight: must be a number"):
        parse_form(_form(weight="10"))


def test_an_item_code_used_twice_is_refused() -> None:
    with pytest.raises(FormError, match=r"sections\[1\]\.items\[0\]\.code: 'x' is used twice"):
        parse_form(_form(code="x"))


def test_a_section_without_items_is_refused() -> None:
    data = _form()
    data["sections"][0]["items"] = []
    with pytest.raises(FormError, match=r"sections\[0\]\.items: must be a non-empty list"):
        parse_form(data)


def test_a_form_of_red_lines_only_is_refused() -> None:
    data = {
        "name": "n",
        "title": "t",
        "sections": [
            {"code": "s", "label": "S", "items": [{"code": "r", "label": "R", "red_line": True}]}
        ],
    }
    with pytest.raises(FormError, match="at least one item must carry a weight"):
        parse_form(data)


def test_a_flag_must_be_true_or_false() -> None:
    with pytest.raises(FormError, match=r"sections\[1\]\.items\[0\]\.allow_na"):
        parse_form(_form(allow_na="yes"))
