"""Who may act for an Asterisk: the seam between the router and the other instances.

Exactly one service instance routes (and stores the calls of) a given Asterisk at
a time. ``LocalGate`` is the single-instance case: it holds every server. The
Redis gate (``acd.lease``) holds a server only while it holds that server's lease,
and makes every offer claim the caller and the seat in Redis under the lease's
fencing token, so that even an instance cut off from Redis that still believes
it leads can never offer a caller twice or give a seat two calls.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

LeaseListener = Callable[[str, bool], None]  # (server, now held)


class OfferGate(Protocol):
    def holds(self, server: str) -> bool:
        """This instance leads ``server``: it routes its calls and stores them."""

    def subscribe(self, listener: LeaseListener) -> None:
        """Be told when this instance gains or loses a server."""

    async def claim(self, server: str, call_id: str, seat: str) -> bool:
        """Before an offer: True if the caller and the seat are ours to offer now."""

    async def release_caller(self, server: str, call_id: str) -> None: ...

    async def release_seat(self, server: str, seat: str) -> None: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class LocalGate:
    """One instance: it leads every server; claims always succeed."""

    def __init__(self) -> None:
        self._listeners: list[LeaseListener] = []

    def holds(self, server: str) -> bool:
        return True

    def subscribe(self, listener: LeaseListener) -> None:
        self._listeners.append(listener)

    async def claim(self, server: str, call_id: str, seat: str) -> bool:
        return True

    async def release_caller(self, server: str, call_id: str) -> None:
        return None

    async def release_seat(self, server: str, seat: str) -> None:
        return None

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None
