"""The printout of ``hotline bench reports`` (see ``bench.reports``)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bench.year_load import TABLES, LoadReport

if TYPE_CHECKING:
    from bench.reports import Assessed, Scans

_SCAN_NODE = re.compile(
    r"(?:Parallel )?(?:Seq Scan|Index Scan|Index Only Scan|Bitmap Heap Scan)(?: Backward)?"
    r"(?: using \w+)? on \w+|Bitmap Index Scan on \w+"
)
_SUMMARY = re.compile(r"^(合计扣款|总分|扣减比例|月度服务费)")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def print_run(
    loaded: LoadReport, scans: Scans, assessed: list[Assessed], plans: dict[str, list[str]]
) -> None:
    _print_generation(loaded, scans)
    _print_scans(scans, loaded)
    _print_assessments(assessed)
    if assessed:
        _print_shapes(assessed[0], plans)
        _print_main_query(plans)


def _print_generation(loaded: LoadReport, scans: Scans) -> None:
    plan = loaded.plan
    year = plan.year_period()
    total = sum(loaded.rows.values())
    print(
        f"Reports bench: a year of a busy centre ({year.label()}) in PostgreSQL "
        f"{scans.server_version}, database {loaded.database}"
    )
    print(
        f"Generated in {loaded.seconds:,.1f} s: {total:,} rows, "
        f"{total / loaded.seconds:,.0f} rows/s "
        f"(waiting for COPY {loaded.copy_seconds:,.1f} s, VACUUM ANALYZE "
        f"{loaded.vacuum_seconds:,.1f} s)"
    )
    print(
        f"  {loaded.inbound_calls:,} inbound calls + {loaded.callback_calls:,} outbound "
        f"callbacks (漏接回拨), {loaded.orders:,} work orders"
    )
    for table in TABLES:
        if loaded.rows[table]:
            print(f"  {table + ' ':.<22} {loaded.rows[table]:>11,}")


def _print_scans(scans: Scans, loaded: LoadReport) -> None:
    month = loaded.plan.month_period().label()
    print("Plain scans of the calls table (three runs each, best first):")
    for label, rows, seconds in (
        ("whole table", scans.all_rows, scans.all_seconds),
        (f"month {month}", scans.month_rows, scans.month_seconds),
    ):
        runs = ", ".join(_ms(s) for s in seconds)
        print(
            f"  count, sum(wait), sum(talk) of the {label}: {_ms(min(seconds))} "
            f"({rows:,} rows; runs {runs})"
        )


def _print_assessments(assessed: list[Assessed]) -> None:
    print("Monthly assessment, `hotline report assess --contract … --month …` (wall time):")
    for run in assessed:
        sent = run.sent
        print(
            f"  {run.contract + ' ':.<18} {run.seconds:6.2f} s   database {sent.seconds:5.2f} s "
            f"in {len(sent.statements):,} statements   exit {run.exit_code}"
        )
        for line in _summary_lines(run.text):
            print(f"      {line}")


def _summary_lines(text: str) -> list[str]:
    """The totals at the end of the assessment's text: deduction, score, fee."""
    return [line for line in text.splitlines() if _SUMMARY.match(line)]


def _print_shapes(run: Assessed, plans: dict[str, list[str]]) -> None:
    from bench.reports import by_shape

    print(f"Statements of the {run.contract} assessment by shape (database time, plan's scans):")
    for shape, group in by_shape(run.sent.statements):
        seconds = sum(s.seconds for s in group)
        scans = sorted(
            {found for line in plans.get(shape, []) for found in _SCAN_NODE.findall(line)}
        )
        used = "; ".join(scans) or "-"
        print(f"  {len(group):>4} × {_table_of(shape):<18} {_ms(seconds):>9}   {used}")


def _table_of(sql: str) -> str:
    found = re.search(r"\bFROM (\w+)", sql)
    return found.group(1) if found else sql[:18]


def _print_main_query(plans: dict[str, list[str]]) -> None:
    main = next((shape for shape in plans if re.search(r"FROM calls\b.*queued_at >=", shape)), None)
    if main is None:
        return
    print("EXPLAIN (ANALYZE, BUFFERS) of the month's main query (the calls of the month):")
    print(f"  {main[:160]}{'…' if len(main) > 160 else ''}")
    for line in plans[main]:
        print(f"    {line}")
