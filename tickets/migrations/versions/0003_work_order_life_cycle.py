"""the work order's life cycle: history, units, replies, photos, extensions, callbacks,
supervision notices; deadlines and life-cycle columns on work orders

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 22:35:35.478565

Orders stored before this revision are drafts or closed: ``open`` is set from that.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "order_assignments",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dispatched_by", sa.String(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("return_reason", sa.Text(), nullable=True),
        sa.Column("wrongly_assigned", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["work_orders.id"], name=op.f("fk_order_assignments_order_id_work_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_assignments")),
    )
    with op.batch_alter_table("order_assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_order_assignments_dispatched_at"), ["dispatched_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_order_assignments_order_id_id"), ["order_id", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_order_assignments_unit_state"), ["unit", "state"], unique=False
        )

    op.create_table(
        "order_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("step", sa.String(), nullable=False),
        sa.Column("from_status", sa.String(), nullable=True),
        sa.Column("to_status", sa.String(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["work_orders.id"], name=op.f("fk_order_events_order_id_work_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_events")),
    )
    with op.batch_alter_table("order_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_events_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_order_events_order_id_id"), ["order_id", "id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_order_events_step_at"), ["step", "at"], unique=False)

    op.create_table(
        "order_extensions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("asked_by", sa.String(), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(), nullable=True),
        sa.Column("approved", sa.Boolean(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["work_orders.id"], name=op.f("fk_order_extensions_order_id_work_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_extensions")),
    )
    with op.batch_alter_table("order_extensions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_order_extensions_decided_at"), ["decided_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_order_extensions_order_id_id"), ["order_id", "id"], unique=False
        )

    op.create_table(
        "order_notices",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("deadline", sa.String(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("unit", sa.String(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["work_orders.id"], name=op.f("fk_order_notices_order_id_work_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_notices")),
        sa.UniqueConstraint(
            "order_id",
            "kind",
            "deadline",
            "due_at",
            name=op.f("uq_order_notices_order_id_kind_deadline_due_at"),
        ),
    )
    with op.batch_alter_table("order_notices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_order_notices_acknowledged_at_at"),
            ["acknowledged_at", "at"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_order_notices_at"), ["at"], unique=False)

    op.create_table(
        "order_replies",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(), nullable=False),
        sa.Column("handled_at", sa.String(), nullable=False),
        sa.Column("place", sa.Text(), nullable=False),
        sa.Column("person", sa.Text(), nullable=False),
        sa.Column("matter", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["work_orders.id"], name=op.f("fk_order_replies_order_id_work_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_replies")),
    )
    with op.batch_alter_table("order_replies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_order_replies_order_id_id"), ["order_id", "id"], unique=False
        )

    op.create_table(
        "order_revisits",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("agent", sa.String(), nullable=False),
        sa.Column("seat", sa.String(), nullable=True),
        sa.Column("server", sa.String(), nullable=True),
        sa.Column("call_id", sa.String(), nullable=True),
        sa.Column("result", sa.String(), nullable=True),
        sa.Column("resolved", sa.Boolean(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["work_orders.id"], name=op.f("fk_order_revisits_order_id_work_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_revisits")),
    )
    with op.batch_alter_table("order_revisits", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_order_revisits_order_id_id"), ["order_id", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_order_revisits_placed_at"), ["placed_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_order_revisits_server_call_id"), ["server", "call_id"], unique=False
        )

    op.create_table(
        "order_attachments",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("reply_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("content_type", sa.String(), nullable=False),
        sa.Column("size", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["work_orders.id"], name=op.f("fk_order_attachments_order_id_work_orders")
        ),
        sa.ForeignKeyConstraint(
            ["reply_id"],
            ["order_replies.id"],
            name=op.f("fk_order_attachments_reply_id_order_replies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_attachments")),
        sa.UniqueConstraint(
            "order_id", "sha256", name=op.f("uq_order_attachments_order_id_sha256")
        ),
    )
    with op.batch_alter_table("order_attachments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_order_attachments_order_id_id"), ["order_id", "id"], unique=False
        )

    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("open", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(
            sa.Column("channel", sa.String(), server_default="phone", nullable=False)
        )
        batch_op.add_column(sa.Column("source_ref", sa.String(), nullable=True))
        batch_op.add_column(
            sa.Column("caller_name", sa.String(), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("handled_directly", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("main_unit", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("dispatch_due", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("response_due", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("sign_due", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("reply_due", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("callback_due", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("close_due", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("escalation", sa.String(), server_default="", nullable=False))
        batch_op.add_column(
            sa.Column("revisit_attempts", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("satisfaction", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("result", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("not_counted", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("not_counted_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("merged_into", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("duplicate_of", sa.String(), nullable=True))
        batch_op.create_index(batch_op.f("ix_work_orders_closed_at"), ["closed_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_work_orders_main_unit_open"), ["main_unit", "open"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_work_orders_open_created_at"), ["open", "created_at"], unique=False
        )
    op.execute(sa.text("UPDATE work_orders SET open = (status <> 'closed')"))


def downgrade() -> None:
    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_work_orders_open_created_at"))
        batch_op.drop_index(batch_op.f("ix_work_orders_main_unit_open"))
        batch_op.drop_index(batch_op.f("ix_work_orders_closed_at"))
        batch_op.drop_column("duplicate_of")
        batch_op.drop_column("merged_into")
        batch_op.drop_column("not_counted_note")
        batch_op.drop_column("not_counted")
        batch_op.drop_column("result")
        batch_op.drop_column("satisfaction")
        batch_op.drop_column("revisit_attempts")
        batch_op.drop_column("escalation")
        batch_op.drop_column("close_due")
        batch_op.drop_column("callback_due")
        batch_op.drop_column("reply_due")
        batch_op.drop_column("sign_due")
        batch_op.drop_column("response_due")
        batch_op.drop_column("dispatch_due")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("replied_at")
        batch_op.drop_column("responded_at")
        batch_op.drop_column("dispatched_at")
        batch_op.drop_column("accepted_at")
        batch_op.drop_column("main_unit")
        batch_op.drop_column("handled_directly")
        batch_op.drop_column("caller_name")
        batch_op.drop_column("source_ref")
        batch_op.drop_column("channel")
        batch_op.drop_column("version")
        batch_op.drop_column("open")

    with op.batch_alter_table("order_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_attachments_order_id_id"))

    op.drop_table("order_attachments")
    with op.batch_alter_table("order_revisits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_revisits_server_call_id"))
        batch_op.drop_index(batch_op.f("ix_order_revisits_placed_at"))
        batch_op.drop_index(batch_op.f("ix_order_revisits_order_id_id"))

    op.drop_table("order_revisits")
    with op.batch_alter_table("order_replies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_replies_order_id_id"))

    op.drop_table("order_replies")
    with op.batch_alter_table("order_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_notices_at"))
        batch_op.drop_index(batch_op.f("ix_order_notices_acknowledged_at_at"))

    op.drop_table("order_notices")
    with op.batch_alter_table("order_extensions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_extensions_order_id_id"))
        batch_op.drop_index(batch_op.f("ix_order_extensions_decided_at"))

    op.drop_table("order_extensions")
    with op.batch_alter_table("order_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_events_step_at"))
        batch_op.drop_index(batch_op.f("ix_order_events_order_id_id"))
        batch_op.drop_index(batch_op.f("ix_order_events_at"))

    op.drop_table("order_events")
    with op.batch_alter_table("order_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_assignments_unit_state"))
        batch_op.drop_index(batch_op.f("ix_order_assignments_order_id_id"))
        batch_op.drop_index(batch_op.f("ix_order_assignments_dispatched_at"))

    op.drop_table("order_assignments")
