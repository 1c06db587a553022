"""The core tables on the one declarative ``Base``: calls, their seat attempts, seats,
seat state intervals, work orders (工单), agents and their sessions, callback tasks and
the audit log.

Every timestamp is an aware UTC datetime in Python and ``timestamptz`` on PostgreSQL;
SQLite has no time zones, so ``UtcDateTime`` stores naive UTC there and hands back
aware UTC. Other packages put their tables on this same ``Base``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, get_args

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    Float,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from tickets.records import (
    OUTCOMES,
    CallbackReason,
    CallbackStatus,
    Direction,
    SeatStateName,
)

# Strings carry no length: caller names and channels come from outside, and a value
# longer than a guess must never make a call unstorable.
# Deterministic constraint and index names: the same on both databases, so migrations
# can name what they alter.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite makes only an INTEGER PRIMARY KEY an auto-incrementing rowid.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every database; a naive datetime is refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the database keeps aware UTC times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime from the database, got {value!r}")
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _one_of(column: str, values: tuple[str, ...], *, nullable: bool = False) -> str:
    listed = f"{column} IN ({', '.join(repr(value) for value in values)})"
    return f"{column} IS NULL OR {listed}" if nullable else listed


class CallRow(Base):
    """One call: the highest ``version`` of its CallRecord snapshots."""

    __tablename__ = "calls"
    __table_args__ = (
        UniqueConstraint("server", "call_id"),
        Index(None, "queued_at"),
        Index(None, "line", "queued_at"),
        Index(None, "seat", "queued_at"),
        Index(None, "caller_number", "queued_at"),
        Index(None, "agent", "queued_at"),
        CheckConstraint(_one_of("outcome", OUTCOMES, nullable=True), name="outcome"),
        CheckConstraint(_one_of("direction", get_args(Direction)), name="direction"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    server: Mapped[str] = mapped_column(String)
    call_id: Mapped[str] = mapped_column(String)
    linked_id: Mapped[str] = mapped_column(String)
    line: Mapped[str] = mapped_column(String)
    caller_number: Mapped[str] = mapped_column(String)
    caller_name: Mapped[str] = mapped_column(String, default="")
    channel: Mapped[str] = mapped_column(String, default="")
    style: Mapped[str] = mapped_column(String, default="routed")
    queued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    talk_ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    seat: Mapped[str | None] = mapped_column(String)
    outcome: Mapped[str | None] = mapped_column(String)
    end_cause: Mapped[int | None] = mapped_column(Integer)
    end_cause_text: Mapped[str] = mapped_column(String, default="")
    queue_result: Mapped[str | None] = mapped_column(String)
    recording_path: Mapped[str | None] = mapped_column(Text)
    recording_started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    recording_stopped_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    survey_score: Mapped[int | None] = mapped_column(Integer)
    # server defaults (here and below) fill the rows stored before these columns existed
    agent: Mapped[str | None] = mapped_column(String)
    skill: Mapped[str] = mapped_column(String, default="", server_default="")
    priority: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    emergency: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    direction: Mapped[str] = mapped_column(String, default="in", server_default="in")
    callback_of: Mapped[str | None] = mapped_column(String)
    # seconds, stored so that reports need no date arithmetic in SQL
    wait_seconds: Mapped[float | None] = mapped_column(Float)
    talk_seconds: Mapped[float | None] = mapped_column(Float)
    # microseconds since the epoch of the snapshot's last change (see acd.ledger.version_at)
    version: Mapped[int] = mapped_column(BigInteger)

    # written with Core upserts by the writer, read with selectinload
    attempts: Mapped[list[CallAttemptRow]] = relationship(
        order_by="CallAttemptRow.seq", lazy="raise", viewonly=True
    )


class CallAttemptRow(Base):
    """One offer of a call to a seat; a call's attempts are replaced with each newer version."""

    __tablename__ = "call_attempts"
    __table_args__ = (
        UniqueConstraint("server", "call_id", "seq"),
        ForeignKeyConstraint(
            ["server", "call_id"], ["calls.server", "calls.call_id"], ondelete="CASCADE"
        ),
        Index(None, "seat", "rang_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    server: Mapped[str] = mapped_column(String)
    call_id: Mapped[str] = mapped_column(String)
    seq: Mapped[int] = mapped_column(Integer)
    seat: Mapped[str] = mapped_column(String)
    rang_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # ANSWER, RINGING, or the DialStatus that ended the ring (NOANSWER, BUSY, CANCEL, …)
    result: Mapped[str] = mapped_column(String)


class SeatRow(Base):
    """A seat, named by its softphone endpoint; retired seats stay for the reports."""

    __tablename__ = "seats"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    name: Mapped[str] = mapped_column(String)
    # comma-separated hotline numbers the seat answers, e.g. "12345,962121"
    lines: Mapped[str] = mapped_column(String, default="")
    # comma-separated skills the seat's agents have, e.g. "方言,涉企"
    skills: Mapped[str] = mapped_column(String, default="", server_default="")
    temporary: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class SeatStateRow(Base):
    """One stretch of time a seat spent in one state; ``ended_at`` NULL while it lasts."""

    __tablename__ = "seat_states"
    __table_args__ = (
        UniqueConstraint("seat", "started_at"),
        Index(None, "started_at"),
        Index(None, "ended_at", "started_at"),
        CheckConstraint(_one_of("state", get_args(SeatStateName)), name="state"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    seat: Mapped[str] = mapped_column(String)
    state: Mapped[str] = mapped_column(String)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reason: Mapped[str] = mapped_column(String, default="")
    agent: Mapped[str | None] = mapped_column(String)


class WorkOrderRow(Base):
    """A work order (工单); opened as a draft when a seat answers the call it belongs to.

    Not a foreign key to ``calls``: the draft and the call row are written
    independently, and orders sent down by the city platform have no call.
    """

    __tablename__ = "work_orders"
    __table_args__ = (
        UniqueConstraint("number"),
        Index(None, "server", "call_id"),
        Index(None, "created_at"),
        Index(None, "caller_number", "created_at"),
        Index(None, "status", "created_at"),
        Index(None, "open", "created_at"),  # the open orders (first contact, the boards)
        Index(None, "main_unit", "open"),
        Index(None, "closed_at"),
        # the orders a period's reports count: accepted, response or closure due in it
        Index(None, "accepted_at"),
        Index(None, "response_due"),
        Index(None, "close_due"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String)
    server: Mapped[str | None] = mapped_column(String)
    call_id: Mapped[str | None] = mapped_column(String)
    line: Mapped[str] = mapped_column(String)
    caller_number: Mapped[str] = mapped_column(String)
    seat: Mapped[str | None] = mapped_column(String)
    agent: Mapped[str | None] = mapped_column(String)  # staff number of the accepting agent
    status: Mapped[str] = mapped_column(String, default="draft")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    category: Mapped[str | None] = mapped_column(String)
    address: Mapped[str | None] = mapped_column(Text)
    content: Mapped[str | None] = mapped_column(Text)
    urgency: Mapped[str | None] = mapped_column(String)
    confidential: Mapped[bool | None] = mapped_column(Boolean)
    # the life cycle (tickets.lifecycle): every status but closed, returned up and merged
    open: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # optimistic locking: a step read at version n is written only if the row is still at n
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    channel: Mapped[str] = mapped_column(String, default="phone", server_default="phone")
    source_ref: Mapped[str | None] = mapped_column(String)  # the platform's or channel's id
    caller_name: Mapped[str] = mapped_column(String, default="", server_default="")
    handled_directly: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    main_unit: Mapped[str | None] = mapped_column(String)
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    dispatched_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    responded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    replied_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    dispatch_due: Mapped[datetime | None] = mapped_column(UtcDateTime)
    response_due: Mapped[datetime | None] = mapped_column(UtcDateTime)
    sign_due: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reply_due: Mapped[datetime | None] = mapped_column(UtcDateTime)
    callback_due: Mapped[datetime | None] = mapped_column(UtcDateTime)
    close_due: Mapped[datetime | None] = mapped_column(UtcDateTime)
    escalation: Mapped[str] = mapped_column(
        String, default="", server_default=""
    )  # urge, supervise
    revisit_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    satisfaction: Mapped[str | None] = mapped_column(String)  # of the last callback (回访)
    result: Mapped[str | None] = mapped_column(Text)  # how it was closed
    not_counted: Mapped[str | None] = mapped_column(String)  # 不纳入考核: the reason's code
    not_counted_note: Mapped[str | None] = mapped_column(Text)
    merged_into: Mapped[str | None] = mapped_column(String)
    duplicate_of: Mapped[str | None] = mapped_column(String)  # flagged, not yet merged


class AgentRow(Base):
    """An agent (坐席员) by staff number; agents who left stay, inactive, for the reports."""

    __tablename__ = "agents"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    name: Mapped[str] = mapped_column(String)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AgentSessionRow(Base):
    """An agent signed in to a seat; ``ended_at`` NULL while signed in."""

    __tablename__ = "agent_sessions"
    __table_args__ = (
        UniqueConstraint("agent", "started_at"),
        Index(None, "seat", "started_at"),
        Index(None, "started_at"),
        Index(None, "ended_at", "started_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    agent: Mapped[str] = mapped_column(String)
    seat: Mapped[str] = mapped_column(String)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_by: Mapped[str] = mapped_column(String, default="")


class CallbackTaskRow(Base):
    """A call to return (漏接回拨): the highest ``version`` of its CallbackTask snapshots."""

    __tablename__ = "callback_tasks"
    __table_args__ = (
        UniqueConstraint("task_id"),
        # open tasks due soonest: in all, per line, per agent
        Index(None, "closed", "due_at"),
        Index(None, "line", "closed", "due_at"),
        Index(None, "agent", "closed", "due_at"),
        Index(None, "caller_number", "created_at"),
        CheckConstraint(_one_of("status", get_args(CallbackStatus)), name="status"),
        CheckConstraint(_one_of("reason", get_args(CallbackReason)), name="reason"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    task_id: Mapped[str] = mapped_column(String)
    server: Mapped[str] = mapped_column(String)
    call_id: Mapped[str] = mapped_column(String)
    line: Mapped[str] = mapped_column(String)
    caller_number: Mapped[str] = mapped_column(String)
    reason: Mapped[str] = mapped_column(String)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String)
    # false while the task is pending or calling: stored so that one index walk gives
    # the open tasks first, due soonest first
    closed: Mapped[bool] = mapped_column(Boolean)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    agent: Mapped[str | None] = mapped_column(String)
    seat: Mapped[str | None] = mapped_column(String)
    result_call_id: Mapped[str | None] = mapped_column(String)
    note: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    version: Mapped[int] = mapped_column(BigInteger)


class AuditRow(Base):
    """Who did what to whom, when, from where; rows are only ever inserted."""

    __tablename__ = "audit_log"
    __table_args__ = (
        UniqueConstraint("entry_id"),
        Index(None, "at"),
        Index(None, "actor", "at"),
        Index(None, "target", "at"),
        Index(None, "action", "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    entry_id: Mapped[str] = mapped_column(String)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String)
    action: Mapped[str] = mapped_column(String)
    target: Mapped[str] = mapped_column(String)
    details: Mapped[dict[str, str]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String, default="")
