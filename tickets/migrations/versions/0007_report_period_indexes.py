"""indexes for the facts of a report period: orders accepted, response or closure due in
it, unit replies and recorded callbacks (回访) by their time

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 02:10:18.957315
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_order_replies_at"), "order_replies", ["at"], unique=False)
    op.create_index(
        op.f("ix_order_revisits_recorded_at"), "order_revisits", ["recorded_at"], unique=False
    )
    op.create_index(
        op.f("ix_work_orders_accepted_at"), "work_orders", ["accepted_at"], unique=False
    )
    op.create_index(op.f("ix_work_orders_close_due"), "work_orders", ["close_due"], unique=False)
    op.create_index(
        op.f("ix_work_orders_response_due"), "work_orders", ["response_due"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_work_orders_response_due"), table_name="work_orders")
    op.drop_index(op.f("ix_work_orders_close_due"), table_name="work_orders")
    op.drop_index(op.f("ix_work_orders_accepted_at"), table_name="work_orders")
    op.drop_index(op.f("ix_order_revisits_recorded_at"), table_name="order_revisits")
    op.drop_index(op.f("ix_order_replies_at"), table_name="order_replies")
