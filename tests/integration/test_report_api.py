"""The reports API over the real app (web-only, SQLite) and the month of reports_kit:
statistics as JSON and Excel, the contracts list, the assessment as JSON and Excel with
the same deductions as the CLI, and the 400s that name the bad parameter."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from telephony.clock import ScaledClock
from tests.integration.reports_kit import AFTER_THE_MONTH, write_month
from tests.integration.service_kit import ClientFactory, service_settings
from tests.integration.staff_kit import staff_client
from web.app import create_app
from web.keys import SESSIONS


@pytest.fixture
async def client(
    aiohttp_client: ClientFactory,
    tmp_path: Path,
    sqlite_url: str,
    redis_url: str,
    redis_prefix: str,
) -> Any:
    settings = service_settings(
        tmp_path, sqlite_url, None, (), redis_url=redis_url, redis_prefix=redis_prefix
    )
    app = create_app(settings, ScaledClock(1.0, AFTER_THE_MONTH.timestamp()))
    found = await staff_client(aiohttp_client, app)
    await write_month(found.app[SESSIONS])
    return found


async def _json(client: Any, path: str, status: int = 200, **params: str) -> Any:
    response = await client.get(path, params=params)
    assert response.status == status, await response.text()
    return await response.json()


async def test_statistics_of_the_month_with_days_orders_and_topics(client: Any) -> None:
    body = await _json(client, "/api/reports/stats", **{"from": "2026-11-01", "to": "2026-11-30"})
    calls = body["calls"]
    # 300 + 6 answered on 962121, 2 abandons there and 20 on 12345
    assert (calls["offered"], calls["answered"], calls["abandoned"]) == (328, 306, 22)
    assert calls["short_abandoned"] == 1
    assert len(body["by_day"]) == 30
    assert len(body["by_hour"]) == 24
    assert body["by_day"][2]["answer_rate_in_target"] == pytest.approx(10 / 12, abs=1e-4)
    assert body["agents"][0]["agent"] == "1001"
    assert body["agents"][0]["days_below_target"] == 30
    assert body["orders"]["late_dispatches"] == 3
    assert body["orders"]["orders_not_counted"] == 1
    assert body["not_counted"][0]["reason_label"] == "涉法涉诉"
    words = [item["key"] for item in body["topics"]["words"]]
    assert any("停水三天" in word for word in words)
    places = {item["key"]: item["count"] for item in body["topics"]["places"]}
    assert places["梅陇镇莲花路"] == 21


async def test_a_line_filter_narrows_the_calls(client: Any) -> None:
    body = await _json(
        client, "/api/reports/stats", **{"from": "2026-11-01", "to": "2026-11-02", "line": "12345"}
    )
    assert (body["calls"]["offered"], body["calls"]["answered"]) == (20, 0)


async def test_the_assessment_as_json_and_as_a_workbook(client: Any) -> None:
    body = await _json(
        client,
        "/api/reports/assess",
        contract="per_event",
        month="2026-11",
        falsified_records="1",
        agent_complaints="3",
    )
    assert body["total_deduction"] == 21_500
    assert body["fee"] == 158_500
    late = next(m for m in body["metrics"] if m["id"] == "late_dispatch")
    assert [item["ref"] for item in late["evidence"]] == [
        "12345-T-001",
        "12345-T-002",
        "12345-T-003",
    ]
    response = await client.get(
        "/api/reports/assess.xlsx", params={"contract": "per_day.yaml", "month": "2026-11"}
    )
    assert response.status == 200
    book = load_workbook(BytesIO(await response.read()))
    assert book.sheetnames == ["考核 Assessment", "逐日 Days", "证据 Evidence", "合计 Totals"]
    deductions = {
        row[0]: row[9] for row in book["考核 Assessment"].iter_rows(min_row=2, values_only=True)
    }
    assert deductions == {"answer_15s": 600, "connection": 400, "calls_per_agent": 0}
    evidence = list(book["证据 Evidence"].iter_rows(min_row=2, values_only=True))
    assert len(evidence) == 2 * 3 + 2  # the late calls of 3 days, the 2 abandons


async def test_statistics_workbook_has_a_sheet_per_table(client: Any) -> None:
    response = await client.get(
        "/api/reports/stats.xlsx", params={"from": "2026-11-01", "to": "2026-11-07"}
    )
    assert response.status == 200
    book = load_workbook(BytesIO(await response.read()))
    assert "每日 Days" in book.sheetnames
    assert "座席员 Agents" in book.sheetnames
    assert book["每日 Days"].max_row == 8  # header and 7 days


async def test_contracts_are_listed_and_bad_parameters_named(client: Any) -> None:
    listed = await _json(client, "/api/reports/contracts")
    assert {c["file"] for c in listed["contracts"]} >= {"per_day.yaml", "score_100.yaml"}
    assert all(not c["problems"] for c in listed["contracts"])
    bad = await _json(
        client, "/api/reports/stats", 400, **{"from": "2026-11-31", "to": "2026-11-30"}
    )
    assert bad["message"].startswith("from:")
    bad = await _json(client, "/api/reports/assess", 400, contract="per_day", month="2026-13")
    assert bad["message"].startswith("month:")
    await _json(client, "/api/reports/assess", 404, contract="nothing", month="2026-11")
    bad = await _json(
        client, "/api/reports/assess", 400, contract="per_day", month="2026-11", x="1"
    )
    assert "unknown parameter" in bad["message"]


async def test_the_reports_page_is_served_with_the_session_script_first(client: Any) -> None:
    response = await client.get("/reports")
    assert response.status == 200
    page = await response.text()
    scripts = [line.strip() for line in page.splitlines() if "<script" in line]
    assert scripts == [
        '<script src="/static/session.js"></script>',
        '<script src="/static/reports.js"></script>',
    ]
    script = await client.get("/static/reports.js")
    assert script.status == 200
    assert "/api/reports/assess" in await script.text()
