"""The QA pages: each served in Chinese with its files, every text key they and their
scripts use exists in both languages, and every input has a label. (The links between
pages are the session bar's: tests/integration/test_pages.py.)"""

from __future__ import annotations

import re
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from qa.sampling import REASONS
from tests.integration.service_kit import ClientFactory
from tests.integration.test_pages import PageParts, parse_page, texts
from web import pages

STATIC = pages.STATIC_DIR
# route -> (page, its own script, its title key and Chinese title)
PAGES = {
    "/qa": ("qa.html", "qa.js", "qa_title", "质检评分"),
    "/qa/mine": ("qa-mine.html", "qa-mine.js", "qa_mine_title", "我的质检结果"),
    "/qa/supervise": ("qa-supervise.html", "qa-supervise.js", "qa_supervise_title", "质检管理"),
}
SCRIPTS = ["qa-form.js", "qa.js", "qa-mine.js", "qa-supervise.js"]
# keys the scripts build from a prefix and a code
BUILT = {
    "qa_state_": ("open", "claimed", "reviewed"),
    "qa_survey_": ("1", "2", "3"),
    "qa_source_": ("survey", "callback"),
    "qa_reason_": tuple(REASONS),
    "qa_appeal_": ("pending", "upheld", "overturned"),
}


def keys_in_scripts() -> set[str]:
    """t("key"), i18nEl(tag, "key"), check boxes' keys, any "h_…" or "qa_…" string, and
    the keys built from a prefix (each prefix must be used so)."""
    found: set[str] = set()
    sources = {name: (STATIC / name).read_text(encoding="utf-8") for name in SCRIPTS}
    for source in sources.values():
        found.update(re.findall(r'\bt\("([a-z0-9_]+)"', source))
        found.update(re.findall(r'i18nEl\("[a-z0-9]+", "([a-z0-9_]+)"', source))
        found.update(re.findall(r'"((?:h|qa)_[a-z0-9_]+)"', source))
    joined = "".join(sources.values())
    for prefix, codes in BUILT.items():
        label_kind = prefix.rstrip("_")
        assert f"{prefix}${{" in joined or f'label("{label_kind}"' in joined, prefix
        found.update(prefix + code for code in codes)
    return found


@pytest.fixture
async def client(aiohttp_client: ClientFactory) -> TestClient[Any, Any]:
    app = web.Application()
    app.add_routes(pages.routes)
    app.router.add_static("/static/", pages.STATIC_DIR, name="static")
    return await aiohttp_client(app)


@pytest.mark.parametrize("route", sorted(PAGES))
async def test_each_qa_page_is_served_in_chinese_with_its_files(
    client: TestClient[Any, Any], route: str
) -> None:
    _, script, title_key, title = PAGES[route]
    response = await client.get(route)
    assert response.status == 200
    assert response.content_type == "text/html"
    body = await response.text()
    assert '<html lang="zh-CN">' in body
    assert f'data-i18n="{title_key}">{title}<' in body
    parts = PageParts()
    parts.feed(body)
    expected = [
        "/static/orders.css",
        "/static/qa.css",
        "/static/session.js",
        "/static/orders-common.js",
        "/static/qa-form.js",
        f"/static/{script}",
    ]
    assert parts.assets == expected
    for asset in expected:
        served = await client.get(asset)
        assert served.status == 200, asset
        assert len(await served.read()) > 500, asset


def test_the_review_page_has_a_player_a_waveform_to_mark_and_a_form_to_score() -> None:
    source = (STATIC / "qa.html").read_text(encoding="utf-8")
    assert '<audio id="audio"' in source
    assert '<canvas id="wave"' in source
    assert 'id="form-box"' in source
    assert 'id="live-score"' in source
    script = (STATIC / "qa.js").read_text(encoding="utf-8")
    assert 'addEventListener("click", clickWave)' in script
    assert 'reason: "质检"' in script


def test_every_text_key_of_the_qa_pages_exists_in_both_languages() -> None:
    dictionary = texts()
    keys = keys_in_scripts()
    for page, _, _, _ in PAGES.values():
        keys |= parse_page(page).keys
    assert {"qa_na", "qa_red_line_failed", "qa_reason_unsatisfied", "h_reasons"} <= keys
    assert keys - set(dictionary["zh-CN"]) == set()
    assert keys - set(dictionary["en"]) == set()
    assert dictionary["zh-CN"]["nav_qa"] == "质检"
    assert dictionary["en"]["nav_qa"] == "QA"
    for code, chinese in REASONS.items():
        assert dictionary["zh-CN"][f"qa_reason_{code}"] == chinese


@pytest.mark.parametrize("page", [page for page, _, _, _ in PAGES.values()])
def test_every_input_has_a_label_and_every_button_a_text(page: str) -> None:
    parts = parse_page(page)
    assert [i for i in parts.input_ids if not i or i not in parts.label_for] == []
    assert [b for b in parts.buttons if not b] == []
