"""``hotline report``: statistics of a period, the daily report, checking a contract file
and the monthly assessment, as text, JSON or an Excel workbook; progress goes to stderr."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from tickets.reports.assess import MissingInput
from tickets.reports.contract import load_contract
from tickets.reports.data import Filters
from tickets.reports.located import ContractError
from tickets.reports.period import Period
from tickets.reports.render import assessment_json, assessment_text
from web.settings import Settings, SettingsError, load_settings, normalize_database_url


def add_report_commands(commands: Any) -> None:
    report = commands.add_parser("report", help="statistics and the contract assessment")
    sub = report.add_subparsers(dest="report_command", required=True)
    stats = sub.add_parser("stats", help="statistics of a period (calls, agents, orders, topics)")
    stats.add_argument("--from", dest="start", required=True, help="first day, e.g. 2026-11-01")
    stats.add_argument("--to", dest="end", required=True, help="last day (included)")
    for name in ("line", "seat", "agent", "category"):
        stats.add_argument(f"--{name}", help=f"only this {name}")
    daily = sub.add_parser("daily", help="the daily report (日报) of one day")
    daily.add_argument("--date", help="the day (default: yesterday)")
    check = sub.add_parser("check", help="check a contract file; errors name the line")
    check.add_argument("--contract", type=Path, required=True)
    assess = sub.add_parser("assess", help="the monthly assessment of a contract")
    assess.add_argument("--contract", type=Path, required=True, help="the contract file (YAML)")
    assess.add_argument("--month", required=True, help="YYYY-MM")
    assess.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="a contract input"
    )
    assess.add_argument(
        "--evidence", type=int, default=5, help="evidence items shown per deduction"
    )
    for command in (stats, daily, assess):
        command.add_argument("--json", action="store_true", help="print JSON instead of text")
        command.add_argument("--xlsx", type=Path, help="also write an Excel workbook here")
        command.add_argument("--config", type=Path, help="TOML settings file")
        command.add_argument("--database-url", help="default: HOTLINE_DATABASE_URL")
        command.add_argument("--timezone", help="the centre's time zone (default Asia/Shanghai)")


class _Progress:
    def __init__(self) -> None:
        self.started = time.monotonic()

    def __call__(self, message: str) -> None:
        print(f"[{time.monotonic() - self.started:6.1f} s] {message}", file=sys.stderr, flush=True)


def _settings(args: argparse.Namespace) -> Settings:
    import os

    if args.config is not None:
        settings = load_settings(args.config)
    else:
        url = args.database_url or os.environ.get("HOTLINE_DATABASE_URL")
        if not url:
            raise SettingsError("HOTLINE_DATABASE_URL", "missing (or give --database-url)")
        settings = Settings(database_url=normalize_database_url(url))
    if args.timezone:
        settings = Settings(**{**settings.__dict__, "timezone": args.timezone})
    return settings


def run_report(args: argparse.Namespace) -> int:
    if args.report_command == "check":
        return _check(args.contract)
    try:
        if args.report_command == "assess":
            return _assess(args)
        return _stats(args)
    except ContractError as exc:
        print(exc, file=sys.stderr)
        return 2
    except (MissingInput, ValueError) as exc:
        print(f"hotline report: {exc}", file=sys.stderr)
        return 2


def _check(path: Path) -> int:
    try:
        contract = load_contract(path)
    except ContractError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"{path}: ok — {contract.name}, {len(contract.metrics)} metrics ({contract.kind})")
    return 0


def _inputs(pairs: list[str]) -> dict[str, float]:
    found = {}
    for pair in pairs:
        name, _, raw = pair.partition("=")
        try:
            found[name.strip()] = float(raw)
        except ValueError as exc:
            raise ValueError(f"--set {pair!r}: NAME=NUMBER") from exc
    return found


def _assess(args: argparse.Namespace) -> int:
    from web.reports_root import run_assessment

    contract = load_contract(args.contract)
    settings = _settings(args)
    period = Period.month(args.month, settings.zone)
    progress = _Progress()
    assessment = asyncio.run(
        run_assessment(settings, contract, period, datetime.now(UTC), _inputs(args.set), progress)
    )
    if args.xlsx is not None:
        from tickets.reports.excel import assessment_workbook

        assessment_workbook(assessment).save(args.xlsx)
        progress(f"Excel: {args.xlsx}")
    if args.json:
        print(json.dumps(assessment_json(assessment), ensure_ascii=False, indent=1))
    else:
        print(assessment_text(assessment, args.evidence))
    progress("完成 done")
    return 0


def _stats(args: argparse.Namespace) -> int:
    from tickets.reports.text import stats_text
    from web.reports_root import run_stats

    settings = _settings(args)
    zone = settings.zone
    if args.report_command == "daily":
        day = (
            date.fromisoformat(args.date)
            if args.date
            else datetime.now(zone).date() - timedelta(days=1)
        )
        period, filters = Period.day(day, zone), Filters()
    else:
        first, last = date.fromisoformat(args.start), date.fromisoformat(args.end)
        period = Period.days(first, last + timedelta(days=1), zone)
        filters = Filters(line=args.line, seat=args.seat, agent=args.agent, category=args.category)
    progress = _Progress()
    report = asyncio.run(run_stats(settings, period, filters, datetime.now(UTC), progress))
    if args.xlsx is not None:
        from tickets.reports.excel import stats_workbook

        stats_workbook(report).save(args.xlsx)
        progress(f"Excel: {args.xlsx}")
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        print(stats_text(report))
    return 0
