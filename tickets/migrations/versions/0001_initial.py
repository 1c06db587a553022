"""calls, attempts, seats, seat states, work orders

Revision ID: 0001
Revises:
Create Date: 2026-11-23 19:54:22.340928
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calls",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("server", sa.String(), nullable=False),
        sa.Column("call_id", sa.String(), nullable=False),
        sa.Column("linked_id", sa.String(), nullable=False),
        sa.Column("line", sa.String(), nullable=False),
        sa.Column("caller_number", sa.String(), nullable=False),
        sa.Column("caller_name", sa.String(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("style", sa.String(), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("talk_ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seat", sa.String(), nullable=True),
        sa.Column("outcome", sa.String(), nullable=True),
        sa.Column("end_cause", sa.Integer(), nullable=True),
        sa.Column("end_cause_text", sa.String(), nullable=False),
        sa.Column("queue_result", sa.String(), nullable=True),
        sa.Column("recording_path", sa.Text(), nullable=True),
        sa.Column("recording_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recording_stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("survey_score", sa.Integer(), nullable=True),
        sa.Column("wait_seconds", sa.Float(), nullable=True),
        sa.Column("talk_seconds", sa.Float(), nullable=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('answered', 'abandoned', 'timeout', 'no_seat', 'lost')",
            name=op.f("ck_calls_outcome"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calls")),
        sa.UniqueConstraint("server", "call_id", name=op.f("uq_calls_server_call_id")),
    )
    op.create_index(
        op.f("ix_calls_caller_number_queued_at"), "calls", ["caller_number", "queued_at"]
    )
    op.create_index(op.f("ix_calls_line_queued_at"), "calls", ["line", "queued_at"])
    op.create_index(op.f("ix_calls_queued_at"), "calls", ["queued_at"])
    op.create_index(op.f("ix_calls_seat_queued_at"), "calls", ["seat", "queued_at"])

    op.create_table(
        "seat_states",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("seat", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("agent", sa.String(), nullable=True),
        sa.CheckConstraint(
            "state IN ('offline', 'ready', 'reserved', 'ringing', 'talking', 'wrapup', "
            "'paused', 'unreachable')",
            name=op.f("ck_seat_states_state"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seat_states")),
        sa.UniqueConstraint("seat", "started_at", name=op.f("uq_seat_states_seat_started_at")),
    )
    op.create_index(
        op.f("ix_seat_states_ended_at_started_at"), "seat_states", ["ended_at", "started_at"]
    )
    op.create_index(op.f("ix_seat_states_started_at"), "seat_states", ["started_at"])

    op.create_table(
        "seats",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("lines", sa.String(), nullable=False),
        sa.Column("temporary", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seats")),
    )
    op.create_table(
        "work_orders",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("number", sa.String(), nullable=False),
        sa.Column("server", sa.String(), nullable=True),
        sa.Column("call_id", sa.String(), nullable=True),
        sa.Column("line", sa.String(), nullable=False),
        sa.Column("caller_number", sa.String(), nullable=False),
        sa.Column("seat", sa.String(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("category", sa.String(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("content", sa.Text(), nullable=True),
        sa.Column("urgency", sa.String(), nullable=True),
        sa.Column("confidential", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_orders")),
        sa.UniqueConstraint("number", name=op.f("uq_work_orders_number")),
    )
    op.create_index(
        op.f("ix_work_orders_caller_number_created_at"),
        "work_orders",
        ["caller_number", "created_at"],
    )
    op.create_index(op.f("ix_work_orders_created_at"), "work_orders", ["created_at"])
    op.create_index(op.f("ix_work_orders_server_call_id"), "work_orders", ["server", "call_id"])

    op.create_table(
        "call_attempts",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("server", sa.String(), nullable=False),
        sa.Column("call_id", sa.String(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("seat", sa.String(), nullable=False),
        sa.Column("rang_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["server", "call_id"],
            ["calls.server", "calls.call_id"],
            name=op.f("fk_call_attempts_server_call_id_calls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_attempts")),
        sa.UniqueConstraint(
            "server", "call_id", "seq", name=op.f("uq_call_attempts_server_call_id_seq")
        ),
    )
    op.create_index(op.f("ix_call_attempts_seat_rang_at"), "call_attempts", ["seat", "rang_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_call_attempts_seat_rang_at"), table_name="call_attempts")

    op.drop_table("call_attempts")
    op.drop_index(op.f("ix_work_orders_server_call_id"), table_name="work_orders")
    op.drop_index(op.f("ix_work_orders_created_at"), table_name="work_orders")
    op.drop_index(op.f("ix_work_orders_caller_number_created_at"), table_name="work_orders")

    op.drop_table("work_orders")
    op.drop_table("seats")
    op.drop_index(op.f("ix_seat_states_started_at"), table_name="seat_states")
    op.drop_index(op.f("ix_seat_states_ended_at_started_at"), table_name="seat_states")

    op.drop_table("seat_states")
    op.drop_index(op.f("ix_calls_seat_queued_at"), table_name="calls")
    op.drop_index(op.f("ix_calls_queued_at"), table_name="calls")
    op.drop_index(op.f("ix_calls_line_queued_at"), table_name="calls")
    op.drop_index(op.f("ix_calls_caller_number_queued_at"), table_name="calls")

    op.drop_table("calls")
