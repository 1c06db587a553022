"""Readers of the deployment files for tests: Asterisk's .conf syntax and the YAML
subset docker-compose.yml is written in (PyYAML is not a dependency of the project)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

SECTION = re.compile(r"\[([^\]]+)\](?:\(([^)]*)\))?")
OPTION = re.compile(r"([\w.-]+)\s*=>?\s*(.*)")


@dataclass
class Section:
    name: str
    options: list[tuple[str, str]] = field(default_factory=list)

    def all(self, key: str) -> list[str]:
        return [value for name, value in self.options if name == key]

    def get(self, key: str) -> str:
        values = self.all(key)
        return values[-1] if values else ""


def parse_conf(text: str, source: str = "conf") -> list[Section]:
    """Sections in order; a section using templates (``[x](tpl)``) starts with their options."""
    sections: list[Section] = []
    by_name: dict[str, Section] = {}
    current: Section | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = re.split(r"(?<!\\);", raw, maxsplit=1)[0].strip()
        if header := SECTION.fullmatch(line):
            flags = [flag.strip() for flag in (header[2] or "").split(",") if flag.strip()]
            inherited = [opt for name in flags if name != "!" for opt in by_name[name].options]
            current = by_name[header[1]] = Section(header[1], inherited)
            if "!" not in flags:
                sections.append(current)
        elif option := OPTION.fullmatch(line):
            if current is None:
                raise ValueError(f"{source}:{number}: option outside a section")
            current.options.append((option[1].lower(), option[2].strip()))
        elif line:
            raise ValueError(f"{source}:{number}: not Asterisk syntax: {raw!r}")
    return sections


Line = tuple[int, int, str]  # line number, indentation, text


def parse_yaml_subset(text: str) -> Any:
    """Block mappings and sequences, plain and double-quoted scalars, JSON-style flow
    lists. Raises on anything else and on plain scalars YAML reads surprisingly."""
    lines: list[Line] = []
    for number, raw in enumerate(text.splitlines(), 1):
        body = _without_comment(raw).rstrip()
        if "\t" in raw or body.strip().startswith(("---", "%")):
            raise ValueError(f"line {number}: tab or document marker")
        if body.strip():
            lines.append((number, len(body) - len(body.lstrip()), body.strip()))
    value, end = _block(lines, 0, lines[0][1])
    if end != len(lines):
        raise ValueError(f"line {lines[end][0]}: bad indentation")
    return value


def _without_comment(raw: str) -> str:
    quoted = False
    for i, char in enumerate(raw):
        quoted = quoted != (char == '"')
        if char == "#" and not quoted and (i == 0 or raw[i - 1].isspace()):
            return raw[:i]
    return raw


def _block(lines: list[Line], i: int, indent: int) -> tuple[Any, int]:
    if not lines[i][2].startswith("- "):
        return _mapping(lines, i, indent)
    items: list[Any] = []
    while i < len(lines) and lines[i][1] == indent and lines[i][2].startswith("- "):
        number, _, text = lines[i]
        if re.match(r"[\w.-]+:(\s|$)", text[2:]):  # "- key: value" opens a mapping
            lines[i] = (number, indent + 2, text[2:])
            item, i = _mapping(lines, i, indent + 2)
        else:
            item, i = _scalar(text[2:], number), i + 1
        items.append(item)
    return items, i


def _mapping(lines: list[Line], i: int, indent: int) -> tuple[dict[str, Any], int]:
    result: dict[str, Any] = {}
    while i < len(lines) and lines[i][1] == indent and not lines[i][2].startswith("- "):
        number, _, text = lines[i]
        entry = re.fullmatch(r"([\w.-]+):(?:\s+(.+))?", text)
        if entry is None or entry[1] in result:
            raise ValueError(f"line {number}: not a new mapping key: {text!r}")
        if entry[2] is not None:
            result[entry[1]], i = _scalar(entry[2], number), i + 1
        elif i + 1 < len(lines) and lines[i + 1][1] > indent:
            result[entry[1]], i = _block(lines, i + 1, lines[i + 1][1])
        else:
            result[entry[1]], i = None, i + 1
    if i < len(lines) and lines[i][1] > indent:
        raise ValueError(f"line {lines[i][0]}: bad indentation")
    return result, i


def _scalar(text: str, number: int) -> Any:
    if text.startswith(('"', "[")):
        return json.loads(text)
    if text[0] in "{&*!|>'%@`" or text.lower() in ("yes", "no", "on", "off", "y", "n"):
        raise ValueError(f"line {number}: {text!r} is outside the subset or ambiguous: quote it")
    if re.fullmatch(r"\d+(:\d+)+", text):
        raise ValueError(f"line {number}: {text!r} is a base-60 number in YAML 1.1: quote it")
    if text in ("true", "false"):
        return text == "true"
    return int(text) if re.fullmatch(r"-?\d+", text) else text
