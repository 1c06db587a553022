"""What the QA API answers with: forms, plans and samples with their reasons, a sample's
call and recording, marks, reviews and appeals as JSON. Callers' numbers are masked."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from qa.models import QaAppealRow, QaFormRow, QaMarkRow, QaPlanRow, QaReviewRow, QaSampleRow
from qa.sampling import REASONS
from recordings.models import RecordingRow
from tickets.models import CallRow
from tickets.privacy import mask_number


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def form_view(row: QaFormRow, *, definition: bool = False) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": row.id,
        "name": row.name,
        "version": row.version,
        "title": row.title,
        "active": row.active,
        "created_at": _iso(row.created_at),
        "created_by": row.created_by,
    }
    if definition:
        view["definition"] = row.definition
    return view


def plan_view(plan: QaPlanRow, samples: list[QaSampleRow]) -> dict[str, Any]:
    return {
        "id": plan.id,
        "day": plan.day.isoformat(),
        "seed": plan.seed,
        "rules": plan.rules,
        "created_at": _iso(plan.created_at),
        "created_by": plan.created_by,
        "samples": [sample_view(sample) for sample in samples],
    }


def sample_view(sample: QaSampleRow) -> dict[str, Any]:
    return {
        "id": sample.id,
        "plan_id": sample.plan_id,
        "server": sample.server,
        "call_id": sample.call_id,
        "agent": sample.agent,
        "seat": sample.seat,
        "line": sample.line,
        "order": sample.order_number,
        "reasons": [{"code": code, "label": REASONS.get(code, code)} for code in sample.reasons],
        "state": sample.state,
        "claimed_by": sample.claimed_by,
        "claimed_at": _iso(sample.claimed_at),
        "calibration": sample.calibration,
    }


def call_view(call: CallRow | None) -> dict[str, Any] | None:
    if call is None:
        return None
    return {
        "queued_at": _iso(call.queued_at),
        "answered_at": _iso(call.answered_at),
        "ended_at": _iso(call.ended_at),
        "caller": mask_number(call.caller_number),
        "outcome": call.outcome,
        "talk_seconds": call.talk_seconds,
        "survey_score": call.survey_score,
    }


def recording_view(row: RecordingRow | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "id": row.id,
        "state": row.state,
        "format": row.format,
        "duration_seconds": row.duration_seconds,
        "waveform": row.waveform or [],
    }


def mark_view(mark: QaMarkRow) -> dict[str, Any]:
    return {
        "id": mark.id,
        "sample_id": mark.sample_id,
        "reviewer": mark.reviewer,
        "at_seconds": mark.at_seconds,
        "item": mark.item,
        "comment": mark.comment,
        "created_at": _iso(mark.created_at),
    }


def review_view(review: QaReviewRow) -> dict[str, Any]:
    return {
        "id": review.id,
        "sample_id": review.sample_id,
        "form_id": review.form_id,
        "reviewer": review.reviewer,
        "agent": review.agent,
        "answers": review.answers,
        "score": review.score,
        "red_lines": review.red_lines,
        "comment": review.comment,
        "submitted_at": _iso(review.submitted_at),
        "amends": review.amends,
        "amend_reason": review.amend_reason,
        "current": review.current,
    }


def appeal_view(appeal: QaAppealRow) -> dict[str, Any]:
    return {
        "id": appeal.id,
        "review_id": appeal.review_id,
        "agent": appeal.agent,
        "reason": appeal.reason,
        "filed_at": _iso(appeal.filed_at),
        "decided_by": appeal.decided_by,
        "decided_at": _iso(appeal.decided_at),
        "upheld": appeal.upheld,
        "decision_note": appeal.decision_note,
        "amended_review_id": appeal.amended_review_id,
    }
