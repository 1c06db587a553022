"""The extensions.conf parser: contexts, extensions, priorities, labels and globals.

Understands what the deploy and lab dialplans use: ``[context]``, ``exten =>``,
``same =>``, priorities as numbers, ``n`` and ``n(label)``, patterns (``_X.``,
``_80XX``, ``_qX.``), ``[globals]`` and ``;`` comments. Every priority keeps its
source line for ``dialplan show``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

SPECIAL_SECTIONS = ("general", "globals")
_PRIORITY = re.compile(r"^(?P<number>\d+|n|hint)(?:\((?P<label>[^)]*)\))?$")
_PATTERN_CLASSES = {"x": "[0-9]", "z": "[1-9]", "n": "[2-9]"}


class DialplanError(ValueError):
    """extensions.conf says something this parser cannot run."""


@dataclass(frozen=True)
class Step:
    """One priority: ``app(data)`` at ``priority`` (label optional), from ``line``."""

    priority: int
    app: str
    data: str
    label: str | None
    line: int


@dataclass
class Extension:
    name: str
    steps: dict[int, Step] = field(default_factory=dict)
    labels: dict[str, int] = field(default_factory=dict)
    _regex: re.Pattern[str] | None = None

    @property
    def is_pattern(self) -> bool:
        return self.name.startswith("_")

    def matches(self, exten: str) -> bool:
        if not self.is_pattern:
            return self.name == exten
        if self._regex is None:
            self._regex = re.compile(_pattern_regex(self.name[1:]))
        return self._regex.fullmatch(exten) is not None

    def specificity(self) -> tuple[int, int]:
        """Lower sorts first: fewer wildcards, then longer patterns (as ext_cmp roughly does)."""
        wild = sum(self.name.count(c) for c in ".!")
        return (wild, -len(self.name))


@dataclass
class Context:
    name: str
    extensions: dict[str, Extension] = field(default_factory=dict)

    def find(self, exten: str) -> Extension | None:
        exact = self.extensions.get(exten)
        if exact is not None and not exact.is_pattern:
            return exact
        candidates = [e for e in self.extensions.values() if e.is_pattern and e.matches(exten)]
        if not candidates:
            return None
        return min(candidates, key=Extension.specificity)

    def sorted_extensions(self) -> list[Extension]:
        plain = sorted(
            (e for e in self.extensions.values() if not e.is_pattern), key=lambda e: e.name
        )
        return plain + [e for e in self.extensions.values() if e.is_pattern]


@dataclass
class Dialplan:
    path: Path
    contexts: dict[str, Context] = field(default_factory=dict)
    globals: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Dialplan:
        return parse_dialplan(path.read_text(encoding="utf-8"), path)

    def step(self, context: str, exten: str, priority: int) -> Step | None:
        extension = self.extension(context, exten)
        return None if extension is None else extension.steps.get(priority)

    def extension(self, context: str, exten: str) -> Extension | None:
        found = self.contexts.get(context)
        return None if found is None else found.find(exten)

    def resolve_priority(self, context: str, exten: str, priority: str) -> int | None:
        """A priority number or label of ``context,exten`` (None if neither exists)."""
        if priority.strip().lstrip("-").isdigit():
            return int(priority)
        extension = self.extension(context, exten)
        return None if extension is None else extension.labels.get(priority.strip())


def _pattern_regex(pattern: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char.lower() in _PATTERN_CLASSES:
            out.append(_PATTERN_CLASSES[char.lower()])
        elif char == ".":
            out.append(".+")
        elif char == "!":
            out.append(".*")
        elif char == "[":
            end = pattern.index("]", i)
            out.append("[" + pattern[i + 1 : end].replace("\\", "\\\\") + "]")
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


def _strip_comment(line: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(line):
        if line[i] == "\\" and i + 1 < len(line) and line[i + 1] == ";":
            out.append(";")
            i += 2
            continue
        if line[i] == ";":
            break
        out.append(line[i])
        i += 1
    return "".join(out).strip()


def parse_dialplan(text: str, path: Path = Path("extensions.conf")) -> Dialplan:
    plan = Dialplan(path=path)
    section: str | None = None
    last: Extension | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _strip_comment(raw)
        if not line:
            continue
        if line.startswith("[") and "]" in line:
            section = line[1 : line.index("]")].strip()
            last = None
            if section not in SPECIAL_SECTIONS:
                plan.contexts.setdefault(section, Context(section))
            continue
        if section == "globals":
            _global(plan, line)
        elif section is not None and section not in SPECIAL_SECTIONS:
            last = _context_line(plan.contexts[section], line, number, last)
    return plan


def _global(plan: Dialplan, line: str) -> None:
    name, sep, value = line.replace("=>", "=", 1).partition("=")
    if sep:
        plan.globals[name.strip()] = value.strip()


def _context_line(
    context: Context, line: str, number: int, last: Extension | None
) -> Extension | None:
    keyword, sep, rest = line.partition("=>")
    if not sep:
        keyword, sep, rest = line.partition("=")
    keyword = keyword.strip().lower()
    if keyword == "exten":
        name, _, rest = rest.strip().partition(",")
        extension = context.extensions.setdefault(name.strip(), Extension(name.strip()))
        _add_step(extension, rest, number)
        return extension
    if keyword == "same":
        if last is None:
            raise DialplanError(f"line {number}: 'same =>' without an extension before it")
        _add_step(last, rest.strip(), number)
        return last
    return last  # include =>, switch =>, ignorepat => : not simulated


def _add_step(extension: Extension, rest: str, line: int) -> None:
    priority_text, _, app_text = rest.strip().partition(",")
    match = _PRIORITY.match(priority_text.strip())
    if match is None:
        raise DialplanError(f"line {line}: bad priority {priority_text!r}")
    if match["number"] == "hint":
        return
    if match["number"] == "n":
        priority = max(extension.steps, default=0) + 1
    else:
        priority = int(match["number"])
    app, data = split_application(app_text.strip())
    label = match["label"] or None
    extension.steps[priority] = Step(priority, app, data, label, line)
    if label:
        extension.labels[label] = priority


def split_application(text: str) -> tuple[str, str]:
    """``Dial(PJSIP/8001,15)`` -> (``Dial``, ``PJSIP/8001,15``); ``Answer()`` -> ``Answer``, ''."""
    paren = text.find("(")
    if paren < 0:
        app, _, data = text.partition(",")
        return app.strip(), data
    end = text.rfind(")")
    data = text[paren + 1 : end] if end > paren else text[paren + 1 :]
    return text[:paren].strip(), data
