"""Dialplan substitution: ``${VAR}``, ``${VAR:offset:length}``, ``${FUNC(args)}`` and ``$[ ... ]``.

Substitution works inside out, as Asterisk's ``pbx_substitute_variables`` does:
``${AGENT_MODE_${EXTEN}}`` first becomes ``${AGENT_MODE_8001}``. Expressions
follow ast_expr2: ``|``, ``&``, comparisons (numeric when both sides are numbers,
otherwise string), ``+ - * / %``, ``!``, ``=~``, ``cond ? a :: b``, parentheses and
double-quoted strings (quotes removed). A false or empty value is ``""`` or ``0``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

VariableLookup = Callable[[str], str | None]
FunctionCall = Callable[[str, str], str]

# longest first, so "!=" is not read as "!" then "="
_OPERATOR_TEXT = ":: != <= >= == =~ | & = < > + - * / % ! ( ) ? :"
_OPERATORS = tuple(_OPERATOR_TEXT.split(" "))
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass(frozen=True)
class Resolver:
    """Where substitution looks names up: variables, then dialplan functions."""

    variable: VariableLookup
    function: FunctionCall


def substitute(text: str, resolver: Resolver) -> str:
    if "$" not in text:
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        if text.startswith("${", i) or text.startswith("$[", i):
            end = _closing(text, i + 1)
            inner = substitute(text[i + 2 : end], resolver)
            if text[i + 1] == "{":
                out.append(_expand(inner, resolver))
            else:
                out.append(evaluate(inner))
            i = end + 1
            continue
        out.append(text[i])
        i += 1
    return "".join(out)


def _closing(text: str, open_at: int) -> int:
    """Index of the bracket closing ``text[open_at]`` (the end of text if unbalanced)."""
    opener = text[open_at]
    closer = "}" if opener == "{" else "]"
    depth = 0
    for index in range(open_at, len(text)):
        char = text[index]
        if char == opener:
            depth += 1
        elif char == closer:
            depth -= 1
            if depth == 0:
                return index
    return len(text)


def _expand(expression: str, resolver: Resolver) -> str:
    name, offset, length = _split_substring(expression)
    if name.endswith(")") and "(" in name:
        function, _, args = name.partition("(")
        value = resolver.function(function.strip(), args[:-1])
    else:
        value = resolver.variable(name) or ""
    return _substring(value, offset, length)


def _split_substring(expression: str) -> tuple[str, int | None, int | None]:
    depth = 0
    for index, char in enumerate(expression):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == ":" and depth == 0:
            parts = expression[index + 1 :].split(":", 1)
            offset = _int_or_none(parts[0])
            length = _int_or_none(parts[1]) if len(parts) > 1 else None
            return expression[:index], offset, length
    return expression, None, None


def _int_or_none(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def _substring(value: str, offset: int | None, length: int | None) -> str:
    if offset is None and length is None:
        return value
    start = offset or 0
    if start < 0:
        start = max(0, len(value) + start)
    rest = value[start:]
    if length is None:
        return rest
    return rest[:length]  # a negative length drops that many characters from the end


# -- $[ ... ] ------------------------------------------------------------------------


def _tokens(expression: str) -> list[tuple[str, str]]:
    """(kind, text) with kind "op" or "value"."""
    tokens: list[tuple[str, str]] = []
    i = 0
    while i < len(expression):
        char = expression[i]
        if char.isspace():
            i += 1
        elif char == '"':
            end = expression.find('"', i + 1)
            end = len(expression) if end < 0 else end
            tokens.append(("value", expression[i + 1 : end]))
            i = end + 1
        elif op := next((o for o in _OPERATORS if expression.startswith(o, i)), None):
            tokens.append(("op", op))
            i += len(op)
        else:
            start = i
            while i < len(expression) and not expression[i].isspace() and expression[i] != '"':
                if any(expression.startswith(o, i) for o in _OPERATORS):
                    break
                i += 1
            tokens.append(("value", expression[start:i]))
    return tokens


def _is_false(value: str) -> bool:
    return value == "" or (_NUMBER.match(value) is not None and float(value) == 0)


def _number(value: str) -> float | None:
    return float(value) if _NUMBER.match(value.strip()) else None


def _format(number: float) -> str:
    return str(int(number)) if number == int(number) else f"{number:g}"


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> str | None:
        if self.pos < len(self.tokens) and self.tokens[self.pos][0] == "op":
            return self.tokens[self.pos][1]
        return None

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def ternary(self) -> str:
        condition = self.logical_or()
        if self.peek() != "?":
            return condition
        self.take()
        if_true = self.logical_or()
        if_false = ""
        if self.peek() == "::":
            self.take()
            if_false = self.logical_or()
        return if_false if _is_false(condition) else if_true

    def logical_or(self) -> str:
        left = self.logical_and()
        while self.peek() == "|":
            self.take()
            right = self.logical_and()
            left = right if _is_false(left) else left
        return left

    def logical_and(self) -> str:
        left = self.comparison()
        while self.peek() == "&":
            self.take()
            right = self.comparison()
            left = "0" if _is_false(left) or _is_false(right) else left
        return left

    def comparison(self) -> str:
        left = self.additive()
        while (op := self.peek()) in ("=", "==", "!=", "<", ">", "<=", ">="):
            self.take()
            left = _compare(str(op), left, self.additive())
        return left

    def additive(self) -> str:
        left = self.multiplicative()
        while (op := self.peek()) in ("+", "-"):
            self.take()
            left = _arithmetic(str(op), left, self.multiplicative())
        return left

    def multiplicative(self) -> str:
        left = self.unary()
        while (op := self.peek()) in ("*", "/", "%"):
            self.take()
            left = _arithmetic(str(op), left, self.unary())
        return left

    def unary(self) -> str:
        op = self.peek()
        if op == "!":
            self.take()
            return "1" if _is_false(self.unary()) else "0"
        if op == "-":
            self.take()
            return _arithmetic("-", "0", self.unary())
        return self.regex()

    def regex(self) -> str:
        left = self.primary()
        while (op := self.peek()) in ("=~", ":"):
            self.take()
            left = _regex(str(op), left, self.primary())
        return left

    def primary(self) -> str:
        if self.pos >= len(self.tokens):
            return ""
        kind, text = self.take()
        if kind == "op" and text == "(":
            value = self.ternary()
            if self.peek() == ")":
                self.take()
            return value
        return text


def _regex(op: str, value: str, pattern: str) -> str:
    """``:`` matches at the start, ``=~`` anywhere; a group gives its text, else the length."""
    try:
        compiled = re.compile(pattern)
    except re.error:
        return "0"
    match = compiled.match(value) if op == ":" else compiled.search(value)
    if compiled.groups:
        return (match.group(1) or "") if match else ""
    return str(match.end() - match.start()) if match else "0"


def _compare(op: str, left: str, right: str) -> str:
    a, b = _number(left), _number(right)
    if a is not None and b is not None:
        order = (a > b) - (a < b)
    else:
        order = (left > right) - (left < right)
    result = {
        "=": order == 0,
        "==": order == 0,
        "!=": order != 0,
        "<": order < 0,
        ">": order > 0,
        "<=": order <= 0,
        ">=": order >= 0,
    }[op]
    return "1" if result else "0"


def _arithmetic(op: str, left: str, right: str) -> str:
    a, b = _number(left), _number(right)
    if a is None or b is None:
        return "0"
    if op in ("/", "%") and b == 0:
        return "0"
    if op == "+":
        return _format(a + b)
    if op == "-":
        return _format(a - b)
    if op == "*":
        return _format(a * b)
    if op == "/":
        return _format(a / b)
    return _format(a % b)


def evaluate(expression: str) -> str:
    """The value of one ``$[ ... ]`` expression (already substituted)."""
    tokens = _tokens(expression)
    if not tokens:
        return ""
    return _Parser(tokens).ternary()


def split_arguments(data: str) -> list[str]:
    """Application arguments split on commas outside parentheses and quotes."""
    args: list[str] = []
    depth = 0
    quoted = False
    current: list[str] = []
    for char in data:
        if char == '"':
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
        elif not quoted and depth == 0 and char == ",":
            args.append("".join(current))
            current = []
            continue
        current.append(char)
    args.append("".join(current))
    return args
