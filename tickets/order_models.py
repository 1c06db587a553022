"""The tables around a work order: its history, its units, replies and their photos,
extension requests, callbacks (回访) and supervision notices.

``order_events`` is the order's history and is only ever inserted into: one row per
step, with who, when, the status before and after and a note. The other tables hold
the state the steps build; every row names its order by ``work_orders.id``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tickets.models import Base, BigId, UtcDateTime

_ORDER = "work_orders.id"


class OrderEventRow(Base):
    """One step of an order's life: append-only."""

    __tablename__ = "order_events"
    __table_args__ = (Index(None, "order_id", "id"), Index(None, "at"), Index(None, "step", "at"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(BigId, ForeignKey(_ORDER))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String)
    step: Mapped[str] = mapped_column(String)
    from_status: Mapped[str | None] = mapped_column(String)
    to_status: Mapped[str] = mapped_column(String)
    note: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class OrderAssignmentRow(Base):
    """An order sent to a unit: the main unit (主办) or an assisting one (协办)."""

    __tablename__ = "order_assignments"
    __table_args__ = (
        Index(None, "order_id", "id"),
        Index(None, "unit", "state"),
        Index(None, "dispatched_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(BigId, ForeignKey(_ORDER))
    unit: Mapped[str] = mapped_column(String)
    role: Mapped[str] = mapped_column(String)  # main, assist
    # active → signed → replied; or returned, withdrawn
    state: Mapped[str] = mapped_column(String, default="active")
    dispatched_at: Mapped[datetime] = mapped_column(UtcDateTime)
    dispatched_by: Mapped[str] = mapped_column(String)
    signed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    returned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    return_reason: Mapped[str | None] = mapped_column(Text)
    # the hotline accepted the unit's return as "not ours": counts against dispatch accuracy
    wrongly_assigned: Mapped[bool] = mapped_column(Boolean, default=False)


class OrderReplyRow(Base):
    """A unit's reply (回复) with the platform's five elements: time, place, person,
    matter, result."""

    __tablename__ = "order_replies"
    # the replies of a period: callbacks (回访) due in it
    __table_args__ = (Index(None, "order_id", "id"), Index(None, "at"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(BigId, ForeignKey(_ORDER))
    unit: Mapped[str] = mapped_column(String)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    by: Mapped[str] = mapped_column(String)
    handled_at: Mapped[str] = mapped_column(String)  # 时间, as the unit wrote it
    place: Mapped[str] = mapped_column(Text)  # 地点
    person: Mapped[str] = mapped_column(Text)  # 人物
    matter: Mapped[str] = mapped_column(Text)  # 事件
    result: Mapped[str] = mapped_column(Text)  # 结果
    resolved: Mapped[bool] = mapped_column(Boolean)


class OrderAttachmentRow(Base):
    """A file sent with an order or a reply (photos before and after)."""

    __tablename__ = "order_attachments"
    __table_args__ = (Index(None, "order_id", "id"), UniqueConstraint("order_id", "sha256"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(BigId, ForeignKey(_ORDER))
    reply_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("order_replies.id"))
    name: Mapped[str] = mapped_column(String)
    content_type: Mapped[str] = mapped_column(String)
    size: Mapped[int] = mapped_column(BigId)
    sha256: Mapped[str] = mapped_column(String)
    path: Mapped[str] = mapped_column(Text)  # relative to the attachments directory
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    uploaded_by: Mapped[str] = mapped_column(String)


class OrderExtensionRow(Base):
    """A unit's request for more time, and the hotline's decision."""

    __tablename__ = "order_extensions"
    __table_args__ = (Index(None, "order_id", "id"), Index(None, "decided_at"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(BigId, ForeignKey(_ORDER))
    unit: Mapped[str] = mapped_column(String)
    asked_at: Mapped[datetime] = mapped_column(UtcDateTime)
    asked_by: Mapped[str] = mapped_column(String)
    until: Mapped[datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_by: Mapped[str | None] = mapped_column(String)
    approved: Mapped[bool | None] = mapped_column(Boolean)
    decision_note: Mapped[str] = mapped_column(Text, default="")


class OrderRevisitRow(Base):
    """One callback (回访) attempt: the call placed from a seat and what the citizen said."""

    __tablename__ = "order_revisits"
    __table_args__ = (
        Index(None, "order_id", "id"),
        Index(None, "placed_at"),
        Index(None, "server", "call_id"),
        Index(None, "recorded_at"),  # the callbacks of a period (reports)
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(BigId, ForeignKey(_ORDER))
    attempt: Mapped[int] = mapped_column(Integer)
    placed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    agent: Mapped[str] = mapped_column(String)
    seat: Mapped[str | None] = mapped_column(String)
    server: Mapped[str | None] = mapped_column(String)
    call_id: Mapped[str | None] = mapped_column(String)  # the recorded call, once placed
    # satisfied, basically_satisfied, unsatisfied, unreachable; NULL while calling
    result: Mapped[str | None] = mapped_column(String)
    resolved: Mapped[bool | None] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class OrderNoticeRow(Base):
    """A supervision notice: due soon (催办), overdue (督办), a follow-up checkpoint,
    a property company to phone. One per order, kind and deadline."""

    __tablename__ = "order_notices"
    __table_args__ = (
        UniqueConstraint("order_id", "kind", "deadline", "due_at"),
        Index(None, "at"),
        Index(None, "acknowledged_at", "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(BigId, ForeignKey(_ORDER))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String)
    deadline: Mapped[str] = mapped_column(String)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    unit: Mapped[str | None] = mapped_column(String)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String)
