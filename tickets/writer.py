"""The write-behind writer: routing hands records over and never waits on the database.

``submit_*`` only puts the record in memory (coalesced by key: a call keeps its highest
version). One task writes batches, one transaction each, with idempotent upserts
(tickets.store). While the database is away everything stays pending and is retried
with backoff; past ``max_pending`` new records go to an fsync'd spill file, read back
in order when there is room again. A record the database refuses (a constraint, a
bad value) is isolated, logged and kept in the dead letters; the rest goes on.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections import deque
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from tickets.mapping import check_audit_entry
from tickets.overflow import Overflow
from tickets.pending import Entry, PendingQueue, Writable, key_of
from tickets.records import (
    AgentSession,
    AuditEntry,
    CallbackTask,
    CallRecord,
    SeatStateInterval,
    WorkOrderDraft,
)
from tickets.redact import mask_numbers
from tickets.store import is_row_problem, write_batch

log = logging.getLogger(__name__)

ALARM_AFTER_SECONDS = 5.0  # writes failing longer than this raise the alarm
ALARM_PENDING_SHARE = 0.8  # … as does pending above this share of max_pending
DEAD_LETTERS_KEPT = 1_000


class WriterClock(Protocol):
    """What the writer needs of a clock (telephony.clock objects fit)."""

    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class _RealClock:
    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


@dataclass(frozen=True, slots=True)
class DeadLetter:
    key: str
    error: str
    record: Writable


@dataclass(frozen=True, slots=True)
class WriterHealth:
    pending: int  # records in memory, including the batch being written
    oldest_pending_seconds: float
    db_ok: bool
    last_error: str
    spilled: int  # records in the spill file, not yet read back
    written_total: int
    alarm: bool
    alarm_reason: str
    dead_letters: tuple[DeadLetter, ...] = ()


def _describe(error: BaseException) -> str:
    """The error's first line, as the health probe shows it: a database error may quote
    the row's values, so full phone numbers are masked."""
    text = str(error).splitlines()[0] if str(error) else ""
    return mask_numbers(f"{type(error).__name__}: {text}")[:500]


class WriteBehind:
    """Stores call records, seat state intervals, draft orders, agent sessions, callback
    tasks and audit entries behind the caller's back.

    ``max_pending`` bounds the records kept in memory: past it they go to ``spill_path``.
    Without a spill path nothing is dropped either; the limit then only raises the alarm.
    ``clock`` times the batching, the retries and the alarm (telephony.clock objects fit).
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        max_pending: int = 100_000,
        batch_size: int = 500,
        flush_interval: float = 0.2,
        retry_initial: float = 0.5,
        retry_max: float = 10.0,
        spill_path: Path | None = None,
        clock: WriterClock | None = None,
        alarm_after: float = ALARM_AFTER_SECONDS,
    ) -> None:
        self._engine = engine
        self._max_pending = max_pending
        self._batch_size = batch_size
        self._flush_interval = flush_interval
        self._retry_initial = retry_initial
        self._retry_max = retry_max
        self._clock: WriterClock = clock or _RealClock()
        self._alarm_after = alarm_after
        self._queue = PendingQueue()
        # a sequence base in µs of wall time: a restarted writer numbers after the spill
        # file of the one before it
        self._seq = itertools.count(time.time_ns() // 1_000)
        self._last_seq = 0
        self._in_flight: list[Entry] = []
        self._overflow = None if spill_path is None else Overflow(spill_path, self._clock.sleep)
        self._work = asyncio.Event()  # something to write
        self._batch_ready = asyncio.Event()  # write now: a full batch or a flush
        self._retry_now = asyncio.Event()
        self._progress = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._stopped = False
        self._failing_since: float | None = None
        self._last_error = ""
        self._written_total = 0
        self._dead: deque[DeadLetter] = deque(maxlen=DEAD_LETTERS_KEPT)
        self._alarm_on = False

    # -- submitting (never blocks, never raises on database trouble) ---------------------

    def submit_call(self, record: CallRecord) -> None:
        self._submit(record)

    def submit_seat_state(self, interval: SeatStateInterval) -> None:
        self._submit(interval)

    def submit_order(self, draft: WorkOrderDraft) -> None:
        self._submit(draft)

    def submit_agent_session(self, session: AgentSession) -> None:
        """Keyed by (agent, started_at): submit it open at sign-in and again, closed, at logout."""
        self._submit(session)

    def submit_callback_task(self, task: CallbackTask) -> None:
        """The highest ``version`` of a task is stored."""
        self._submit(task)

    def submit_audit(self, entry: AuditEntry) -> None:
        """Stored once by ``entry_id`` and never changed; ValueError for an entry the
        database could not keep (a naive time, details that are not text)."""
        check_audit_entry(entry)
        self._submit(entry)

    def _submit(self, item: Writable) -> None:
        seq = self._last_seq = next(self._seq)
        if self._stopped:
            self._submitted_after_stop(item, seq)
            return
        overflow = self._overflow
        spilling = overflow is not None and (
            len(overflow) > 0 or len(self._queue) >= self._max_pending
        )
        if not self._queue.offer(item, seq, self._clock.monotonic(), allow_new=not spilling):
            assert overflow is not None
            overflow.add(item, seq)
        self._work.set()
        if len(self._queue) >= self._batch_size:
            self._batch_ready.set()
        if not self._alarm_on and len(self._queue) >= self._max_pending * ALARM_PENDING_SHARE:
            self._update_alarm()

    def _submitted_after_stop(self, item: Writable, seq: int) -> None:
        if self._overflow is None:
            log.error("record submitted after the writer stopped, not stored: %s", key_of(item))
        else:
            self._overflow.append_now(item, seq)  # the service is shutting down

    # -- life cycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Start writing; records spilled by an earlier run are stored first."""
        if self._tasks or self._stopped:
            return
        loop = asyncio.get_running_loop()
        if self._overflow is not None:
            count, highest = await self._overflow.load()
            if count:
                log.warning("storing %d records left in %s", count, self._overflow.file.path)
                self._last_seq = max(self._last_seq, highest)  # flush() waits for them too
                self._work.set()
            spill_task = self._overflow.run(self._work.set, self._retry_max)
            self._tasks.append(loop.create_task(spill_task, name="write-behind-spill"))
        self._tasks.append(loop.create_task(self._run(), name="write-behind"))

    # the timeout is clock time, and bounds only the final flush
    async def stop(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Try a last flush for ``timeout`` seconds, then spill what is left."""
        if self._stopped:
            return
        if self._tasks:
            await self._within(self.flush(), timeout)
        self._stopped = True
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        self._queue.put_back(self._in_flight)
        self._in_flight = []
        leftovers = [(entry.seq, entry.item) for entry in self._queue.drain()]
        if self._overflow is not None:
            kept = await self._overflow.save(leftovers)
            if kept:
                log.warning(
                    "%d records kept in %s for the next start", kept, self._overflow.file.path
                )
        elif leftovers:
            log.error("writer stopped with %d records unwritten (no spill file)", len(leftovers))

    async def _within(self, work: Coroutine[Any, Any, None], seconds: float) -> None:
        task = asyncio.ensure_future(work)
        timer = asyncio.ensure_future(self._clock.sleep(seconds))
        await asyncio.wait({task, timer}, return_when=asyncio.FIRST_COMPLETED)
        for pending in (task, timer):
            pending.cancel()
        await asyncio.gather(task, timer, return_exceptions=True)

    async def flush(self) -> None:
        """Return once everything submitted before this call is stored (or dead-lettered)."""
        if not self._tasks or self._stopped:
            raise RuntimeError("the writer is not running")
        target = self._last_seq
        self._retry_now.set()
        while not self._stored_up_to(target):
            progress = self._progress
            self._work.set()
            self._batch_ready.set()
            await progress.wait()

    def _stored_up_to(self, seq: int) -> bool:
        oldest = self._queue.oldest()
        if oldest is not None and oldest[0] <= seq:
            return False
        low = None if self._overflow is None else self._overflow.low_seq
        return low is None or low > seq

    def _notify_progress(self) -> None:
        self._progress.set()
        self._progress = asyncio.Event()

    # -- health ------------------------------------------------------------------------------

    def health(self) -> WriterHealth:
        reason = self._update_alarm()
        oldest = self._queue.oldest()
        age = 0.0 if oldest is None else max(0.0, self._clock.monotonic() - oldest[1])
        return WriterHealth(
            pending=len(self._queue) + len(self._in_flight),
            oldest_pending_seconds=age,
            db_ok=self._failing_since is None,
            last_error=self._last_error,
            spilled=0 if self._overflow is None else len(self._overflow),
            written_total=self._written_total,
            alarm=bool(reason),
            alarm_reason=reason,
            dead_letters=tuple(self._dead),
        )

    def _alarm_reasons(self) -> str:
        reasons = []
        if self._failing_since is not None:
            failing = self._clock.monotonic() - self._failing_since
            if failing >= self._alarm_after:
                reasons.append(f"database writes failing for {failing:.0f} s ({self._last_error})")
        pending = len(self._queue) + len(self._in_flight)
        if pending >= self._max_pending * ALARM_PENDING_SHARE:
            reasons.append(f"{pending} records pending (limit {self._max_pending})")
        if self._overflow is not None and len(self._overflow):
            reasons.append(f"{len(self._overflow)} records spilled to disk")
        return "; ".join(reasons)

    def _update_alarm(self) -> str:
        reason = self._alarm_reasons()
        if reason and not self._alarm_on:
            log.error("database writer alarm: %s", reason)
        elif not reason and self._alarm_on:
            log.info("database writer alarm cleared: records are being stored again")
        self._alarm_on = bool(reason)
        return reason

    # -- the writing task ----------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            await self._work.wait()
            await self._wait_for(self._batch_ready, self._flush_interval)
            self._work.clear()
            self._batch_ready.clear()
            try:
                await self._drain()
            except Exception:  # the task must outlive any surprise; records stay pending
                log.exception("database writer failed unexpectedly; retrying")
                self._work.set()
                await self._clock.sleep(self._retry_max)

    async def _wait_for(self, event: asyncio.Event, seconds: float) -> None:
        """Until ``event`` is set or ``seconds`` of clock time have passed."""
        if event.is_set():
            return
        waiter = asyncio.ensure_future(event.wait())
        sleeper = asyncio.ensure_future(self._clock.sleep(seconds))
        try:
            await asyncio.wait({waiter, sleeper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
            sleeper.cancel()
            await asyncio.gather(waiter, sleeper, return_exceptions=True)

    async def _drain(self) -> None:
        backoff = self._retry_initial
        while True:
            await self._read_back()
            batch = self._queue.take(self._batch_size)
            if not batch:
                return
            if await self._store(batch):
                backoff = self._retry_initial
                continue
            self._retry_now.clear()
            await self._wait_for(self._retry_now, backoff)
            backoff = min(backoff * 2, self._retry_max)

    async def _store(self, batch: list[Entry]) -> bool:
        """Write the batch; False (and the batch back in the queue) if the database is away.

        Cancelled mid-write (``stop``), the batch stays in ``_in_flight`` to be spilled."""
        self._in_flight = batch
        error = await self._write(batch)
        if error is None:
            stored = True
            self._stored(batch)
        elif is_row_problem(error):
            stored = await self._store_one_by_one(batch)
        else:
            stored = False
            self._failed(error, batch)
        self._in_flight = []
        return stored

    async def _store_one_by_one(self, batch: list[Entry]) -> bool:
        for index, entry in enumerate(batch):
            error = await self._write([entry])
            if error is None:
                self._stored([entry])
            elif is_row_problem(error):
                self._dead_letter(entry, error)
            else:
                self._failed(error, batch[index:])
                return False
        return True

    async def _write(self, entries: list[Entry]) -> Exception | None:
        try:
            async with self._engine.begin() as conn:
                await write_batch(conn, [entry.item for entry in entries])
        except Exception as error:
            return error
        return None

    def _stored(self, entries: list[Entry]) -> None:
        self._queue.settle(entries)
        self._written_total += len(entries)
        if self._failing_since is not None:
            log.info("database writes succeed again")
        self._failing_since = None
        self._notify_progress()
        if self._alarm_on:
            self._update_alarm()

    def _failed(self, error: Exception, unwritten: list[Entry]) -> None:
        self._queue.put_back(unwritten)
        self._last_error = _describe(error)
        if self._failing_since is None:
            self._failing_since = self._clock.monotonic()
            log.warning("database write failed, retrying: %s", self._last_error)
        self._update_alarm()

    def _dead_letter(self, entry: Entry, error: Exception) -> None:
        self._queue.settle([entry])
        letter = DeadLetter(key=repr(entry.key), error=_describe(error), record=entry.item)
        self._dead.append(letter)
        log.error("database refused record %s: %s", letter.key, letter.error)
        self._notify_progress()

    async def _read_back(self) -> None:
        """Move spilled records back into the queue, in order, while there is room."""
        chunk = min(self._batch_size, self._max_pending)
        overflow = self._overflow
        if overflow is None or not len(overflow) or len(self._queue) + chunk > self._max_pending:
            return
        now = self._clock.monotonic()
        for seq, item in await overflow.read_back(chunk):
            self._queue.offer(item, seq, now)
        self._notify_progress()
