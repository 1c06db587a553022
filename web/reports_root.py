"""The reports side of the service, built by hand from the settings: which rules a report
uses (the figures' definitions, satisfaction, the order deadlines and the working-day
calendar), where the contract files are, and the runs of ``hotline report``."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tickets.categories import CategoryTree
from tickets.db import create_engine, session_factory
from tickets.deadlines import DeadlineRules
from tickets.reports.assess import Assessment, assess
from tickets.reports.compute import ReportRules
from tickets.reports.contract import Contract, load_contract
from tickets.reports.data import Filters
from tickets.reports.located import ContractError
from tickets.reports.period import Period
from tickets.reports.stats import statistics
from tickets.workdays import WorkCalendar
from web.settings import Settings

Progress = Callable[[str], None]
# the example contracts of the repository; an installation names its own directory
CONTRACTS_ENV = "HOTLINE_CONTRACTS_DIR"
EXAMPLE_CONTRACTS = Path(__file__).resolve().parents[1] / "deploy" / "contracts"


@dataclass(frozen=True, slots=True)
class ReportSetup:
    rules: ReportRules
    deadlines: DeadlineRules
    calendar: WorkCalendar
    categories: CategoryTree
    contracts_dir: Path


def report_setup(settings: Settings, env: Mapping[str, str] | None = None) -> ReportSetup:
    env = os.environ if env is None else env
    orders = settings.order_settings.rules
    return ReportSetup(
        rules=ReportRules(
            figures=settings.figures,
            basic_counts_as_satisfied=settings.qa.satisfaction.basic_counts_as_satisfied,
        ),
        deadlines=orders.deadlines,
        calendar=orders.calendar,
        categories=orders.categories,
        contracts_dir=Path(env.get(CONTRACTS_ENV) or EXAMPLE_CONTRACTS),
    )


def contract_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.y*ml") if p.suffix in (".yaml", ".yml"))


def named_contract(setup: ReportSetup, name: str) -> Contract:
    """A contract of the contracts directory by its file name (without a path)."""
    for path in contract_files(setup.contracts_dir):
        if name in (path.name, path.stem):
            return load_contract(path)
    raise FileNotFoundError(f"no contract {name!r} in {setup.contracts_dir}")


async def stats_of(
    session: AsyncSession,
    setup: ReportSetup,
    period: Period,
    filters: Filters,
    now: datetime,
    progress: Progress | None = None,
) -> dict[str, Any]:
    return await statistics(
        session,
        period,
        now=now,
        filters=filters,
        rules=setup.rules,
        deadlines=setup.deadlines,
        calendar=setup.calendar,
        categories=setup.categories,
        progress=progress,
    )


async def assessment_of(
    session: AsyncSession,
    setup: ReportSetup,
    contract: Contract,
    period: Period,
    now: datetime,
    inputs: Mapping[str, float] | None = None,
    progress: Progress | None = None,
) -> Assessment:
    return await assess(
        session,
        contract,
        period,
        now=now,
        deadlines=setup.deadlines,
        calendar=setup.calendar,
        inputs=inputs,
        progress=progress,
    )


async def run_stats(
    settings: Settings, period: Period, filters: Filters, now: datetime, progress: Progress
) -> dict[str, Any]:
    """``hotline report stats``: one engine for the run."""
    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine)() as session:
            return await stats_of(session, report_setup(settings), period, filters, now, progress)
    finally:
        await engine.dispose()


async def run_assessment(
    settings: Settings,
    contract: Contract,
    period: Period,
    now: datetime,
    inputs: Mapping[str, float],
    progress: Progress,
) -> Assessment:
    """``hotline report assess``: one engine for the run."""
    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine)() as session:
            return await assessment_of(
                session, report_setup(settings), contract, period, now, inputs, progress
            )
    finally:
        await engine.dispose()


__all__ = ["ContractError", "ReportSetup", "report_setup"]
