"""Reports API: statistics of a period, the contracts and their monthly assessment, as JSON
or as an Excel workbook (``.xlsx``). Read-only; every parameter is checked (400 naming it).

| | |
|---|---|
| ``GET /api/reports/stats?from&to&line&seat&agent&category`` | statistics (``.xlsx``: a workbook) |
| ``GET /api/reports/contracts`` | the contract files and whether each one loads |
| ``GET /api/reports/assess?contract&month&<input>=N`` | the assessment (``/assess.xlsx``) |
"""

from __future__ import annotations

import asyncio
import re
from datetime import date, timedelta
from typing import Any

from aiohttp import web

from tickets.reports.assess import Assessment, MissingInput
from tickets.reports.data import Filters
from tickets.reports.excel import assessment_workbook, stats_workbook, workbook_bytes
from tickets.reports.located import ContractError
from tickets.reports.period import Period
from tickets.reports.render import assessment_json
from web.errors import InvalidParameter, NotFound
from web.keys import CLOCK, SESSIONS, SETTINGS
from web.reports_root import (
    assessment_of,
    contract_files,
    named_contract,
    report_setup,
    stats_of,
)
from web.requests import check_query, supported_day

routes = web.RouteTableDef()

STATS_QUERY = {"from", "to", "line", "seat", "agent", "category"}
NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,60}$")
MAX_DAYS = 400
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _day(name: str, raw: str | None) -> date:
    if raw is None:
        raise InvalidParameter(f"{name}: required, a date like 2026-11-23")
    try:
        return supported_day(name, date.fromisoformat(raw))
    except ValueError as exc:
        raise InvalidParameter(f"{name}: {raw!r} is not a date like 2026-11-23") from exc


def _name(query: Any, key: str) -> str | None:
    value = query.get(key)
    if value is not None and not NAME.match(value):
        raise InvalidParameter(f"{key}: letters, digits, . _ - only, at most 60")
    return value  # type: ignore[no-any-return]


def _stats_request(request: web.Request) -> tuple[Period, Filters]:
    check_query(request, STATS_QUERY)
    first, last = _day("from", request.query.get("from")), _day("to", request.query.get("to"))
    if last < first:
        raise InvalidParameter("to: must not be before from")
    if (last - first).days >= MAX_DAYS:
        raise InvalidParameter(f"to: at most {MAX_DAYS} days from from")
    settings = request.app[SETTINGS]
    line = _name(request.query, "line")
    if line is not None and line not in settings.lines:
        raise InvalidParameter(f"line: {line!r} is not one of {list(settings.lines)}")
    filters = Filters(
        line=line,
        seat=_name(request.query, "seat"),
        agent=_name(request.query, "agent"),
        category=_name(request.query, "category"),
    )
    return Period.days(first, last + timedelta(days=1), settings.zone), filters


async def _stats(request: web.Request) -> dict[str, Any]:
    period, filters = _stats_request(request)
    setup = report_setup(request.app[SETTINGS])
    async with request.app[SESSIONS]() as session:
        return await stats_of(session, setup, period, filters, request.app[CLOCK].now())


@routes.get("/api/reports/stats")
async def stats(request: web.Request) -> web.Response:
    """Statistics of a period: calls, seats, agents, orders, satisfaction, QA, hot topics."""
    return web.json_response(await _stats(request))


@routes.get("/api/reports/stats.xlsx")
async def stats_xlsx(request: web.Request) -> web.Response:
    """The statistics of a period as an Excel workbook."""
    report = await _stats(request)
    name = f"hotline-stats-{report['period']['label'].replace(' ', '')}.xlsx"
    body = await asyncio.to_thread(lambda: workbook_bytes(stats_workbook(report)))
    return _xlsx(body, name)


@routes.get("/api/reports/contracts")
async def contracts(request: web.Request) -> web.Response:
    """The contract files of the contracts directory, each with its problems if any."""
    check_query(request, ())
    setup = report_setup(request.app[SETTINGS])
    found: list[dict[str, Any]] = []
    for path in contract_files(setup.contracts_dir):
        from tickets.reports.contract import load_contract

        try:
            contract = load_contract(path)
            found.append(
                {
                    "file": path.name,
                    "name": contract.name,
                    "kind": contract.kind,
                    "inputs": [
                        {"id": i.id, "label": i.label, "default": i.default}
                        for i in contract.inputs.values()
                    ],
                    "problems": [],
                }
            )
        except ContractError as exc:
            found.append(
                {
                    "file": path.name,
                    "name": None,
                    "kind": None,
                    "inputs": [],
                    "problems": exc.as_json(),
                }
            )
    return web.json_response({"contracts": found})


async def _assessment(request: web.Request) -> Assessment:
    query = request.query
    contract_name = _name(query, "contract")
    if contract_name is None:
        raise InvalidParameter("contract: required, the file name of a contract")
    settings = request.app[SETTINGS]
    setup = report_setup(settings)
    try:
        contract = named_contract(setup, contract_name)
    except FileNotFoundError as exc:
        raise NotFound(str(exc)) from exc
    except ContractError as exc:
        raise InvalidParameter(str(exc)) from exc
    check_query(request, {"contract", "month", *contract.inputs})
    try:
        period = Period.month(query.get("month", ""), settings.zone)
    except ValueError as exc:
        raise InvalidParameter(f"month: {exc}") from exc
    inputs = {}
    for name in contract.inputs:
        if name in query:
            try:
                inputs[name] = float(query[name])
            except ValueError as exc:
                raise InvalidParameter(f"{name}: must be a number") from exc
    async with request.app[SESSIONS]() as session:
        try:
            return await assessment_of(
                session, setup, contract, period, request.app[CLOCK].now(), inputs
            )
        except MissingInput as exc:
            raise InvalidParameter(str(exc)) from exc


@routes.get("/api/reports/assess")
async def assess_contract(request: web.Request) -> web.Response:
    """The monthly assessment of a contract with the evidence behind every deduction."""
    return web.json_response(assessment_json(await _assessment(request)))


@routes.get("/api/reports/assess.xlsx")
async def assess_xlsx(request: web.Request) -> web.Response:
    """The monthly assessment as an Excel workbook."""
    assessment = await _assessment(request)
    name = f"hotline-assessment-{assessment.period.label()}.xlsx"
    body = await asyncio.to_thread(lambda: workbook_bytes(assessment_workbook(assessment)))
    return _xlsx(body, name)


def _xlsx(body: bytes, name: str) -> web.Response:
    return web.Response(
        body=body,
        content_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
