"""The four example contracts of deploy/contracts assessed over the month of
reports_kit, on SQLite and PostgreSQL; every expected deduction is worked out by hand
from the month described in reports_kit's docstring."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import REPO
from tests.integration.db_kit import migrated_engine
from tests.integration.reports_kit import AFTER_THE_MONTH, MONTH, SHANGHAI, write_month
from tickets.db import session_factory
from tickets.reports.assess import Assessment, MetricResult, assess
from tickets.reports.contract import load_contract
from tickets.reports.period import Period
from tickets.reports.render import assessment_json, assessment_text
from tickets.workdays import WorkCalendar

CONTRACTS = REPO / "deploy" / "contracts"


@pytest.fixture
async def month(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    async with migrated_engine(database_url) as engine:
        sessions = session_factory(engine)
        await write_month(sessions)
        yield sessions


async def _assess(
    sessions: async_sessionmaker[AsyncSession], name: str, **inputs: float
) -> Assessment:
    async with sessions() as session:
        return await assess(
            session,
            load_contract(CONTRACTS / name),
            Period.month(MONTH, SHANGHAI),
            now=AFTER_THE_MONTH,
            calendar=WorkCalendar(SHANGHAI),
            inputs=inputs,
        )


def _metric(assessment: Assessment, metric_id: str) -> MetricResult:
    return next(r for r in assessment.results if r.metric.id == metric_id)


def _refs(items: list[object]) -> list[str]:
    return [item.ref for item in items]  # type: ignore[attr-defined]


async def test_per_day_contract_deducts_each_day_short_with_its_calls(
    month: async_sessionmaker[AsyncSession],
) -> None:
    result = await _assess(month, "per_day.yaml")
    answer = _metric(result, "answer_15s")
    short = [day for day in answer.days if day.deduction]
    assert [day.day.day for day in short] == [3, 10, 17]  # 10/12; the 12345 days are not ours
    assert answer.deduction == 600
    assert short[0].substituted == "10 / 12"
    assert _refs(short[0].evidence) == ["pbx1/d3-late0", "pbx1/d3-late1"]
    connection = _metric(result, "connection")
    short = [day for day in connection.days if day.deduction]
    assert [day.day.day for day in short] == [5, 24]  # the short abandon still counts as offered
    assert _refs(short[0].evidence) == ["pbx1/d5-short"]
    assert connection.deduction == 400
    per_agent = _metric(result, "calls_per_agent")
    assert per_agent.value == pytest.approx(306 / 30)
    assert per_agent.met is False
    assert per_agent.deduction == 0
    assert result.total_deduction == 1000
    assert result.fee == 149_000
    text = assessment_text(result)
    assert "answered_in_target / offered" in text
    assert "149,000.00" in text


async def test_per_event_contract_counts_each_event_and_its_order(
    month: async_sessionmaker[AsyncSession],
) -> None:
    result = await _assess(month, "per_event.yaml", falsified_records=1, agent_complaints=3)
    expected = {
        "zero_score": (10_000, 2),
        "late_dispatch": (3_000, 3),  # order 21 is not counted (涉法涉诉)
        "missed_response": (2_000, 2),
        "missed_callback": (1_000, 1),
        "late_callback": (500, 1),
        "falsified": (3_000, 0),
        "complaints": (2_000, 0),  # 3 complaints, the first one allowed
    }
    for metric_id, (deduction, evidence) in expected.items():
        metric = _metric(result, metric_id)
        assert (metric.deduction, len(metric.evidence)) == (deduction, evidence), metric_id
    assert _refs(_metric(result, "late_dispatch").evidence) == [
        "12345-T-001",
        "12345-T-002",
        "12345-T-003",
    ]
    assert _refs(_metric(result, "missed_response").evidence) == ["12345-T-005", "12345-T-006"]
    assert _refs(_metric(result, "missed_callback").evidence) == ["12345-T-020"]
    assert _refs(_metric(result, "late_callback").evidence) == ["12345-T-019"]
    assert result.total_deduction == 21_500
    assert result.fee == 158_500


async def test_per_point_contract_rounds_each_point_up(
    month: async_sessionmaker[AsyncSession],
) -> None:
    result = await _assess(month, "per_point.yaml")
    satisfaction = _metric(result, "satisfaction")
    assert satisfaction.value == pytest.approx(26 / 28)  # 18+1 surveys, 7 callbacks of 28
    assert satisfaction.deduction == 600  # 2.14 points, rounded up to 3
    assert len(satisfaction.evidence) == 2  # the unsatisfied survey and callback
    accuracy = _metric(result, "accuracy")
    assert (accuracy.value, accuracy.deduction) == (pytest.approx(0.95), 1_500)
    assert _refs(accuracy.evidence) == ["12345-T-004"]
    assert _metric(result, "response").deduction == 3_000
    assert _metric(result, "callback").deduction == 2_000
    assert result.total_deduction == 7_100
    assert result.fee == 312_900


async def test_score_contract_caps_points_and_sets_the_fee(
    month: async_sessionmaker[AsyncSession],
) -> None:
    result = await _assess(month, "score_100.yaml", logistics_lost=2)
    lost = {r.metric.id: r.deduction for r in result.results}
    assert lost == {
        "agent_calls": 10,  # 30 agent-days short x 0.5 = 15, at most 10
        "absent": 0,
        "answer_15s": 5,  # the 1st and 2nd (12345 abandons) and the 3rd, 10th, 17th
        "satisfaction": 3,
        "callback": 5,
        "accuracy": 3,
        "response": 5,
        "qa_score": 13,  # average 54, 26 below 80
        "logistics": 2,
    }
    assert result.lost_by_group == {"staffing": 10, "quality": 34, "logistics": 2}
    assert result.score == 54
    assert result.deduction_percent == pytest.approx(20.5)
    assert result.fee == 159_000
    body = assessment_json(result)
    assert body["score"] == 54
    assert body["metrics"][2]["days_short"] == 5


async def test_missing_input_without_default_is_refused(
    month: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    from tickets.reports.assess import MissingInput

    text = (CONTRACTS / "per_event.yaml").read_text(encoding="utf-8")
    changed = tmp_path / "contract.yaml"
    changed.write_text(text.replace("    default: 0\n", "", 1), encoding="utf-8")
    async with month() as session:
        with pytest.raises(MissingInput, match="falsified_records"):
            await assess(
                session,
                load_contract(changed),
                Period.month(MONTH, SHANGHAI),
                now=AFTER_THE_MONTH,
            )
