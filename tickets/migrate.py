"""Schema migrations (Alembic, scripts in ``tickets/migrations/versions``), run from the service.

``upgrade_to_head`` brings a database to the newest revision from inside a running
event loop (the service calls it at start); on PostgreSQL an advisory lock lets
several instances start at once. ``upgrade_to`` and ``downgrade_to`` go to a given
revision. On SQLite every migration runs in one transaction with foreign keys off.
``tickets/alembic.ini`` serves the ``alembic`` command line for writing new revisions.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, Literal

from alembic import command
from alembic.autogenerate.api import AutogenContext
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import URL, event, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tickets.db import create_engine
from tickets.models import UtcDateTime

PACKAGE_DIR = Path(__file__).resolve().parent
ALEMBIC_INI = PACKAGE_DIR / "alembic.ini"
SCRIPT_LOCATION = PACKAGE_DIR / "migrations"
# any constant shared by every instance: pg_advisory_xact_lock takes a bigint key
_MIGRATION_LOCK_KEY = 0x686F746C696E65  # "hotline"


def alembic_config(connection: Connection | None = None) -> Config:
    """The Alembic configuration, optionally bound to an open connection."""
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    """The newest revision of the shipped migration scripts."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def current_revision(url: str | URL) -> str | None:
    """The revision a database is at; None for an empty database."""
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(_revision_of)
    finally:
        await engine.dispose()


def _revision_of(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def upgrade_to_head(url: str | URL) -> None:
    """Migrate the database to the newest revision (creates everything on an empty one)."""
    await upgrade_to(url, "head")


async def upgrade_to(url: str | URL, revision: str) -> None:
    """Migrate the database up to ``revision``."""
    await _migrate(url, partial(command.upgrade, revision=revision))


async def downgrade_to(url: str | URL, revision: str) -> None:
    """Migrate the database down to ``revision`` ("base": nothing left)."""
    await _migrate(url, partial(command.downgrade, revision=revision))


def migration_engine(url: str | URL) -> AsyncEngine:
    """An engine for schema changes: on SQLite, foreign keys off and DDL inside transactions."""
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _prepare_sqlite_for_schema_changes)
        event.listen(engine.sync_engine, "begin", _begin_on_sqlite)
    return engine


async def _migrate(url: str | URL, step: Callable[[Config], None]) -> None:
    engine = migration_engine(url)
    sqlite = engine.dialect.name == "sqlite"
    try:
        async with engine.connect() as conn:
            async with conn.begin():
                if not sqlite:
                    await conn.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY}
                    )
                await conn.run_sync(lambda sync: step(alembic_config(sync)))
            if sqlite:
                await _check_foreign_keys(conn)
    finally:
        await engine.dispose()


def _prepare_sqlite_for_schema_changes(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        # SQLite alters a table by copying it and dropping the old one; with foreign keys
        # on, the drop deletes the rows that refer to it (ON DELETE CASCADE). The pragma
        # is a no-op inside a transaction, so it comes before any.
        cursor.execute("PRAGMA foreign_keys=OFF")
    finally:
        cursor.close()
    # the driver opens transactions only before INSERT/UPDATE/DELETE, so DDL would commit
    # as it goes; _begin_on_sqlite opens them instead, and a failed migration rolls back whole
    dbapi_connection.isolation_level = None


def _begin_on_sqlite(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN")


async def _check_foreign_keys(conn: AsyncConnection) -> None:
    broken = (await conn.exec_driver_sql("PRAGMA foreign_key_check")).all()
    await conn.commit()
    if broken:
        raise RuntimeError(f"rows refer to rows that are gone after migrating: {broken[:10]}")


def model_modules() -> list[str]:
    """Modules whose tables live on ``Base`` (``model_modules`` of tickets/alembic.ini)."""
    names = alembic_config().get_main_option("model_modules") or "tickets.models"
    return names.split()


def load_models() -> None:
    """Import every model module that exists, so ``Base.metadata`` holds all tables."""
    for name in model_modules():
        package = name.rpartition(".")[0]
        if package and importlib.util.find_spec(package) is None:
            continue
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Autogenerate writes ``UtcDateTime`` columns as plain ``sa.DateTime(timezone=True)``."""
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False
