"""Grading a call on an evaluation form: the answers checked item by item, N/A items
taken out of the scale, red lines failing the call.

``answers[item] = {"score": points | None, "comment": text}``; ``None`` is N/A (不适用).
A red-line item is answered ``{"score": 0 | None, "failed": bool}``. The score is
``100 × points / possible`` over the applicable items, so a call whose N/A items are
worth 20 points is scored out of the other 80; a failed red line makes it 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from qa.forms import EvaluationForm, FormItem
from tickets.errors import DomainError


@dataclass(frozen=True)
class Grade:
    score: float  # 0..100, two decimals
    red_lines: tuple[str, ...]  # codes of the red-line items failed
    points: float  # points earned over the applicable items
    possible: float  # points the applicable items are worth


@dataclass(frozen=True)
class ItemAnswer:
    score: float | None  # None: not applicable
    failed: bool
    comment: str


class AnswerError(DomainError):
    """Answers that do not fit the form; the message names the item."""

    error_id = "invalid-parameter"


def grade(form: EvaluationForm, answers: Mapping[str, Mapping[str, Any]]) -> Grade:
    """The grade of ``answers`` on ``form``; every item must be answered."""
    checked = check_answers(form, answers)
    points = possible = 0.0
    for item in form.items():
        answer = checked[item.code]
        if answer.score is None:
            continue
        points += answer.score
        possible += item.weight
    if possible <= 0:
        raise AnswerError("every item is N/A: nothing to score")
    red_lines = tuple(item.code for item in form.items() if checked[item.code].failed)
    score = 0.0 if red_lines else round(100 * points / possible, 2)
    return Grade(score=score, red_lines=red_lines, points=points, possible=possible)


def check_answers(
    form: EvaluationForm, answers: Mapping[str, Mapping[str, Any]]
) -> dict[str, ItemAnswer]:
    """Each item's answer, checked against the form."""
    if not isinstance(answers, Mapping):
        raise AnswerError("answers must be an object of item code -> answer")
    unknown = sorted(set(answers) - {item.code for item in form.items()})
    if unknown:
        raise AnswerError(f"{unknown[0]}: not an item of form {form.name!r}")
    return {item.code: _answer(item, answers.get(item.code)) for item in form.items()}


def _answer(item: FormItem, answer: Any) -> ItemAnswer:
    if not isinstance(answer, Mapping):
        raise AnswerError(f"{item.code}: not answered")
    comment = answer.get("comment", "")
    if not isinstance(comment, str):
        raise AnswerError(f"{item.code}.comment: must be text")
    failed = answer.get("failed", False)
    if not isinstance(failed, bool):
        raise AnswerError(f"{item.code}.failed: must be true or false")
    if failed and not item.red_line:
        raise AnswerError(f"{item.code}.failed: only a red-line item can be failed")
    if "score" not in answer and not item.red_line:
        raise AnswerError(f"{item.code}.score: missing (a number, or null for N/A)")
    score = _score(item, answer.get("score", 0.0 if item.weight == 0 else None))
    return ItemAnswer(score=score, failed=failed, comment=comment)


def _score(item: FormItem, score: Any) -> float | None:
    if score is None:
        if not item.allow_na and not item.red_line:
            raise AnswerError(f"{item.code}.score: this item cannot be N/A")
        return None
    if isinstance(score, bool) or not isinstance(score, int | float) or not math.isfinite(score):
        raise AnswerError(f"{item.code}.score: must be a number or null")
    if not 0 <= score <= item.weight:
        raise AnswerError(f"{item.code}.score: must be from 0 to {item.weight:g}")
    return float(score)
