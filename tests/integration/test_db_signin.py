"""Users, sessions, tokens and throttling in the database, with the times given: idle and age
limits, password changes ending sessions, a disabled user, rehashing, revoked tokens."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.integration.db_kit import at, migrated_engine
from tickets.db import session_factory
from tickets.signin import (
    SignInRefused,
    SignInRules,
    SignInThrottled,
    create_token,
    digest,
    find_session,
    find_token,
    revoke_token,
    sign_in,
)
from tickets.user_models import UserRow, UserSessionRow
from tickets.users import UserError, UserExists, add_user, change_user, set_password

RULES = SignInRules(idle_minutes=30, session_hours=12, max_failures=3, failure_window_minutes=15)
PASSWORD = "梅陇镇-hotline-2026"


async def _with_user(session: AsyncSession) -> None:
    await add_user(
        session, user_id="1001", name="王芳", roles=["agent"], password=PASSWORD, at=at(0)
    )
    await session.commit()


async def _sign_in(session: AsyncSession, seconds: float, password: str = PASSWORD) -> str:
    token, _ = await sign_in(
        session,
        user_id="1001",
        password=password,
        at=at(seconds),
        address="10.0.0.7",
        user_agent="test",
        rules=RULES,
    )
    return token


async def test_a_session_ends_when_idle_when_old_and_when_the_password_changes(
    database_url: str,
) -> None:
    async with migrated_engine(database_url) as engine, session_factory(engine)() as session:
        await _with_user(session)
        token = await _sign_in(session, 0)
        alive = await find_session(session, token, at(29 * 60), RULES)
        assert alive is not None
        assert (alive.user.user_id, alive.user.roles) == ("1001", frozenset({"agent"}))
        assert await find_session(session, token, at(29 * 60 + 31 * 60), RULES) is None
        assert await find_session(session, token, at(60 * 60 * 2), RULES) is None  # stays ended
        ended = await session.get(UserSessionRow, digest(token))
        assert ended is not None
        assert ended.end_reason == "idle"

        busy = await _sign_in(session, 100)
        for minute in range(1, 12 * 60, 20):  # used every 20 minutes, all shift long
            assert await find_session(session, busy, at(100 + minute * 60), RULES) is not None
        assert await find_session(session, busy, at(100 + 12 * 3600 + 60), RULES) is None

        changed = await _sign_in(session, 200)
        await set_password(session, "1001", "a-new-password-0", at(300))
        await session.commit()
        assert await find_session(session, changed, at(301), RULES) is None
        with pytest.raises(SignInRefused):
            await _sign_in(session, 302)  # the old password
        assert await _sign_in(session, 303, "a-new-password-0")


async def test_only_a_hash_of_secrets_is_stored_and_a_disabled_user_is_out(
    database_url: str,
) -> None:
    async with migrated_engine(database_url) as engine, session_factory(engine)() as session:
        await _with_user(session)
        token = await _sign_in(session, 0)
        row = await session.get(UserRow, "1001")
        assert row is not None
        assert row.password_hash.startswith("$argon2id$")
        assert PASSWORD not in row.password_hash
        stored_ids = list(await session.scalars(select(UserSessionRow.id)))
        assert stored_ids == [digest(token)]
        assert token not in stored_ids
        await change_user(session, "1001", disabled=True)
        await session.commit()
        assert await find_session(session, token, at(10), RULES) is None
        with pytest.raises(SignInRefused):
            await _sign_in(session, 11)


async def test_failures_throttle_the_user_then_let_go_after_the_window(database_url: str) -> None:
    async with migrated_engine(database_url) as engine, session_factory(engine)() as session:
        await _with_user(session)
        for second in range(3):
            with pytest.raises(SignInRefused):
                await _sign_in(session, second, "wrong-password!")
        with pytest.raises(SignInThrottled) as throttled:
            await _sign_in(session, 10)  # even the right password, while throttled
        assert 0 < throttled.value.retry_after <= 15 * 60
        assert await _sign_in(session, 15 * 60 + 5)  # the window has passed


async def test_unknown_users_are_refused_like_wrong_passwords(database_url: str) -> None:
    async with migrated_engine(database_url) as engine, session_factory(engine)() as session:
        await _with_user(session)
        for user_id in ("9999", "../../etc", "1001 OR 1=1", ""):
            with pytest.raises(SignInRefused):
                await sign_in(
                    session,
                    user_id=user_id,
                    password=PASSWORD,
                    at=at(0),
                    address="10.0.0.9",
                    user_agent="",
                    rules=RULES,
                )


async def test_users_are_checked_before_they_are_stored(database_url: str) -> None:
    async with migrated_engine(database_url) as engine, session_factory(engine)() as session:
        await _with_user(session)
        bad = [
            {"roles": ["agent"], "password": "short"},
            {"roles": ["agent"], "password": "has-1002-inside"},
            {"roles": ["wizard"], "password": PASSWORD},
            {"roles": [], "password": PASSWORD},
            {"roles": ["unit"], "password": PASSWORD},  # a unit's user needs the unit
            {"roles": ["unit", "agent"], "password": PASSWORD, "unit": "water"},
            {"roles": ["agent"], "password": PASSWORD, "unit": "water"},
        ]
        for fields in bad:
            with pytest.raises(UserError):
                await add_user(session, user_id="1002", name="李强", at=at(0), **fields)  # type: ignore[arg-type]
        with pytest.raises(UserExists):
            await add_user(
                session, user_id="1001", name="王芳", roles=["agent"], password=PASSWORD, at=at(0)
            )
        unit = await add_user(
            session,
            user_id="u-water",
            name="水务所",
            roles=["unit"],
            unit="utility.water",
            password=PASSWORD,
            at=at(0),
        )
        assert (unit.roles, unit.unit) == (frozenset({"unit"}), "utility.water")


async def test_a_token_acts_under_its_name_until_revoked(database_url: str) -> None:
    async with migrated_engine(database_url) as engine, session_factory(engine)() as session:
        token = await create_token(
            session, name="city-platform", roles=["integration"], at=at(0), created_by="admin"
        )
        await session.commit()
        assert token.startswith("hl_")
        user = await find_token(session, token, at(1))
        assert user is not None
        assert (user.user_id, user.roles) == ("token:city-platform", frozenset({"integration"}))
        assert await find_token(session, token + "x", at(1)) is None
        with pytest.raises(UserError):
            await create_token(
                session, name="city-platform", roles=["integration"], at=at(2), created_by="a"
            )
        with pytest.raises(UserError):
            await create_token(session, name="units", roles=["unit"], at=at(2), created_by="a")
        assert await revoke_token(session, "city-platform", at(3))
        await session.commit()
        assert await find_token(session, token, at(4)) is None
