"""The database engine and session factory: PostgreSQL through asyncpg, SQLite through aiosqlite.

``create_engine`` accepts plain URLs (``postgresql://…``, ``sqlite:///…``) and gives
them the async driver; it sets SQLite up for one writer beside many readers (WAL)
and PostgreSQL for a long-running service (pre-ping, bounded pool, timeouts).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import URL, event, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine

APPLICATION_NAME = "hotline"
SQLITE_BUSY_TIMEOUT_MS = 5_000
PG_CONNECT_TIMEOUT_S = 5.0
PG_COMMAND_TIMEOUT_S = 60.0
PG_POOL_SIZE = 10
PG_MAX_OVERFLOW = 10
PG_POOL_RECYCLE_S = 1_800

_ASYNC_DRIVERS = {
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "postgresql+psycopg2": "postgresql+asyncpg",
    "postgresql+psycopg": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
    "sqlite+pysqlite": "sqlite+aiosqlite",
}


def async_url(url: str | URL) -> URL:
    """The URL with its async driver (asyncpg, aiosqlite); async URLs pass unchanged."""
    parsed = make_url(url)
    driver = _ASYNC_DRIVERS.get(parsed.drivername, parsed.drivername)
    if driver not in ("postgresql+asyncpg", "sqlite+aiosqlite"):
        raise ValueError(
            f"unsupported database URL {parsed.drivername!r}: use PostgreSQL or SQLite"
        )
    return parsed.set(drivername=driver)


def create_engine(url: str | URL) -> AsyncEngine:
    """An engine for the service: one per process, disposed at shutdown."""
    parsed = async_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = _create_async_engine(parsed)
        event.listen(engine.sync_engine, "connect", _configure_sqlite)
        return engine
    return _create_async_engine(
        parsed,
        pool_pre_ping=True,
        pool_size=PG_POOL_SIZE,
        max_overflow=PG_MAX_OVERFLOW,
        pool_recycle=PG_POOL_RECYCLE_S,
        connect_args={
            "timeout": PG_CONNECT_TIMEOUT_S,
            "command_timeout": PG_COMMAND_TIMEOUT_S,
            "server_settings": {"application_name": APPLICATION_NAME},
        },
    )


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        # WAL lets the pages read while the writer writes; foreign keys are off by default
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions whose objects stay readable after commit (no lazy reloads on the loop)."""
    return async_sessionmaker(engine, expire_on_commit=False)
