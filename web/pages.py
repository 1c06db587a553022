"""The pages people look at (served as static files; live data comes over /ws).

Each page is one html file; the page reads what it shows from the JSON API, so a page
for an unknown order or unit is still served and shows the API's answer (the number or
code is read by the page from its address).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web

STATIC_DIR = Path(__file__).resolve().parent / "static"
NO_CACHE = {"Cache-Control": "no-cache"}

# path -> page file
PAGES = {
    "/": "wallboard.html",  # 实时监控: queue, seats, today's figures, alerts
    "/desk": "desk.html",  # 座席工作台: the agent's seat, screen-pop and order form
    "/dispatch": "dispatch.html",  # 派单台: the dispatcher's board and notices
    "/orders/{number}": "order.html",  # 工单详情: an order, its timeline and its steps
    "/units/{code}": "unit.html",  # 承办单位: one unit's orders, replies, extensions
    "/revisits": "revisits.html",  # 回访: the callback list and the recording ledger
    "/recordings": "recordings.html",  # 录音查询: search, play with a reason, legal hold
    "/qa": "qa.html",  # 质检评分: the queue, the recording with marks, the form
    "/qa/mine": "qa-mine.html",  # 我的质检: an agent's grades and appeals
    "/qa/supervise": "qa-supervise.html",  # 质检管理: plans, appeals, calibration, figures
    "/reports": "reports.html",  # 统计报表: statistics, charts, the contract assessment
    "/signin": "signin.html",  # 登录: staff number and password (open to everyone)
    "/admin/users": "users.html",  # 用户管理: users, roles, password resets
}

routes = web.RouteTableDef()


def _serve(name: str) -> Callable[[web.Request], Awaitable[web.FileResponse]]:
    async def page(request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC_DIR / name, headers=NO_CACHE)

    page.__name__ = name.removesuffix(".html").replace("-", "_") + "_page"
    return page


for _path, _name in PAGES.items():
    routes.get(_path)(_serve(_name))
