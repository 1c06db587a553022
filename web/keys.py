"""Typed keys of the long-lived objects the application holds (aiohttp ``AppKey``)."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from acd.live import LocalHub
from acd.service import CallCentre
from telephony.clock import Clock
from telephony.connection import AmiConnection
from tickets.handling import OrderHandling
from tickets.writer import WriteBehind
from web.live_state import LiveState
from web.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
CLOCK = web.AppKey("clock", Clock)
ENGINE = web.AppKey("engine", AsyncEngine)
SESSIONS = web.AppKey("sessions", async_sessionmaker[AsyncSession])
WRITER = web.AppKey("writer", WriteBehind)
HUB = web.AppKey("hub", LocalHub)
CENTRE = web.AppKey("centre", CallCentre)  # absent on a web-only instance
LIVE = web.AppKey("live", LiveState)
CONNECTIONS = web.AppKey("connections", dict[str, AmiConnection])
ORDERS = web.AppKey("orders", OrderHandling)
