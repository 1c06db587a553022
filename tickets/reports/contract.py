"""A service contract as a file: its metrics with formulas and targets, what falls short
costs (per day, per event, per point below target), or a 100-point score with groups and
the monthly fee formula. ``load_contract`` checks everything before anything is assessed
and refuses a file with an error naming the file, the line and what is wrong.

The format is documented in the README ("Reports and the contract assessment");
``deploy/contracts/`` has one example of each kind.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path as FilePath
from typing import Any, Literal

from acd.figures import FigureRules
from tickets.reports.compute import ReportRules
from tickets.reports.formula import Formula, FormulaError, parse_formula
from tickets.reports.located import ContractError, Located, Path, Problem, load_located, path_text
from tickets.reports.measures import MEASURES

Kind = Literal["deductions", "score"]
Rounding = Literal["exact", "up", "down"]
_TARGET = re.compile(r"^\s*(>=|<=|>|<|==)?\s*(-?\d+(?:\.\d+)?)\s*(%?)\s*$")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
_SCORE_NAMES = ("score", "lost_points", "deduction_percent", "deductions")
_TOP = {
    "name",
    "kind",
    "currency",
    "lines",
    "settings",
    "parameters",
    "inputs",
    "metrics",
    "score",
    "fee",
}
_METRIC = {
    "id",
    "label",
    "formula",
    "per",
    "target",
    "deduct",
    "group",
    "points",
    "evidence",
    "note",
}
_DEDUCT = {"per_day", "per_event", "per_point", "point", "rounding", "max"}
_SETTINGS = {
    "answer_target_seconds": float,
    "short_abandon_seconds": float,
    "exclude_short_abandons": bool,
    "count_callbacks": bool,
    "basic_counts_as_satisfied": bool,
    "calls_target": int,
    "exclude_not_counted": bool,
}


@dataclass(frozen=True, slots=True)
class Target:
    op: str  # >=, <=, >, <, ==
    value: float
    percent: bool  # written as a percentage: a point is 0.01

    def met(self, value: float) -> bool:
        v, t = round(value, 10), round(self.value, 10)
        return {">=": v >= t, "<=": v <= t, ">": v > t, "<": v < t, "==": v == t}[self.op]

    def gap(self, value: float) -> float:
        """How far the value is on the wrong side of the target (0 when met)."""
        return 0.0 if self.met(value) else abs(self.value - value)

    def text(self) -> str:
        shown = f"{self.value * 100:g}%" if self.percent else f"{self.value:g}"
        return f"{self.op} {shown}"


@dataclass(frozen=True, slots=True)
class Deduction:
    mode: Literal["per_day", "per_event", "per_point"]
    amount: float  # money, or points of the score
    point: float = 1.0  # the size of one point of the value (0.01 for a percentage)
    rounding: Rounding = "exact"
    cap: float | None = None  # at most this much for the metric in the period


@dataclass(frozen=True, slots=True)
class Metric:
    id: str
    label: str
    formula: Formula
    per: Literal["day", "month"]
    target: Target | None
    deduction: Deduction | None
    group: str | None
    points: float | None  # score contracts: the most this metric can lose
    evidence: tuple[str, ...]  # itemized measures listed behind a deduction
    line: int
    note: str = ""


@dataclass(frozen=True, slots=True)
class Group:
    id: str
    label: str
    points: float


@dataclass(frozen=True, slots=True)
class Input:
    """A figure the database cannot know (a random check's findings), given by hand."""

    id: str
    label: str
    default: float | None


@dataclass(frozen=True, slots=True)
class Contract:
    file: str
    name: str
    kind: Kind
    currency: str
    lines: tuple[str, ...]
    rules: ReportRules
    parameters: Mapping[str, float]
    inputs: Mapping[str, Input]
    metrics: tuple[Metric, ...]
    groups: tuple[Group, ...]
    total_points: float
    fee: Formula | None
    deduction_percent: Formula | None


def load_contract(path: FilePath | str) -> Contract:
    """Read and check a contract file; ``ContractError`` lists every problem with its line."""
    file = str(path)
    try:
        text = FilePath(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContractError(file, [Problem(1, "", f"cannot read the file: {exc}")]) from exc
    return parse_contract(text, file)


def parse_contract(text: str, file: str = "<contract>") -> Contract:
    located = load_located(text, file)
    checker = _Checker(located)
    contract = checker.contract(file)
    if checker.problems or contract is None:
        raise ContractError(file, checker.problems or [Problem(1, "", "empty contract")])
    return contract


class _Checker:
    def __init__(self, located: Located) -> None:
        self.located = located
        self.problems: list[Problem] = []

    def fail(self, path: Path, message: str) -> None:
        self.problems.append(Problem(self.located.line(path), path_text(path), message))

    def table(self, value: Any, path: Path, known: set[str] | None = None) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(path, "must be a table (key: value lines)")
            return {}
        if known is not None:
            for key in sorted(set(value) - known):
                self.fail((*path, key), f"unknown key {key!r}; known: {', '.join(sorted(known))}")
        return value

    def number(self, value: Any, path: Path, *, positive: bool = False) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(path, f"must be a number, not {value!r}")
            return None
        if positive and value <= 0:
            self.fail(path, "must be greater than 0")
            return None
        return float(value)

    # -- the whole file --------------------------------------------------------------

    def contract(self, file: str) -> Contract | None:
        top = self.table(self.located.value, (), _TOP)
        if not top:
            self.fail((), "empty contract: it needs at least name, kind and metrics")
            return None
        kind = top.get("kind", "deductions")
        if kind not in ("deductions", "score"):
            self.fail(("kind",), f"must be deductions or score, not {kind!r}")
            kind = "deductions"
        if not isinstance(top.get("name"), str) or not top["name"].strip():
            self.fail(("name",), "missing: the contract's name")
        parameters = self.parameters(top.get("parameters"))
        inputs = self.inputs(top.get("inputs"))
        clash = set(parameters) & set(inputs)
        for name in sorted(clash):
            self.fail(("inputs", name), f"{name!r} is also a parameter")
        groups, total = self.score_table(top.get("score"), kind)
        known = set(MEASURES) | set(parameters) | set(inputs)
        metrics = self.metrics(top.get("metrics"), known, kind, {g.id for g in groups}, inputs)
        results = known | {m.id for m in metrics} | set(_SCORE_NAMES)
        fee = self.formula(top.get("fee"), ("fee",), results) if "fee" in top else None
        score = self.table(top.get("score"), ("score",))
        percent = None
        if kind == "score":
            if "deduction_percent" not in score:
                self.fail(
                    ("score",),
                    "missing deduction_percent: the formula of the fee's cut from the score",
                )
            else:
                percent = self.formula(
                    score["deduction_percent"], ("score", "deduction_percent"), results
                )
            if "fee" in score:
                fee = self.formula(score["fee"], ("score", "fee"), results)
        return Contract(
            file=file,
            name=str(top.get("name", "")).strip(),
            kind=kind,
            currency=str(top.get("currency", "元")),
            lines=self.lines(top.get("lines")),
            rules=self.rules(top.get("settings")),
            parameters=parameters,
            inputs=inputs,
            metrics=tuple(metrics),
            groups=tuple(groups),
            total_points=total,
            fee=fee,
            deduction_percent=percent,
        )

    def lines(self, value: Any) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
            self.fail(("lines",), 'must be a list of hotline numbers, e.g. ["12345"]')
            return ()
        return tuple(str(v) for v in value)

    def rules(self, value: Any) -> ReportRules:
        table = self.table(value, ("settings",), set(_SETTINGS))
        checked: dict[str, Any] = {}
        for key, kind in _SETTINGS.items():
            if key not in table:
                continue
            raw = table[key]
            if kind is bool and not isinstance(raw, bool):
                self.fail(("settings", key), "must be true or false")
            elif (
                kind is not bool and self.number(raw, ("settings", key), positive=True) is not None
            ):
                checked[key] = kind(raw)
            elif kind is bool:
                checked[key] = raw
        figures = FigureRules(
            answer_target=checked.get("answer_target_seconds", 15.0),
            short_abandon=checked.get("short_abandon_seconds", 5.0),
            exclude_short_abandons=checked.get("exclude_short_abandons", False),
            count_callbacks=checked.get("count_callbacks", False),
        )
        return ReportRules(
            figures=figures,
            basic_counts_as_satisfied=checked.get("basic_counts_as_satisfied", True),
            calls_target=checked.get("calls_target", 70),
            exclude_not_counted=checked.get("exclude_not_counted", True),
        )

    def parameters(self, value: Any) -> dict[str, float]:
        found = {}
        for key, raw in self.table(value, ("parameters",)).items():
            self.check_name(key, ("parameters", key))
            number = self.number(raw, ("parameters", key))
            if number is not None:
                found[key] = number
        return found

    def inputs(self, value: Any) -> dict[str, Input]:
        found = {}
        for key, raw in self.table(value, ("inputs",)).items():
            path: Path = ("inputs", key)
            self.check_name(key, path)
            entry = self.table(raw, path, {"label", "default"})
            default = entry.get("default")
            if default is not None:
                default = self.number(default, (*path, "default"))
            found[key] = Input(key, str(entry.get("label", key)), default)
        return found

    def check_name(self, name: str, path: Path) -> None:
        if not _NAME.match(name):
            self.fail(path, f"{name!r}: a name is lower-case letters, digits and _")
        elif name in MEASURES:
            self.fail(path, f"{name!r} is already a measure of the catalogue")

    def formula(self, value: Any, path: Path, known: set[str]) -> Formula | None:
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.fail(path, "missing or not a formula")
            return None
        try:
            return parse_formula(str(value), known)
        except FormulaError as exc:
            self.fail(path, f"bad formula {str(value)!r} at column {exc.column + 1}: {exc.message}")
            return None

    # -- score groups ----------------------------------------------------------------

    def score_table(self, value: Any, kind: str) -> tuple[list[Group], float]:
        if kind != "score":
            if value is not None:
                self.fail(("score",), "only a contract of kind score has a score table")
            return [], 100.0
        table = self.table(value, ("score",), {"total", "groups", "deduction_percent", "fee"})
        total = self.number(table.get("total", 100), ("score", "total"), positive=True) or 100.0
        raw_groups = table.get("groups")
        if not isinstance(raw_groups, list) or not raw_groups:
            self.fail(("score", "groups"), "missing: the score's groups (id, label, points)")
            return [], total
        groups = []
        for n, raw in enumerate(raw_groups):
            path: Path = ("score", "groups", n)
            entry = self.table(raw, path, {"id", "label", "points"})
            points = self.number(entry.get("points"), (*path, "points"), positive=True)
            if not isinstance(entry.get("id"), str):
                self.fail(path, "missing id")
            elif points is not None:
                groups.append(Group(entry["id"], str(entry.get("label", entry["id"])), points))
        if groups and abs(sum(g.points for g in groups) - total) > 1e-9:
            self.fail(
                ("score", "groups"),
                f"the groups' points add up to {sum(g.points for g in groups):g}, "
                f"not the total {total:g}",
            )
        return groups, total

    # -- metrics ---------------------------------------------------------------------

    def metrics(
        self, value: Any, known: set[str], kind: str, groups: set[str], inputs: Mapping[str, Input]
    ) -> list[Metric]:
        if not isinstance(value, list) or not value:
            self.fail(("metrics",), "missing: a list of metrics (id, formula, target, deduct)")
            return []
        found: list[Metric] = []
        for n, raw in enumerate(value):
            metric = self.metric(raw, ("metrics", n), known, kind, groups, inputs)
            if metric is None:
                continue
            if metric.id in {m.id for m in found} or metric.id in known:
                self.fail(
                    ("metrics", n, "id"), f"{metric.id!r} is already a metric or measure name"
                )
                continue
            found.append(metric)
        return found

    def metric(
        self,
        raw: Any,
        path: Path,
        known: set[str],
        kind: str,
        groups: set[str],
        inputs: Mapping[str, Input],
    ) -> Metric | None:
        entry = self.table(raw, path, _METRIC)
        metric_id = entry.get("id")
        if not isinstance(metric_id, str) or not _NAME.match(metric_id):
            self.fail((*path, "id"), "missing or not a name (lower-case letters, digits, _)")
            return None
        formula = self.formula(entry.get("formula"), (*path, "formula"), known)
        per = entry.get("per", "month")
        if per not in ("day", "month"):
            self.fail((*path, "per"), f"must be day or month, not {per!r}")
        target = self.target(entry.get("target"), (*path, "target"))
        deduction = self.deduction(entry.get("deduct"), (*path, "deduct"), target)
        if deduction is not None and deduction.mode in ("per_day", "per_point") and target is None:
            self.fail((*path, "target"), f"missing: a {deduction.mode} deduction needs a target")
        if deduction is not None and deduction.mode == "per_day" and per != "day":
            self.fail((*path, "per"), "a per_day deduction needs per: day")
        if formula is not None and per == "day":
            for name in formula.names:
                if name in inputs or (name in MEASURES and not MEASURES[name].daily):
                    self.fail((*path, "formula"), f"{name!r} has no value per day; use per: month")
        group, points = self.metric_score(entry, path, kind, groups)
        evidence = self.evidence(entry.get("evidence"), (*path, "evidence"), formula)
        if formula is None:
            return None
        return Metric(
            id=metric_id,
            label=str(
                entry.get(
                    "label", MEASURES[metric_id].label if metric_id in MEASURES else metric_id
                )
            ),
            formula=formula,
            per="day" if per == "day" else "month",
            target=target,
            deduction=deduction,
            group=group,
            points=points,
            evidence=evidence,
            line=self.located.line(path),
            note=str(entry.get("note", "")),
        )

    def target(self, value: Any, path: Path) -> Target | None:
        if value is None:
            return None
        found = _TARGET.match(str(value)) if not isinstance(value, bool) else None
        if found is None:
            self.fail(path, f'{value!r} is not a target like ">= 90%", "<= 2" or 0.98')
            return None
        percent = found[3] == "%"
        number = float(found[2]) / (100 if percent else 1)
        return Target(found[1] or ">=", number, percent)

    def deduction(self, value: Any, path: Path, target: Target | None) -> Deduction | None:
        if value is None:
            return None
        table = self.table(value, path, _DEDUCT)
        modes = [mode for mode in ("per_day", "per_event", "per_point") if mode in table]
        if len(modes) != 1:
            self.fail(path, "say exactly one of per_day, per_event, per_point")
            return None
        mode = modes[0]
        amount = self.number(table[mode], (*path, mode), positive=True)
        rounding = table.get("rounding", "exact")
        if rounding not in ("exact", "up", "down"):
            self.fail((*path, "rounding"), f"must be exact, up or down, not {rounding!r}")
        default_point = 0.01 if target is not None and target.percent else 1.0
        point = self.number(table.get("point", default_point), (*path, "point"), positive=True)
        cap = self.number(table["max"], (*path, "max"), positive=True) if "max" in table else None
        if amount is None or point is None:
            return None
        return Deduction(mode, amount, point, rounding, cap)

    def metric_score(
        self, entry: dict[str, Any], path: Path, kind: str, groups: set[str]
    ) -> tuple[str | None, float | None]:
        if kind != "score":
            for key in ("group", "points"):
                if key in entry:
                    self.fail((*path, key), "only a contract of kind score has groups and points")
            return None, None
        group = entry.get("group")
        if group not in groups:
            self.fail(
                (*path, "group"),
                f"must be one of the score's groups {sorted(groups)}, not {group!r}",
            )
        points = self.number(entry.get("points"), (*path, "points"), positive=True)
        return (group if isinstance(group, str) else None), points

    def evidence(self, value: Any, path: Path, formula: Formula | None) -> tuple[str, ...]:
        from tickets.reports.measures import ITEMIZED, evidence_measures

        if value is None:
            return evidence_measures(formula.names) if formula is not None else ()
        if not isinstance(value, list) or not all(v in ITEMIZED for v in value):
            self.fail(path, f"a list of itemized measures: {', '.join(sorted(ITEMIZED))}")
            return ()
        return tuple(value)
