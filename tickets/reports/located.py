"""YAML read with the line of every value, so that a contract's errors name the line.

``load_located`` turns the YAML text into plain Python values (dicts, lists, strings,
numbers, booleans, None) and a table from each value's path (``("metrics", 2,
"formula")``) to its 1-based line. Duplicate keys, which plain YAML loaders silently
overwrite, are errors here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    line: int
    path: str
    message: str

    def render(self, file: str) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{file}:{self.line}: {where}{self.message}"


class ContractError(ValueError):
    """A contract file that cannot be used, with every problem found (file, line, what)."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = sorted(problems, key=lambda p: (p.line, p.path))
        super().__init__("\n".join(p.render(file) for p in self.problems))

    def as_json(self) -> list[dict[str, Any]]:
        return [
            {"file": self.file, "line": p.line, "path": p.path, "message": p.message}
            for p in self.problems
        ]


@dataclass
class Located:
    value: Any
    lines: dict[Path, int] = field(default_factory=dict)

    def line(self, path: Path) -> int:
        """The line of ``path``, or of its nearest parent that has one."""
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)


def path_text(path: Path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def load_located(text: str, file: str) -> Located:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise ContractError(file, [Problem(line, "", f"not valid YAML: {exc.problem}")]) from exc
    except yaml.YAMLError as exc:
        raise ContractError(file, [Problem(1, "", f"not valid YAML: {exc}")]) from exc
    located = Located(None)
    problems: list[Problem] = []
    if root is not None:
        located.value = _convert(root, (), located, problems)
    if problems:
        raise ContractError(file, problems)
    return located


def _convert(node: yaml.Node, path: Path, located: Located, problems: list[Problem]) -> Any:
    located.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in mapping:
                problems.append(
                    Problem(key_node.start_mark.line + 1, path_text(path), f"{key!r} given twice")
                )
            mapping[key] = _convert(value_node, (*path, key), located, problems)
            located.lines[(*path, key)] = key_node.start_mark.line + 1
        return mapping
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*path, n), located, problems) for n, item in enumerate(node.value)]
    return yaml.constructor.SafeConstructor().construct_object(node, deep=True)
