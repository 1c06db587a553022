"""The dispatch catalogue (派单目录): the responsible units (承办单位) orders are sent to, and
the ranked suggestion of units for an order from its line, category and address.

A suggestion is only a proposal to the dispatcher: a wrongly assigned order that the
unit returns counts against dispatch accuracy (派单准确率 ≥ 98%).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tickets.categories import DEFAULT_CATEGORIES, CategoryTree
from tickets.duplicates import normalise_address

UNIT_KINDS: dict[str, str] = {
    "street": "街道",
    "town": "镇",
    "community": "村居/社区",
    "property": "物业公司",
    "utility": "公用事业",
    "department": "职能部门",
}
# A unit matching both the category and the area outranks every unit matching one of them:
# a single match scores at most 1.
_BOTH_MATCH_BONUS = 1.0


@dataclass(frozen=True, slots=True)
class Unit:
    code: str
    name: str
    kind: str  # a key of UNIT_KINDS
    phone: str = ""
    lines: tuple[str, ...] = ()  # the lines it serves; empty: all
    categories: tuple[str, ...] = ()  # a code covers its children: "utilities" ⊃ "utilities.gas"
    areas: tuple[str, ...] = ()  # 街道/镇/小区 names looked for in the order's address
    active: bool = True


@dataclass(frozen=True, slots=True)
class Suggestion:
    unit: Unit
    score: float
    reasons: tuple[str, ...]  # zh-CN, e.g. ("分类匹配: 供水", "区域匹配: 梅陇镇")


class UnknownUnit(ValueError):
    pass


class Catalogue:
    """The units, by code; ``categories`` only gives the labels shown in reasons."""

    def __init__(
        self, units: Iterable[Unit], *, categories: CategoryTree = DEFAULT_CATEGORIES
    ) -> None:
        self._units: dict[str, Unit] = {}
        self._categories = categories
        for unit in units:
            _check_unit(unit)
            if unit.code in self._units:
                raise ValueError(f"unit {unit.code!r}: the code is used twice")
            self._units[unit.code] = unit

    @classmethod
    def from_config(
        cls,
        data: Sequence[Mapping[str, Any]],
        *,
        categories: CategoryTree = DEFAULT_CATEGORIES,
    ) -> Catalogue:
        """From the ``[[units]]`` array of the TOML configuration."""
        if not isinstance(data, Sequence) or isinstance(data, str):
            raise ValueError("units: must be a list of units")
        seen: dict[str, int] = {}
        units: list[Unit] = []
        for i, entry in enumerate(data):
            unit = _unit_from_config(entry, f"units[{i}]")
            if unit.code in seen:
                raise ValueError(
                    f"units[{i}].code: {unit.code!r} is used twice (also units[{seen[unit.code]}])"
                )
            seen[unit.code] = i
            units.append(unit)
        return cls(units, categories=categories)

    def get(self, code: str) -> Unit | None:
        return self._units.get(code)

    def require(self, code: str) -> Unit:
        unit = self._units.get(code)
        if unit is None:
            raise UnknownUnit(f"no unit {code!r} in the dispatch catalogue")
        return unit

    def units(self) -> tuple[Unit, ...]:
        return tuple(self._units.values())

    def suggest(
        self, line: str, category: str | None, address: str | None, *, limit: int = 5
    ) -> list[Suggestion]:
        """Active units of the line that cover the category or whose area is in the address,
        best first. A unit with areas (街道, 镇, 物业) is suggested only for an address in one of
        them (or when the order has no address). Both matches before one; an exact category
        before a parent category; a longer (more specific) area name before a shorter one;
        then by code."""
        if limit < 1:
            raise ValueError("limit must be at least 1")
        place = normalise_address(address or "")
        found: list[Suggestion] = []
        for unit in self._units.values():
            if not unit.active or (unit.lines and line not in unit.lines):
                continue
            suggestion = self._score(unit, line, category, place)
            if suggestion is not None:
                found.append(suggestion)
        found.sort(key=lambda s: (-s.score, s.unit.code))
        return found[:limit]

    def _score(self, unit: Unit, line: str, category: str | None, place: str) -> Suggestion | None:
        reasons: list[str] = []
        score = 0.0
        covering = _covering_code(unit.categories, category)
        if covering is not None and category is not None:
            score += _category_score(covering, category)
            found = self._categories.find(line, covering)
            reasons.append(f"分类匹配: {covering if found is None else found.label}")
        area = _area_in(unit.areas, place)
        if unit.areas and place and area is None:
            return None  # a territorial unit (属地) of another area: never the one to send to
        if area is not None:
            score += _area_score(area)
            reasons.append(f"区域匹配: {area}")
        if not reasons:
            return None
        if len(reasons) == 2:
            score += _BOTH_MATCH_BONUS
        return Suggestion(unit=unit, score=round(score, 4), reasons=tuple(reasons))


def _covering_code(codes: tuple[str, ...], category: str | None) -> str | None:
    """The most specific of ``codes`` that is ``category`` or one of its parents."""
    if not category:
        return None
    covering = [c for c in codes if category == c or category.startswith(c + ".")]
    return max(covering, key=lambda c: c.count("."), default=None)


def _category_score(covering: str, category: str) -> float:
    # exact code 1, parent 1/2, grandparent 1/3, …
    levels_above = category.count(".") - covering.count(".")
    return 1 / (1 + levels_above)


def _area_in(areas: tuple[str, ...], place: str) -> str | None:
    """The longest area name found in the normalised address."""
    if not place:
        return None
    found = [a for a in areas if (name := normalise_address(a)) and name in place]
    return max(found, key=lambda a: len(normalise_address(a)), default=None)


def _area_score(area: str) -> float:
    # 3 characters (梅陇镇) 0.75, 5 characters 0.83, always below 1
    length = len(normalise_address(area))
    return length / (length + 1)


def _check_unit(unit: Unit) -> None:
    if not unit.code:
        raise ValueError(f"a unit named {unit.name!r} has an empty code")
    if not unit.name.strip():
        raise ValueError(f"unit {unit.code!r}: empty name")
    if unit.kind not in UNIT_KINDS:
        raise ValueError(f"unit {unit.code!r}: {_unknown_kind(unit.kind)}")


def _unknown_kind(kind: str) -> str:
    return f"unknown kind {kind!r}; known: {', '.join(UNIT_KINDS)}"


_UNIT_KEYS = frozenset({"code", "name", "kind", "phone", "lines", "categories", "areas", "active"})


def _unit_from_config(entry: Any, where: str) -> Unit:
    if not isinstance(entry, Mapping):
        raise ValueError(f"{where}: must be a table with code, name and kind")
    unknown = sorted(set(entry) - _UNIT_KEYS)
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {', '.join(unknown)}")
    kind = _text(entry, "kind", where, required=True)
    if kind not in UNIT_KINDS:
        raise ValueError(f"{where}.kind: {_unknown_kind(kind)}")
    active = entry.get("active", True)
    if not isinstance(active, bool):
        raise ValueError(f"{where}.active: must be true or false")
    return Unit(
        code=_text(entry, "code", where, required=True),
        name=_text(entry, "name", where, required=True),
        kind=kind,
        phone=_text(entry, "phone", where, required=False),
        lines=_texts(entry, "lines", where),
        categories=_texts(entry, "categories", where),
        areas=_texts(entry, "areas", where),
        active=active,
    )


def _text(entry: Mapping[str, Any], key: str, where: str, *, required: bool) -> str:
    if key not in entry:
        if required:
            raise ValueError(f"{where}: missing {key}")
        return ""
    value = entry[key]
    if not isinstance(value, str) or (required and not value.strip()):
        raise ValueError(f"{where}.{key}: must be {'non-empty ' if required else ''}text")
    return value.strip()


def _texts(entry: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    values = entry.get(key, [])
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        raise ValueError(f'{where}.{key}: must be a list of non-empty text, e.g. ["12345"]')
    return tuple(v.strip() for v in values)


# A fictional district of a Shanghai-like city: two towns, two streets, the utilities,
# two property companies and the district housing bureau.
_AREA_MATTERS = ("emergency", "consultation", "complaint", "suggestion", "help")
DEMO_UNITS = Catalogue(
    (
        Unit(
            "town.meilong",
            "梅陇镇人民政府",
            "town",
            categories=_AREA_MATTERS,
            areas=("梅陇镇",),
        ),
        Unit(
            "town.xinzhuang",
            "莘庄镇人民政府",
            "town",
            categories=_AREA_MATTERS,
            areas=("莘庄镇",),
        ),
        Unit(
            "street.gumei",
            "古美路街道办事处",
            "street",
            categories=_AREA_MATTERS,
            areas=("古美路街道",),
        ),
        Unit(
            "street.jiangchuan",
            "江川路街道办事处",
            "street",
            categories=_AREA_MATTERS,
            areas=("江川路街道",),
        ),
        Unit("utility.water", "闵城自来水有限公司", "utility", categories=("utilities.water",)),
        Unit("utility.gas", "申南燃气有限公司", "utility", categories=("utilities.gas",)),
        Unit("utility.power", "闵电供电服务中心", "utility", categories=("utilities.power",)),
        Unit(
            "property.jinxiu",
            "锦绣物业管理有限公司",
            "property",
            lines=("962121",),
            categories=("property_repair",),
            areas=("锦梅苑", "梅园新村"),
        ),
        Unit(
            "property.heshun",
            "和顺物业服务有限公司",
            "property",
            lines=("962121",),
            categories=("property_repair",),
            areas=("莘闵花苑", "春晖家园"),
        ),
        Unit(
            "department.housing",
            "区房屋管理局（房管局）",
            "department",
            lines=("962121",),
            categories=("policy_consultation", "service_complaint", "major_incident"),
        ),
    )
)
