"""What the ACD needs from the outside, as small interfaces: a dialer (AMI actions),
the caller history (recent calls, open orders), and where events are published."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import Enum
from typing import Any, Protocol


class DialResult(Enum):
    SENT = "sent"  # Asterisk accepted the action
    REJECTED = "rejected"  # Asterisk refused it (the channel is gone)
    UNKNOWN = "unknown"  # sent, but no answer (timeout, link lost): facts will tell
    NOT_SENT = "not_sent"  # the link was down


class Dialer(Protocol):
    async def send_to_seat(self, server: str, channel: str, seat: str) -> DialResult: ...

    async def call_back(
        self,
        server: str,
        seat: str,
        number: str,
        line: str,
        callback_of: str,
        task: str,
        order: str = "",
    ) -> DialResult: ...


class CallerHistory(Protocol):
    """What the centre remembers of a caller number (recent calls, open work orders)."""

    def last_call(self, number: str, before: datetime) -> datetime | None: ...

    def open_order_agent(self, number: str) -> str | None: ...


class NoHistory:
    def last_call(self, number: str, before: datetime) -> datetime | None:
        return None

    def open_order_agent(self, number: str) -> str | None:
        return None


Publish = Callable[[dict[str, Any]], None]
