"""The ``hotline`` command: demo, serve, ami replay, db upgrade, bench, screenshots."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from telephony.transcript import TranscriptError
from tickets.redact import install_redaction
from web.report_cli import add_report_commands, run_report
from web.settings import SettingsError, load_settings, normalize_database_url
from web.users_cli import add_user_commands, run_users

log = logging.getLogger("hotline")


def _configure_logging(level: str) -> None:
    chosen = getattr(logging, level.upper(), logging.INFO)
    logging.basicConfig(
        level=chosen,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%Y-%m-%d %H:%M:%S",
    )
    # alembic tells every plugin and step at INFO; the service logs the outcome itself
    logging.getLogger("alembic").setLevel(max(chosen, logging.WARNING))
    # caller data is confidential: no full phone number in any log line
    install_redaction()


def _positive(kind: type[float] | type[int]) -> argparse._ActionType:
    def parse(raw: str) -> float | int:
        try:
            value = kind(raw)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"{raw!r} is not a number") from exc
        if value <= 0:
            raise argparse.ArgumentTypeError("must be greater than 0")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hotline", description="12345 / 962121 hotline call centre"
    )
    parser.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING, ERROR")
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser(
        "demo", help="everything on this machine: simulated Asterisk, SQLite, wallboard"
    )
    demo.add_argument("--seats", type=_positive(int), default=2, help="number of seats (default 2)")
    demo.add_argument(
        "--calls-per-minute", type=_positive(float), default=3.0, help="arrival rate (default 3)"
    )
    demo.add_argument(
        "--duration", type=_positive(float), help="stop by itself after this many seconds"
    )
    demo.add_argument("--summary-json", type=Path, help="write the final figures to this file")
    demo.add_argument(
        "--http", default=None, help="host:port of the pages (default 127.0.0.1:8080)"
    )
    demo.add_argument(
        "--data-dir", type=Path, default=Path("hotline-demo"), help="SQLite file and recordings"
    )
    demo.add_argument("--seed", type=int, default=12345, help="seed of the simulated traffic")
    demo.add_argument(
        "--speed",
        type=_positive(float),
        default=1.0,
        help="simulated time runs this many times faster (durations are in simulated seconds)",
    )

    serve = commands.add_parser("serve", help="run against real Asterisk servers")
    serve.add_argument(
        "--config", type=Path, help="TOML settings file (HOTLINE_* variables override it)"
    )

    ami = commands.add_parser("ami", help="AMI tools").add_subparsers(
        dest="ami_command", required=True
    )
    replay = ami.add_parser(
        "replay", help="print the facts and per-call summaries of an AMI transcript"
    )
    replay.add_argument("file", type=Path)
    replay.add_argument("--server", default="replay", help="server name put in the facts")

    db = commands.add_parser("db", help="database tools").add_subparsers(
        dest="db_command", required=True
    )
    upgrade = db.add_parser("upgrade", help="migrate the database schema to the newest version")
    upgrade.add_argument("--database-url", help="default: HOTLINE_DATABASE_URL")
    _add_recordings_commands(commands)
    add_report_commands(commands)
    add_user_commands(commands)
    _add_screenshots_command(commands)

    bench = commands.add_parser("bench", help="benchmarks that print figures")
    bench.add_argument(
        "name",
        choices=["ami", "acd", "recordings", "reports"],
        help="ami: AMI parsing and throughput, routing latency at 200 seats; "
        "acd: the ACD against M/M/c theory, routing latency at 500 seats and 50 calls/s; "
        "recordings: conversion speed and event-loop lag while converting; "
        "reports: the monthly assessment over a year of a busy centre in PostgreSQL",
    )
    bench.add_argument("--quick", action="store_true", help="a short run (for a smoke test)")
    bench.add_argument(
        "--seconds", type=_positive(float), default=300.0, help="recordings: length of each WAV"
    )
    bench.add_argument(
        "--files", type=_positive(int), default=8, help="recordings: WAVs to convert"
    )
    bench.add_argument(
        "--workers", type=_positive(int), default=2, help="recordings: conversion processes"
    )
    _add_reports_bench_options(bench)
    return parser


def _add_reports_bench_options(bench: argparse.ArgumentParser) -> None:
    bench.add_argument(
        "--calls", type=_positive(int), default=1_000_000, help="reports: inbound calls of the year"
    )
    bench.add_argument(
        "--orders", type=_positive(int), default=300_000, help="reports: work orders of the year"
    )
    bench.add_argument(
        "--month",
        help="reports: the month assessed, YYYY-MM, last of the year (default: last month)",
    )
    bench.add_argument(
        "--database-url",
        default="postgresql://postgres@127.0.0.1:5432",
        help="reports: the PostgreSQL server; a database of its own is created there",
    )
    bench.add_argument("--keep", action="store_true", help="reports: keep the database")
    bench.add_argument("--seed", type=int, default=12345, help="reports: seed of the year")


def _bench_reports(args: argparse.Namespace) -> int:
    from bench.reports import ReportsOptions, run_reports_bench

    calls, orders = (20_000, 6_000) if args.quick else (args.calls, args.orders)
    options = ReportsOptions(
        calls=calls,
        orders=orders,
        month=args.month,
        database_url=args.database_url,
        keep=args.keep,
        seed=args.seed,
    )
    return run_reports_bench(options)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _configure_logging(args.log_level)
    try:
        return _dispatch(args)
    except SettingsError as exc:
        print(f"hotline: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _dispatch(args: argparse.Namespace) -> int:
    handlers: dict[str, Callable[[argparse.Namespace], int]] = {
        "demo": _demo,
        "serve": _serve,
        "ami": lambda a: _replay(a.file, a.server),
        "db": lambda a: _db_upgrade(a.database_url),
        "recordings": _recordings,
        "report": run_report,
        "users": run_users,
        "tokens": run_users,
        "screenshots": _screenshots,
        "bench": _bench,
    }
    return handlers[args.command](args)


def _demo(args: argparse.Namespace) -> int:
    from web.demo import DemoOptions, run_demo

    options = DemoOptions(
        seats=args.seats,
        calls_per_minute=args.calls_per_minute,
        duration=args.duration,
        summary_json=args.summary_json,
        http=args.http,
        data_dir=args.data_dir,
        seed=args.seed,
        speed=args.speed,
    )
    return asyncio.run(run_demo(options))


def _serve(args: argparse.Namespace) -> int:
    from web.serve import serve

    return asyncio.run(serve(load_settings(args.config)))


def _bench(args: argparse.Namespace) -> int:
    if args.name == "reports":
        return _bench_reports(args)
    if args.name == "recordings":
        from bench.recordings import print_report, run

        if args.quick:
            print_report(run(seconds_of_audio=10.0, files=2, workers=1))
        else:
            print_report(run(args.seconds, args.files, args.workers))
        return 0
    if args.name == "acd":
        from bench.mmc import run_acd_bench

        return asyncio.run(run_acd_bench(quick=args.quick))
    if args.name == "acd":
        from bench.mmc import run_acd_bench

        return asyncio.run(run_acd_bench(quick=args.quick))
    from bench.ami import run_bench

    return asyncio.run(run_bench(quick=args.quick))


def _add_recordings_commands(commands: Any) -> None:
    recordings = commands.add_parser("recordings", help="recordings tools").add_subparsers(
        dest="recordings_command", required=True
    )
    purge = recordings.add_parser("purge", help="remove recordings whose retention has passed")
    purge.add_argument("--dry-run", action="store_true", help="only list what would be removed")
    reconcile = recordings.add_parser(
        "reconcile", help="compare the database with the stored files (JSON lines, a summary)"
    )
    reconcile.add_argument(
        "--repair",
        action="store_true",
        help="add missing rows, convert again lost files, mark altered ones failed",
    )
    for command in (purge, reconcile):
        command.add_argument(
            "--config", type=Path, help="TOML settings file (HOTLINE_* variables override it)"
        )


def _add_screenshots_command(commands: Any) -> None:
    shots = commands.add_parser(
        "screenshots",
        help="a PNG of every page at 1440x900, signed in as each role, with the demo running",
    )
    shots.add_argument(
        "--out", type=Path, default=Path("docs/screenshots"), help="default docs/screenshots"
    )
    shots.add_argument("--seats", type=_positive(int), default=3, help="demo seats (default 3)")
    shots.add_argument(
        "--warmup",
        type=_positive(float),
        default=40.0,
        help="seconds of calls before the pictures (default 40)",
    )
    shots.add_argument(
        "--chromium", type=Path, default=Path("/usr/bin/chromium"), help="the browser to drive"
    )


def _screenshots(args: argparse.Namespace) -> int:
    from web.screenshots import ScreenshotOptions, run_screenshots

    return run_screenshots(
        ScreenshotOptions(
            out=args.out, seats=args.seats, warmup=args.warmup, chromium=args.chromium
        )
    )


def _recordings(args: argparse.Namespace) -> int:
    from telephony.clock import SystemClock
    from web.recordings_root import run_purge, run_reconcile

    settings = load_settings(args.config)
    if args.recordings_command == "purge":
        items = asyncio.run(run_purge(settings, SystemClock(), dry_run=args.dry_run))
        for item in items:
            print(json.dumps(item.as_json(), ensure_ascii=False))
        verb = "would purge" if args.dry_run else "purged"
        print(json.dumps({"summary": {verb: len(items)}}))
        return 0
    report = asyncio.run(run_reconcile(settings, repair=args.repair))
    for finding in report.findings:
        print(json.dumps(finding.as_json(), ensure_ascii=False))
    print(json.dumps({"summary": report.summary()}))
    return 1 if report.findings and not args.repair else 0


def _replay(path: Path, server: str) -> int:
    from acd.replay import replay_file

    if not path.is_file():
        print(f"hotline: {path}: no such file", file=sys.stderr)
        return 2
    try:
        for item in replay_file(path, server):
            print(json.dumps(item, ensure_ascii=False))
    except TranscriptError as exc:
        print(f"hotline: {path}: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    return 0


def _db_upgrade(url: str | None) -> int:
    import os

    from tickets.migrate import upgrade_to_head

    raw = url or os.environ.get("HOTLINE_DATABASE_URL")
    if not raw:
        raise SettingsError("HOTLINE_DATABASE_URL", "missing (or give --database-url)")
    asyncio.run(upgrade_to_head(normalize_database_url(raw)))
    print("database schema is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
