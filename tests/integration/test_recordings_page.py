"""The recordings page: served in Chinese with its files, every text key it and its script
use exists in both languages, and every input has a label. (The links between pages are
the session bar's: tests/integration/test_pages.py.)"""

from __future__ import annotations

import re
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from tests.integration.service_kit import ClientFactory
from tests.integration.test_pages import PageParts, parse_page, texts
from web import pages

STATIC = pages.STATIC_DIR
REASONS = ["质检", "投诉核查", "回访核查", "调取证据", "其他"]


def keys_in_script() -> set[str]:
    """Keys recordings.js names: t("key"), i18nEl(tag, "key"), the table heads ("h_…"),
    and the keys it builds from a prefix and a code (kind_, rec_state_, access_)."""
    source = (STATIC / "recordings.js").read_text(encoding="utf-8")
    found = set(re.findall(r'\bt\("([a-z0-9_]+)"', source))
    found.update(re.findall(r'i18nEl\("[a-z0-9]+", "([a-z0-9_]+)"', source))
    found.update(re.findall(r'"(h_[a-z0-9_]+)"', source))
    built = {
        "kind_": ("call", "callback"),
        "rec_state_": ("pending", "converting", "stored", "failed", "missing", "purged"),
        "access_": ("play", "download", "purge", "hold", "release"),
        "outcome_": ("answered", "abandoned", "timeout", "no_seat", "lost", "kept_place"),
    }
    for prefix, codes in built.items():
        assert f"{prefix}${{" in source or prefix == "outcome_", prefix
        found.update(prefix + code for code in codes)
    return found


@pytest.fixture
async def client(aiohttp_client: ClientFactory) -> TestClient[Any, Any]:
    app = web.Application()
    app.add_routes(pages.routes)
    app.router.add_static("/static/", pages.STATIC_DIR, name="static")
    return await aiohttp_client(app)


async def test_the_recordings_page_is_served_in_chinese_with_its_files(
    client: TestClient[Any, Any],
) -> None:
    response = await client.get("/recordings")
    assert response.status == 200
    assert response.content_type == "text/html"
    body = await response.text()
    assert '<html lang="zh-CN">' in body
    assert 'data-i18n="recordings_title">录音查询<' in body
    parts = PageParts()
    parts.feed(body)
    expected = [
        "/static/orders.css",
        "/static/recordings.css",
        "/static/session.js",
        "/static/orders-common.js",
        "/static/recordings.js",
    ]
    assert parts.assets == expected
    for asset in expected:
        served = await client.get(asset)
        assert served.status == 200, asset
        assert len(await served.read()) > 300, asset


def test_the_page_has_every_filter_a_player_a_waveform_and_the_five_reasons() -> None:
    parts = parse_page("recordings.html")
    source = (STATIC / "recordings.html").read_text(encoding="utf-8")
    names = set(re.findall(r'<(?:input|select)[^>]* name="([a-z_]+)"', source))
    filters = {"caller", "agent", "seat", "line", "from", "to", "min_seconds", "max_seconds"}
    assert filters | {"order", "outcome", "reason"} <= names
    assert '<audio id="audio"' in source
    assert '<canvas id="wave"' in source
    reasons = re.findall(r'<option value="([^"]+)" data-i18n="why_', source)
    assert reasons == REASONS
    assert "staff" not in parts.input_ids  # the signed-in user is who listens


def test_every_text_key_of_the_page_and_its_script_exists_in_both_languages() -> None:
    dictionary = texts()
    keys = parse_page("recordings.html").keys | keys_in_script()
    assert {"rec_need_reason", "h_duration", "why_qa"} <= keys
    assert keys - set(dictionary["zh-CN"]) == set()
    assert keys - set(dictionary["en"]) == set()
    assert dictionary["zh-CN"]["nav_recordings"] == "录音"
    assert dictionary["en"]["nav_recordings"] == "Recordings"


def test_every_input_has_a_label_and_every_button_a_text() -> None:
    parts = parse_page("recordings.html")
    assert [i for i in parts.input_ids if not i or i not in parts.label_for] == []
    assert [b for b in parts.buttons if not b] == []
