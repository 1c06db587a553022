"""Alembic environment: runs on a connection handed in by ``tickets.migrate``, or, from the
``alembic`` command line, on its own async engine (URL from ``-x url=…`` or
HOTLINE_DATABASE_URL)."""

from __future__ import annotations

import asyncio
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

from tickets.migrate import load_models, migration_engine, render_item
from tickets.models import Base

config = context.config
load_models()
target_metadata = Base.metadata


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_item=render_item,
        # SQLite alters tables by copying them: later revisions work on both databases
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def command_line_url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or os.environ.get(
        "HOTLINE_DATABASE_URL", ""
    )
    if not url:
        raise SystemExit("give the database: -x url=postgresql://… or HOTLINE_DATABASE_URL")
    return url


async def run_on_own_engine(url: str) -> None:
    engine = migration_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_migrations)
            await connection.commit()
    finally:
        await engine.dispose()


def main() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    if config.config_file_name is not None:
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    if context.is_offline_mode():
        context.configure(url=command_line_url(), target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(run_on_own_engine(command_line_url()))


main()
