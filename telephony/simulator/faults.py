"""Fault injection for the AMI connection tests: slow frames, a hung Asterisk, lost responses.

* ``split_writes``: every outgoing frame is written in chunks of N bytes, each its
  own ``write`` + ``drain``, so a client sees separate TCP reads.
* ``frozen``: a hung manager: connections stay open, actions are read but not
  answered, no events are sent, until it is unfrozen (then the backlog runs).
* ``ignore_actions``: these actions get no response and do not take effect.
* ``drop_before_response``: these actions take effect, then the connection is
  aborted before their response is written.
* ``inject(raw)``: raw bytes to every logged-in session as they are.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class Faults:
    def __init__(self) -> None:
        self.split_writes: int | None = None
        self.ignore_actions: set[str] = set()
        self.drop_before_response: set[str] = set()
        self._frozen = False
        self._thawed: asyncio.Event | None = None
        self.injector: Callable[[bytes], None] | None = None

    @property
    def frozen(self) -> bool:
        return self._frozen

    @frozen.setter
    def frozen(self, value: bool) -> None:
        self._frozen = value
        if self._thawed is not None:
            if value:
                self._thawed.clear()
            else:
                self._thawed.set()

    async def wait_thawed(self) -> None:
        """Return at once unless frozen; then when unfrozen."""
        if not self._frozen:
            return
        if self._thawed is None:
            self._thawed = asyncio.Event()
        await self._thawed.wait()

    def ignores(self, action: str) -> bool:
        return action.lower() in {name.lower() for name in self.ignore_actions}

    def drops_response(self, action: str) -> bool:
        return action.lower() in {name.lower() for name in self.drop_before_response}

    def inject(self, raw: bytes) -> None:
        """Send ``raw`` as-is to every logged-in session (garbage, truncated frames…)."""
        if self.injector is not None:
            self.injector(raw)
