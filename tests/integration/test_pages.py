"""The pages: each route serves its page and the page's files, in Chinese first, with the
session bar's script first; every text key a page uses exists in both languages; no page
sends an actor; and session.js, run in node against a real server, adds the CSRF header,
sends the browser to the sign-in page on a 401 and keeps ?next= on this site."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from tests.integration.service_kit import ClientFactory
from web import pages

STATIC = pages.STATIC_DIR
HARNESS = Path(__file__).with_name("session_js_harness.js")
# route -> the page's own script, besides session.js, orders-common.js and orders.css
PAGES = {
    "/dispatch": "dispatch.js",
    "/orders/12345-20240501-0001": "order.js",
    "/units/jd-xujiahui": "unit.js",
    "/revisits": "revisits.js",
    "/desk": "desk.js",
    "/signin": "signin.js",
    "/admin/users": "users.js",
}
ORDER_PAGES = ["dispatch.html", "order.html", "unit.html", "revisits.html", "desk.html"]
# pages of the same texts that are no work-order page
OTHER_PAGES = ["signin.html", "users.html"]
ORDER_SCRIPTS = [*PAGES.values(), "orders-common.js"]
EVERY_PAGE = sorted(set(pages.PAGES.values()))


class PageParts(HTMLParser):
    """What a page refers to: its scripts and stylesheets, text keys, ids, inputs and labels."""

    def __init__(self) -> None:
        super().__init__()
        self.lang = ""
        self.assets: list[str] = []
        self.scripts: list[str] = []
        self.keys: set[str] = set()
        self.ids: list[str] = []
        self.input_ids: list[str] = []
        self.label_for: set[str] = set()
        self.open_buttons: list[list[str]] = []
        self.buttons: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "html":
            self.lang = found.get("lang", "")
        if tag == "script" and "src" in found:
            self.assets.append(found["src"])
            self.scripts.append(found["src"])
        if tag == "link" and found.get("rel") == "stylesheet":
            self.assets.append(found["href"])
        if tag == "a" and "href" in found:
            self.links.append(found["href"])
        if "id" in found:
            self.ids.append(found["id"])
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
    """Keys the scripts name: t("key"), i18nEl(tag, "key"[, cls]), noteForm("key"), i18n:
    and button: in form specs, any string with a key prefix (h_, f_, act_, sec_, col_,
    badge_, cb_, signin_), and the keys built from a prefix and a code."""
    found: set[str] = set()
    patterns = [
        r'\bt\("([a-z0-9_]+)"',
        r'i18nEl\("[a-z0-9]+", "([a-z0-9_]+)"',
        r'noteForm\("([a-z0-9_]+)"',
        r'\b(?:i18n|button): "([a-z0-9_]+)"',
        r'"((?:h|f|act|sec|col|badge|cb|signin)_[a-z0-9_]+)"',
        r'dataset\.i18n = "([a-z0-9_]+)"',
    ]
    for name in ORDER_SCRIPTS:
        source = (STATIC / name).read_text(encoding="utf-8")
        for pattern in patterns:
            found.update(re.findall(pattern, source))
    desk = (STATIC / "desk.js").read_text(encoding="utf-8")
    built = {
        "cb_state_": ("pending", "calling"),
        "cb_status_": re.findall(
            r'"([a-z_]+)"', desk.split("const CALLBACK_RESULTS = [")[1].split("]")[0]
        ),
        "direction_": ("in", "callback"),
        "outcome_": ("answered", "abandoned", "timeout", "no_seat", "lost", "kept_place"),
        "state_": (
            "ready",
            "reserved",
            "ringing",
            "talking",
            "wrapup",
            "paused",
            "offline",
            "unreachable",
        ),
    }
    for prefix, codes in built.items():
        assert f"t(`{prefix}${{" in desk, prefix
        found.update(prefix + code for code in codes)
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
    expected = {
        "/static/orders.css",
        "/static/session.js",
        "/static/orders-common.js",
        f"/static/{PAGES[route]}",
    }
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
    body = await response.text()
    assert "热线实时监控" in body
    parts = PageParts()
    parts.feed(body)
    assert parts.scripts == ["/static/session.js", "/static/i18n.js", "/static/wallboard.js"]


@pytest.mark.parametrize("page", EVERY_PAGE)
def test_every_page_loads_the_session_first_and_has_no_staff_box_or_own_nav(page: str) -> None:
    # the session bar draws who is signed in, the pages they may open and the language switch
    parts = parse_page(page)
    assert parts.scripts[0] == "/static/session.js"
    assert "staff" not in parts.ids
    assert "lang" not in parts.ids  # the bar's button
    assert [href for href in parts.links if href in pages.PAGES] == []
    assert "staff_no" not in parts.keys


def test_no_page_sends_an_actor() -> None:
    # the server takes the actor from the session and refuses a body or query naming one
    for script in sorted(STATIC.glob("*.js")):
        source = script.read_text(encoding="utf-8")
        assert not re.search(r"""["']actor["']|\bactor\s*:""", source), script.name
        assert "hotline.staff" not in source, script.name


def test_the_dictionary_has_the_same_keys_in_chinese_and_english() -> None:
    dictionary = texts()
    assert set(dictionary) == {"zh-CN", "en"}
    assert set(dictionary["zh-CN"]) == set(dictionary["en"])
    assert dictionary["zh-CN"]["nav_dispatch"] == "派单"
    assert dictionary["en"]["nav_dispatch"] == "Dispatch"
    assert dictionary["zh-CN"]["signin_wrong"] == "用户名或密码错误"
    assert dictionary["zh-CN"]["signin_throttled"] == "尝试次数过多，请 {seconds} 秒后再试"


@pytest.mark.parametrize("page", [*ORDER_PAGES, *OTHER_PAGES])
def test_every_text_key_of_a_page_exists_in_both_languages(page: str) -> None:
    dictionary = texts()
    keys = parse_page(page).keys
    assert keys
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
        "act_login",
        "cb_dial",
        "signin_wrong",
        "signin_throttled",
        "deadline_missed_call",
    } <= keys
    assert keys - set(dictionary["zh-CN"]) == set()
    assert keys - set(dictionary["en"]) == set()


@pytest.mark.parametrize("page", [*ORDER_PAGES, *OTHER_PAGES])
def test_every_input_has_a_label_and_every_button_a_text(page: str) -> None:
    parts = parse_page(page)
    assert [i for i in parts.input_ids if not i or i not in parts.label_for] == []
    assert [b for b in parts.buttons if not b] == []


def test_the_order_pages_never_load_the_wallboard_texts() -> None:
    # both files define TEXTS and t(): one page loads one of them
    for page in [*ORDER_PAGES, *OTHER_PAGES]:
        assert "/static/i18n.js" not in parse_page(page).assets
    assert Path(STATIC / "i18n.js").exists()


def test_the_signin_page_has_its_form() -> None:
    parts = parse_page("signin.html")
    assert {"signin", "user", "password", "submit", "signin-error"} <= set(parts.ids)
    source = (STATIC / "signin.html").read_text(encoding="utf-8")
    assert re.search(r'<input id="password"[^>]* type="password"', source)
    script = (STATIC / "signin.js").read_text(encoding="utf-8")
    assert '"Retry-After"' in script
    assert "hotlineSessionTools.safeNext" in script


def test_the_desk_has_the_seat_the_popup_the_form_the_wrapup_timer_and_my_callbacks() -> None:
    ids = set(parse_page("desk.html").ids)
    seat = {
        "seat",
        "login",
        "logout",
        "seat-state",
        "state-clock",
        "ready",
        "pause-reason",
        "pause",
    }
    wrapup = {"wrapup-timer", "wrapup-end", "wrapup-extend", "seat-error"}
    pop = {"no-call", "call", "history-orders", "history-calls"}
    form = {"order-form", "of-category", "of-content", "accept", "answer", "form-error"}
    mine = {"callbacks-panel", "callbacks-count", "my-callbacks", "revisits-panel", "my-revisits"}
    assert seat | wrapup | pop | form | mine <= ids
    script = (STATIC / "desk.js").read_text(encoding="utf-8")
    assert 'seatCommand("/login", { agent: myId() })' in script
    assert "wrapup_ends_at" in script
    for event in ("seat", "screen_pop", "callback"):
        assert re.search(rf"^\s+{event}: ", script, re.M), event


def test_the_wallboard_shows_both_rates_today_and_for_30_minutes_against_targets() -> None:
    ids = set(parse_page("wallboard.html").ids)
    for rate in ("k-rate15", "k-conn"):
        assert {rate, f"{rate}-30", f"{rate}-target"} <= ids
    assert {"k-waiting", "k-longest", "queue", "seats", "alerts", "calls"} <= ids
    script = (STATIC / "wallboard.js").read_text(encoding="utf-8")
    assert "stats.targets" in script
    assert "targets_met" in script
    assert '"last_30_minutes"' in script


# -- session.js, run in node against a real server ------------------------------------


class Seen:
    """What the test server received: method, path and CSRF header of each request."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, str | None, str | None]] = []

    def app(self) -> web.Application:
        async def session(request: web.Request) -> web.Response:
            self.note(request)
            if request.method == "POST":
                return web.json_response({"error": "wrong user or password"}, status=401)
            return web.json_response(
                {
                    "user": {"id": "1001", "name": "王芳", "roles": ["agent"], "unit": None},
                    "csrf": "tok/en",
                    "pages": [{"path": "/desk", "title_zh": "座席", "title_en": "Desk"}],
                }
            )

        async def echo(request: web.Request) -> web.Response:
            self.note(request)
            return web.json_response({})

        async def private(request: web.Request) -> web.Response:
            self.note(request)
            return web.json_response({"error": "not signed in"}, status=401)

        app = web.Application()
        app.router.add_route("*", "/api/session", session)
        app.router.add_route("*", "/api/echo", echo)
        app.router.add_route("*", "/api/private", private)
        return app

    def note(self, request: web.Request) -> None:
        self.requests.append(
            (
                request.method,
                request.path,
                request.headers.get("X-CSRF-Token"),
                request.headers.get("Content-Type"),
            )
        )


async def run_harness(page: str, cookies: str, other: str, steps: list[dict[str, Any]]) -> Any:
    node = shutil.which("node")
    assert node, "node runs the pages' scripts in these tests"
    process = await asyncio.create_subprocess_exec(
        node,
        str(HARNESS),
        str(STATIC / "session.js"),
        page,
        cookies,
        other,
        json.dumps(steps),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    return json.loads(out)


def base(server: TestServer) -> str:
    return str(server.make_url("")).rstrip("/")


async def test_session_js_adds_the_csrf_header_to_changes_on_this_site_only(
    aiohttp_server: Any,
) -> None:
    here, elsewhere = Seen(), Seen()
    site = await aiohttp_server(here.app())
    other = await aiohttp_server(elsewhere.app())  # another port: another origin
    steps = [
        {"path": "/api/echo", "method": "POST", "headers": {"Content-Type": "application/json"}},
        {"path": "/api/echo", "method": "GET"},
        {"path": "/api/echo", "method": "delete", "asRequest": True},
        {"path": "/api/echo", "method": "PUT", "other": True},
    ]
    found = await run_harness(
        f"{base(site)}/desk?seat=8001", "theme=dark; hotline_csrf=tok%2Fen", base(other), steps
    )
    assert found["csrf"] == "tok/en"
    assert found["session"]["user"]["id"] == "1001"  # window.hotlineSession
    assert [r["status"] for r in found["results"]] == [200, 200, 200, 200]
    assert here.requests == [
        ("GET", "/api/session", None, None),
        ("POST", "/api/echo", "tok/en", "application/json"),
        ("GET", "/api/echo", None, None),
        ("DELETE", "/api/echo", "tok/en", None),
    ]
    assert elsewhere.requests == [("PUT", "/api/echo", None, None)]


async def test_session_js_sends_a_401_to_the_signin_page_with_the_way_back(
    aiohttp_server: Any,
) -> None:
    seen = Seen()
    site = await aiohttp_server(seen.app())
    steps = [
        {"path": "/api/private", "method": "GET"},
        {"path": "/api/session", "method": "POST"},  # a wrong password is not a lost session
        {"path": "/api/private", "method": "POST"},
    ]
    found = await run_harness(f"{base(site)}/desk?seat=8001", "hotline_csrf=abc", base(site), steps)
    assert [(r["status"], r["assigned"]) for r in found["results"]] == [
        (401, ["/signin?next=%2Fdesk%3Fseat%3D8001"]),
        (401, []),
        (401, ["/signin?next=%2Fdesk%3Fseat%3D8001"]),
    ]
    # on the sign-in page itself a 401 is shown, not followed, and no session is asked for
    seen.requests.clear()
    on_signin = await run_harness(f"{base(site)}/signin?next=%2Fdesk", "", base(site), steps[:1])
    assert on_signin["results"] == [{"path": "/api/private", "status": 401, "assigned": []}]
    assert on_signin["session"] is None
    assert seen.requests == [("GET", "/api/private", None, None)]


async def test_session_js_keeps_next_on_this_site(aiohttp_server: Any) -> None:
    site = await aiohttp_server(Seen().app())
    found = await run_harness(f"{base(site)}/desk", "", base(site), [])
    assert found["nexts"] == {
        "/desk?seat=8001": "/desk?seat=8001",
        "/orders/12345-1#t": "/orders/12345-1#t",
        "//evil.example/x": None,
        "/\\evil.example": None,
        "https://evil.example/": None,
        "desk": None,
        "/signin?next=/": None,
        "/%2F%2Fevil.example": "/%2F%2Fevil.example",
        "/\tx": None,
        "": None,
    }


def test_the_users_page_lists_and_changes_users_for_an_administrator_only() -> None:
    ids = set(parse_page("users.html").ids)
    assert {"users", "edit-panel", "user-edit", "edit-roles", "password-reset", "new-panel"} <= ids
    assert {"user-new", "new-id", "new-roles", "new-password", "read-only"} <= ids
    script = (STATIC / "users.js").read_text(encoding="utf-8")
    assert 'roles.includes("admin")' in script
    assert '"/api/users"' in script
