"""Virtual time for replaying captures: the clock jumps to the next due timer once the loop is idle.

A capture's calls overlap within milliseconds, and what the comparison checks
(which frames come in which burst) depends on the order of things a few
milliseconds apart. On a scaled real-time clock that order would depend on
how busy the machine is; here it depends only on the simulated times: every
timer fires at exactly its due time, in due order, and only after everything
the previous one started has run (the event loop has nothing ready). Real
sockets still carry every frame; between two timers the loop runs until the
bytes already written have been handled.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Callable
from datetime import datetime

from telephony.clock import utc_from_epoch

IDLE_ROUNDS = 2  # loop iterations with nothing ready before time may move
FALLBACK_ROUNDS = 40  # loop iterations to run when the loop cannot tell what is ready


class _Timer:
    def __init__(self, due: float, callback: Callable[[], object]) -> None:
        self.due = due
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class VirtualClock:
    """A ``Clock`` whose time moves only in ``run_until``, from timer to timer."""

    def __init__(self, start: float) -> None:
        self._origin = start
        self._now = start
        self._timers: list[tuple[float, int, _Timer]] = []
        self._order = itertools.count()

    def time(self) -> float:
        return self._now

    def now(self) -> datetime:
        return utc_from_epoch(self._now)

    def monotonic(self) -> float:
        return self._now - self._origin

    def call_later(self, delay: float, callback: Callable[[], object]) -> _Timer:
        timer = _Timer(self._now + max(0.0, delay), callback)
        heapq.heappush(self._timers, (timer.due, next(self._order), timer))
        return timer

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        timer = self.call_later(seconds, lambda: future.done() or future.set_result(None))
        try:
            await future
        finally:
            timer.cancel()

    async def run_until(self, monotonic: float) -> None:
        """Fire every timer due up to ``monotonic`` (clock seconds since the start), in order."""
        target = self._origin + monotonic
        await settle()
        while self._timers and self._timers[0][0] <= target:
            due, _, timer = heapq.heappop(self._timers)
            if timer.cancelled:
                continue
            self._now = max(self._now, due)
            timer.callback()
            await settle()
        self._now = max(self._now, target)
        await settle()


async def settle() -> None:
    """Run the event loop until nothing is ready to run (no time passes)."""
    loop = asyncio.get_running_loop()
    ready = getattr(loop, "_ready", None)  # CPython's queue of callbacks ready to run
    if ready is None:
        for _ in range(FALLBACK_ROUNDS):
            await asyncio.sleep(0)
        return
    idle = 0
    while idle < IDLE_ROUNDS:
        await asyncio.sleep(0)
        idle = idle + 1 if not ready else 0
