"""the recordings of calls and callbacks, and the log of who played or downloaded them

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 23:02:04.004204
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "recording_access",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "recording_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recording_access")),
    )
    with op.batch_alter_table("recording_access", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recording_access_actor_at"), ["actor", "at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_recording_access_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_recording_access_recording_id_at"), ["recording_id", "at"], unique=False
        )

    op.create_table(
        "recordings",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("server", sa.String(), nullable=False),
        sa.Column("call_id", sa.String(), nullable=False),
        sa.Column("line", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_path", sa.Text(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("storage_key", sa.Text(), nullable=True),
        sa.Column("format", sa.String(), nullable=True),
        sa.Column("size", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("duration_seconds", sa.Float(), nullable=True),
        sa.Column("sha256", sa.String(), nullable=True),
        sa.Column("source_sha256", sa.String(), nullable=True),
        sa.Column("repaired", sa.Boolean(), nullable=False),
        sa.Column("waveform", sa.JSON(), nullable=True),
        sa.Column("converted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("legal_hold", sa.Boolean(), nullable=False),
        sa.Column("hold_reason", sa.Text(), nullable=False),
        sa.Column("purge_after", sa.DateTime(timezone=True), nullable=True),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recordings")),
        sa.UniqueConstraint("server", "call_id", name=op.f("uq_recordings_server_call_id")),
    )
    with op.batch_alter_table("recordings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recordings_line_started_at"), ["line", "started_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_recordings_purge_after"), ["purge_after"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_recordings_started_at"), ["started_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_recordings_state_id"), ["state", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("recordings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recordings_state_id"))
        batch_op.drop_index(batch_op.f("ix_recordings_started_at"))
        batch_op.drop_index(batch_op.f("ix_recordings_purge_after"))
        batch_op.drop_index(batch_op.f("ix_recordings_line_started_at"))

    op.drop_table("recordings")
    with op.batch_alter_table("recording_access", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recording_access_recording_id_at"))
        batch_op.drop_index(batch_op.f("ix_recording_access_at"))
        batch_op.drop_index(batch_op.f("ix_recording_access_actor_at"))

    op.drop_table("recording_access")
