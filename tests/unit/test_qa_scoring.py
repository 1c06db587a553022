"""Grading on a form: N/A items taken out of the scale, red lines failing the call."""

from __future__ import annotations

from typing import Any

import pytest

from qa.forms import DEFAULT_FORM, parse_form
from qa.scoring import AnswerError, grade


def _full() -> dict[str, dict[str, Any]]:
    answers: dict[str, dict[str, Any]] = {}
    for item in DEFAULT_FORM.items():
        answers[item.code] = {"failed": False} if item.red_line else {"score": item.weight}
    return answers


def test_full_marks_score_100() -> None:
    result = grade(DEFAULT_FORM, _full())
    assert (result.score, result.points, result.possible, result.red_lines) == (
        100.0,
        100.0,
        100.0,
        (),
    )


def test_points_lost_lower_the_score() -> None:
    answers = _full()
    answers["accuracy"] = {"score": 10, "comment": "答复不完整"}
    answers["completeness"] = {"score": 3.5}
    # 100 - 5 - 2.5
    assert grade(DEFAULT_FORM, answers).score == 92.5


def test_not_applicable_items_leave_the_scale() -> None:
    answers = _full()
    answers["closing"] = {"score": None}  # 5 points
    answers["dispatch"] = {"score": None}  # 20 points
    answers["accuracy"] = {"score": 10}  # 5 of 15 lost
    result = grade(DEFAULT_FORM, answers)
    # 70 of 75: 93.333…
    assert (result.points, result.possible, result.score) == (70.0, 75.0, 93.33)


def test_a_failed_red_line_scores_the_call_zero() -> None:
    answers = _full()
    answers["leak"] = {"failed": True, "comment": "向物业透露来电人姓名"}
    result = grade(DEFAULT_FORM, answers)
    assert (result.score, result.red_lines, result.points) == (0.0, ("leak",), 100.0)


def test_every_failed_red_line_is_listed_in_form_order() -> None:
    answers = _full()
    answers["leak"] = {"failed": True}
    answers["shirking"] = {"score": 0, "failed": True}
    assert grade(DEFAULT_FORM, answers).red_lines == ("shirking", "leak")


def test_an_item_without_an_answer_is_refused() -> None:
    answers = _full()
    del answers["fluency"]
    with pytest.raises(AnswerError, match=r"^fluency: not answered"):
        grade(DEFAULT_FORM, answers)


def test_an_item_that_may_not_be_na_is_refused_as_na() -> None:
    answers = _full()
    answers["greeting"] = {"score": None}
    with pytest.raises(AnswerError, match=r"greeting\.score: this item cannot be N/A"):
        grade(DEFAULT_FORM, answers)


def test_a_score_above_the_weight_is_refused() -> None:
    answers = _full()
    answers["fluency"] = {"score": 4}
    with pytest.raises(AnswerError, match=r"fluency\.score: must be from 0 to 3"):
        grade(DEFAULT_FORM, answers)


def test_an_ordinary_item_cannot_be_failed() -> None:
    answers = _full()
    answers["fluency"] = {"score": 1, "failed": True}
    with pytest.raises(AnswerError, match="only a red-line item"):
        grade(DEFAULT_FORM, answers)


def test_an_unknown_item_is_refused() -> None:
    answers = _full()
    answers["charm"] = {"score": 1}
    with pytest.raises(AnswerError, match="charm: not an item"):
        grade(DEFAULT_FORM, answers)


def test_all_items_na_cannot_be_scored() -> None:
    form = parse_form(
        {
            "name": "n",
            "title": "t",
            "sections": [
                {
                    "code": "s",
                    "label": "S",
                    "items": [
                        {"code": "a", "label": "A", "weight": 40},
                        {"code": "b", "label": "B", "weight": 60},
                    ],
                }
            ],
        }
    )
    with pytest.raises(AnswerError, match="every item is N/A"):
        grade(form, {"a": {"score": None}, "b": {"score": None}})
    assert grade(form, {"a": {"score": None}, "b": {"score": 45}}).score == 75.0
