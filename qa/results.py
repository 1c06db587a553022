"""What the review workflow shows: an agent's grades with their appeals, and the spread
of a calibration sample's scores among its reviewers."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from qa.errors import NoSuchSample
from qa.models import QaAppealRow, QaFormRow, QaReviewRow, QaSampleRow

APPEAL_STATES = {"pending": "待处理", "upheld": "维持原评分", "overturned": "已改判"}


def appeal_state(row: QaAppealRow) -> str:
    """pending, upheld or overturned (codes of ``APPEAL_STATES``)."""
    if row.decided_at is None:
        return "pending"
    return "upheld" if row.upheld else "overturned"


async def results_of_agent(
    session: AsyncSession, agent: str, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """The agent's current grades submitted in [start, end), newest first, each with its
    form, score, red lines and appeal; calibration samples are the reviewers' and left out."""
    rows = await session.execute(
        select(QaReviewRow, QaSampleRow, QaFormRow)
        .join(QaSampleRow, QaSampleRow.id == QaReviewRow.sample_id)
        .join(QaFormRow, QaFormRow.id == QaReviewRow.form_id)
        .where(
            QaReviewRow.agent == agent,
            QaReviewRow.current,
            ~QaSampleRow.calibration,
            QaReviewRow.submitted_at >= start,
            QaReviewRow.submitted_at < end,
        )
        .order_by(QaReviewRow.submitted_at.desc(), QaReviewRow.id.desc())
    )
    found = list(rows)
    appeals = await _appeals_of([review.id for review, _, _ in found], session)
    return [_result(review, sample, form, appeals.get(review.id)) for review, sample, form in found]


async def _appeals_of(review_ids: list[int], session: AsyncSession) -> dict[int, QaAppealRow]:
    """Each review's appeal: the one filed on it or the one whose decision made it."""
    if not review_ids:
        return {}
    rows = await session.scalars(
        select(QaAppealRow).where(
            or_(
                QaAppealRow.review_id.in_(review_ids),
                QaAppealRow.amended_review_id.in_(review_ids),
            )
        )
    )
    found: dict[int, QaAppealRow] = {}
    for row in rows:
        found[row.review_id] = row
        if row.amended_review_id is not None:
            found[row.amended_review_id] = row
    return found


def _result(
    review: QaReviewRow, sample: QaSampleRow, form: QaFormRow, appealed: QaAppealRow | None
) -> dict[str, Any]:
    return {
        "review_id": review.id,
        "sample_id": sample.id,
        "server": sample.server,
        "call_id": sample.call_id,
        "line": sample.line,
        "order_number": sample.order_number,
        "form": {"id": form.id, "name": form.name, "version": form.version, "title": form.title},
        "reviewer": review.reviewer,
        "score": review.score,
        "red_lines": list(review.red_lines),
        "answers": review.answers,
        "comment": review.comment,
        "submitted_at": review.submitted_at.isoformat(),
        "amends": review.amends,
        "amend_reason": review.amend_reason,
        "appeal": None if appealed is None else _appeal_json(appealed),
        "can_appeal": appealed is None,
    }


def _appeal_json(row: QaAppealRow) -> dict[str, Any]:
    state = appeal_state(row)
    return {
        "id": row.id,
        "review_id": row.review_id,
        "state": state,
        "label": APPEAL_STATES[state],
        "reason": row.reason,
        "filed_at": row.filed_at.isoformat(),
        "decided_by": row.decided_by,
        "decided_at": row.decided_at.isoformat() if row.decided_at else None,
        "decision_note": row.decision_note,
        "amended_review_id": row.amended_review_id,
    }


async def calibration(session: AsyncSession, sample_id: int) -> dict[str, Any]:
    """Every reviewer's current score of the sample, the lowest, highest and spread,
    and per item the points each reviewer gave and their spread (N/A left out)."""
    if await session.get(QaSampleRow, sample_id) is None:
        raise NoSuchSample(f"no sample {sample_id}")
    reviews = list(
        await session.scalars(
            select(QaReviewRow)
            .where(QaReviewRow.sample_id == sample_id, QaReviewRow.current)
            .order_by(QaReviewRow.reviewer, QaReviewRow.id)
        )
    )
    scores = [review.score for review in reviews]
    return {
        "sample_id": sample_id,
        "reviews": [
            {
                "review_id": r.id,
                "reviewer": r.reviewer,
                "score": r.score,
                "red_lines": list(r.red_lines),
            }
            for r in reviews
        ],
        **_spread(scores),
        "items": _item_spreads(reviews),
    }


def _spread(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"min": None, "max": None, "mean": None, "spread": None}
    low, high = min(values), max(values)
    return {
        "min": low,
        "max": high,
        "mean": round(sum(values) / len(values), 2),
        "spread": round(high - low, 2),
    }


def _item_spreads(reviews: list[QaReviewRow]) -> dict[str, dict[str, Any]]:
    by_item: dict[str, dict[str, float]] = {}
    for review in reviews:
        for code, answer in review.answers.items():
            score = answer.get("score") if isinstance(answer, Mapping) else None
            if isinstance(score, int | float) and not isinstance(score, bool):
                by_item.setdefault(code, {})[review.reviewer] = float(score)
    return {
        code: {"scores": given, **_spread(list(given.values()))} for code, given in by_item.items()
    }
