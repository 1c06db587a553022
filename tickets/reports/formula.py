"""The formulas of a contract: a small, safe arithmetic language, never ``eval``.

A formula is a Python expression parsed with ``ast`` and checked against a whitelist:
numbers, names of known metrics, ``+ - * / %``, unary minus, comparisons (true is 1,
false 0), ``and``/``or``/``not`` and the functions ``min max abs round ceil floor when``
(``when(c, a, b)``: a if c else b).
Anything else (attributes, subscripts, strings, lambdas, other calls) is refused when the
contract is loaded, with the column where it starts.

A value may be missing (``None``: a rate of a day without calls); arithmetic with a
missing value is missing, and so is a division by zero — a missing value is never judged.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

Value = float | None

_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Mod: lambda a, b: a % b,
}
_COMPARE: dict[type[ast.cmpop], Callable[[float, float], bool]] = {
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
}
FUNCTIONS: dict[str, tuple[int, int]] = {  # name -> (fewest, most) arguments
    "min": (2, 10),
    "max": (2, 10),
    "abs": (1, 1),
    "round": (1, 2),
    "ceil": (1, 1),
    "floor": (1, 1),
    "when": (3, 3),  # when(condition, then, otherwise)
}


class FormulaError(ValueError):
    """What is wrong with a formula, and the column (0-based) where."""

    def __init__(self, message: str, column: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


@dataclass(frozen=True, slots=True)
class Formula:
    text: str
    tree: ast.expr

    @property
    def names(self) -> tuple[str, ...]:
        """The metric names it reads, in order of first use."""
        seen: dict[str, None] = {}
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Name) and node.id not in FUNCTIONS:
                seen.setdefault(node.id, None)
        return tuple(seen)

    def evaluate(self, values: Mapping[str, Value]) -> Value:
        return _evaluate(self.tree, values)

    def substituted(self, values: Mapping[str, Value]) -> str:
        """The formula with each name replaced by its value: ``2612 / 2900``."""
        return ast.unparse(_Substitute(values).visit(_copy(self.tree)))


def parse_formula(text: str, known: Collection[str]) -> Formula:
    """Parse and check ``text``; ``FormulaError`` names the first problem."""
    if not isinstance(text, str) or not text.strip():
        raise FormulaError("empty formula")
    source = text.strip()
    try:
        tree = ast.parse(source, mode="eval").body
    except SyntaxError as exc:
        raise FormulaError(f"not a formula: {exc.msg}", max(0, (exc.offset or 1) - 1)) from exc
    _check(tree, known)
    return Formula(source, tree)


def _check(tree: ast.expr, known: Collection[str]) -> None:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            _check_call(node)
        elif isinstance(node, ast.Name):
            if node.id not in known and node.id not in FUNCTIONS:
                raise FormulaError(f"unknown metric {node.id!r}", node.col_offset)
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                raise FormulaError(f"only numbers are allowed, not {node.value!r}", node.col_offset)
        elif isinstance(node, ast.BinOp) and type(node.op) not in _BINARY:
            raise FormulaError(f"operator {type(node.op).__name__} is not allowed", node.col_offset)
        elif not isinstance(node, _ALLOWED):
            column = getattr(node, "col_offset", 0)
            raise FormulaError(f"{type(node).__name__} is not allowed in a formula", column)


_ALLOWED = (
    ast.BinOp,
    ast.UnaryOp,
    ast.USub,
    ast.UAdd,
    ast.Not,
    ast.Compare,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.Load,
    *_BINARY,
    *_COMPARE,
)


def _check_call(node: ast.Call) -> None:
    if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
        name = ast.unparse(node.func)
        raise FormulaError(
            f"unknown function {name!r}; known: {', '.join(sorted(FUNCTIONS))}", node.col_offset
        )
    if node.keywords:
        raise FormulaError("functions take no named arguments", node.col_offset)
    fewest, most = FUNCTIONS[node.func.id]
    if not fewest <= len(node.args) <= most:
        raise FormulaError(
            f"{node.func.id}() takes {fewest}"
            + (f" to {most}" if most != fewest else "")
            + f" arguments, not {len(node.args)}",
            node.col_offset,
        )


def _evaluate(node: ast.expr, values: Mapping[str, Value]) -> Value:
    if isinstance(node, ast.Constant):
        assert isinstance(node.value, int | float)
        return float(node.value)
    if isinstance(node, ast.Name):
        return values[node.id]
    if isinstance(node, ast.UnaryOp):
        operand = _evaluate(node.operand, values)
        if operand is None:
            return None
        if isinstance(node.op, ast.Not):
            return 0.0 if operand else 1.0
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        left, right = _evaluate(node.left, values), _evaluate(node.right, values)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Div | ast.Mod) and right == 0:
            return None
        return _BINARY[type(node.op)](left, right)
    if isinstance(node, ast.Compare):
        return _compare(node, values)
    if isinstance(node, ast.BoolOp):
        return _bool(node, values)
    if isinstance(node, ast.Call):
        return _call(node, values)
    raise FormulaError(f"{type(node).__name__} is not allowed in a formula")


def _compare(node: ast.Compare, values: Mapping[str, Value]) -> Value:
    left = _evaluate(node.left, values)
    for op, right_node in zip(node.ops, node.comparators, strict=True):
        right = _evaluate(right_node, values)
        if left is None or right is None:
            return None
        if not _COMPARE[type(op)](left, right):
            return 0.0
        left = right
    return 1.0


def _bool(node: ast.BoolOp, values: Mapping[str, Value]) -> Value:
    results = [_evaluate(value, values) for value in node.values]
    if any(result is None for result in results):
        return None
    if isinstance(node.op, ast.And):
        return 1.0 if all(results) else 0.0
    return 1.0 if any(results) else 0.0


def _call(node: ast.Call, values: Mapping[str, Value]) -> Value:
    assert isinstance(node.func, ast.Name)
    name = node.func.id
    if name == "when":
        condition = _evaluate(node.args[0], values)
        if condition is None:
            return None
        return _evaluate(node.args[1] if condition else node.args[2], values)
    args = [_evaluate(arg, values) for arg in node.args]
    if any(arg is None for arg in args):
        return None
    numbers = [arg for arg in args if arg is not None]
    if name == "min":
        return min(numbers)
    if name == "max":
        return max(numbers)
    if name == "abs":
        return abs(numbers[0])
    if name == "ceil":
        return float(math.ceil(numbers[0]))
    if name == "floor":
        return float(math.floor(numbers[0]))
    digits = int(numbers[1]) if len(numbers) > 1 else 0
    return float(round(numbers[0], digits))


def _copy(tree: ast.expr) -> ast.expr:
    return ast.parse(ast.unparse(tree), mode="eval").body


class _Substitute(ast.NodeTransformer):
    def __init__(self, values: Mapping[str, Value]) -> None:
        self.values = values

    def visit_Call(self, node: ast.Call) -> ast.AST:
        node.args = [self.visit(arg) for arg in node.args]
        return node

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id not in self.values:
            return node
        value = self.values[node.id]
        if value is None:
            return ast.Name(id="(无数据)", ctx=ast.Load())
        return ast.Constant(value=_short(value))


def _short(value: float) -> float | int:
    if float(value).is_integer():
        return int(value)
    return round(value, 4)
