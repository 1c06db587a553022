"""The writer's overflow: records past ``max_pending``, on their way to the spill file and
back, first in first out.

Once anything has overflowed, every record of a key not already in memory joins the
overflow, so the records of one key always reach the database in submission order.
The disk work runs in threads, one operation at a time; the overflow's memory is a
small buffer that the spill task empties with each fsync.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from tickets.pending import Writable
from tickets.spill import SpillFile, decode, encode

log = logging.getLogger(__name__)


class Overflow:
    def __init__(self, path: Path, pause: Callable[[float], Awaitable[None]]) -> None:
        self.file = SpillFile(path)
        self._pause = pause  # the writer clock's sleep
        self._buffer: list[tuple[int, str]] = []
        self._count = 0  # in the buffer or on disk, not yet read back
        self._low_seq: int | None = None
        self._lock = asyncio.Lock()
        self._ready = asyncio.Event()

    def __len__(self) -> int:
        return self._count

    @property
    def low_seq(self) -> int | None:
        """No record older than this is in the overflow (None: the overflow is empty)."""
        return self._low_seq

    def add(self, item: Writable, seq: int) -> None:
        self._buffer.append((seq, encode(item, seq)))
        self._count += 1
        if self._low_seq is None:
            self._low_seq = seq
        self._ready.set()

    def append_now(self, item: Writable, seq: int) -> None:
        """Write one record straight to disk (the writer has stopped; no task is left)."""
        self.file.append([encode(item, seq)])

    async def load(self) -> tuple[int, int]:
        """Take over a spill file an earlier run left: (its record count, its highest seq)."""
        if not await asyncio.to_thread(self.file.exists):
            return 0, 0
        count, lowest, highest = await asyncio.to_thread(self.file.prepare)
        if count:
            self._count += count
            self._low_seq = lowest if self._low_seq is None else min(lowest, self._low_seq)
        return count, highest

    async def run(self, on_written: Callable[[], None], retry_seconds: float) -> None:
        """The spill task: fsync the buffer to disk whenever it fills."""
        while True:
            await self._ready.wait()
            self._ready.clear()
            async with self._lock:
                written = await self._write_buffer()
            if written:
                on_written()
            else:
                await self._pause(retry_seconds)

    async def _write_buffer(self) -> bool:
        lines, self._buffer = self._buffer, []
        if not lines:
            return True
        try:
            await asyncio.to_thread(self.file.append, [line for _, line in lines])
        except OSError as error:
            log.error("cannot write the spill file %s: %s", self.file.path, error)
            self._buffer = lines + self._buffer
            self._ready.set()
            return False
        return True

    async def read_back(self, limit: int) -> list[tuple[int, Writable]]:
        """The oldest ``limit`` records, in order; the file goes once all are read."""
        async with self._lock:
            if not await self._write_buffer():
                return []
            lines = await asyncio.to_thread(self.file.read, limit)
            records = []
            for line in lines:
                try:
                    records.append(decode(line))
                except (ValueError, KeyError, TypeError):
                    log.error("dropping a damaged spill line: %r", line[:200])
            self._count -= len(lines)
            if not await asyncio.to_thread(self.file.unread):
                await asyncio.to_thread(self.file.remove)
                # records that overflowed meanwhile wait in the buffer for a fresh file
                self._count = len(self._buffer)
                self._low_seq = self._buffer[0][0] if self._buffer else None
                log.info("spilled records are back in memory; spill file removed")
        return records

    async def save(self, records: list[tuple[int, Writable]]) -> int:
        """At shutdown: keep the unread records, the buffer and ``records`` on disk."""
        lines = [line for _, line in self._buffer]
        lines += [encode(item, seq) for seq, item in records]
        self._buffer = []
        self._count += len(records)
        unread: bool = await asyncio.to_thread(self.file.unread)
        if lines or unread:
            await asyncio.to_thread(self.file.rewrite, lines)
        else:
            await asyncio.to_thread(self.file.remove)
        return self._count
