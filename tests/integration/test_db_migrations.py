"""The migrations build exactly the schema of the models, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from tests.integration.db_kit import migrated_engine
from tickets.db import create_engine
from tickets.migrate import current_revision, head_revision, load_models, upgrade_to_head
from tickets.models import Base


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_migrated_schema_matches_the_models(database_url: str) -> None:
    load_models()
    async with migrated_engine(database_url) as engine, engine.connect() as conn:
        differences = await conn.run_sync(_differences)
    assert differences == []


async def test_empty_database_has_no_revision_until_upgraded(database_url: str) -> None:
    assert await current_revision(database_url) is None
    await upgrade_to_head(database_url)
    assert head_revision() is not None
    assert await current_revision(database_url) == head_revision()


async def test_upgrading_an_up_to_date_database_changes_nothing(database_url: str) -> None:
    await upgrade_to_head(database_url)
    await upgrade_to_head(database_url)
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            tables = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    finally:
        await engine.dispose()
    expected = {"calls", "call_attempts", "seats", "seat_states", "work_orders", "alembic_version"}
    assert expected <= tables
    assert await current_revision(database_url) == head_revision()


async def test_plain_urls_get_the_async_driver(postgres_url: str) -> None:
    plain = postgres_url.replace("postgresql+asyncpg://", "postgresql://")
    await upgrade_to_head(plain)
    assert await current_revision(postgres_url) == head_revision()
