"""The daily sampling draw: shares and minimums per agent, the rules' reasons, the seed."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pytest

from qa.sampling import REASONS, CallForSampling, SamplingRules, draw, sampling_rules

NO_CALIBRATION = SamplingRules(calibration_per_day=0)


def _call(n: int, agent: str | None = "1001", **facts: Any) -> CallForSampling:
    values: dict[str, Any] = {
        "server": "pbx1",
        "call_id": f"c{n:04d}",
        "agent": agent,
        "seat": "s1",
        "line": "12345",
        "talk_seconds": 120.0,
        "survey_score": None,
    }
    values.update(facts)
    return CallForSampling(**values)


def _ordinary(count: int, agent: str | None, start: int = 0) -> list[CallForSampling]:
    return [_call(start + i, agent) for i in range(count)]


def test_each_agent_gets_the_share_rounded_half_up_at_random() -> None:
    calls = _ordinary(40, "1001") + _ordinary(30, "1002", 100) + _ordinary(50, "1003", 200)
    picks = draw(calls, NO_CALIBRATION, seed=7)
    per_agent = Counter(p.call.agent for p in picks)
    # 5% of 40 = 2; of 30 = 1.5 → 2; of 50 = 2.5 → 3
    assert per_agent == {"1001": 2, "1002": 2, "1003": 3}
    assert {p.reasons for p in picks} == {("random",)}


def test_an_agent_with_few_calls_gets_the_minimum() -> None:
    calls = _ordinary(3, "1001") + _ordinary(1, "1002", 10)
    picks = draw(calls, NO_CALIBRATION, seed=1)
    # 5% of 3 rounds to 0: two calls to make the minimum; one call is all 1002 has
    assert Counter(p.call.agent for p in picks) == {"1001": 2, "1002": 1}
    assert {p.reasons for p in picks} == {("minimum",)}


def test_calls_picked_by_a_rule_count_towards_the_minimum() -> None:
    calls = [*_ordinary(3, "1001"), _call(9, "1001", survey_score=3)]
    picks = draw(calls, NO_CALIBRATION, seed=3)
    assert sorted(p.reasons for p in picks) == [("minimum",), ("unsatisfied",)]


@pytest.mark.parametrize(
    ("facts", "reason"),
    [
        ({"survey_score": 3}, "unsatisfied"),
        ({"order_category": "complaint"}, "complaint"),
        ({"order_category": "service_complaint"}, "complaint"),
        ({"order_overdue": True}, "overdue"),
        ({"order_returned": True}, "returned"),
        ({"talk_seconds": 19.5}, "short"),
        ({"talk_seconds": 900.5}, "long"),
    ],
)
def test_every_rule_samples_its_calls_with_its_reason(facts: dict[str, Any], reason: str) -> None:
    rules = SamplingRules(share=0, minimum_per_agent=0, calibration_per_day=0)
    calls = [*_ordinary(50, "1001"), _call(99, "1001", **facts)]
    picks = draw(calls, rules, seed=5)
    assert [(p.call.call_id, p.reasons) for p in picks] == [("c0099", (reason,))]
    assert reason in REASONS


def test_limits_and_ordinary_answers_are_not_outliers() -> None:
    rules = SamplingRules(share=0, minimum_per_agent=0, calibration_per_day=0)
    calls = [
        _call(1, talk_seconds=20.0),
        _call(2, talk_seconds=900.0),
        _call(3, survey_score=1),
        _call(4, survey_score=2),
        _call(5, order_category="utilities.water"),
        _call(6, talk_seconds=None),
    ]
    assert draw(calls, rules, seed=5) == []


def test_a_rule_switched_off_samples_nothing() -> None:
    rules = SamplingRules(
        share=0, minimum_per_agent=0, calibration_per_day=0, include_unsatisfied=False
    )
    assert draw([_call(1, survey_score=3)], rules, seed=5) == []


def test_a_call_picked_for_several_reasons_lists_them_all() -> None:
    rules = SamplingRules(share=0, minimum_per_agent=0, calibration_per_day=0)
    call = _call(1, survey_score=3, order_category="complaint", order_returned=True, talk_seconds=5)
    (pick,) = draw([call], rules, seed=5)
    assert pick.reasons == ("unsatisfied", "complaint", "returned", "short")


def test_the_same_seed_draws_the_same_plan_whatever_the_input_order() -> None:
    calls = _ordinary(200, "1001") + _ordinary(120, "1002", 500)
    shuffled = list(calls)
    random.Random(99).shuffle(shuffled)
    first = draw(calls, SamplingRules(), seed=20261123)
    assert draw(shuffled, SamplingRules(), seed=20261123) == first
    assert draw(calls, SamplingRules(), seed=20261124) != first


def test_calibration_calls_come_from_the_calls_not_otherwise_sampled() -> None:
    calls = _ordinary(10, "1001")
    picks = draw(calls, SamplingRules(share=0, minimum_per_agent=1, calibration_per_day=2), 4)
    assert sorted(p.reasons for p in picks) == [("calibration",), ("calibration",), ("minimum",)]
    assert [p.calibration for p in picks].count(True) == 2


def test_calls_without_an_agent_are_only_sampled_by_rules() -> None:
    calls = [*_ordinary(5, None), _call(9, None, talk_seconds=3)]
    picks = draw(calls, SamplingRules(), seed=2)
    assert [(p.call.call_id, p.reasons) for p in picks] == [("c0009", ("short",))]


def test_rules_from_settings_are_checked() -> None:
    rules = sampling_rules({"share": 0.1, "complaint_categories": ["complaint"]})
    assert (rules.share, rules.complaint_categories, rules.minimum_per_agent) == (
        0.1,
        ("complaint",),
        2,
    )
    assert sampling_rules(rules.as_json()) == rules
    with pytest.raises(ValueError, match=r"^share: must be from 0 to 1"):
        sampling_rules({"share": 5})
    with pytest.raises(ValueError, match=r"^minimum_per_agent: must be a whole number"):
        sampling_rules({"minimum_per_agent": 1.5})
    with pytest.raises(ValueError, match=r"^shares: not a sampling rule"):
        sampling_rules({"shares": 0.1})
