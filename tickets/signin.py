"""Signing in and staying in: password checks with throttling, browser sessions with idle
and age limits, and bearer tokens for integrations.

The client holds a random token; the database holds its SHA-256, so sessions and tokens
cannot be lifted from a copy of the database. Each sign-in makes a new session (the
session id is rotated: a cookie planted before sign-in is worth nothing after it).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from tickets.errors import DomainError
from tickets.user_models import ApiTokenRow, SignInAttemptRow, UserRow, UserSessionRow
from tickets.users import (
    ROLES,
    UNKNOWN_USER_HASH,
    USER_ID,
    User,
    UserError,
    hash_password,
    needs_rehash,
    password_matches,
    user_from_row,
)

TOKEN_PREFIX = "hl_"


@dataclass(frozen=True, slots=True)
class SignInRules:
    """``[signin]`` of the settings."""

    idle_minutes: float = 30.0  # a session unused this long has ended
    session_hours: float = 12.0  # and any session after this long (a shift)
    max_failures: int = 5  # failed attempts per user or per address in the window …
    failure_window_minutes: float = 15.0  # … before sign-in is refused for the rest of it
    max_address_failures: int = 20
    secure_cookies: bool = True  # False only behind plain http on a trusted network

    def __post_init__(self) -> None:
        if min(self.idle_minutes, self.session_hours, self.failure_window_minutes) <= 0:
            raise ValueError("signin times must be positive")
        if self.max_failures < 1 or self.max_address_failures < 1:
            raise ValueError("max_failures and max_address_failures: at least 1")


class SignInRefused(DomainError):
    status = 401
    error_id = "signin-refused"

    def __init__(self) -> None:
        super().__init__("wrong staff number or password (工号或密码错误)")


class SignInThrottled(DomainError):
    status = 429
    error_id = "signin-throttled"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed sign-ins; try again in {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class ActiveSession:
    session_id: str
    user: User
    csrf: str


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def _recent_failures(
    session: AsyncSession, column: InstrumentedAttribute[str], value: str, since: datetime
) -> tuple[int, datetime | None]:
    row = (
        await session.execute(
            select(func.count(), func.min(SignInAttemptRow.at)).where(
                column == value,
                SignInAttemptRow.at >= since,
                SignInAttemptRow.succeeded.is_(False),
            )
        )
    ).one()
    return int(row[0]), row[1]


async def check_throttle(
    session: AsyncSession, user_id: str, address: str, at: datetime, rules: SignInRules
) -> None:
    """Refuse while the user or the address has had too many failures in the window."""
    window = timedelta(minutes=rules.failure_window_minutes)
    for column, value, limit in (
        (SignInAttemptRow.user_id, user_id, rules.max_failures),
        (SignInAttemptRow.address, address, rules.max_address_failures),
    ):
        count, oldest = await _recent_failures(session, column, value, at - window)
        if count >= limit and oldest is not None:
            retry = (oldest + window - at).total_seconds()
            raise SignInThrottled(max(1, int(retry) + 1))


async def sign_in(
    session: AsyncSession,
    *,
    user_id: str,
    password: str,
    at: datetime,
    address: str,
    user_agent: str,
    rules: SignInRules,
) -> tuple[str, ActiveSession]:
    """The new session's token (for the cookie) and the session; the attempt is recorded."""
    await check_throttle(session, user_id, address, at, rules)
    row = await session.get(UserRow, user_id) if USER_ID.match(user_id) else None
    stored = row.password_hash if row is not None else UNKNOWN_USER_HASH
    good = password_matches(stored, password) and row is not None and not row.disabled
    session.add(SignInAttemptRow(at=at, user_id=user_id[:40], address=address, succeeded=good))
    if not good or row is None:
        await session.commit()
        raise SignInRefused()
    if needs_rehash(row.password_hash):
        row.password_hash = hash_password(password)
    opened = await open_session(session, row, at=at, address=address, user_agent=user_agent)
    await session.commit()
    return opened


async def open_session(
    session: AsyncSession, row: UserRow, *, at: datetime, address: str, user_agent: str
) -> tuple[str, ActiveSession]:
    """A fresh session of a user whose password was checked (not committed here)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(
        UserSessionRow(
            id=digest(token),
            user_id=row.id,
            csrf=csrf,
            started_at=at,
            last_seen_at=at,
            address=address,
            user_agent=user_agent[:300],
        )
    )
    await session.flush()
    return token, ActiveSession(digest(token), user_from_row(row), csrf)


async def find_session(
    session: AsyncSession, token: str, at: datetime, rules: SignInRules
) -> ActiveSession | None:
    """The live session of a cookie's token; an idle or too old one is ended here."""
    row = await session.get(UserSessionRow, digest(token))
    if row is None or row.ended_at is not None:
        return None
    user = await session.get(UserRow, row.user_id)
    reason = _end_reason(row, user, at, rules)
    if reason is not None:
        row.ended_at, row.end_reason = at, reason
        await session.commit()
        return None
    assert user is not None
    if (at - row.last_seen_at).total_seconds() >= 60:  # one write a minute per session at most
        row.last_seen_at = at
        await session.commit()
    return ActiveSession(row.id, user_from_row(user), row.csrf)


def _end_reason(
    row: UserSessionRow, user: UserRow | None, at: datetime, rules: SignInRules
) -> str | None:
    if user is None or user.disabled:
        return "user-disabled"
    if at - row.last_seen_at > timedelta(minutes=rules.idle_minutes):
        return "idle"
    if at - row.started_at > timedelta(hours=rules.session_hours):
        return "expired"
    if user.password_changed_at > row.started_at:
        return "password-changed"
    return None


async def end_session(session: AsyncSession, session_id: str, at: datetime, reason: str) -> None:
    await session.execute(
        update(UserSessionRow)
        .where(UserSessionRow.id == session_id, UserSessionRow.ended_at.is_(None))
        .values(ended_at=at, end_reason=reason)
    )
    await session.commit()


async def end_user_sessions(session: AsyncSession, user_id: str, at: datetime, reason: str) -> int:
    result = await session.execute(
        update(UserSessionRow)
        .where(UserSessionRow.user_id == user_id, UserSessionRow.ended_at.is_(None))
        .values(ended_at=at, end_reason=reason)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# -- tokens of integrations -------------------------------------------------------------


async def create_token(
    session: AsyncSession, *, name: str, roles: object, at: datetime, created_by: str
) -> str:
    """A new token (shown once); its name acts in the audit log as ``token:<name>``."""
    if not USER_ID.match(name):
        raise UserError("name: letters, digits, . _ - (up to 40)")
    if not isinstance(roles, list | tuple) or not roles or any(r not in ROLES for r in roles):
        raise UserError(f"roles: a non-empty list of {sorted(ROLES)}")
    if "unit" in roles:
        raise UserError("roles: a token cannot act as a handling unit")
    if await session.scalar(select(ApiTokenRow.id).where(ApiTokenRow.name == name)):
        raise UserError(f"name: a token {name!r} exists already (revoke it first)")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiTokenRow(
            id=digest(token),
            name=name,
            roles=sorted(set(roles)),
            created_at=at,
            created_by=created_by,
        )
    )
    await session.flush()
    return token


async def find_token(session: AsyncSession, token: str, at: datetime) -> User | None:
    row = await session.get(ApiTokenRow, digest(token))
    if row is None or row.revoked_at is not None:
        return None
    if row.last_used_at is None or (at - row.last_used_at).total_seconds() >= 60:
        row.last_used_at = at
        await session.commit()
    return User(f"token:{row.name}", row.name, frozenset(row.roles), None)


async def revoke_token(session: AsyncSession, name: str, at: datetime) -> bool:
    result = await session.execute(
        update(ApiTokenRow)
        .where(ApiTokenRow.name == name, ApiTokenRow.revoked_at.is_(None))
        .values(revoked_at=at)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def list_tokens(session: AsyncSession) -> list[dict[str, object]]:
    rows = await session.scalars(select(ApiTokenRow).order_by(ApiTokenRow.name))
    return [
        {
            "name": r.name,
            "roles": r.roles,
            "created_at": r.created_at.isoformat(),
            "created_by": r.created_by,
            "last_used_at": r.last_used_at.isoformat() if r.last_used_at else None,
            "revoked_at": r.revoked_at.isoformat() if r.revoked_at else None,
        }
        for r in rows
    ]
