"""Dates at the ends of the calendar (year 1, year 9999) are refused with a 400 that names
the parameter: a day's end or a time zone's offset there would overflow (a 500 before)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.service_kit import ClientFactory, running_service

EDGES = ("0001-01-01", "9999-12-31")


@pytest.mark.parametrize("day", EDGES)
async def test_days_past_the_supported_range_are_a_bad_parameter(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str, day: str
) -> None:
    async with running_service(aiohttp_client, tmp_path, sqlite_url) as service:
        client = service.client
        answers = {
            "calls to": await client.get("/api/calls", params={"to": day}),
            "calls from (a time)": await client.get(
                "/api/calls", params={"from": f"{day}T23:30:00-12:00"}
            ),
            "orders figures": await client.get("/api/orders/figures", params={"from": day}),
            "revisit ledger": await client.get("/api/orders/revisit-ledger", params={"date": day}),
            "qa plan": await client.get(f"/api/qa/plans/{day}"),
            "qa plan made": await client.post("/api/qa/plans", json={"day": day}),
            "qa figures": await client.get("/api/qa/figures", params={"to": day}),
            "report": await client.get("/api/reports/stats", params={"from": day, "to": day}),
        }
        for what, response in answers.items():
            body = await response.json()
            assert response.status == 400, (what, response.status, body)
            assert "1970-01-01 to 2999-12-31" in body["message"], (what, body)


async def test_days_inside_the_range_are_taken(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str
) -> None:
    async with running_service(aiohttp_client, tmp_path, sqlite_url) as service:
        for first, last in (("1970-01-01", "1970-01-02"), ("2999-12-30", "2999-12-31")):
            calls = await service.client.get("/api/calls", params={"from": first, "to": last})
            assert calls.status == 200, await calls.text()
            assert (await calls.json())["total"] == 0
