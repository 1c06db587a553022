"""Quality assurance's tables: evaluation forms and their versions, the daily sampling
plan and its samples, reviews (grades) with their marks on the recording, appeals.

A form is a named series of versions; a version's definition (sections, items, weights,
N/A, red lines) never changes once used: a new definition is a new version. A review
scores one sample with one form version; a submitted review is never changed — an
amendment is a new review row of the same sample with ``amends`` pointing at the one it
replaces, who and why. Calibration is several reviewers scoring the same sample.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from tickets.models import Base, BigId, UtcDateTime


class QaFormRow(Base):
    """One version of an evaluation form; ``definition`` is checked by ``qa.forms``."""

    __tablename__ = "qa_forms"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String)
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # offered for new reviews
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String)


class QaPlanRow(Base):
    """The sampling plan of one day: its rules and seed, so that it can be drawn again."""

    __tablename__ = "qa_plans"
    __table_args__ = (UniqueConstraint("day"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    day: Mapped[date] = mapped_column(Date)  # the centre's calendar day sampled
    seed: Mapped[int] = mapped_column(BigId)
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)  # qa.sampling.SamplingRules as JSON
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String)  # "nightly" or a supervisor


class QaSampleRow(Base):
    """A call chosen for review, with every reason it was chosen."""

    __tablename__ = "qa_samples"
    __table_args__ = (
        UniqueConstraint("plan_id", "server", "call_id"),
        Index(None, "state", "id"),
        Index(None, "agent", "id"),
        Index(None, "claimed_by", "state"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(BigId, ForeignKey("qa_plans.id"))
    server: Mapped[str] = mapped_column(String)
    call_id: Mapped[str] = mapped_column(String)
    agent: Mapped[str | None] = mapped_column(String)
    seat: Mapped[str | None] = mapped_column(String)
    line: Mapped[str] = mapped_column(String)
    order_number: Mapped[str | None] = mapped_column(String)
    # codes of qa.sampling.REASONS: random, minimum, unsatisfied, complaint, overdue,
    # returned, short, long, calibration
    reasons: Mapped[list[str]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String, default="open")  # open, claimed, reviewed
    claimed_by: Mapped[str | None] = mapped_column(String)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    calibration: Mapped[bool] = mapped_column(Boolean, default=False)  # several reviewers


class QaReviewRow(Base):
    """A grade of one sample with one form version. Rows are only ever inserted: an
    amendment is a new row that ``amends`` the old one."""

    __tablename__ = "qa_reviews"
    __table_args__ = (
        Index(None, "sample_id", "id"),
        Index(None, "agent", "submitted_at"),
        Index(None, "reviewer", "submitted_at"),
        Index(None, "submitted_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    sample_id: Mapped[int] = mapped_column(BigId, ForeignKey("qa_samples.id"))
    form_id: Mapped[int] = mapped_column(BigId, ForeignKey("qa_forms.id"))
    reviewer: Mapped[str] = mapped_column(String)
    agent: Mapped[str | None] = mapped_column(String)  # the agent graded (copied from the sample)
    # item code -> {"score": points or null for N/A, "comment": text}
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    score: Mapped[float] = mapped_column(Float)  # 0..100 after N/A reweighting; 0 on a red line
    red_lines: Mapped[list[str]] = mapped_column(JSON)  # red-line items failed
    comment: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    amends: Mapped[int | None] = mapped_column(BigId, ForeignKey("qa_reviews.id"))
    amend_reason: Mapped[str] = mapped_column(Text, default="")
    current: Mapped[bool] = mapped_column(Boolean, default=True)  # not amended by a later row


class QaMarkRow(Base):
    """A reviewer's mark at a moment of the recording, with a comment."""

    __tablename__ = "qa_marks"
    __table_args__ = (Index(None, "sample_id", "at_seconds"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    sample_id: Mapped[int] = mapped_column(BigId, ForeignKey("qa_samples.id"))
    reviewer: Mapped[str] = mapped_column(String)
    at_seconds: Mapped[float] = mapped_column(Float)
    item: Mapped[str | None] = mapped_column(String)  # the form item it concerns, if any
    comment: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class QaAppealRow(Base):
    """An agent's appeal of a review (once per review) and the supervisor's decision."""

    __tablename__ = "qa_appeals"
    __table_args__ = (UniqueConstraint("review_id"), Index(None, "decided_at"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    review_id: Mapped[int] = mapped_column(BigId, ForeignKey("qa_reviews.id"))
    agent: Mapped[str] = mapped_column(String)
    reason: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decided_by: Mapped[str | None] = mapped_column(String)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    upheld: Mapped[bool | None] = mapped_column(Boolean)  # True: the grade stands
    decision_note: Mapped[str] = mapped_column(Text, default="")
    # when the appeal succeeds, the supervisor's amended review
    amended_review_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("qa_reviews.id"))
