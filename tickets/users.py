"""Users, their roles and their passwords.

A role names a job in the centre; what each role may do is the web layer's access table
(``web.access``). Passwords are hashed with argon2id (argon2-cffi); a hash made with older
parameters is re-hashed at the next good sign-in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tickets.errors import DomainError
from tickets.user_models import UserRow

# role -> (Chinese, English)
ROLES: dict[str, tuple[str, str]] = {
    "agent": ("座席", "Agent"),
    "dispatcher": ("派单员", "Dispatcher"),
    "callback": ("回访员", "Callback agent"),
    "qa": ("质检员", "QA reviewer"),
    "supervisor": ("班长", "Supervisor"),
    "admin": ("管理员", "Administrator"),
    "auditor": ("审计员", "Auditor"),
    "unit": ("承办单位", "Handling unit"),
    "integration": ("对接系统", "Integration"),
}
STAFF_ROLES = frozenset(ROLES) - {"unit", "integration"}
USER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()


class UserError(DomainError):
    error_id = "invalid-user"


class NoSuchUser(UserError):
    status = 404
    error_id = "no-such-user"

    def __init__(self, user_id: str) -> None:
        super().__init__(f"no user {user_id!r}")


class UserExists(UserError):
    status = 409
    error_id = "user-exists"

    def __init__(self, user_id: str) -> None:
        super().__init__(f"user {user_id!r} exists already")


@dataclass(frozen=True, slots=True)
class User:
    user_id: str
    name: str
    roles: frozenset[str]
    unit: str | None
    disabled: bool = False

    def view(self) -> dict[str, object]:
        return {
            "id": self.user_id,
            "name": self.name,
            "roles": sorted(self.roles),
            "unit": self.unit,
            "disabled": self.disabled,
        }


def user_from_row(row: UserRow) -> User:
    return User(row.id, row.name, frozenset(row.roles), row.unit, row.disabled)


def check_roles(roles: object, unit: object) -> tuple[frozenset[str], str | None]:
    """Known roles only; a unit's handler is bound to one unit code and nothing else."""
    if not isinstance(roles, list | tuple | set | frozenset) or not roles:
        raise UserError(f"roles: a non-empty list of {sorted(ROLES)}")
    unknown = sorted(str(r) for r in roles if r not in ROLES)
    if unknown:
        raise UserError(f"roles: unknown {unknown}; known are {sorted(ROLES)}")
    chosen = frozenset(str(r) for r in roles)
    if "unit" in chosen:
        if not isinstance(unit, str) or not USER_ID.match(unit):
            raise UserError("unit: a handling unit's user needs the unit code")
        if chosen != {"unit"}:
            raise UserError("roles: a handling unit's user has the unit role only")
        return chosen, unit
    if unit is not None:
        raise UserError("unit: only a user with the unit role belongs to a unit")
    return chosen, None


def check_password(user_id: str, password: object) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"password: at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > 200:
        raise UserError("password: at most 200 characters")
    if user_id.lower() in password.lower():
        raise UserError("password: must not contain the staff number")
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


# a hash to verify against when the user does not exist, so both cases take as long
UNKNOWN_USER_HASH = hash_password("no such user: the same work as a real check")


async def add_user(
    session: AsyncSession,
    *,
    user_id: str,
    name: str,
    roles: object,
    password: str,
    at: datetime,
    unit: object = None,
) -> User:
    if not USER_ID.match(user_id):
        raise UserError("id: a staff number (letters, digits, . _ -; up to 40)")
    if not name.strip() or len(name) > 100:
        raise UserError("name: 1 to 100 characters")
    chosen, unit_code = check_roles(roles, unit)
    check_password(user_id, password)
    if await session.get(UserRow, user_id) is not None:
        raise UserExists(user_id)
    row = UserRow(
        id=user_id,
        name=name.strip(),
        roles=sorted(chosen),
        unit=unit_code,
        password_hash=hash_password(password),
        disabled=False,
        created_at=at,
        password_changed_at=at,
    )
    session.add(row)
    await session.flush()
    return user_from_row(row)


async def load_user(session: AsyncSession, user_id: str) -> UserRow:
    row = await session.get(UserRow, user_id)
    if row is None:
        raise NoSuchUser(user_id)
    return row


async def list_users(session: AsyncSession) -> list[User]:
    rows = await session.scalars(select(UserRow).order_by(UserRow.id))
    return [user_from_row(row) for row in rows]


async def change_user(
    session: AsyncSession,
    user_id: str,
    *,
    name: str | None = None,
    roles: object = None,
    unit: object = None,
    disabled: bool | None = None,
) -> User:
    row = await load_user(session, user_id)
    if roles is not None:
        chosen, row.unit = check_roles(roles, unit)
        row.roles = sorted(chosen)
    if name is not None:
        if not name.strip() or len(name) > 100:
            raise UserError("name: 1 to 100 characters")
        row.name = name.strip()
    if disabled is not None:
        row.disabled = disabled
    await session.flush()
    return user_from_row(row)


async def set_password(session: AsyncSession, user_id: str, password: str, at: datetime) -> None:
    row = await load_user(session, user_id)
    check_password(user_id, password)
    row.password_hash = hash_password(password)
    row.password_changed_at = at
    await session.flush()
