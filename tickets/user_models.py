"""The people who sign in, and how: users with their roles, browser sessions, API tokens
for integrations, and the sign-in attempts that throttling counts.

Secrets are never stored: a password is an argon2 hash, a session or token is kept as the
SHA-256 of the random value the client holds, so a copy of the database signs nobody in.
Rows of sessions, tokens and attempts are kept after they end, as evidence of who was in.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tickets.models import Base, BigId, UtcDateTime


class UserRow(Base):
    """A member of staff (or a unit's handler): the staff number is the id, as in the audit log."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    name: Mapped[str] = mapped_column(String)
    roles: Mapped[list[str]] = mapped_column(JSON)  # tickets.users.ROLES
    unit: Mapped[str | None] = mapped_column(String)  # the unit code of a unit's handler
    password_hash: Mapped[str] = mapped_column(String)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    password_changed_at: Mapped[datetime] = mapped_column(UtcDateTime)


class UserSessionRow(Base):
    """One browser session: from sign-in to sign-out, idle time-out or its age limit."""

    __tablename__ = "user_sessions"
    __table_args__ = (Index(None, "user_id", "ended_at"),)

    id: Mapped[str] = mapped_column(String, primary_key=True)  # sha256 of the cookie's token
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    csrf: Mapped[str] = mapped_column(String)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    end_reason: Mapped[str | None] = mapped_column(String)  # signed-out, idle, expired, …
    address: Mapped[str] = mapped_column(String, default="")
    user_agent: Mapped[str] = mapped_column(String, default="")


class ApiTokenRow(Base):
    """A bearer token of an integration (another channel, the city platform)."""

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String, primary_key=True)  # sha256 of the token
    name: Mapped[str] = mapped_column(String, unique=True)  # acts in the audit log as token:<name>
    roles: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class SignInAttemptRow(Base):
    """Every sign-in attempt; failures in a recent window throttle the user and the address."""

    __tablename__ = "sign_in_attempts"
    __table_args__ = (Index(None, "user_id", "at"), Index(None, "address", "at"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    user_id: Mapped[str] = mapped_column(String)  # as typed, existing or not
    address: Mapped[str] = mapped_column(String)
    succeeded: Mapped[bool] = mapped_column(Boolean)
