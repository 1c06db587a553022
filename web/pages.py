"""The pages people look at (served as static files; live data comes over /ws).

Each page is one html file; the page reads what it shows from the JSON API, so a page
for an unknown order or unit is still served and shows the API's answer.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

STATIC_DIR = Path(__file__).resolve().parent / "static"
NO_CACHE = {"Cache-Control": "no-cache"}

routes = web.RouteTableDef()


def _page(name: str) -> web.FileResponse:
    return web.FileResponse(STATIC_DIR / name, headers=NO_CACHE)


@routes.get("/")
async def wallboard(request: web.Request) -> web.FileResponse:
    return _page("wallboard.html")


@routes.get("/dispatch")
async def dispatch_board(request: web.Request) -> web.FileResponse:
    """派单台: the dispatcher's board."""
    return _page("dispatch.html")


@routes.get("/orders/{number}")
async def order_page(request: web.Request) -> web.FileResponse:
    """工单详情: the number is read by the page from its address."""
    return _page("order.html")


@routes.get("/units/{code}")
async def unit_page(request: web.Request) -> web.FileResponse:
    """承办单位: one unit's orders."""
    return _page("unit.html")


@routes.get("/revisits")
async def revisits_page(request: web.Request) -> web.FileResponse:
    """回访: the callback agent's list and the recording ledger."""
    return _page("revisits.html")


@routes.get("/desk")
async def desk_page(request: web.Request) -> web.FileResponse:
    """座席工作台: the agent's seat, screen-pop and order form."""
    return _page("desk.html")


@routes.get("/recordings")
async def recordings_page(request: web.Request) -> web.FileResponse:
    """录音查询: search, play with a reason, legal hold and the access log."""
    return _page("recordings.html")


@routes.get("/qa")
async def qa_page(request: web.Request) -> web.FileResponse:
    """质检评分: the reviewer's queue, the recording with marks, the form and its score."""
    return _page("qa.html")


@routes.get("/qa/mine")
async def qa_mine_page(request: web.Request) -> web.FileResponse:
    """我的质检: an agent's grades and appeals."""
    return _page("qa-mine.html")


@routes.get("/qa/supervise")
async def qa_supervise_page(request: web.Request) -> web.FileResponse:
    """质检管理: plans, appeals, calibration and the figures."""
    return _page("qa-supervise.html")
