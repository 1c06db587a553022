"""The step table: which step may follow which status, and what it leads to."""

from __future__ import annotations

import pytest

from tickets.errors import IllegalStepError
from tickets.lifecycle import (
    FINAL,
    RULES,
    STATUS_LABELS,
    STEP_LABELS,
    IllegalStep,
    Status,
    Step,
    check_step,
    is_open,
)


def test_every_status_and_step_has_a_chinese_label() -> None:
    assert set(STATUS_LABELS) == set(Status)
    assert set(STEP_LABELS) == set(Step)
    assert set(RULES) == set(Step)


def test_the_happy_path_leads_from_draft_to_closed() -> None:
    status = Status.DRAFT
    for step, to in (
        (Step.ACCEPT, None),
        (Step.DISPATCH, None),
        (Step.UNIT_SIGN, None),
        (Step.REPLY, None),
        (Step.REVISIT, Status.CLOSED),
    ):
        status = check_step("n1", status, step, to)
    assert status == Status.CLOSED


def test_a_closed_order_takes_no_step_but_being_marked_not_counted() -> None:
    allowed = [step for step, rule in RULES.items() if Status.CLOSED in rule.starts]
    assert allowed == [Step.NOT_COUNTED]


def test_dispatching_a_draft_is_refused_with_what_the_step_needs() -> None:
    with pytest.raises(IllegalStep) as refused:
        check_step("12345-20261123-AB", Status.DRAFT, Step.DISPATCH)
    assert "order 12345-20261123-AB is draft (草稿)" in refused.value.message
    assert "dispatch (派单) needs one of: 待派单" in refused.value.message
    assert refused.value.status == 409


def test_a_callback_must_say_where_it_leads_and_may_not_lead_elsewhere() -> None:
    with pytest.raises(IllegalStepError, match="leads to one of"):
        check_step("n", Status.REPLIED, Step.REVISIT)
    with pytest.raises(IllegalStepError, match="cannot lead to dispatched"):
        check_step("n", Status.REPLIED, Step.REVISIT, Status.DISPATCHED)


def test_notes_keep_the_status() -> None:
    assert check_step("n", Status.HANDLING, Step.URGE) == Status.HANDLING
    assert check_step("n", Status.HANGING, Step.HANGING_PROGRESS) == Status.HANGING


def test_open_and_final_statuses() -> None:
    assert {Status.CLOSED, Status.RETURNED_UP, Status.MERGED} == FINAL
    assert is_open("hanging")
    assert not is_open("merged")
    with pytest.raises(ValueError, match="nonsense"):
        is_open("nonsense")
