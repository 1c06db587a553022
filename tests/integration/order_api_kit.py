"""Helpers of the work-order API tests: the whole service with the demo district's units on
a clock that starts on a Tuesday morning in Shanghai, orders from the web channel, photo
uploads and waiting for a callback call to be linked and recorded. No tests here."""

from __future__ import annotations

import contextlib
import dataclasses
import io
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import FormData

from telephony.clock import ScaledClock
from tests.integration.acd_kit import acd_service, desk
from tests.integration.service_kit import SPEED, ClientFactory, Service
from tickets.catalogue import DEMO_UNITS
from web.keys import WRITER
from web.order_settings import OrderSettings, default_order_settings

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI)  # a Tuesday, a working day
DESKS = (desk("8001", "1001"), desk("8002", "1002"))
CALLER = "13812345678"
WATER = {
    "category": "utilities.water",
    "content": "梅陇镇锦梅苑3号楼停水两天，无人通知",
    "address": "上海市闵行区梅陇镇锦梅苑3号楼",
}
# the smallest PNG: one transparent pixel
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def order_settings() -> OrderSettings:
    # supervision scans are run by the tests themselves (web.orders_root.scan_once)
    settings = default_order_settings(SHANGHAI, DEMO_UNITS)
    return dataclasses.replace(settings, scan_seconds=3600)


@contextlib.asynccontextmanager
async def order_service(
    client_factory: ClientFactory, tmp_path: Path, database_url: str
) -> AsyncIterator[Service]:
    clock = ScaledClock(SPEED, START.timestamp())
    async with acd_service(
        client_factory, tmp_path, database_url, DESKS, clock=clock, orders=order_settings()
    ) as service:
        yield service


def web_order(source_ref: str | None = None, **fields: Any) -> dict[str, Any]:
    body = {"actor": "2001", "line": "12345", "channel": "web", "caller_number": CALLER, **WATER}
    if source_ref is not None:
        body["source_ref"] = source_ref
    body.update(fields)
    return body


async def upload(
    service: Service, number: str, data: bytes, content_type: str = "image/png"
) -> tuple[int, Any]:
    form = FormData()
    form.add_field("file", io.BytesIO(data), filename="现场照片.png", content_type=content_type)
    response = await service.client.post(
        f"/api/orders/{number}/attachments", data=form, as_user="u-water"
    )
    return response.status, await response.json()


async def recorded_revisit(service: Service, number: str, within: float = 90.0) -> dict[str, Any]:
    """The order's last callback attempt, once its call is linked and its recording stored."""
    deadline = service.clock.monotonic() + within
    while True:
        await service.app[WRITER].flush()
        revisit = (await service.get(f"/api/orders/{number}"))["revisits"][-1]
        if revisit["call_id"] and revisit["recording_path"] and revisit["ended_at"]:
            return revisit  # type: ignore[no-any-return]
        if service.clock.monotonic() > deadline:
            pytest.fail(f"callback of {number} not recorded within {within:g} s: {revisit}")
        await service.clock.sleep(0.5)
