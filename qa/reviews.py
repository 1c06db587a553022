"""The review workflow: a reviewer's queue, claiming a sample, marks on the recording,
submitting a grade, amendments, the agent's appeal and the supervisor's decision,
the agent's results and the spread of a calibration sample.

Each function is one unit of work on the session it is given: the caller opens the
transaction (``async with sessions() as session, session.begin():``) and it commits
when the block ends. A submitted review is never changed: an amendment is a new row
that ``amends`` the old one, which stops being ``current``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from qa.errors import (
    NoSuchAppeal,
    NoSuchForm,
    NoSuchReview,
    NoSuchSample,
    NotYourReview,
    QaConflict,
    QaError,
)
from qa.forms import FormError, form_of
from qa.models import QaAppealRow, QaFormRow, QaMarkRow, QaReviewRow, QaSampleRow
from qa.results import calibration, results_of_agent
from qa.scoring import AnswerError, Grade, grade

__all__ = [
    "NoSuchAppeal",
    "NoSuchForm",
    "NoSuchReview",
    "NoSuchSample",
    "NotYourReview",
    "QaConflict",
    "QaError",
    "add_mark",
    "amend",
    "appeal",
    "calibration",
    "claim",
    "decide",
    "marks_of",
    "queue",
    "results_of_agent",
    "submit",
]

OPEN, CLAIMED, REVIEWED = "open", "claimed", "reviewed"


async def queue(session: AsyncSession, reviewer: str | None, limit: int = 100) -> list[QaSampleRow]:
    """Open samples oldest first, with those ``reviewer`` has claimed; calibration
    samples stay open for every reviewer who has not scored them yet."""
    wanted = QaSampleRow.state == OPEN
    if reviewer is not None:
        scored = exists().where(
            QaReviewRow.sample_id == QaSampleRow.id, QaReviewRow.reviewer == reviewer
        )
        wanted = or_(
            and_(wanted, or_(~QaSampleRow.calibration, ~scored)),
            and_(QaSampleRow.state == CLAIMED, QaSampleRow.claimed_by == reviewer),
        )
    rows = await session.scalars(
        select(QaSampleRow).where(wanted).order_by(QaSampleRow.id).limit(limit)
    )
    return list(rows)


async def claim(session: AsyncSession, sample_id: int, reviewer: str, now: datetime) -> QaSampleRow:
    """open → claimed by ``reviewer``; claiming one's own claim again changes nothing.
    A calibration sample is never claimed exclusively."""
    sample = await _sample(session, sample_id)
    if sample.calibration or (sample.state == CLAIMED and sample.claimed_by == reviewer):
        return sample
    # conditional on the state read: two reviewers claiming at once, one wins
    result = await session.execute(
        update(QaSampleRow)
        .where(QaSampleRow.id == sample_id, QaSampleRow.state == OPEN)
        .values(state=CLAIMED, claimed_by=reviewer, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(sample)
    if getattr(result, "rowcount", 0) != 1:
        raise QaConflict(_taken(sample))
    return sample


async def add_mark(
    session: AsyncSession,
    sample_id: int,
    reviewer: str,
    at_seconds: float,
    comment: str,
    item: str | None,
    now: datetime,
) -> QaMarkRow:
    """A mark at ``at_seconds`` of the recording, by the reviewer who has the sample."""
    sample = await _sample(session, sample_id)
    _check_reviewer_has(sample, reviewer)
    if isinstance(at_seconds, bool) or not isinstance(at_seconds, int | float):
        raise QaError("at_seconds: must be a number")
    if not math.isfinite(at_seconds) or at_seconds < 0:
        raise QaError("at_seconds: must be a time in the recording (>= 0)")
    if not comment.strip():
        raise QaError("comment: a mark needs a comment")
    mark = QaMarkRow(
        sample_id=sample.id,
        reviewer=reviewer,
        at_seconds=float(at_seconds),
        item=item or None,
        comment=comment.strip(),
        created_at=now,
    )
    session.add(mark)
    await session.flush()
    return mark


async def marks_of(session: AsyncSession, sample_id: int) -> list[QaMarkRow]:
    """The marks on a sample's recording, in the order of the recording."""
    rows = await session.scalars(
        select(QaMarkRow)
        .where(QaMarkRow.sample_id == sample_id)
        .order_by(QaMarkRow.at_seconds, QaMarkRow.id)
    )
    return list(rows)


async def submit(
    session: AsyncSession,
    sample_id: int,
    reviewer: str,
    form_id: int,
    answers: Mapping[str, Mapping[str, Any]],
    comment: str,
    now: datetime,
) -> QaReviewRow:
    """The reviewer's grade of the sample; the sample is reviewed (a calibration sample
    stays open: each reviewer submits once and amends after)."""
    sample = await _sample(session, sample_id)
    _check_reviewer_has(sample, reviewer)
    if sample.state == REVIEWED:
        raise QaConflict(f"sample {sample_id} is already reviewed: amend its review instead")
    if sample.calibration and await _has_reviewed(session, sample_id, reviewer):
        raise QaConflict(f"{reviewer} has already scored sample {sample_id}: amend instead")
    form = await session.get(QaFormRow, form_id)
    if form is None:
        raise NoSuchForm(f"no evaluation form {form_id}")
    result = _grade(form, answers)
    review = _review_row(sample.id, form.id, reviewer, sample.agent, answers, result, now)
    review.comment = comment.strip()
    session.add(review)
    if not sample.calibration:
        sample.state, sample.claimed_by = REVIEWED, reviewer
        sample.claimed_at = sample.claimed_at or now
    await session.flush()
    return review


async def amend(
    session: AsyncSession,
    review_id: int,
    actor: str,
    answers: Mapping[str, Mapping[str, Any]],
    comment: str,
    reason: str,
    now: datetime,
) -> QaReviewRow:
    """A new version of a current review, graded on the same form, with who and why."""
    if not reason.strip():
        raise QaError("reason: an amendment must say why")
    old = await session.get(QaReviewRow, review_id)
    if old is None:
        raise NoSuchReview(f"no review {review_id}")
    form = await session.get(QaFormRow, old.form_id)
    if form is None:
        raise NoSuchForm(f"no evaluation form {old.form_id}")
    result = _grade(form, answers)
    # conditional on ``current``: two amendments of one version at once, one wins
    retired = await session.execute(
        update(QaReviewRow)
        .where(QaReviewRow.id == review_id, QaReviewRow.current)
        .values(current=False)
        .execution_options(synchronize_session=False)
    )
    if getattr(retired, "rowcount", 0) != 1:
        raise QaConflict(f"review {review_id} was already amended: amend its newest version")
    old.current = False
    new = _review_row(old.sample_id, old.form_id, actor, old.agent, answers, result, now)
    new.comment, new.amends, new.amend_reason = comment.strip(), old.id, reason.strip()
    session.add(new)
    await session.flush()
    return new


async def appeal(
    session: AsyncSession, review_id: int, agent: str, reason: str, now: datetime
) -> QaAppealRow:
    """The graded agent's appeal (申诉) of a current review: once per review, and not
    again on the grade a decided appeal produced."""
    if not reason.strip():
        raise QaError("reason: an appeal must say why")
    review = await session.get(QaReviewRow, review_id)
    if review is None:
        raise NoSuchReview(f"no review {review_id}")
    if review.agent != agent:
        raise NotYourReview(f"review {review_id} does not grade {agent}")
    if not review.current:
        raise QaConflict(f"review {review_id} was amended: appeal its newest version")
    earlier = await session.scalar(
        select(QaAppealRow.id).where(
            or_(QaAppealRow.review_id == review_id, QaAppealRow.amended_review_id == review_id)
        )
    )
    if earlier is not None:
        raise QaConflict(f"review {review_id} has already been appealed")
    row = QaAppealRow(review_id=review_id, agent=agent, reason=reason.strip(), filed_at=now)
    session.add(row)
    await session.flush()
    return row


async def decide(
    session: AsyncSession,
    appeal_id: int,
    supervisor: str,
    upheld: bool,
    note: str,
    now: datetime,
    answers: Mapping[str, Mapping[str, Any]] | None = None,
) -> QaAppealRow:
    """The supervisor's decision: upheld, the grade stands; not upheld, the review is
    amended with ``answers`` (required then)."""
    row = await session.get(QaAppealRow, appeal_id)
    if row is None:
        raise NoSuchAppeal(f"no appeal {appeal_id}")
    if row.decided_at is not None:
        raise QaConflict(f"appeal {appeal_id} was already decided by {row.decided_by}")
    if not upheld:
        if answers is None:
            raise QaError("answers: overturning a grade needs the corrected answers")
        reason = f"申诉改判：{note.strip()}" if note.strip() else "申诉改判"
        amended = await amend(session, row.review_id, supervisor, answers, note, reason, now)
        row.amended_review_id = amended.id
    row.decided_by, row.decided_at, row.upheld = supervisor, now, upheld
    row.decision_note = note.strip()
    await session.flush()
    return row


async def _sample(session: AsyncSession, sample_id: int) -> QaSampleRow:
    sample = await session.get(QaSampleRow, sample_id)
    if sample is None:
        raise NoSuchSample(f"no sample {sample_id}")
    return sample


def _check_reviewer_has(sample: QaSampleRow, reviewer: str) -> None:
    if sample.calibration or sample.state == OPEN:
        return
    if sample.claimed_by != reviewer:
        raise QaConflict(_taken(sample))


def _taken(sample: QaSampleRow) -> str:
    if sample.state == REVIEWED:
        return f"sample {sample.id} is already reviewed by {sample.claimed_by}"
    return f"sample {sample.id} is claimed by {sample.claimed_by}"


async def _has_reviewed(session: AsyncSession, sample_id: int, reviewer: str) -> bool:
    found = await session.scalar(
        select(QaReviewRow.id)
        .where(QaReviewRow.sample_id == sample_id, QaReviewRow.reviewer == reviewer)
        .limit(1)
    )
    return found is not None


def _grade(form: QaFormRow, answers: Mapping[str, Mapping[str, Any]]) -> Grade:
    try:
        return grade(form_of(form), answers)
    except (AnswerError, FormError) as exc:
        raise QaError(str(exc)) from exc


def _review_row(
    sample_id: int,
    form_id: int,
    reviewer: str,
    agent: str | None,
    answers: Mapping[str, Mapping[str, Any]],
    result: Grade,
    now: datetime,
) -> QaReviewRow:
    return QaReviewRow(
        sample_id=sample_id,
        form_id=form_id,
        reviewer=reviewer,
        agent=agent,
        answers={code: dict(answer) for code, answer in answers.items()},
        score=result.score,
        red_lines=list(result.red_lines),
        comment="",
        submitted_at=now,
        amends=None,
        amend_reason="",
        current=True,
    )
