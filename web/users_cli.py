"""``hotline users`` and ``hotline tokens``: adding the first administrator and anyone else
from the command line, resetting a password, disabling a user, making and revoking the
tokens of integrations. Passwords are read from standard input (never from the command
line, where ``ps`` would show them); a new token is printed once."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from tickets.db import create_engine, session_factory
from tickets.errors import DomainError
from tickets.migrate import upgrade_to_head
from tickets.signin import create_token, end_user_sessions, list_tokens, revoke_token
from tickets.users import ROLES, add_user, change_user, list_users, set_password
from web.settings import SettingsError, load_settings, normalize_database_url

T = TypeVar("T")
ACTOR = "cli"


def add_user_commands(commands: Any) -> None:
    users = commands.add_parser("users", help="people who sign in: add, list, passwords")
    sub = users.add_subparsers(dest="users_command", required=True)
    add = sub.add_parser("add", help="add a user; the password is read from standard input")
    add.add_argument("user_id", help="the staff number, e.g. 1001")
    add.add_argument("--name", required=True)
    add.add_argument("--roles", required=True, help=f"comma-separated: {','.join(ROLES)}")
    add.add_argument("--unit", help="the unit code of a handling unit's user")
    listing = sub.add_parser("list", help="every user with roles")
    password = sub.add_parser("password", help="set a new password (from standard input)")
    password.add_argument("user_id")
    disable = sub.add_parser("disable", help="disable a user and end their sessions")
    disable.add_argument("user_id")
    enable = sub.add_parser("enable", help="enable a disabled user")
    enable.add_argument("user_id")
    tokens = commands.add_parser("tokens", help="bearer tokens of integrations")
    token_sub = tokens.add_subparsers(dest="tokens_command", required=True)
    create = token_sub.add_parser("create", help="make a token; it is printed once")
    create.add_argument("name", help="acts in the audit log as token:<name>")
    create.add_argument("--roles", default="integration", help="default: integration")
    token_listing = token_sub.add_parser("list", help="tokens, without their secrets")
    revoke = token_sub.add_parser("revoke", help="revoke a token at once")
    revoke.add_argument("name")
    for parser in (add, listing, password, disable, enable, create, token_listing, revoke):
        parser.add_argument("--config", type=Path, help="TOML settings file")
        parser.add_argument("--database-url", help="default: HOTLINE_DATABASE_URL")


def _database_url(args: argparse.Namespace) -> str:
    if args.config is not None:
        return load_settings(args.config).database_url
    raw = args.database_url or os.environ.get("HOTLINE_DATABASE_URL")
    if not raw:
        raise SettingsError("HOTLINE_DATABASE_URL", "missing (or give --database-url / --config)")
    return normalize_database_url(raw)


def _read_password(prompt: str) -> str:
    if sys.stdin.isatty():
        first = getpass.getpass(prompt)
        if getpass.getpass("again: ") != first:
            raise DomainError("the two passwords differ")
        return first
    return sys.stdin.readline().rstrip("\n")


async def _in_database(url: str, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    await upgrade_to_head(url)
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            result = await work(session)
            await session.commit()
            return result
    finally:
        await engine.dispose()


def run_users(args: argparse.Namespace) -> int:
    """``hotline users …`` and ``hotline tokens …``; a refused input exits with 2."""
    try:
        return asyncio.run(_run(args, _database_url(args), datetime.now(UTC)))
    except DomainError as exc:
        print(f"hotline: {exc.message}", file=sys.stderr)
        return 2


async def _run(args: argparse.Namespace, url: str, now: datetime) -> int:
    if args.command == "tokens":
        return await _tokens(args, url, now)
    command = args.users_command
    if command == "list":
        for user in await _in_database(url, list_users):
            state = " (disabled)" if user.disabled else ""
            unit = f" unit={user.unit}" if user.unit else ""
            print(f"{user.user_id}\t{user.name}\t{','.join(sorted(user.roles))}{unit}{state}")
        return 0
    if command == "add":
        secret = _read_password(f"password for {args.user_id}: ")
        roles = [r.strip() for r in args.roles.split(",") if r.strip()]

        async def add(session: AsyncSession) -> object:
            return await add_user(
                session,
                user_id=args.user_id,
                name=args.name,
                roles=roles,
                password=secret,
                at=now,
                unit=args.unit,
            )

        await _in_database(url, add)
        print(f"added {args.user_id} ({','.join(sorted(roles))})")
        return 0
    return await _change(args, url, now)


async def _change(args: argparse.Namespace, url: str, now: datetime) -> int:
    command, user_id = args.users_command, args.user_id
    if command == "password":
        secret = _read_password(f"new password for {user_id}: ")

        async def reset(session: AsyncSession) -> int:
            await set_password(session, user_id, secret, now)
            return await end_user_sessions(session, user_id, now, "password-reset")

        ended = await _in_database(url, reset)
        print(f"password of {user_id} set; {ended} session(s) ended")
        return 0

    async def switch(session: AsyncSession) -> int:
        await change_user(session, user_id, disabled=command == "disable")
        return await end_user_sessions(session, user_id, now, "disabled")

    ended = await _in_database(url, switch)
    print(f"{user_id} {command}d" + (f"; {ended} session(s) ended" if command == "disable" else ""))
    return 0


async def _tokens(args: argparse.Namespace, url: str, now: datetime) -> int:
    command = args.tokens_command
    if command == "list":
        for token in await _in_database(url, list_tokens):
            state = " (revoked)" if token["revoked_at"] else ""
            print(f"{token['name']}\t{','.join(token['roles'])}\t{token['created_at']}{state}")  # type: ignore[arg-type]
        return 0
    if command == "create":
        roles = [r.strip() for r in args.roles.split(",") if r.strip()]

        async def create(session: AsyncSession) -> str:
            return await create_token(
                session, name=args.name, roles=roles, at=now, created_by=ACTOR
            )

        print(await _in_database(url, create))
        return 0

    async def revoke(session: AsyncSession) -> bool:
        return await revoke_token(session, args.name, now)

    if not await _in_database(url, revoke):
        print(f"hotline: no live token {args.name!r}", file=sys.stderr)
        return 2
    print(f"token {args.name} revoked")
    return 0
