"""quality assurance: evaluation forms and their versions, daily sampling plans and samples,
reviews with their marks on the recording, appeals

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 23:27:18.228062
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "qa_forms",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_forms")),
        sa.UniqueConstraint("name", "version", name=op.f("uq_qa_forms_name_version")),
    )
    op.create_table(
        "qa_plans",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("seed", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_plans")),
        sa.UniqueConstraint("day", name=op.f("uq_qa_plans_day")),
    )
    op.create_table(
        "qa_samples",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("plan_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("server", sa.String(), nullable=False),
        sa.Column("call_id", sa.String(), nullable=False),
        sa.Column("agent", sa.String(), nullable=True),
        sa.Column("seat", sa.String(), nullable=True),
        sa.Column("line", sa.String(), nullable=False),
        sa.Column("order_number", sa.String(), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("claimed_by", sa.String(), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("calibration", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["qa_plans.id"], name=op.f("fk_qa_samples_plan_id_qa_plans")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_samples")),
        sa.UniqueConstraint(
            "plan_id", "server", "call_id", name=op.f("uq_qa_samples_plan_id_server_call_id")
        ),
    )
    with op.batch_alter_table("qa_samples", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_qa_samples_agent_id"), ["agent", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_qa_samples_claimed_by_state"), ["claimed_by", "state"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_qa_samples_state_id"), ["state", "id"], unique=False)

    op.create_table(
        "qa_marks",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "sample_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("reviewer", sa.String(), nullable=False),
        sa.Column("at_seconds", sa.Float(), nullable=False),
        sa.Column("item", sa.String(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["sample_id"], ["qa_samples.id"], name=op.f("fk_qa_marks_sample_id_qa_samples")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_marks")),
    )
    with op.batch_alter_table("qa_marks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_qa_marks_sample_id_at_seconds"),
            ["sample_id", "at_seconds"],
            unique=False,
        )

    op.create_table(
        "qa_reviews",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "sample_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("form_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("reviewer", sa.String(), nullable=False),
        sa.Column("agent", sa.String(), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("red_lines", sa.JSON(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("amends", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("amend_reason", sa.Text(), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["amends"], ["qa_reviews.id"], name=op.f("fk_qa_reviews_amends_qa_reviews")
        ),
        sa.ForeignKeyConstraint(
            ["form_id"], ["qa_forms.id"], name=op.f("fk_qa_reviews_form_id_qa_forms")
        ),
        sa.ForeignKeyConstraint(
            ["sample_id"], ["qa_samples.id"], name=op.f("fk_qa_reviews_sample_id_qa_samples")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_reviews")),
    )
    with op.batch_alter_table("qa_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_qa_reviews_agent_submitted_at"), ["agent", "submitted_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_qa_reviews_reviewer_submitted_at"),
            ["reviewer", "submitted_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_qa_reviews_sample_id_id"), ["sample_id", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_qa_reviews_submitted_at"), ["submitted_at"], unique=False
        )

    op.create_table(
        "qa_appeals",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "review_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("agent", sa.String(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("upheld", sa.Boolean(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.Column(
            "amended_review_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["amended_review_id"],
            ["qa_reviews.id"],
            name=op.f("fk_qa_appeals_amended_review_id_qa_reviews"),
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["qa_reviews.id"], name=op.f("fk_qa_appeals_review_id_qa_reviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_appeals")),
        sa.UniqueConstraint("review_id", name=op.f("uq_qa_appeals_review_id")),
    )
    with op.batch_alter_table("qa_appeals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_qa_appeals_decided_at"), ["decided_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("qa_appeals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qa_appeals_decided_at"))

    op.drop_table("qa_appeals")
    with op.batch_alter_table("qa_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qa_reviews_submitted_at"))
        batch_op.drop_index(batch_op.f("ix_qa_reviews_sample_id_id"))
        batch_op.drop_index(batch_op.f("ix_qa_reviews_reviewer_submitted_at"))
        batch_op.drop_index(batch_op.f("ix_qa_reviews_agent_submitted_at"))

    op.drop_table("qa_reviews")
    with op.batch_alter_table("qa_marks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qa_marks_sample_id_at_seconds"))

    op.drop_table("qa_marks")
    with op.batch_alter_table("qa_samples", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qa_samples_state_id"))
        batch_op.drop_index(batch_op.f("ix_qa_samples_claimed_by_state"))
        batch_op.drop_index(batch_op.f("ix_qa_samples_agent_id"))

    op.drop_table("qa_samples")
    op.drop_table("qa_plans")
    op.drop_table("qa_forms")
