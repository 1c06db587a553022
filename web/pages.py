"""The pages people look at (served as static files; live data comes over /ws)."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

STATIC_DIR = Path(__file__).resolve().parent / "static"

routes = web.RouteTableDef()


@routes.get("/")
async def wallboard(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC_DIR / "wallboard.html", headers={"Cache-Control": "no-cache"})
