"""The dispatch catalogue: configured units and the ranked unit suggestion for an order."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tickets.catalogue import DEMO_UNITS, UNIT_KINDS, Catalogue, Unit, UnknownUnit
from tickets.categories import DEFAULT_CATEGORIES

MEILONG_ADDRESS = "上海市闵行区梅陇镇xx路100弄3号"

MEILONG = Unit("town.meilong", "梅陇镇人民政府", "town", areas=("梅陇镇",))
XINZHUANG = Unit("town.xinzhuang", "莘庄镇人民政府", "town", areas=("莘庄镇",))
WATER = Unit("utility.water", "示例自来水公司", "utility", categories=("utilities.water",))
GAS = Unit("utility.gas", "示例燃气公司", "utility", categories=("utilities.gas",))
ALL_UTILITIES = Unit(
    "department.utilities", "公用事业管理署", "department", categories=("utilities",)
)


def _codes(catalogue: Catalogue, *args: Any, **kwargs: Any) -> list[str]:
    return [s.unit.code for s in catalogue.suggest(*args, **kwargs)]


def test_a_water_order_in_meilong_suggests_the_water_company_then_the_town() -> None:
    catalogue = Catalogue([XINZHUANG, GAS, MEILONG, WATER])
    suggestions = catalogue.suggest("12345", "utilities.water", MEILONG_ADDRESS)
    assert [(s.unit.code, s.score, s.reasons) for s in suggestions] == [
        ("utility.water", 1.0, ("分类匹配: 供水",)),
        # 梅陇镇 is three characters: 3 / (3 + 1)
        ("town.meilong", 0.75, ("区域匹配: 梅陇镇",)),
    ]


def test_an_exact_category_outranks_its_parent() -> None:
    catalogue = Catalogue([ALL_UTILITIES, WATER])
    suggestions = catalogue.suggest("12345", "utilities.water", None)
    assert [(s.unit.code, s.score, s.reasons) for s in suggestions] == [
        ("utility.water", 1.0, ("分类匹配: 供水",)),
        ("department.utilities", 0.5, ("分类匹配: 基础保障",)),
    ]


def test_a_unit_listing_both_parent_and_child_is_scored_on_the_child() -> None:
    both = Unit(
        "utility.multi", "综合公用事业", "utility", categories=("utilities", "utilities.gas")
    )
    [suggestion] = Catalogue([both]).suggest("12345", "utilities.gas", "")
    assert (suggestion.score, suggestion.reasons) == (1.0, ("分类匹配: 燃气",))


def test_a_longer_area_name_is_more_specific() -> None:
    estate = Unit("property.jinmei", "锦梅物业", "property", areas=("梅陇镇锦梅苑",))
    catalogue = Catalogue([MEILONG, estate])
    suggestions = catalogue.suggest("962121", None, "闵行区梅陇镇锦梅苑12号")
    # six characters: 6 / 7 = 0.8571; three: 0.75
    assert [(s.unit.code, s.score) for s in suggestions] == [
        ("property.jinmei", 0.8571),
        ("town.meilong", 0.75),
    ]


def test_the_longest_of_a_units_areas_found_counts() -> None:
    estate = Unit("property.jinmei", "锦梅物业", "property", areas=("锦梅", "锦梅苑二期"))
    [suggestion] = Catalogue([estate]).suggest("962121", None, "梅陇镇锦梅苑二期5号")
    assert (suggestion.score, suggestion.reasons) == (0.8333, ("区域匹配: 锦梅苑二期",))


def test_matching_both_category_and_area_ranks_first() -> None:
    estate_repairs = Unit(
        "property.jinmei",
        "锦梅物业",
        "property",
        categories=("property_repair",),
        areas=("锦梅苑",),
    )
    lifts = Unit("property.lifts", "电梯维保公司", "property", categories=("property_repair.lift",))
    catalogue = Catalogue([lifts, estate_repairs])
    suggestions = catalogue.suggest("962121", "property_repair.lift", "梅陇镇锦梅苑12号")
    assert [(s.unit.code, s.score, s.reasons) for s in suggestions] == [
        # parent category 0.5 + area 0.75 + 1 for matching both
        ("property.jinmei", 2.25, ("分类匹配: 物业维修", "区域匹配: 锦梅苑")),
        ("property.lifts", 1.0, ("分类匹配: 电梯",)),
    ]


def test_an_inactive_unit_is_never_suggested() -> None:
    closed = Unit(
        "utility.water", "旧自来水公司", "utility", categories=("utilities.water",), active=False
    )
    catalogue = Catalogue([closed, MEILONG])
    assert _codes(catalogue, "12345", "utilities.water", MEILONG_ADDRESS) == ["town.meilong"]


def test_a_unit_of_another_line_is_not_suggested() -> None:
    repairs = Unit("property.x", "某物业", "property", lines=("962121",), areas=("梅陇镇",))
    catalogue = Catalogue([repairs])
    assert _codes(catalogue, "12345", None, MEILONG_ADDRESS) == []
    assert _codes(catalogue, "962121", None, MEILONG_ADDRESS) == ["property.x"]


def test_units_matching_nothing_are_not_suggested() -> None:
    catalogue = Catalogue([XINZHUANG, GAS])
    assert catalogue.suggest("12345", "utilities.water", MEILONG_ADDRESS) == []
    assert catalogue.suggest("12345", None, None) == []


def test_a_category_sharing_only_a_prefix_is_not_covered() -> None:
    # "utilities" covers "utilities.gas" but "util" covers neither
    prefix = Unit("department.util", "某部门", "department", categories=("util",))
    assert Catalogue([prefix]).suggest("12345", "utilities.gas", None) == []


def test_ties_are_broken_by_unit_code() -> None:
    second = Unit("street.b", "乙街道", "street", areas=("梅陇镇",))
    first = Unit("street.a", "甲街道", "street", areas=("梅陇镇",))
    assert _codes(Catalogue([second, first]), "12345", None, MEILONG_ADDRESS) == [
        "street.a",
        "street.b",
    ]


def test_the_address_is_matched_after_normalisation() -> None:
    estate = Unit("property.a", "某物业", "property", areas=("景城2期",))
    suggestions = Catalogue([estate]).suggest("962121", None, "上海市 景城２期 3号")
    assert [(s.unit.code, s.reasons) for s in suggestions] == [
        ("property.a", ("区域匹配: 景城2期",))
    ]


def test_limit_keeps_the_best() -> None:
    units = [Unit(f"street.{n}", f"街道{n}", "street", areas=("梅陇镇",)) for n in range(7)]
    assert _codes(Catalogue(units), "12345", None, MEILONG_ADDRESS, limit=2) == [
        "street.0",
        "street.1",
    ]
    assert len(Catalogue(units).suggest("12345", None, MEILONG_ADDRESS)) == 5


def test_an_unknown_category_code_is_shown_as_the_code() -> None:
    odd = Unit("department.x", "某部门", "department", categories=("noise",))
    [suggestion] = Catalogue([odd]).suggest("12345", "noise.night", None)
    assert suggestion.reasons == ("分类匹配: noise",)


def test_get_and_require() -> None:
    catalogue = Catalogue([WATER])
    assert catalogue.get("utility.water") == WATER
    assert catalogue.get("utility.gas") is None
    assert catalogue.require("utility.water") == WATER
    with pytest.raises(UnknownUnit, match=r"^no unit 'utility\.gas' in the dispatch catalogue$"):
        catalogue.require("utility.gas")


def test_units_keep_their_order() -> None:
    assert Catalogue([WATER, MEILONG, GAS]).units() == (WATER, MEILONG, GAS)


def test_a_unit_code_used_twice_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^unit 'utility\.water': the code is used twice$"):
        Catalogue([WATER, WATER])


def test_an_unknown_kind_is_refused() -> None:
    school = Unit("school.1", "某学校", "school")
    message = (
        "unit 'school.1': unknown kind 'school'; "
        "known: street, town, community, property, utility, department"
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        Catalogue([school])


def test_the_configuration_is_read_into_units() -> None:
    catalogue = Catalogue.from_config(
        [
            {"code": "town.meilong", "name": "梅陇镇人民政府", "kind": "town", "areas": ["梅陇镇"]},
            {
                "code": "utility.water",
                "name": "示例自来水公司",
                "kind": "utility",
                "phone": "021-00000000",
                "lines": ["12345"],
                "categories": ["utilities.water"],
                "active": False,
            },
        ]
    )
    assert catalogue.units() == (
        MEILONG,
        Unit(
            "utility.water",
            "示例自来水公司",
            "utility",
            phone="021-00000000",
            lines=("12345",),
            categories=("utilities.water",),
            active=False,
        ),
    )


_GOOD = {"code": "town.meilong", "name": "梅陇镇人民政府", "kind": "town"}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": None}, "units[1]: missing name"),
        ({"kind": "school"}, "units[1].kind: unknown kind 'school'"),
        ({"areas": "梅陇镇"}, "units[1].areas: must be a list"),
        ({"lines": [12345]}, "units[1].lines: must be a list"),
        ({"active": "no"}, "units[1].active: must be true or false"),
        ({"code": " "}, "units[1].code: must be non-empty text"),
        ({"area": []}, "units[1]: unknown key(s) area"),
        ({"code": "town.meilong"}, "units[1].code: 'town.meilong' is used twice (also units[0])"),
    ],
)
def test_configuration_errors_name_the_index_and_the_field(
    changes: dict[str, Any], message: str
) -> None:
    entry = {"code": "street.a", "name": "甲街道", "kind": "street", **changes}
    entry = {key: value for key, value in entry.items() if value is not None}
    with pytest.raises(ValueError, match=f"^{re.escape(message)}"):
        Catalogue.from_config([_GOOD, entry])


def test_the_demo_catalogue_suggests_the_town_and_the_water_company_for_a_water_order() -> None:
    suggestions = DEMO_UNITS.suggest("12345", "utilities.water", MEILONG_ADDRESS)
    assert [s.unit.name for s in suggestions] == ["闵城自来水有限公司", "梅陇镇人民政府"]


def test_the_demo_catalogue_names_only_known_categories_and_kinds() -> None:
    known = {code for line in DEFAULT_CATEGORIES.lines() for code in _all_codes(line)}
    for unit in DEMO_UNITS.units():
        assert set(unit.categories) <= known, unit.code
        assert unit.kind in UNIT_KINDS
    assert {u.kind for u in DEMO_UNITS.units()} >= {
        "street",
        "town",
        "property",
        "utility",
        "department",
    }


def _all_codes(line: str) -> set[str]:
    def walk(nodes: list[dict[str, Any]]) -> set[str]:
        return {n["code"] for n in nodes} | {c for n in nodes for c in walk(n["children"])}

    return walk(DEFAULT_CATEGORIES.as_json()[line])


def test_a_complaint_in_meilong_goes_to_meilong_and_not_to_the_other_towns() -> None:
    found = DEMO_UNITS.suggest("12345", "complaint", "上海市闵行区梅陇镇莲花南路1500号")
    assert [s.unit.code for s in found] == ["town.meilong"]


def test_without_an_address_every_unit_of_the_category_is_offered() -> None:
    found = DEMO_UNITS.suggest("12345", "complaint", "")
    assert [s.unit.code for s in found] == [
        "street.gumei",
        "street.jiangchuan",
        "town.meilong",
        "town.xinzhuang",
    ]
