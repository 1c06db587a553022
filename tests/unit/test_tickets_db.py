"""Database URLs, stored times and the writer's reading of database errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, StatementError

from tickets.db import async_url
from tickets.models import UtcDateTime
from tickets.store import is_row_problem


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u@db:5432/hotline", "postgresql+asyncpg://u@db:5432/hotline"),
        ("postgres://u@db/hotline", "postgresql+asyncpg://u@db/hotline"),
        ("postgresql+asyncpg://u@db/hotline", "postgresql+asyncpg://u@db/hotline"),
        ("sqlite:///var/hotline.db", "sqlite+aiosqlite:///var/hotline.db"),
        ("sqlite+aiosqlite:////abs/hotline.db", "sqlite+aiosqlite:////abs/hotline.db"),
    ],
)
def test_plain_urls_get_the_async_driver(given: str, expected: str) -> None:
    assert async_url(given).render_as_string(hide_password=False) == expected


def test_other_databases_are_refused() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        async_url("mysql://u@db/hotline")


def test_times_are_stored_as_utc_and_read_back_aware() -> None:
    column = UtcDateTime()
    beijing = datetime(2026, 11, 23, 16, 0, tzinfo=timezone(timedelta(hours=8)))
    on_sqlite = column.process_bind_param(beijing, SQLiteDialect_aiosqlite())
    assert on_sqlite == datetime(2026, 11, 23, 8, 0)  # naive UTC: SQLite has no zones
    assert column.process_result_value(on_sqlite, SQLiteDialect_aiosqlite()) == beijing
    on_postgres = column.process_bind_param(beijing, PGDialect_asyncpg())
    assert on_postgres is not None
    assert on_postgres.tzinfo == UTC


def test_a_naive_time_is_refused_before_it_reaches_the_database() -> None:
    with pytest.raises(ValueError, match="naive"):
        UtcDateTime().process_bind_param(datetime(2026, 11, 23, 8, 0), SQLiteDialect_aiosqlite())


class _DriverError(Exception):
    def __init__(self, sqlstate: str | None = None) -> None:
        super().__init__("driver error")
        self.sqlstate = sqlstate


def test_constraint_and_value_errors_are_row_problems() -> None:
    assert is_row_problem(IntegrityError("INSERT", {}, _DriverError()))
    assert is_row_problem(DBAPIError("INSERT", {}, _DriverError("22003")))  # out of range
    assert is_row_problem(StatementError("bad value", "INSERT", {}, ValueError("naive")))


def test_an_unreachable_or_unready_database_is_not_a_row_problem() -> None:
    assert not is_row_problem(ConnectionRefusedError(111, "refused"))
    assert not is_row_problem(OperationalError("INSERT", {}, _DriverError()))
    assert not is_row_problem(DBAPIError("INSERT", {}, _DriverError("42P01")))  # no such table
    assert not is_row_problem(DBAPIError("INSERT", {}, _DriverError("57P01")))  # admin shutdown
