"""``hotline users`` and ``hotline tokens`` on both databases: the first administrator is
added from the command line with the password on standard input, can then sign in, and a
short password or an unknown role is refused with exit code 2 and nothing stored."""

from __future__ import annotations

import asyncio
import io

import pytest

from tests.integration.db_kit import at
from tickets.db import create_engine, session_factory
from tickets.signin import SignInRules, find_token, sign_in
from tickets.users import list_users
from web.cli import main


def _run(monkeypatch: pytest.MonkeyPatch, url: str, stdin: str, *argv: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main([*argv, "--database-url", url])


def test_the_first_administrator_is_added_from_the_command_line(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    added = _run(
        monkeypatch, database_url, "first-admin-pw\n", "users", "add", "9001", "--name", "冯涛",
        "--roles", "admin",
    )  # fmt: skip
    short = _run(
        monkeypatch, database_url, "short\n", "users", "add", "9002", "--name", "x",
        "--roles", "admin",
    )  # fmt: skip
    wizard = _run(
        monkeypatch, database_url, "long-enough-pw\n", "users", "add", "9003", "--name", "x",
        "--roles", "wizard",
    )  # fmt: skip
    made = _run(monkeypatch, database_url, "", "tokens", "create", "city-platform")
    assert (added, short, wizard, made) == (0, 2, 2, 0)
    out, err = capsys.readouterr()
    assert "at least 10 characters" in err
    assert "unknown ['wizard']" in err
    token = out.strip().splitlines()[-1]
    asyncio.run(_check_stored(database_url, token))


async def _check_stored(database_url: str, token: str) -> None:
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            assert [u.user_id for u in await list_users(session)] == ["9001"]
            _, active = await sign_in(
                session,
                user_id="9001",
                password="first-admin-pw",
                at=at(0),
                address="cli",
                user_agent="",
                rules=SignInRules(),
            )
            assert active.user.roles == frozenset({"admin"})
            integration = await find_token(session, token, at(1))
            assert integration is not None
            assert integration.roles == frozenset({"integration"})
    finally:
        await engine.dispose()
