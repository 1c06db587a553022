"""The ACD's side of each Asterisk link: messages in as facts, Redirects out.

``ServerLink`` is the handler of one AMI connection: it turns messages into facts
(one ``FactMaker`` per Asterisk) for the call centre, resyncs after every
(re)connect, and hands the dialplan our ring timeout. ``AmiDialer`` moves a
waiting caller to a seat with ``Redirect`` and says how that went, without
ever re-sending (a Redirect is sent at most once; facts tell what happened).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import datetime

from acd.router import DialResult
from acd.service import CallCentre
from telephony.actions import redirect, set_global
from telephony.connection import (
    AmiActionFailed,
    AmiConnection,
    AmiError,
    AmiLinkLost,
    AmiNotConnected,
    AmiTimeout,
)
from telephony.facts import FactMaker, LinkDown, LinkUp
from telephony.wire import AmiMessage

log = logging.getLogger(__name__)

CONNECT_CONTEXT = "hotline-connect"
RING_TIMEOUT_VARIABLE = "HOTLINE_RING_TIMEOUT"


class ServerLink:
    """LinkHandler of one Asterisk (telephony.connection calls it, in arrival order)."""

    def __init__(
        self,
        server: str,
        centre: CallCentre,
        *,
        routed: bool,
        ring_timeout: float,
        queue_lines: Mapping[str, str] | None = None,
    ) -> None:
        self.server = server
        self.centre = centre
        self.routed = routed
        self.ring_timeout = ring_timeout
        self.maker = FactMaker(server, queue_lines)
        self.connection: AmiConnection | None = None
        self._setup: asyncio.Task[None] | None = None

    async def on_message(self, message: AmiMessage, received_at: datetime) -> None:
        self.centre.handle_all(self.maker.feed(message, received_at))

    async def on_link_up(self, up: LinkUp, channels: list[AmiMessage]) -> None:
        self.centre.handle_all(self.maker.reconcile(channels, up.at))
        live = {item["Uniqueid"] for item in channels if "Uniqueid" in item}
        if up.restarted:
            log.warning(
                "Asterisk %s restarted (uptime %d s): every call it had is gone",
                self.server,
                up.uptime,
            )
        self.centre.link_up(up, live)
        if self.routed and self.connection is not None:
            self._setup = asyncio.get_running_loop().create_task(
                self._tell_ring_timeout(self.connection)
            )

    async def on_link_down(self, down: LinkDown) -> None:
        self.centre.link_down(down)

    async def _tell_ring_timeout(self, connection: AmiConnection) -> None:
        try:
            await set_global(connection, RING_TIMEOUT_VARIABLE, str(round(self.ring_timeout)))
        except AmiError as exc:
            log.error("could not set %s on %s: %s", RING_TIMEOUT_VARIABLE, self.server, exc)


class AmiDialer:
    """Dialer of the router over the AMI connections, one per Asterisk."""

    def __init__(self) -> None:
        self.connections: dict[str, AmiConnection] = {}

    async def send_to_seat(self, server: str, channel: str, seat: str) -> DialResult:
        connection = self.connections.get(server)
        if connection is None or not connection.ready:
            return DialResult.NOT_SENT
        try:
            await redirect(connection, channel, CONNECT_CONTEXT, seat, 1)
        except AmiActionFailed as exc:
            log.info("Redirect of %s to seat %s refused: %s", channel, seat, exc)
            return DialResult.REJECTED
        except AmiNotConnected:
            return DialResult.NOT_SENT
        except (AmiTimeout, AmiLinkLost) as exc:
            log.warning("Redirect of %s to seat %s: %s; waiting for facts", channel, seat, exc)
            return DialResult.UNKNOWN
        return DialResult.SENT
