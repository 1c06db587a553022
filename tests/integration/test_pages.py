"""The work-order pages: each route serves its page and the page's files, in Chinese first,
and every text key a page uses exists in both languages."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from tests.integration.service_kit import ClientFactory
from web import pages

STATIC = pages.STATIC_DIR
# route -> the page's own script, besides orders-common.js and orders.css
PAGES = {
    "/dispatch": "dispatch.js",
    "/orders/12345-20240501-0001": "order.js",
    "/units/jd-xujiahui": "unit.js",
    "/revisits": "revisits.js",
    "/desk": "desk.js",
}
ORDER_PAGES = ["dispatch.html", "order.html", "unit.html", "revisits.html", "desk.html"]
ORDER_SCRIPTS = [*PAGES.values(), "orders-common.js"]


class PageParts(HTMLParser):
    """What a page refers to: its scripts and stylesheets, text keys, inputs and labels."""

    def __init__(self) -> None:
        super().__init__()
        self.lang = ""
        self.assets: list[str] = []
        self.keys: set[str] = set()
        self.input_ids: list[str] = []
        self.label_for: set[str] = set()
        self.open_buttons: list[list[str]] = []
        self.buttons: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "html":
            self.lang = found.get("lang", "")
        if tag == "script" and "src" in found:
            self.assets.append(found["src"])
        if tag == "link" and found.get("rel") == "stylesheet":
            self.assets.append(found["href"])
        if "data-i18n" in found:
            self.keys.add(found["data-i18n"])
        if tag in ("input", "select", "textarea"):
            self.input_ids.append(found.get("id", ""))
        if tag == "label":
            self.label_for.add(found.get("for", ""))
        if tag == "button":
            self.open_buttons.append([])

    def handle_data(self, data: str) -> None:
        for button in self.open_buttons:
            button.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "button" and self.open_buttons:
            self.buttons.append("".join(self.open_buttons.pop()).strip())


def parse_page(name: str) -> PageParts:
    parts = PageParts()
    parts.feed((STATIC / name).read_text(encoding="utf-8"))
    return parts


def texts() -> dict[str, dict[str, str]]:
    """The dictionary in orders-common.js (kept as plain JSON for this reason)."""
    source = (STATIC / "orders-common.js").read_text(encoding="utf-8")
    match = re.search(r"^const TEXTS = (\{.*?^\});$", source, re.S | re.M)
    assert match, "orders-common.js: const TEXTS = {...}; not found"
    loaded: dict[str, dict[str, str]] = json.loads(match.group(1))
    return loaded


def keys_in_scripts() -> set[str]:
    """Keys the scripts name: t("key"), i18nEl(tag, "key"), noteForm("key"), i18n: and
    button: in form specs, and any string with a key prefix (h_, f_, act_, sec_, col_, badge_)."""
    found: set[str] = set()
    patterns = [
        r'\bt\("([a-z0-9_]+)"',
        r'i18nEl\("[a-z0-9]+", "([a-z0-9_]+)"',
        r'noteForm\("([a-z0-9_]+)"',
        r'\b(?:i18n|button): "([a-z0-9_]+)"',
        r'"((?:h|f|act|sec|col|badge)_[a-z0-9_]+)"',
    ]
    for name in ORDER_SCRIPTS:
        source = (STATIC / name).read_text(encoding="utf-8")
        for pattern in patterns:
            found.update(re.findall(pattern, source))
    return found


@pytest.fixture
async def client(aiohttp_client: ClientFactory) -> TestClient[Any, Any]:
    # the same two lines as web.app.create_app: no database is needed to serve pages
    app = web.Application()
    app.add_routes(pages.routes)
    app.router.add_static("/static/", pages.STATIC_DIR, name="static")
    return await aiohttp_client(app)


@pytest.mark.parametrize("route", sorted(PAGES))
async def test_each_page_is_served_in_chinese_with_its_files(
    client: TestClient[Any, Any], route: str
) -> None:
    response = await client.get(route)
    assert response.status == 200
    assert response.content_type == "text/html"
    body = await response.text()
    assert '<html lang="zh-CN">' in body
    parts = PageParts()
    parts.feed(body)
    expected = {"/static/orders.css", "/static/orders-common.js", f"/static/{PAGES[route]}"}
    assert set(parts.assets) == expected
    for asset in sorted(expected):
        served = await client.get(asset)
        assert served.status == 200, asset
        assert len(await served.read()) > 500, asset


async def test_an_unknown_order_or_unit_still_gets_its_page(client: TestClient[Any, Any]) -> None:
    order = await client.get("/orders/NO-SUCH-ORDER-999")
    unit = await client.get("/units/no-such-unit")
    assert (order.status, unit.status) == (200, 200)
    assert 'data-i18n="order_title">工单详情<' in await order.text()
    assert 'data-i18n="unit_title">承办单位<' in await unit.text()


async def test_the_wallboard_keeps_its_page(client: TestClient[Any, Any]) -> None:
    response = await client.get("/")
    assert response.status == 200
    assert "热线实时监控" in await response.text()


def test_the_dictionary_has_the_same_keys_in_chinese_and_english() -> None:
    dictionary = texts()
    assert set(dictionary) == {"zh-CN", "en"}
    assert set(dictionary["zh-CN"]) == set(dictionary["en"])
    assert dictionary["zh-CN"]["nav_dispatch"] == "派单"
    assert dictionary["en"]["nav_dispatch"] == "Dispatch"


@pytest.mark.parametrize("page", ORDER_PAGES)
def test_every_text_key_of_a_page_exists_in_both_languages(page: str) -> None:
    dictionary = texts()
    keys = parse_page(page).keys
    assert {"nav_wallboard", "nav_desk", "nav_dispatch", "nav_revisits", "staff_no"} <= keys
    assert keys - set(dictionary["zh-CN"]) == set()
    assert keys - set(dictionary["en"]) == set()


def test_every_text_key_the_scripts_name_exists_in_both_languages() -> None:
    dictionary = texts()
    keys = keys_in_scripts()
    assert {
        "act_dispatch",
        "act_return_up",
        "act_reply",
        "act_call",
        "h_deadline",
        "need_staff",
    } <= keys
    assert keys - set(dictionary["zh-CN"]) == set()
    assert keys - set(dictionary["en"]) == set()


@pytest.mark.parametrize("page", ORDER_PAGES)
def test_every_input_has_a_label_and_every_button_a_text(page: str) -> None:
    parts = parse_page(page)
    assert "staff" in parts.input_ids
    assert [i for i in parts.input_ids if not i or i not in parts.label_for] == []
    assert [b for b in parts.buttons if not b] == []


def test_the_order_pages_never_load_the_wallboard_texts() -> None:
    # both files define TEXTS and t(): one page loads one of them
    for page in ORDER_PAGES:
        assert "/static/i18n.js" not in parse_page(page).assets
    assert Path(STATIC / "i18n.js").exists()
