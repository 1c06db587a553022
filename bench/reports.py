"""``hotline bench reports``: the monthly contract assessment over a year of a busy centre
in PostgreSQL, measured in one run on this machine.

1. A database of its own (``hotline_bench_<random>``, migrated to the newest schema)
   gets a year of calls and work orders (``bench.year_load``): by default 1,000,000
   inbound calls and 300,000 orders, with their attempts, wrap-ups, sign-ins, callback
   tasks and callbacks, recordings, order histories, replies, callbacks (回访) and QA
   reviews. Generation time and rows per table are printed.
2. Two plain scans of the calls table — the whole table, and the assessed month — as
   the floor any report stands on (best of three each).
3. The monthly assessment of each example contract (``deploy/contracts``) through
   ``hotline report assess`` itself (the same parser and code path, output kept), with
   its wall time and the database time of the statements it sent.
4. The statements of one assessment grouped by shape, each with the scans of its plan,
   and ``EXPLAIN ANALYZE`` of the month's main query (the calls of the month).
The database is dropped at the end unless ``keep``; progress goes to stderr.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from bench.year_load import LoadReport, bench_engine, create_database, drop_database, load_year
from bench.year_shape import YearPlan, last_complete_month
from tickets.db import create_engine
from tickets.migrate import upgrade_to_head
from web.settings import normalize_database_url

CONTRACTS = Path(__file__).resolve().parents[1] / "deploy" / "contracts"
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432"
SCAN_ALL = "SELECT count(*), sum(wait_seconds), sum(talk_seconds) FROM calls"
SCAN_MONTH = SCAN_ALL + " WHERE queued_at >= :start AND queued_at < :end"


@dataclass(frozen=True)
class ReportsOptions:
    calls: int = 1_000_000
    orders: int = 300_000
    month: str | None = None
    database_url: str = DEFAULT_SERVER
    keep: bool = False
    seed: int = 12345


class _Progress:
    def __init__(self) -> None:
        self.started = time.monotonic()

    def __call__(self, message: str) -> None:
        print(f"[{time.monotonic() - self.started:7.1f} s] {message}", file=sys.stderr, flush=True)


# -- the statements an assessment sends ------------------------------------------------


@dataclass
class Statement:
    sql: str
    parameters: Any
    seconds: float


@dataclass
class SentSql:
    """Every statement sent through SQLAlchemy while listening, with its duration (the
    query and the fetch of its rows; building objects from them is not counted)."""

    statements: list[Statement] = field(default_factory=list)

    @contextlib.contextmanager
    def listening(self) -> Iterator[None]:
        def before(conn: Any, _cursor: Any, _sql: str, _params: Any, *_: Any) -> None:
            conn.info["bench_started"] = time.perf_counter()

        def after(conn: Any, _cursor: Any, sql: str, params: Any, *_: Any) -> None:
            seconds = time.perf_counter() - conn.info.pop("bench_started", time.perf_counter())
            self.statements.append(Statement(sql, params, seconds))

        event.listen(Engine, "before_cursor_execute", before)
        event.listen(Engine, "after_cursor_execute", after)
        try:
            yield
        finally:
            event.remove(Engine, "before_cursor_execute", before)
            event.remove(Engine, "after_cursor_execute", after)

    @property
    def seconds(self) -> float:
        return sum(s.seconds for s in self.statements)


_PARAMETER_LIST = re.compile(r"\$\d+(::[A-Z ]+)?(, \$\d+(::[A-Z ]+)?)+")


def shape_of(sql: str) -> str:
    """The statement with its lists of parameters folded (one shape per IN-batch query)."""
    return _PARAMETER_LIST.sub("$…", " ".join(sql.split()))


def by_shape(statements: list[Statement]) -> list[tuple[str, list[Statement]]]:
    groups: dict[str, list[Statement]] = {}
    for statement in statements:
        groups.setdefault(shape_of(statement.sql), []).append(statement)
    return sorted(groups.items(), key=lambda item: -sum(s.seconds for s in item[1]))


# -- the phases -----------------------------------------------------------------------------


async def _generate(url: str, plan: YearPlan, progress: _Progress) -> LoadReport:
    progress(f"migrating {url.rsplit('/', 1)[-1]} to the newest schema")
    await upgrade_to_head(normalize_database_url(url))
    progress(f"generating {plan.calls:,} calls and {plan.orders:,} orders")
    return await load_year(url, plan, progress)


@dataclass
class Scans:
    server_version: str
    all_rows: int
    all_seconds: list[float]
    month_rows: int
    month_seconds: list[float]


async def _scans(url: str, plan: YearPlan) -> Scans:
    period = {"start": plan.month_period().start, "end": plan.month_period().end}
    engine = bench_engine(url)
    all_seconds, month_seconds = [], []
    all_rows = month_rows = 0
    try:
        async with engine.connect() as conn:
            version = str(await conn.scalar(text("SHOW server_version")))
            for _ in range(3):
                started = time.perf_counter()
                all_rows = (await conn.execute(text(SCAN_ALL))).one()[0]
                all_seconds.append(time.perf_counter() - started)
                started = time.perf_counter()
                month_rows = (await conn.execute(text(SCAN_MONTH), period)).one()[0]
                month_seconds.append(time.perf_counter() - started)
    finally:
        await engine.dispose()
    return Scans(version, all_rows, all_seconds, month_rows, month_seconds)


@dataclass
class Assessed:
    contract: str
    seconds: float
    sent: SentSql
    exit_code: int
    text: str


def _assess(url: str, contract: Path, month: str) -> Assessed:
    """``hotline report assess --contract … --month …`` as typed, output captured."""
    from web.cli import build_parser
    from web.report_cli import run_report

    argv = ["report", "assess", "--contract", str(contract), "--month", month]
    args = build_parser().parse_args([*argv, "--database-url", url])
    sent = SentSql()
    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    with sent.listening(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run_report(args)
    seconds = time.perf_counter() - started
    return Assessed(contract.name, seconds, sent, code, out.getvalue() + err.getvalue())


async def _explain(url: str, statements: list[Statement]) -> dict[str, list[str]]:
    """``EXPLAIN (ANALYZE, BUFFERS)`` of the first statement of each shape."""
    engine = create_engine(normalize_database_url(url))
    plans: dict[str, list[str]] = {}
    try:
        async with engine.connect() as conn:
            for shape, group in by_shape(statements):
                first = group[0]
                sql = "EXPLAIN (ANALYZE, BUFFERS) " + first.sql
                try:
                    rows = (await conn.exec_driver_sql(sql, first.parameters)).all()
                except DBAPIError as exc:
                    plans[shape] = [f"(not explained: {exc.orig})"]
                    await conn.rollback()
                    continue
                plans[shape] = [str(row[0]) for row in rows]
    finally:
        await engine.dispose()
    return plans


def run_reports_bench(options: ReportsOptions) -> int:
    """Generate, measure, print; the database is dropped unless ``options.keep``."""
    from bench.reports_print import print_run

    progress = _Progress()
    now = datetime.now(UTC)
    month = options.month or last_complete_month(now)
    try:
        plan = YearPlan(options.calls, options.orders, month, options.seed, now)
    except ValueError as exc:
        print(f"hotline bench reports: {exc}", file=sys.stderr)
        return 2
    name, url = asyncio.run(create_database(options.database_url))
    progress(f"database {name} created")
    try:
        loaded = asyncio.run(_generate(url, plan, progress))
        progress("scanning the calls table")
        scans = asyncio.run(_scans(url, plan))
        assessed = []
        for contract in sorted(CONTRACTS.glob("*.yaml")):
            progress(f"assessing {month} with {contract.name}")
            assessed.append(_assess(url, contract, month))
        progress("explaining the statements of one assessment")
        plans = asyncio.run(_explain(url, assessed[0].sent.statements))
        print_run(loaded, scans, assessed, plans)
    finally:
        if options.keep:
            print(f"kept: {url.replace('+asyncpg', '')}")
        else:
            asyncio.run(drop_database(options.database_url, name))
            progress(f"database {name} dropped")
    return 0 if all(a.exit_code == 0 for a in assessed) else 1
