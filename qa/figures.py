"""QA figures over a period: scores per agent and team and by day, red lines, the most
common errors, and the work-order quality score the contracts ask for (15 of 100).

Only current reviews count (an amended grade counts by its newest version), and not
those of calibration samples, which measure the reviewers rather than the agent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from qa.forms import WORK_ORDER_SECTION, EvaluationForm, form_of
from qa.models import QaFormRow, QaReviewRow, QaSampleRow
from tickets.orders import ORDER_NUMBER_ZONE

WORK_ORDER_POINTS = 15  # the contracts' work-order quality: 15 of 100 points
TOP_ERRORS = 10
NO_TEAM = "未分组"


@dataclass
class _Tally:
    reviews: int = 0
    total: float = 0.0
    red_lines: int = 0  # reviews failing at least one red line

    def add(self, review: QaReviewRow) -> None:
        self.reviews += 1
        self.total += review.score
        self.red_lines += 1 if review.red_lines else 0

    def as_json(self) -> dict[str, Any]:
        average = round(self.total / self.reviews, 2) if self.reviews else None
        return {"reviews": self.reviews, "average": average, "red_lines": self.red_lines}


@dataclass
class _Errors:
    lost: dict[str, float] = field(default_factory=dict)  # item -> points lost
    times: dict[str, int] = field(default_factory=dict)  # item -> answers below full marks
    red_lines: dict[str, int] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    def add(self, review: QaReviewRow, form: EvaluationForm) -> None:
        for item in form.items():
            self.labels[item.code] = item.label
            answer = review.answers.get(item.code) or {}
            score = answer.get("score")
            if isinstance(score, int | float) and score < item.weight:
                self.lost[item.code] = self.lost.get(item.code, 0.0) + item.weight - score
                self.times[item.code] = self.times.get(item.code, 0) + 1
        for code in review.red_lines:
            self.red_lines[code] = self.red_lines.get(code, 0) + 1

    def as_json(self) -> dict[str, Any]:
        common = sorted(self.lost, key=lambda code: (-self.lost[code], code))[:TOP_ERRORS]
        lines = sorted(self.red_lines, key=lambda code: (-self.red_lines[code], code))
        return {
            "errors": [
                {
                    "item": code,
                    "label": self.labels.get(code, code),
                    "lost": round(self.lost[code], 2),
                    "times": self.times[code],
                }
                for code in common
            ],
            "red_line_items": [
                {"item": code, "label": self.labels.get(code, code), "count": self.red_lines[code]}
                for code in lines
            ],
        }


async def qa_figures(
    session: AsyncSession,
    start: datetime,
    end: datetime,
    *,
    team: Mapping[str, str] | None = None,
    zone: tzinfo = ORDER_NUMBER_ZONE,
) -> dict[str, Any]:
    """Figures of the current reviews submitted in [start, end); ``team`` maps an agent
    to a team, days are local days in ``zone``."""
    rows = await session.execute(
        select(QaReviewRow, QaFormRow)
        .join(QaSampleRow, QaSampleRow.id == QaReviewRow.sample_id)
        .join(QaFormRow, QaFormRow.id == QaReviewRow.form_id)
        .where(
            QaReviewRow.current,
            ~QaSampleRow.calibration,
            QaReviewRow.submitted_at >= start,
            QaReviewRow.submitted_at < end,
        )
        .order_by(QaReviewRow.submitted_at, QaReviewRow.id)
    )
    found = list(rows)
    forms = {row.id: form_of(row) for _, row in found}
    return _figures([(review, forms[form.id]) for review, form in found], team or {}, zone)


def _figures(
    reviews: list[tuple[QaReviewRow, EvaluationForm]], team: Mapping[str, str], zone: tzinfo
) -> dict[str, Any]:
    overall, errors = _Tally(), _Errors()
    agents: dict[str, _Tally] = {}
    agent_days: dict[str, dict[date, _Tally]] = {}
    teams: dict[str, _Tally] = {}
    days: dict[date, _Tally] = {}
    for review, form in reviews:
        agent = review.agent or ""
        day = review.submitted_at.astimezone(zone).date()
        for tally in (
            overall,
            agents.setdefault(agent, _Tally()),
            agent_days.setdefault(agent, {}).setdefault(day, _Tally()),
            teams.setdefault(team.get(agent, NO_TEAM), _Tally()),
            days.setdefault(day, _Tally()),
        ):
            tally.add(review)
        errors.add(review, form)
    return {
        **overall.as_json(),
        "agents": [
            {
                "agent": agent,
                "team": team.get(agent, NO_TEAM),
                **agents[agent].as_json(),
                "by_day": _by_day(agent_days[agent]),
            }
            for agent in sorted(agents)
        ],
        "teams": [{"team": name, **teams[name].as_json()} for name in sorted(teams)],
        "by_day": _by_day(days),
        **errors.as_json(),
        "work_order_quality": work_order_quality(reviews),
    }


def _by_day(days: Mapping[date, _Tally]) -> list[dict[str, Any]]:
    return [{"day": day.isoformat(), **days[day].as_json()} for day in sorted(days)]


def work_order_quality(reviews: Iterable[tuple[QaReviewRow, EvaluationForm]]) -> float | None:
    """The average share the 工单质量 section earned, as points of 15; None without any
    review that scored the section."""
    shares = [
        share
        for review, form in reviews
        if (share := section_share(review.answers, form, WORK_ORDER_SECTION)) is not None
    ]
    if not shares:
        return None
    return round(WORK_ORDER_POINTS * sum(shares) / len(shares), 2)


def section_share(
    answers: Mapping[str, Any], form: EvaluationForm, section_code: str
) -> float | None:
    """Points earned over points possible in one section (N/A items left out)."""
    section = form.section(section_code)
    if section is None:
        return None
    points = possible = 0.0
    for item in section.items:
        score = (answers.get(item.code) or {}).get("score")
        if isinstance(score, int | float) and item.weight > 0:
            points += score
            possible += item.weight
    return points / possible if possible else None
