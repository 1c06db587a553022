"""Time as an injected object: wall time, monotonic time, sleeping and timers.

Everything that waits on a deadline (ring timeouts, wrap-up, pings, the simulated
Asterisk's Wait()) asks a Clock, so tests run deadlines in milliseconds:
``FakeClock`` moves only when a test advances it, ``ScaledClock`` runs faster
than real time for end-to-end runs over real sockets.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol


class Timer(Protocol):
    def cancel(self) -> None: ...


class Clock(Protocol):
    """The time source of one process (the service, the simulator, a test)."""

    def time(self) -> float:
        """Seconds since the epoch (wall clock, UTC)."""

    def now(self) -> datetime:
        """The wall clock as an aware UTC datetime."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards."""

    async def sleep(self, seconds: float) -> None: ...

    def call_later(self, delay: float, callback: Callable[[], object]) -> Timer: ...


def utc_from_epoch(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


class SystemClock:
    """Real time."""

    def time(self) -> float:
        return time.time()

    def now(self) -> datetime:
        return utc_from_epoch(self.time())

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))

    def call_later(self, delay: float, callback: Callable[[], object]) -> Timer:
        return asyncio.get_running_loop().call_later(max(0.0, delay), callback)


class ScaledClock:
    """Time that runs ``speed`` times faster than real time, from ``start`` (epoch seconds).

    The simulator and the service share one ScaledClock in end-to-end tests and
    benchmarks, so a 15-second ring timeout takes 15/speed real seconds and every
    timestamp still reads as if it had taken 15 s.
    """

    def __init__(self, speed: float, start: float | None = None) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._real_origin = time.monotonic()
        self._epoch_origin = time.time() if start is None else start

    def _elapsed(self) -> float:
        return (time.monotonic() - self._real_origin) * self.speed

    def time(self) -> float:
        return self._epoch_origin + self._elapsed()

    def now(self) -> datetime:
        return utc_from_epoch(self.time())

    def monotonic(self) -> float:
        return self._elapsed()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self.speed)

    def call_later(self, delay: float, callback: Callable[[], object]) -> Timer:
        return asyncio.get_running_loop().call_later(max(0.0, delay) / self.speed, callback)


class _FakeTimer:
    def __init__(self, clock: FakeClock, due: float, callback: Callable[[], object]) -> None:
        self.clock = clock
        self.due = due
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class FakeClock:
    """Time that moves only when ``advance`` is called: unit tests of deadlines."""

    def __init__(self, start: float = 1_795_458_352.0) -> None:
        self._now = start
        self._origin = start
        self._timers: list[tuple[float, int, _FakeTimer]] = []
        self._order = itertools.count()

    def time(self) -> float:
        return self._now

    def now(self) -> datetime:
        return utc_from_epoch(self._now)

    def monotonic(self) -> float:
        return self._now - self._origin

    def call_later(self, delay: float, callback: Callable[[], object]) -> Timer:
        timer = _FakeTimer(self, self._now + max(0.0, delay), callback)
        heapq.heappush(self._timers, (timer.due, next(self._order), timer))
        return timer

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def wake() -> None:
            if not future.done():
                future.set_result(None)

        timer = self.call_later(seconds, wake)
        try:
            await future
        finally:
            timer.cancel()

    async def advance(self, seconds: float) -> None:
        """Move time forward, firing every timer that falls due on the way, in order."""
        target = self._now + seconds
        await _let_tasks_run()
        while self._timers and self._timers[0][0] <= target:
            due, _, timer = heapq.heappop(self._timers)
            if timer.cancelled:
                continue
            self._now = max(self._now, due)
            timer.callback()
            await _let_tasks_run()
        self._now = target
        await _let_tasks_run()

    def pending_timers(self) -> int:
        return sum(1 for _, _, timer in self._timers if not timer.cancelled)


async def _let_tasks_run(rounds: int = 5) -> None:
    for _ in range(rounds):
        await asyncio.sleep(0)
