"""The work-order categories (工单分类) of each line, as a tree: what the agent picks on the
order form, what marks an order urgent by default, and what dispatch and duplicate
detection compare.

A child's code extends its parent's (``utilities`` → ``utilities.gas``), so the
top-level category of any code is the part before the first ".".
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Category:
    code: str  # stable code, e.g. "utilities.water"
    label: str  # zh-CN, e.g. "供水"
    label_en: str
    urgent: bool = False  # orders of this category are urgent by default (emergencies)
    children: tuple[Category, ...] = ()


class UnknownCategory(ValueError):
    pass


class CategoryTree:
    """The categories of every line, checked once when built."""

    def __init__(self, lines: Mapping[str, Sequence[Category]]) -> None:
        self._roots: dict[str, tuple[Category, ...]] = {}
        # line -> code -> the categories from the root down to the one with that code
        self._paths: dict[str, dict[str, tuple[Category, ...]]] = {}
        for line, roots in lines.items():
            if not line:
                raise ValueError("a line of categories has an empty name")
            self._roots[line] = tuple(roots)
            self._paths[line] = _index_line(line, self._roots[line])

    @classmethod
    def from_config(cls, data: Mapping[str, Any]) -> CategoryTree:
        """From the ``[categories]`` table of the TOML configuration:
        ``{"12345": [{"code", "label", "label_en", "urgent", "children": [...]}, ...]}``."""
        if not isinstance(data, Mapping):
            raise ValueError("categories: must be a table of lines")
        lines: dict[str, list[Category]] = {}
        for line, entries in data.items():
            where = f"categories.{line}"
            if not isinstance(entries, list):
                raise ValueError(f"{where}: must be a list of categories")
            lines[str(line)] = [
                _category_from_config(entry, f"{where}[{i}]") for i, entry in enumerate(entries)
            ]
        return cls(lines)

    def lines(self) -> tuple[str, ...]:
        return tuple(self._roots)

    def find(self, line: str, code: str) -> Category | None:
        path = self._paths.get(line, {}).get(code)
        return None if path is None else path[-1]

    def require_leaf_or_node(self, line: str, code: str) -> Category:
        """The category with that code on that line, at any depth; ``UnknownCategory`` if none."""
        return self.path(line, code)[-1]

    def path(self, line: str, code: str) -> tuple[Category, ...]:
        """The categories from the top level down to ``code``."""
        paths = self._paths.get(line)
        if paths is None:
            known_lines = ", ".join(self._roots) or "none"
            raise UnknownCategory(
                f"line {line} has no category {code!r}: unknown line; known lines: {known_lines}"
            )
        if code not in paths:
            known = ", ".join(paths) or "none"
            raise UnknownCategory(f"line {line} has no category {code!r}; known: {known}")
        return paths[code]

    def top_level(self, line: str, code: str) -> Category:
        return self.path(line, code)[0]

    def as_json(self) -> dict[str, list[dict[str, Any]]]:
        """The trees as the order form reads them; ``from_config`` reads this shape back."""
        return {line: [_category_json(c) for c in roots] for line, roots in self._roots.items()}


def top_level_code(code: str) -> str:
    """``"utilities.gas"`` → ``"utilities"``."""
    return code.split(".", 1)[0]


def _index_line(line: str, roots: tuple[Category, ...]) -> dict[str, tuple[Category, ...]]:
    paths: dict[str, tuple[Category, ...]] = {}
    for path in _walk(roots, ()):
        category = path[-1]
        where = f"line {line}, category {category.code!r}"
        if not category.code:
            parent = f"under {path[-2].code!r}" if len(path) > 1 else "at the top level"
            raise ValueError(f"line {line}: a category {parent} has an empty code")
        if category.code in paths:
            raise ValueError(f"{where}: the code is used twice")
        if not category.label.strip():
            raise ValueError(f"{where}: empty label")
        if len(path) == 1 and "." in category.code:
            raise ValueError(f"{where}: a top-level code may not contain '.'")
        if len(path) > 1 and not _extends(category.code, path[-2].code):
            raise ValueError(f"{where}: the code must start with {path[-2].code + '.'!r}")
        paths[category.code] = path
    return paths


def _walk(
    categories: tuple[Category, ...], above: tuple[Category, ...]
) -> Iterator[tuple[Category, ...]]:
    """Every category with the path to it, parents before their children."""
    for category in categories:
        path = (*above, category)
        yield path
        yield from _walk(category.children, path)


def _extends(code: str, parent: str) -> bool:
    return code.startswith(parent + ".") and len(code) > len(parent) + 1


def _category_json(category: Category) -> dict[str, Any]:
    return {
        "code": category.code,
        "label": category.label,
        "label_en": category.label_en,
        "urgent": category.urgent,
        "children": [_category_json(child) for child in category.children],
    }


_CATEGORY_KEYS = frozenset({"code", "label", "label_en", "urgent", "children"})


def _category_from_config(entry: Any, where: str) -> Category:
    if not isinstance(entry, Mapping):
        raise ValueError(f"{where}: must be a table with code, label and label_en")
    unknown = sorted(set(entry) - _CATEGORY_KEYS)
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {', '.join(unknown)}")
    urgent = entry.get("urgent", False)
    if not isinstance(urgent, bool):
        raise ValueError(f"{where}.urgent: must be true or false")
    children = entry.get("children", [])
    if not isinstance(children, list):
        raise ValueError(f"{where}.children: must be a list of categories")
    return Category(
        code=_required_text(entry, "code", where),
        label=_required_text(entry, "label", where),
        label_en=_required_text(entry, "label_en", where),
        urgent=urgent,
        children=tuple(
            _category_from_config(child, f"{where}.children[{i}]")
            for i, child in enumerate(children)
        ),
    )


def _required_text(entry: Mapping[str, Any], key: str, where: str) -> str:
    if key not in entry:
        raise ValueError(f"{where}: missing {key}")
    value = entry[key]
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}.{key}: must be non-empty text")
    return value.strip()


DEFAULT_CATEGORIES = CategoryTree(
    {
        # 962121: the property-management line
        "962121": (
            Category(
                "property_repair",
                "物业维修",
                "Property repair",
                children=(
                    Category("property_repair.water_electric", "水电维修", "Water and electric"),
                    Category("property_repair.common_facilities", "公共设施", "Common facilities"),
                    Category("property_repair.lift", "电梯", "Lift"),
                    Category("property_repair.roof_leak", "屋面渗漏", "Roof leak"),
                ),
            ),
            Category("policy_consultation", "政策咨询", "Policy consultation"),
            Category("service_complaint", "服务投诉", "Service complaint"),
            Category("major_incident", "重大事项报告", "Major incident report", urgent=True),
        ),
        # 12345: the citizen service line
        "12345": (
            Category("emergency", "突发事件/生命财产", "Emergency, life or property", urgent=True),
            Category(
                "utilities",
                "基础保障",
                "Basic utilities",
                children=(
                    Category("utilities.water", "供水", "Water"),
                    Category("utilities.power", "供电", "Electricity"),
                    Category("utilities.gas", "燃气", "Gas"),
                    Category("utilities.heating", "供暖", "Heating"),
                ),
            ),
            Category("consultation", "咨询", "Consultation"),
            Category("complaint", "投诉", "Complaint"),
            Category("suggestion", "建议", "Suggestion"),
            Category("help", "求助", "Help request"),
        ),
    }
)
