"""Category trees per line: the defaults, lookups, and the configuration's errors."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tickets.categories import (
    DEFAULT_CATEGORIES,
    Category,
    CategoryTree,
    UnknownCategory,
    top_level_code,
)


def _exactly(message: str) -> str:
    return f"^{re.escape(message)}$"


def _codes(categories: tuple[Category, ...]) -> list[str]:
    return [c.code for c in categories]


def _config() -> dict[str, Any]:
    return {
        "12345": [
            {"code": "emergency", "label": "突发事件", "label_en": "Emergency", "urgent": True},
            {"code": "consultation", "label": "咨询", "label_en": "Consultation"},
            {
                "code": "utilities",
                "label": "基础保障",
                "label_en": "Utilities",
                "children": [
                    {"code": "utilities.water", "label": "供水", "label_en": "Water"},
                    {
                        "code": "utilities.gas",
                        "label": "燃气",
                        "label_en": "Gas",
                        "children": [
                            {"code": "utilities.gas.leak", "label": "漏气", "label_en": "Leak"}
                        ],
                    },
                ],
            },
        ]
    }


def test_the_default_tree_has_both_lines() -> None:
    assert DEFAULT_CATEGORIES.lines() == ("962121", "12345")


def test_the_default_962121_line_has_the_four_kinds_of_business() -> None:
    tops = DEFAULT_CATEGORIES.as_json()["962121"]
    assert [(c["code"], c["label"]) for c in tops] == [
        ("property_repair", "物业维修"),
        ("policy_consultation", "政策咨询"),
        ("service_complaint", "服务投诉"),
        ("major_incident", "重大事项报告"),
    ]
    assert [c["label"] for c in tops[0]["children"]] == ["水电维修", "公共设施", "电梯", "屋面渗漏"]


def test_only_emergencies_are_urgent_by_default() -> None:
    urgent = {
        (line, c["code"])
        for line, tops in DEFAULT_CATEGORIES.as_json().items()
        for c in tops
        if c["urgent"]
    }
    assert urgent == {("962121", "major_incident"), ("12345", "emergency")}


def test_a_child_is_found_by_its_code() -> None:
    gas = DEFAULT_CATEGORIES.find("12345", "utilities.gas")
    assert gas == Category("utilities.gas", "燃气", "Gas")


def test_find_returns_none_for_an_unknown_code_or_line() -> None:
    assert DEFAULT_CATEGORIES.find("12345", "utilities.oil") is None
    assert DEFAULT_CATEGORIES.find("110", "emergency") is None
    # codes are per line: the lift is a 962121 category only
    assert DEFAULT_CATEGORIES.find("12345", "property_repair.lift") is None


def test_the_path_runs_from_the_top_level_down() -> None:
    path = DEFAULT_CATEGORIES.path("962121", "property_repair.lift")
    assert _codes(path) == ["property_repair", "property_repair.lift"]
    assert [c.label for c in path] == ["物业维修", "电梯"]


def test_the_top_level_of_a_child_and_of_a_top_level_category() -> None:
    assert DEFAULT_CATEGORIES.top_level("12345", "utilities.water").label == "基础保障"
    assert DEFAULT_CATEGORIES.top_level("12345", "complaint").label == "投诉"


def test_a_node_with_children_may_be_required_too() -> None:
    assert DEFAULT_CATEGORIES.require_leaf_or_node("12345", "utilities").label == "基础保障"
    assert DEFAULT_CATEGORIES.require_leaf_or_node("12345", "utilities.heating").label == "供暖"


def test_requiring_an_unknown_code_names_the_line_and_the_known_codes() -> None:
    with pytest.raises(UnknownCategory) as caught:
        DEFAULT_CATEGORIES.require_leaf_or_node("12345", "utilities.oil")
    assert str(caught.value) == (
        "line 12345 has no category 'utilities.oil'; known: emergency, utilities, "
        "utilities.water, utilities.power, utilities.gas, utilities.heating, consultation, "
        "complaint, suggestion, help"
    )


def test_requiring_on_an_unknown_line_names_the_known_lines() -> None:
    with pytest.raises(UnknownCategory, match=r"known lines: 962121, 12345$"):
        DEFAULT_CATEGORIES.path("110", "emergency")


def test_an_unknown_category_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="no category 'x'"):
        DEFAULT_CATEGORIES.top_level("962121", "x")


def test_the_top_level_code_is_the_part_before_the_first_dot() -> None:
    assert top_level_code("utilities.gas.leak") == "utilities"
    assert top_level_code("complaint") == "complaint"


def test_a_configured_tree_reads_nested_children() -> None:
    tree = CategoryTree.from_config(_config())
    assert tree.lines() == ("12345",)
    path = tree.path("12345", "utilities.gas.leak")
    assert _codes(path) == ["utilities", "utilities.gas", "utilities.gas.leak"]
    assert tree.find("12345", "emergency") == Category("emergency", "突发事件", "Emergency", True)


def test_as_json_reads_back_into_the_same_tree() -> None:
    again = CategoryTree.from_config(DEFAULT_CATEGORIES.as_json())
    assert again.as_json() == DEFAULT_CATEGORIES.as_json()
    assert again.find("962121", "major_incident") == Category(
        "major_incident", "重大事项报告", "Major incident report", urgent=True
    )


def test_a_missing_label_is_reported_with_its_path() -> None:
    data = _config()
    del data["12345"][2]["children"][0]["label"]
    with pytest.raises(
        ValueError, match=_exactly("categories.12345[2].children[0]: missing label")
    ):
        CategoryTree.from_config(data)


def test_a_deep_error_is_reported_with_its_full_path() -> None:
    data = _config()
    data["12345"][2]["children"][1]["children"][0]["code"] = ""
    message = "categories.12345[2].children[1].children[0].code: must be non-empty text"
    with pytest.raises(ValueError, match=_exactly(message)):
        CategoryTree.from_config(data)


def test_urgent_must_be_a_boolean() -> None:
    data = _config()
    data["12345"][0]["urgent"] = "yes"
    with pytest.raises(
        ValueError, match=r"^categories\.12345\[0\]\.urgent: must be true or false$"
    ):
        CategoryTree.from_config(data)


def test_a_misspelt_key_is_refused() -> None:
    data = _config()
    data["12345"][1]["urgnet"] = True
    with pytest.raises(ValueError, match=r"^categories\.12345\[1\]: unknown key\(s\) urgnet$"):
        CategoryTree.from_config(data)


def test_a_line_must_hold_a_list() -> None:
    with pytest.raises(ValueError, match=r"^categories\.962121: must be a list of categories$"):
        CategoryTree.from_config({"962121": {"code": "x"}})


def test_a_child_code_must_extend_its_parents_code() -> None:
    misplaced = Category(
        "utilities", "基础保障", "Utilities", children=(Category("gas", "燃气", "Gas"),)
    )
    message = "line 12345, category 'gas': the code must start with 'utilities.'"
    with pytest.raises(ValueError, match=_exactly(message)):
        CategoryTree({"12345": [misplaced]})


def test_a_child_code_must_add_something_after_the_dot() -> None:
    empty_tail = Category(
        "utilities", "基础保障", "U", children=(Category("utilities.", "空", "E"),)
    )
    with pytest.raises(ValueError, match=re.escape("must start with 'utilities.'")):
        CategoryTree({"12345": [empty_tail]})


def test_a_code_used_twice_on_a_line_is_refused() -> None:
    twice = [
        Category("help", "求助", "Help"),
        Category("other", "其他", "Other", children=(Category("other.x", "x", "x"),)),
        Category("help", "求助二", "Help again"),
    ]
    with pytest.raises(ValueError, match=r"^line 12345, category 'help': the code is used twice$"):
        CategoryTree({"12345": twice})


def test_the_same_code_on_two_lines_is_allowed() -> None:
    tree = CategoryTree(
        {"12345": [Category("help", "求助", "Help")], "962121": [Category("help", "求助", "Help")]}
    )
    assert tree.find("962121", "help") is not None


def test_an_empty_label_is_refused_naming_the_code() -> None:
    with pytest.raises(ValueError, match=r"^line 962121, category 'lift': empty label$"):
        CategoryTree({"962121": [Category("lift", "  ", "Lift")]})


def test_a_top_level_code_may_not_contain_a_dot() -> None:
    with pytest.raises(ValueError, match=re.escape("a top-level code may not contain '.'")):
        CategoryTree({"12345": [Category("utilities.gas", "燃气", "Gas")]})
