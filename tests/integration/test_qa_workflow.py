"""Quality assurance on both databases: the plan of a day drawn from stored calls and
orders; a reviewer's claim, marks and grade; amendments; the agent's appeal and the
supervisor's decision; calibration; the figures; satisfaction."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from qa import reviews
from qa.figures import qa_figures
from qa.forms import DEFAULT_FORM, ensure_default_form
from qa.models import QaPlanRow, QaReviewRow, QaSampleRow
from qa.reviews import QaError
from qa.sampling import SamplingRules, make_plan, samples_of_plan
from qa.satisfaction import SatisfactionRules, satisfaction
from tests.integration.db_kit import migrated_engine
from tickets.db import session_factory
from tickets.models import CallRow, WorkOrderRow
from tickets.order_models import OrderEventRow, OrderRevisitRow

DAY = date(2026, 11, 23)
T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
ONLY_RULES = SamplingRules(share=0, minimum_per_agent=0, calibration_per_day=0)
Sessions = async_sessionmaker[AsyncSession]


def _t(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


@contextlib.asynccontextmanager
async def _qa(url: str) -> AsyncIterator[Sessions]:
    async with migrated_engine(url) as engine:
        sessions = session_factory(engine)
        async with sessions() as session, session.begin():
            await ensure_default_form(session, T0)
        yield sessions


def _call(call_id: str, agent: str | None, minutes: float = 0, **values: Any) -> CallRow:
    row: dict[str, Any] = {
        "server": "pbx1",
        "call_id": call_id,
        "linked_id": call_id,
        "line": "12345",
        "caller_number": "13800000000",
        "queued_at": _t(minutes),
        "answered_at": _t(minutes + 0.2),
        "outcome": "answered",
        "agent": agent,
        "seat": f"seat-{agent}",
        "talk_seconds": 120.0,
        "version": 1,
    }
    row.update(values)
    return CallRow(**row)


def _order(call_id: str, **values: Any) -> WorkOrderRow:
    row: dict[str, Any] = {
        "number": f"12345-20261123-{call_id.upper()}",
        "server": "pbx1",
        "call_id": call_id,
        "line": "12345",
        "caller_number": "13800000000",
        "status": "handling",
        "created_at": T0,
        "updated_at": T0,
        "category": "utilities.water",
    }
    row.update(values)
    return WorkOrderRow(**row)


def _full(**changes: dict[str, Any]) -> dict[str, dict[str, Any]]:
    answers: dict[str, dict[str, Any]] = {
        item.code: {"failed": False} if item.red_line else {"score": item.weight, "comment": ""}
        for item in DEFAULT_FORM.items()
    }
    answers.update(changes)
    return answers


async def _event(session: AsyncSession, order: WorkOrderRow, step: str) -> None:
    session.add(
        OrderEventRow(
            order_id=order.id, at=_t(60), actor="x", step=step, to_status="handling", details={}
        )
    )


async def test_the_plan_of_a_day_samples_stored_calls_and_orders_with_their_reasons(
    database_url: str,
) -> None:
    async with _qa(database_url) as sessions:
        async with sessions() as session, session.begin():
            session.add_all(
                [
                    _call("c1", "1001", survey_score=3),
                    _call("c2", "1001", talk_seconds=12.0),
                    _call("c3", "1001"),
                    _call("c4", "1002"),
                    _call("c5", "1002"),
                    _call("c6", "1002"),
                    _call("c7", "1003", talk_seconds=1000.0),
                    _call("c8", "1003", outcome="abandoned", answered_at=None, talk_seconds=5.0),
                    _call("c9", "1003", minutes=24 * 60, survey_score=3),  # the next day
                    _call("c10", "1003"),
                ]
            )
            complaint, supervised = _order("c3", category="complaint"), _order("c4")
            returned = _order("c5")
            late = _order("c6", closed_at=_t(600), close_due=_t(500), status="closed")
            session.add_all([complaint, supervised, returned, late, _order("c10")])
            await session.flush()
            await _event(session, supervised, "supervise")
            await _event(session, returned, "unit_return")
        async with sessions() as session, session.begin():
            plan = await make_plan(session, DAY, ONLY_RULES, 42, "nightly", _t(1000))
            samples = await samples_of_plan(session, plan.id)
        async with sessions() as session, session.begin():
            again = await make_plan(session, DAY, SamplingRules(), 7, "主管", _t(2000))
    assert {(s.call_id, tuple(s.reasons)) for s in samples} == {
        ("c1", ("unsatisfied",)),
        ("c2", ("short",)),
        ("c3", ("complaint",)),
        ("c4", ("overdue",)),
        ("c5", ("returned",)),
        ("c6", ("overdue",)),
        ("c7", ("long",)),
    }
    c3 = next(s for s in samples if s.call_id == "c3")
    assert (c3.agent, c3.order_number, c3.state, c3.calibration) == (
        "1001",
        "12345-20261123-C3",
        "open",
        False,
    )
    assert (again.id, again.seed, again.created_by) == (plan.id, 42, "nightly")


async def _samples(sessions: Sessions, *specs: tuple[str, str, bool]) -> list[int]:
    async with sessions() as session, session.begin():
        plan = QaPlanRow(day=DAY, seed=1, rules={}, created_at=T0, created_by="test")
        session.add(plan)
        await session.flush()
        rows = [
            QaSampleRow(
                plan_id=plan.id,
                server="pbx1",
                call_id=call_id,
                agent=agent,
                seat="s1",
                line="12345",
                order_number=None,
                reasons=["calibration" if calibration else "random"],
                calibration=calibration,
            )
            for call_id, agent, calibration in specs
        ]
        session.add_all(rows)
        await session.flush()
        return [row.id for row in rows]


async def _form_id(sessions: Sessions) -> int:
    async with sessions() as session:
        return (await ensure_default_form(session)).id


async def test_a_reviewer_claims_marks_and_submits_a_sample(database_url: str) -> None:
    async with _qa(database_url) as sessions:
        first, second = await _samples(sessions, ("c1", "1001", False), ("c2", "1002", False))
        form_id = await _form_id(sessions)
        async with sessions() as session, session.begin():
            await reviews.claim(session, first, "qa1", _t(1))
        async with sessions() as session:
            with pytest.raises(QaError) as taken:
                await reviews.claim(session, first, "qa2", _t(2))
            queue_qa2 = [s.id for s in await reviews.queue(session, "qa2")]
            queue_qa1 = [s.id for s in await reviews.queue(session, "qa1")]
        async with sessions() as session, session.begin():
            mark = await reviews.add_mark(
                session, first, "qa1", 12.5, "未报工号", "greeting", _t(3)
            )
            with pytest.raises(QaError) as not_his:
                await reviews.add_mark(session, first, "qa2", 3, "x", None, _t(3))
        async with sessions() as session, session.begin():
            answers = _full(greeting={"score": 0, "comment": "未报工号"}, closing={"score": None})
            review = await reviews.submit(
                session, first, "qa1", form_id, answers, "总体良好", _t(4)
            )
        async with sessions() as session, session.begin():
            with pytest.raises(QaError) as twice:
                await reviews.submit(session, first, "qa1", form_id, _full(), "", _t(5))
            with pytest.raises(QaError) as bad:
                await reviews.submit(session, second, "qa1", form_id, {}, "", _t(5))
            sample = await session.get(QaSampleRow, first)
            marks = await reviews.marks_of(session, first)
    assert (taken.value.status, not_his.value.status, twice.value.status) == (409, 409, 409)
    assert bad.value.status == 400
    assert (queue_qa2, queue_qa1) == ([second], [first, second])
    assert [(m.id, m.at_seconds, m.item, m.comment) for m in marks] == [
        (mark.id, 12.5, "greeting", "未报工号")
    ]
    # 5 points lost of 95 applicable (closing N/A): 90 / 95
    assert (review.score, review.red_lines, review.agent, review.comment) == (
        94.74,
        [],
        "1001",
        "总体良好",
    )
    assert sample is not None
    assert (sample.state, sample.claimed_by) == ("reviewed", "qa1")


async def _reviewed(sessions: Sessions, sample_id: int, score_of_accuracy: float) -> int:
    form_id = await _form_id(sessions)
    async with sessions() as session, session.begin():
        answers = _full(accuracy={"score": score_of_accuracy})
        return (await reviews.submit(session, sample_id, "qa1", form_id, answers, "", _t(10))).id


async def test_an_amendment_is_a_new_version_and_the_old_one_stays(database_url: str) -> None:
    async with _qa(database_url) as sessions:
        (sample,) = await _samples(sessions, ("c1", "1001", False))
        old_id = await _reviewed(sessions, sample, 5)
        async with sessions() as session, session.begin():
            with pytest.raises(QaError) as no_reason:
                await reviews.amend(session, old_id, "qa9", _full(), "", " ", _t(20))
            new = await reviews.amend(session, old_id, "qa9", _full(), "复听后更正", "误判", _t(20))
        async with sessions() as session, session.begin():
            with pytest.raises(QaError) as stale:
                await reviews.amend(session, old_id, "qa9", _full(), "", "再改", _t(21))
            rows = list(await session.scalars(select(QaReviewRow).order_by(QaReviewRow.id)))
            results = await reviews.results_of_agent(session, "1001", T0, _t(60))
    assert no_reason.value.status == 400
    assert stale.value.status == 409
    assert [(r.id, r.score, r.current, r.amends, r.reviewer) for r in rows] == [
        (old_id, 90.0, False, None, "qa1"),
        (new.id, 100.0, True, old_id, "qa9"),
    ]
    assert rows[1].amend_reason == "误判"
    assert [(r["review_id"], r["score"], r["amends"], r["can_appeal"]) for r in results] == [
        (new.id, 100.0, old_id, True)
    ]


async def test_an_agent_appeals_once_and_a_supervisor_upholds_or_overturns(
    database_url: str,
) -> None:
    async with _qa(database_url) as sessions:
        one, two = await _samples(sessions, ("c1", "1001", False), ("c2", "1001", False))
        first, second = await _reviewed(sessions, one, 0), await _reviewed(sessions, two, 0)
        async with sessions() as session, session.begin():
            with pytest.raises(QaError) as stranger:
                await reviews.appeal(session, first, "1002", "不是我", _t(30))
            upheld = await reviews.appeal(session, first, "1001", "答复无误", _t(30))
            overturned = await reviews.appeal(session, second, "1001", "政策已更新", _t(30))
        async with sessions() as session, session.begin():
            with pytest.raises(QaError) as again:
                await reviews.appeal(session, first, "1001", "再申诉", _t(31))
            await reviews.decide(session, upheld.id, "主管A", True, "评分无误", _t(40))
            with pytest.raises(QaError) as no_answers:
                await reviews.decide(session, overturned.id, "主管A", False, "申诉成立", _t(40))
        async with sessions() as session, session.begin():
            decided = await reviews.decide(
                session, overturned.id, "主管A", False, "申诉成立", _t(41), _full()
            )
        async with sessions() as session, session.begin():
            with pytest.raises(QaError) as decided_twice:
                await reviews.decide(session, upheld.id, "主管B", False, "", _t(42), _full())
            assert decided.amended_review_id is not None
            with pytest.raises(QaError) as appeal_amended:
                await reviews.appeal(session, decided.amended_review_id, "1001", "x", _t(43))
            results = await reviews.results_of_agent(session, "1001", T0, _t(60))
    assert (stranger.value.status, again.value.status, no_answers.value.status) == (403, 409, 400)
    assert (decided_twice.value.status, appeal_amended.value.status) == (409, 409)
    by_review = {r["review_id"]: r for r in results}
    assert set(by_review) == {first, decided.amended_review_id}
    assert (by_review[first]["score"], by_review[first]["appeal"]["state"]) == (85.0, "upheld")
    amended = by_review[decided.amended_review_id]
    assert (amended["score"], amended["reviewer"], amended["amends"]) == (100.0, "主管A", second)
    assert (amended["appeal"]["state"], amended["appeal"]["label"]) == ("overturned", "已改判")
    assert amended["amend_reason"] == "申诉改判：申诉成立"
    assert amended["can_appeal"] is False


async def test_calibration_shows_the_spread_of_three_reviewers(database_url: str) -> None:
    async with _qa(database_url) as sessions:
        (sample,) = await _samples(sessions, ("c1", "1001", True))
        form_id = await _form_id(sessions)
        given = {"qa1": 15, "qa2": 9, "qa3": 12}
        for reviewer, accuracy in given.items():
            async with sessions() as session, session.begin():
                await reviews.claim(session, sample, reviewer, _t(1))
                answers = _full(accuracy={"score": accuracy})
                if reviewer == "qa3":
                    answers["fluency"] = {"score": 1}
                await reviews.submit(session, sample, reviewer, form_id, answers, "", _t(2))
        async with sessions() as session, session.begin():
            with pytest.raises(QaError) as twice:
                await reviews.submit(session, sample, "qa2", form_id, _full(), "", _t(3))
            spread = await reviews.calibration(session, sample)
            queue_qa1 = await reviews.queue(session, "qa1")
            queue_qa4 = [s.id for s in await reviews.queue(session, "qa4")]
            row = await session.get(QaSampleRow, sample)
            agent_results = await reviews.results_of_agent(session, "1001", T0, _t(60))
    assert twice.value.status == 409
    assert [(r["reviewer"], r["score"]) for r in spread["reviews"]] == [
        ("qa1", 100.0),
        ("qa2", 94.0),
        ("qa3", 95.0),  # 12 of 15 and 1 of 3: 5 points lost
    ]
    assert (spread["min"], spread["max"], spread["spread"], spread["mean"]) == (
        94.0,
        100.0,
        6.0,
        96.33,
    )
    assert spread["items"]["accuracy"]["scores"] == {"qa1": 15.0, "qa2": 9.0, "qa3": 12.0}
    assert spread["items"]["accuracy"]["spread"] == 6.0
    assert spread["items"]["fluency"]["spread"] == 2.0
    assert spread["items"]["greeting"]["spread"] == 0.0
    assert row is not None
    assert row.state == "open"
    assert (queue_qa1, queue_qa4) == ([], [sample])
    assert agent_results == []


async def test_figures_move_with_reviews(database_url: str) -> None:
    async with _qa(database_url) as sessions:
        a, b, c = await _samples(
            sessions, ("c1", "1001", False), ("c2", "1001", False), ("c3", "1002", False)
        )
        team = {"1001": "甲班", "1002": "乙班"}
        async with sessions() as session:
            before = await qa_figures(session, T0, _t(24 * 60), team=team)
        form_id = await _form_id(sessions)
        graded = {
            a: _full(accuracy={"score": 10}, completeness={"score": 3}),
            b: _full(fluency={"score": None}),
            c: _full(leak={"failed": True}, wording={"score": 0}),
        }
        for sample, answers in graded.items():
            async with sessions() as session, session.begin():
                await reviews.submit(session, sample, "qa1", form_id, answers, "", _t(5))
        async with sessions() as session:
            after = await qa_figures(session, T0, _t(24 * 60), team=team)
    assert (before["reviews"], before["average"], before["work_order_quality"]) == (0, None, None)
    assert (after["reviews"], after["red_lines"]) == (3, 1)
    # 92 + 100 + 0 (red line) over three
    assert after["average"] == 64.0
    assert [(x["agent"], x["team"], x["reviews"], x["average"]) for x in after["agents"]] == [
        ("1001", "甲班", 2, 96.0),
        ("1002", "乙班", 1, 0.0),
    ]
    assert after["agents"][0]["by_day"] == [
        {"day": "2026-11-23", "reviews": 2, "average": 96.0, "red_lines": 0}
    ]
    assert [(t["team"], t["red_lines"]) for t in after["teams"]] == [("乙班", 1), ("甲班", 0)]
    assert [(e["item"], e["lost"], e["times"]) for e in after["errors"]] == [
        ("accuracy", 5.0, 1),
        ("completeness", 3.0, 1),
        ("wording", 3.0, 1),
    ]
    assert after["red_line_items"] == [{"item": "leak", "label": "泄露来电人信息", "count": 1}]
    # 工单质量 shares: 12/15, 12/12 (fluency N/A), 12/15 → 15 × 0.8667
    assert after["work_order_quality"] == 13.0


async def test_satisfaction_counts_surveys_and_callbacks_per_the_contract_rule(
    database_url: str,
) -> None:
    async with _qa(database_url) as sessions:
        async with sessions() as session, session.begin():
            scores = [1, 1, 1, 2, 3, None]
            session.add_all(
                _call(f"s{i}", "1001", minutes=i, survey_score=score)
                for i, score in enumerate(scores)
            )
            orders = [_order(f"o{i}") for i in range(3)]
            session.add_all(orders)
            await session.flush()
            callbacks = [
                (orders[0], 1, "unsatisfied", 30),
                (orders[0], 2, "satisfied", 90),  # the last rated callback counts
                (orders[1], 1, "basically_satisfied", 30),
                (orders[2], 1, "unreachable", 30),
            ]
            session.add_all(
                OrderRevisitRow(
                    order_id=order.id,
                    attempt=attempt,
                    placed_at=_t(minutes),
                    agent="2001",
                    result=result,
                    recorded_at=_t(minutes + 1),
                )
                for order, attempt, result, minutes in callbacks
            )
        async with sessions() as session:
            basic = await satisfaction(session, T0, _t(24 * 60), SatisfactionRules())
            strict = await satisfaction(session, T0, _t(24 * 60), SatisfactionRules(False))
    assert basic["survey"] == {
        "rated": 5,
        "satisfied": 3,
        "basically_satisfied": 1,
        "unsatisfied": 1,
        "rate": 0.8,
    }
    assert basic["callback"] == {
        "rated": 2,
        "satisfied": 1,
        "basically_satisfied": 1,
        "unsatisfied": 0,
        "rate": 1.0,
    }
    # together: 4 satisfied + 2 basically of 7
    assert (basic["rated"], basic["rate"]) == (7, 0.8571)
    assert (strict["rate"], strict["survey"]["rate"], strict["callback"]["rate"]) == (
        0.5714,
        0.6,
        0.5,
    )
