"""The QA API's reads that ``qa`` has no use case for: the list of forms, a day's plan with
its samples, one sample with its call, recording, marks, reviews and appeals, and the
appeals a supervisor has still to decide."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from qa.models import QaAppealRow, QaFormRow, QaMarkRow, QaPlanRow, QaReviewRow, QaSampleRow
from recordings.models import RecordingRow
from tickets.models import CallRow
from web.errors import NotFound
from web.qa_views import (
    appeal_view,
    call_view,
    form_view,
    mark_view,
    plan_view,
    recording_view,
    review_view,
    sample_view,
)


async def forms(session: AsyncSession) -> list[dict[str, Any]]:
    """Every version of every form, newest version of each name first."""
    rows = await session.scalars(
        select(QaFormRow).order_by(QaFormRow.name, QaFormRow.version.desc())
    )
    return [form_view(row) for row in rows]


async def one_form(session: AsyncSession, form_id: int) -> dict[str, Any]:
    row = await session.get(QaFormRow, form_id)
    if row is None:
        raise NotFound(f"no form {form_id}")
    return form_view(row, definition=True)


async def plan_of_day(session: AsyncSession, day: date) -> dict[str, Any]:
    plan = await session.scalar(select(QaPlanRow).where(QaPlanRow.day == day))
    if plan is None:
        raise NotFound(f"no sampling plan for {day.isoformat()}")
    return await plan_with_samples(session, plan)


async def plan_with_samples(session: AsyncSession, plan: QaPlanRow) -> dict[str, Any]:
    samples = await session.scalars(
        select(QaSampleRow).where(QaSampleRow.plan_id == plan.id).order_by(QaSampleRow.id)
    )
    return plan_view(plan, list(samples))


async def sample_detail(session: AsyncSession, sample_id: int) -> dict[str, Any]:
    """The sample, its call (caller masked), its recording with the waveform if stored,
    the marks in the order of the recording, and every review with its appeal."""
    sample = await session.get(QaSampleRow, sample_id)
    if sample is None:
        raise NotFound(f"no sample {sample_id}")
    same_call = {"server": sample.server, "call_id": sample.call_id}
    call = await session.scalar(select(CallRow).filter_by(**same_call))
    recording = await session.scalar(select(RecordingRow).filter_by(**same_call))
    marks = await session.scalars(
        select(QaMarkRow)
        .where(QaMarkRow.sample_id == sample_id)
        .order_by(QaMarkRow.at_seconds, QaMarkRow.id)
    )
    reviews = list(
        await session.scalars(
            select(QaReviewRow).where(QaReviewRow.sample_id == sample_id).order_by(QaReviewRow.id)
        )
    )
    appeals = await session.scalars(
        select(QaAppealRow).where(QaAppealRow.review_id.in_([r.id for r in reviews]))
    )
    return {
        **sample_view(sample),
        "call": call_view(call),
        "recording": recording_view(recording),
        "marks": [mark_view(mark) for mark in marks],
        "reviews": [review_view(review) for review in reviews],
        "appeals": [appeal_view(appeal) for appeal in appeals],
    }


async def open_appeals(session: AsyncSession) -> list[dict[str, Any]]:
    """Appeals not decided yet, oldest first, each with the review appealed."""
    rows = await session.execute(
        select(QaAppealRow, QaReviewRow)
        .join(QaReviewRow, QaReviewRow.id == QaAppealRow.review_id)
        .where(QaAppealRow.decided_at.is_(None))
        .order_by(QaAppealRow.filed_at, QaAppealRow.id)
    )
    return [{**appeal_view(appeal), "review": review_view(review)} for appeal, review in rows]
