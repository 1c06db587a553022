"""Shared fixtures: real PostgreSQL and Redis with names of this run only, SQLite files.

Every run creates its own PostgreSQL database (``hotline_test_<pid>_<random>``)
and its own Redis key prefix, and removes them at the end, so runs never collide.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
import redis.asyncio as aioredis

REPO = Path(__file__).resolve().parents[1]
CAPTURES = REPO / "tests" / "fixtures" / "ami-captures"
PG_ADMIN_DSN = os.environ.get("HOTLINE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_TEST_URL = os.environ.get("HOTLINE_TEST_REDIS", "redis://127.0.0.1:6379/0")
RUN_ID = f"{os.getpid()}_{secrets.token_hex(3)}"


def _sqlalchemy_url(dsn: str) -> str:
    return dsn.replace("postgresql://", "postgresql+asyncpg://", 1)


async def _create_database(name: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def _drop_database(name: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


class PostgresDatabases:
    """Creates databases of this run on demand; drops them all at the end."""

    def __init__(self) -> None:
        self.created: list[str] = []

    def new(self, label: str = "db") -> str:
        name = f"hotline_test_{RUN_ID}_{label}_{len(self.created)}"
        asyncio.run(_create_database(name))
        self.created.append(name)
        base = PG_ADMIN_DSN.rsplit("/", 1)[0]
        return _sqlalchemy_url(f"{base}/{name}")

    def drop_all(self) -> None:
        for name in self.created:
            asyncio.run(_drop_database(name))


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[PostgresDatabases]:
    databases = PostgresDatabases()
    yield databases
    databases.drop_all()


@pytest.fixture
def postgres_url(postgres_databases: PostgresDatabases) -> str:
    """A fresh, empty PostgreSQL database for one test."""
    return postgres_databases.new()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'hotline.db'}"


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test against SQLite and PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'hotline.db'}"
    databases: PostgresDatabases = request.getfixturevalue("postgres_databases")
    return databases.new()


@pytest.fixture
def redis_prefix() -> str:
    return f"hotline-test:{RUN_ID}:{secrets.token_hex(3)}:"


@pytest.fixture
async def redis_url(redis_prefix: str) -> AsyncIterator[str]:
    """Redis of this machine; every key the test writes starts with ``redis_prefix``."""
    yield REDIS_TEST_URL
    client = aioredis.from_url(REDIS_TEST_URL)
    try:
        keys = [key async for key in client.scan_iter(match=f"{redis_prefix}*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()
