"""Caller data never leaks: after a simulated stretch of a day — calls answered and
abandoned, callback tasks, orders from the phone and the web, refused requests and error
pages — the service's log (at DEBUG, with the redaction ``hotline`` installs), its figures
and health ("metrics"), what a supervisor reads from the API and the WebSocket, and every
error answer are grepped for the callers' full numbers. None may be there; the database
and the agent's own screen-pop must have them (so the grep looks for something real)."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import WSMsgType

from tests.integration.service_kit import ClientFactory, Service, running_service, script
from tickets.redact import install_redaction
from web.keys import CENTRE

ANSWERED = ["13812345678", "15900001111", "02164881234", "18621094876"]
ABANDONED = ["13700002222", "075512345678"]
WEB_CALLER = "13633334444"
EVERY_NUMBER = [*ANSWERED, *ABANDONED, WEB_CALLER]
READS = [
    "/api/calls",
    "/api/seats",
    "/api/queue",
    "/api/stats/today",
    "/api/health",
    "/api/callbacks",
    "/api/orders",
    "/api/orders/board",
    "/api/recordings",
    "/api/audit",
]


@pytest.fixture
def service_log() -> Iterator[io.StringIO]:
    """The service's log as ``hotline`` writes it: every logger at DEBUG, numbers redacted."""
    text = io.StringIO()
    handler = logging.StreamHandler(text)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    install_redaction()
    yield text
    root.removeHandler(handler)
    root.setLevel(level)


async def _a_stretch_of_the_day(service: Service) -> list[str]:
    """Calls, abandons and orders; returns every answer body read on the way."""
    for number in ANSWERED:
        await service.sim.place_call("12345", number, "市民", script(talk=3))
    await service.until(lambda: len(service.ended()) == len(ANSWERED), 120, "answered")
    for seat in ("8001", "8002"):
        await service.client.post(f"/api/seats/{seat}/pause", json={"reason": "培训"})
    for number in ABANDONED:
        await service.sim.place_call("962121", number, "", script(patience=8))
    await service.until(
        lambda: len(service.ended()) == len(EVERY_NUMBER) - 1,
        120,
        f"abandoned: {[(c.caller_number, c.outcome) for c in service.app[CENTRE].today.records()]}",
    )
    order = {
        "line": "12345",
        "channel": "web",
        "caller_number": WEB_CALLER,
        "category": "complaint",
        "content": "夜间施工噪音扰民",
        "address": "梅陇镇集心路",
    }
    answers = [await (await service.client.post("/api/orders", json=order)).text()]
    refused = [
        service.client.post("/api/orders", json={**order, "caller_number": WEB_CALLER + "x"}),
        service.client.post("/api/orders", json={**order, "line": WEB_CALLER}),
        service.client.get(f"/api/orders/{WEB_CALLER}"),
        service.client.get("/api/calls", params={"caller": ANSWERED[0], "colour": ANSWERED[1]}),
        service.client.get(f"/api/calls/pbx1/{ANSWERED[1]}"),
        service.client.raw.get(f"/orders/{ANSWERED[2]}", allow_redirects=False),
        service.client.get("/api/recordings", as_user=ANSWERED[3]),  # named like a number
    ]
    for request in refused:
        response = await request
        assert response.status >= 300
        answers.append(await response.text())
    return answers


async def _supervisor_reads(service: Service) -> list[str]:
    answers = []
    for path in READS:
        response = await service.client.get(path)
        assert response.status == 200, path
        answers.append(await response.text())
    for number in EVERY_NUMBER:  # searching by the number finds the call, masked
        found = await service.client.get("/api/calls", params={"caller": number})
        answers.append(await found.text())
    return answers


def _leaks(texts: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for number in EVERY_NUMBER:
        pattern = re.compile(rf"(?<!\d){number}(?!\d)")
        hits = [
            t[max(0, m.start() - 60) : m.end() + 20] for t in texts for m in pattern.finditer(t)
        ]
        if hits:
            found[number] = hits[:3]
    return found


async def test_no_full_number_in_logs_metrics_reads_or_error_pages(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str, service_log: io.StringIO
) -> None:
    async with running_service(aiohttp_client, tmp_path, sqlite_url, answer_delay=1.0) as service:
        await service.client.as_role("A8001", "agent")
        await service.client.as_role(ANSWERED[3], "agent")
        wallboard = await service.client.ws_connect("/ws")
        desk = await service.client.ws_connect("/ws", as_user="A8001")
        answers = await _a_stretch_of_the_day(service)
        answers += await _supervisor_reads(service)
        events = await _received(wallboard)
        own_pops = [e for e in await _received(desk) if '"screen_pop"' in e]
        stored = {call.caller_number for call in await service.stored_calls()}
    log_text = service_log.getvalue()
    assert "AMI pbx1: link up" in log_text  # the log was captured
    assert len(events) > 20
    assert stored == {*ANSWERED, *ABANDONED}  # the numbers were there to leak
    assert _leaks(own_pops) != {}  # the agent on the call sees the whole number: the grep works
    assert _leaks([log_text]) == {}
    assert _leaks(answers) == {}
    assert _leaks(events) == {}


async def _received(ws: Any) -> list[str]:
    texts = []
    while True:
        try:
            message = await ws.receive(timeout=0.5)
        except TimeoutError:
            await ws.close()
            return texts
        if message.type != WSMsgType.TEXT:
            await ws.close()
            return texts
        texts.append(message.data)
