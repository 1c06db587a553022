"""agents and their sessions, callback tasks, the audit log; richer calls, seat skills

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 21:13:06.239868

On SQLite the ``calls`` table is rebuilt (a CHECK constraint cannot be altered in
place); ``tickets.migrate`` turns foreign keys off around it, or dropping the old table
would cascade to ``call_attempts``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
OUTCOMES_0001 = "'answered', 'abandoned', 'timeout', 'no_seat', 'lost'"
OUTCOMES_0002 = OUTCOMES_0001 + ", 'kept_place'"


def upgrade() -> None:
    _upgrade_calls()
    with op.batch_alter_table("seats") as seats:
        seats.add_column(sa.Column("skills", sa.String(), server_default="", nullable=False))
    with op.batch_alter_table("work_orders") as orders:
        orders.add_column(sa.Column("agent", sa.String(), nullable=True))
        orders.create_index(op.f("ix_work_orders_status_created_at"), ["status", "created_at"])
    _create_agents()
    _create_callback_tasks()
    _create_audit_log()


def _upgrade_calls() -> None:
    with op.batch_alter_table("calls") as calls:
        calls.add_column(sa.Column("agent", sa.String(), nullable=True))
        calls.add_column(sa.Column("skill", sa.String(), server_default="", nullable=False))
        calls.add_column(sa.Column("priority", sa.Integer(), server_default="0", nullable=False))
        calls.add_column(
            sa.Column("emergency", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        calls.add_column(sa.Column("direction", sa.String(), server_default="in", nullable=False))
        calls.add_column(sa.Column("callback_of", sa.String(), nullable=True))
        calls.drop_constraint(op.f("ck_calls_outcome"), type_="check")
        calls.create_check_constraint(
            op.f("ck_calls_outcome"), f"outcome IS NULL OR outcome IN ({OUTCOMES_0002})"
        )
        calls.create_check_constraint(op.f("ck_calls_direction"), "direction IN ('in', 'callback')")
        calls.create_index(op.f("ix_calls_agent_queued_at"), ["agent", "queued_at"])


def _create_agents() -> None:
    op.create_table(
        "agents",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agents")),
    )
    op.create_table(
        "agent_sessions",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("agent", sa.String(), nullable=False),
        sa.Column("seat", sa.String(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_sessions")),
        sa.UniqueConstraint("agent", "started_at", name=op.f("uq_agent_sessions_agent_started_at")),
    )
    for columns in (["ended_at", "started_at"], ["seat", "started_at"], ["started_at"]):
        name = op.f(f"ix_agent_sessions_{'_'.join(columns)}")
        op.create_index(name, "agent_sessions", columns)


def _create_callback_tasks() -> None:
    op.create_table(
        "callback_tasks",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("task_id", sa.String(), nullable=False),
        sa.Column("server", sa.String(), nullable=False),
        sa.Column("call_id", sa.String(), nullable=False),
        sa.Column("line", sa.String(), nullable=False),
        sa.Column("caller_number", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("agent", sa.String(), nullable=True),
        sa.Column("seat", sa.String(), nullable=True),
        sa.Column("result_call_id", sa.String(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "reason IN ('abandoned', 'timeout', 'no_seat', 'lost', 'kept_place', 'missed')",
            name=op.f("ck_callback_tasks_reason"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'calling', 'reached', 'unreachable', 'not_needed', 'cancelled')",
            name=op.f("ck_callback_tasks_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callback_tasks")),
        sa.UniqueConstraint("task_id", name=op.f("uq_callback_tasks_task_id")),
    )
    for columns in (
        ["closed", "due_at"],
        ["line", "closed", "due_at"],
        ["agent", "closed", "due_at"],
        ["caller_number", "created_at"],
    ):
        op.create_index(op.f(f"ix_callback_tasks_{'_'.join(columns)}"), "callback_tasks", columns)


def _create_audit_log() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("entry_id", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("target", sa.String(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_audit_log_entry_id")),
    )
    for columns in (["at"], ["actor", "at"], ["target", "at"], ["action", "at"]):
        op.create_index(op.f(f"ix_audit_log_{'_'.join(columns)}"), "audit_log", columns)


def downgrade() -> None:
    """Back to 0001; refused while a call row holds what 0001 cannot (kept_place)."""
    for table in ("audit_log", "callback_tasks", "agent_sessions", "agents"):
        op.drop_table(table)  # their indexes go with them
    with op.batch_alter_table("work_orders") as orders:
        orders.drop_index(op.f("ix_work_orders_status_created_at"))
        orders.drop_column("agent")
    with op.batch_alter_table("seats") as seats:
        seats.drop_column("skills")
    with op.batch_alter_table("calls") as calls:
        calls.drop_index(op.f("ix_calls_agent_queued_at"))
        calls.drop_constraint(op.f("ck_calls_direction"), type_="check")
        calls.drop_constraint(op.f("ck_calls_outcome"), type_="check")
        calls.create_check_constraint(
            op.f("ck_calls_outcome"), f"outcome IS NULL OR outcome IN ({OUTCOMES_0001})"
        )
        for column in ("callback_of", "direction", "emergency", "priority", "skill", "agent"):
            calls.drop_column(column)
