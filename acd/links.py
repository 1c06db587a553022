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
from typing import Any

from acd.ports import DialResult
from acd.service import CallCentre
from telephony.actions import originate, redirect, set_global
from telephony.connection import (
    AmiActionFailed,
    AmiConnection,
    AmiError,
    AmiLinkLost,
    AmiNotConnected,
    AmiTimeout,
)
from telephony.fact_maker import FactMaker
from telephony.facts import LinkDown, LinkUp
from telephony.wire import AmiMessage

log = logging.getLogger(__name__)

CONNECT_CONTEXT = "hotline-connect"
CALLBACK_CONTEXT = "hotline-callback"
RING_TIMEOUT_VARIABLE = "HOTLINE_RING_TIMEOUT"
# ChanSpy options: q quiet (no beep to the supervisor), w whisper to the spied seat,
# B barge (talk to both), E end when the spied call ends (instead of looking for the
# next channel); the supervisor's own softphone is rung first.
SPY_OPTIONS = {"listen": "qE", "whisper": "qwE", "barge": "qBE"}


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
    """Dialer of the router over the AMI connections, one per Asterisk.

    Each action is sent at most once; what it did is learnt from the facts.
    """

    def __init__(self, ring_timeout: float = 15.0) -> None:
        self.connections: dict[str, AmiConnection] = {}
        self.ring_timeout = ring_timeout

    async def send_to_seat(self, server: str, channel: str, seat: str) -> DialResult:
        return await self._send(
            server,
            f"Redirect of {channel} to seat {seat}",
            redirect,
            channel,
            CONNECT_CONTEXT,
            seat,
            1,
        )

    async def call_back(
        self,
        server: str,
        seat: str,
        number: str,
        line: str,
        callback_of: str,
        task: str,
        order: str = "",
    ) -> DialResult:
        """Ring the seat; when the agent answers, hotline-callback dials the citizen."""
        variables = {
            "HOTLINE_LINE": line,
            "HOTLINE_CALLBACK_OF": callback_of,
            "HOTLINE_TASK": task,
            "HOTLINE_ORDER": order,
        }
        return await self._send(
            server,
            f"callback of {task or number} from seat {seat}",
            originate,
            f"PJSIP/{seat}",
            context=CALLBACK_CONTEXT,
            exten=number,
            caller_id=f'"回拨 {number}" <{number}>',
            variables=variables,
            timeout_ms=int(self.ring_timeout * 1000),
        )

    async def spy(self, server: str, supervisor_seat: str, seat: str, mode: str) -> DialResult:
        """Listen, whisper or barge: ring the supervisor's softphone into ChanSpy on the seat."""
        return await self._send(
            server,
            f"{mode} on seat {seat} from {supervisor_seat}",
            originate,
            f"PJSIP/{supervisor_seat}",
            application="ChanSpy",
            data=f"PJSIP/{seat},{SPY_OPTIONS[mode]}",
            caller_id=f'"{mode} {seat}" <{seat}>',
            timeout_ms=int(self.ring_timeout * 1000),
        )

    async def _send(
        self, server: str, what: str, action: Any, *args: Any, **kwargs: Any
    ) -> DialResult:
        connection = self.connections.get(server)
        if connection is None or not connection.ready:
            return DialResult.NOT_SENT
        try:
            await action(connection, *args, **kwargs)
        except AmiActionFailed as exc:
            log.info("%s refused: %s", what, exc)
            return DialResult.REJECTED
        except AmiNotConnected:
            return DialResult.NOT_SENT
        except (AmiTimeout, AmiLinkLost) as exc:
            log.warning("%s: %s; waiting for facts", what, exc)
            return DialResult.UNKNOWN
        return DialResult.SENT
