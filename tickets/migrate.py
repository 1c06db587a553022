"""Schema migrations (Alembic, scripts in ``tickets/migrations/versions``), run from the service.

``upgrade_to_head`` brings a database to the newest revision from inside a running
event loop (the service calls it at start); on PostgreSQL an advisory lock lets
several instances start at once. ``tickets/alembic.ini`` serves the ``alembic``
command line for writing new revisions.
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from typing import Any, Literal

from alembic import command
from alembic.autogenerate.api import AutogenContext
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import URL, text
from sqlalchemy.engine import Connection

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
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                await conn.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY}
                )
            await conn.run_sync(_upgrade)
    finally:
        await engine.dispose()


def _upgrade(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "head")


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
