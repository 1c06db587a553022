"""Contract files: the examples load, and a file with an error is refused with the file,
the line and what is wrong — never assessed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO
from tickets.reports.contract import load_contract, parse_contract
from tickets.reports.located import ContractError

CONTRACTS = REPO / "deploy" / "contracts"

GOOD = """\
name: 测试合同
kind: deductions
metrics:
  - id: answer_15s
    formula: answered_in_target / offered
    per: day
    target: ">= 90%"
    deduct:
      per_day: 200
"""


@pytest.mark.parametrize("path", sorted(CONTRACTS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_example_contract_loads(path: Path) -> None:
    contract = load_contract(path)
    assert contract.metrics
    assert contract.name


def test_a_good_contract_reads_targets_and_deductions() -> None:
    contract = parse_contract(GOOD, "c.yaml")
    metric = contract.metrics[0]
    assert (metric.per, metric.line) == ("day", 4)
    assert metric.target is not None
    assert metric.target.value == pytest.approx(0.9)
    assert metric.deduction is not None
    assert metric.deduction.amount == 200
    assert metric.evidence == ("not_in_target",)  # the calls that were not answered in time


def _errors(text: str) -> list[str]:
    with pytest.raises(ContractError) as caught:
        parse_contract(text, "c.yaml")
    return str(caught.value).splitlines()


def test_unknown_metric_names_its_line_and_column() -> None:
    errors = _errors(GOOD.replace("answered_in_target", "answered_in_targte"))
    assert errors == [
        "c.yaml:5: metrics[0].formula: bad formula 'answered_in_targte / offered' "
        "at column 1: unknown metric 'answered_in_targte'"
    ]


def test_bad_formula_is_refused_with_its_line() -> None:
    errors = _errors(GOOD.replace("answered_in_target / offered", "answered_in_target / "))
    assert len(errors) == 1
    assert errors[0].startswith("c.yaml:5: metrics[0].formula: bad formula")


def test_a_per_day_deduction_without_target_is_refused() -> None:
    errors = _errors(GOOD.replace('    target: ">= 90%"\n', ""))
    assert errors == ["c.yaml:4: metrics[0].target: missing: a per_day deduction needs a target"]


def test_every_problem_is_listed_at_once() -> None:
    text = (
        GOOD + "  - id: second\n    formula: offered\n    per: week\n    deduct: {per_event: -1}\n"
    )
    text = text.replace("kind: deductions", "kind: deductions\nsurprise: 1")
    errors = _errors(text)
    assert errors == [
        "c.yaml:3: surprise: unknown key 'surprise'; known: currency, fee, inputs, kind, "
        "lines, metrics, name, parameters, score, settings",
        "c.yaml:13: metrics[1].per: must be day or month, not 'week'",
        "c.yaml:14: metrics[1].deduct.per_event: must be greater than 0",
    ]


def test_duplicate_keys_and_bad_yaml_are_refused() -> None:
    assert _errors(GOOD.replace("kind: deductions", "kind: deductions\nkind: score")) == [
        "c.yaml:3: 'kind' given twice"
    ]
    assert _errors("name: [unclosed\nkind: x\n")[0].startswith("c.yaml:2: not valid YAML")


def test_score_contract_needs_groups_that_add_up() -> None:
    text = """\
name: 百分制
kind: score
score:
  total: 100
  groups:
    - {id: quality, label: 质量, points: 60}
  deduction_percent: 100 - score
metrics:
  - id: sat
    formula: satisfaction_rate
    target: ">= 95%"
    group: quallity
    points: 10
    deduct: {per_point: 1}
"""
    assert _errors(text) == [
        "c.yaml:5: score.groups: the groups' points add up to 60, not the total 100",
        "c.yaml:12: metrics[0].group: must be one of the score's groups ['quality'], "
        "not 'quallity'",
    ]


def test_a_day_by_day_metric_cannot_read_a_hand_given_input() -> None:
    text = GOOD.replace("answered_in_target / offered", "checks / offered").replace(
        "metrics:", "inputs:\n  checks: {default: 0}\nmetrics:"
    )
    assert _errors(text) == [
        "c.yaml:7: metrics[0].formula: 'checks' has no value per day; use per: month"
    ]
