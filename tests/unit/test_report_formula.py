"""The contract formula language: arithmetic, missing values, and everything it refuses."""

from __future__ import annotations

import pytest

from tickets.reports.formula import FormulaError, parse_formula

KNOWN = {"answered", "offered", "score", "fee"}


def test_rate_with_values_substituted() -> None:
    formula = parse_formula("answered / offered", KNOWN)
    assert formula.evaluate({"answered": 9, "offered": 12}) == 0.75
    assert formula.substituted({"answered": 9, "offered": 12}) == "9 / 12"
    assert formula.names == ("answered", "offered")


def test_division_by_zero_and_missing_values_are_missing_not_zero() -> None:
    formula = parse_formula("1 - answered / offered", KNOWN)
    assert formula.evaluate({"answered": 0, "offered": 0}) is None
    assert formula.evaluate({"answered": None, "offered": 3}) is None


def test_functions_and_comparisons() -> None:
    formula = parse_formula("when(score >= 95, 0, (95 - score) * 0.5) + max(0, min(1, 2))", KNOWN)
    assert formula.evaluate({"score": 96}) == 1
    assert formula.evaluate({"score": 85}) == 6
    assert parse_formula("ceil(score / 3) + floor(2.7) + round(1.26, 1) + abs(-1)", KNOWN).evaluate(
        {"score": 10}
    ) == pytest.approx(4 + 2 + 1.3 + 1)
    assert parse_formula("score > 1 and not score > 5", KNOWN).evaluate({"score": 3}) == 1


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        ("answerd / offered", "unknown metric 'answerd'", 0),
        ("answered / offered +* 2", "not a formula", 20),
        ("__import__('os').system('x')", "unknown function", 0),
        ("answered.real", "Attribute is not allowed", 0),
        ("offered[0]", "Subscript is not allowed", 0),
        ("'text'", "only numbers", 0),
        ("offered ** 2", "operator Pow is not allowed", 0),
        ("max(offered)", "max() takes 2 to 10 arguments", 0),
        ("(lambda: 1)()", "unknown function", 0),
        ("", "empty formula", 0),
    ],
)
def test_refused_formulas_say_what_and_where(text: str, message: str, column: int) -> None:
    with pytest.raises(FormulaError) as caught:
        parse_formula(text, KNOWN)
    assert message in caught.value.message
    assert caught.value.column == column
