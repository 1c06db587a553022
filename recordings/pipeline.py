"""The recordings pipeline: a call that ended with a MixMonitor WAV becomes a ``pending``
row, then a converted, verified, stored file, and its WAV is removed.

Routing never waits on it: ``enqueue`` only spawns the row's insert. A worker loop takes
pending rows oldest first, at most ``workers`` at a time, and converts them in a process
pool (ffmpeg never runs on the event loop). A periodic sweep adds the rows of ended,
recorded calls that have none (an insert that failed, a restart). A row being converted is
claimed by its instance: at start an instance takes back the rows its predecessor (same
``instance`` name) left ``converting``, and the sweep takes back any claim older than
``stale_claim_seconds`` (an instance that died); a live instance's work is left alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import socket
import time
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, Executor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, exists, func, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from recordings.convert import Converted, convert_recording
from recordings.models import RECORDING_STATES, RecordingRow
from recordings.retention import RetentionRules
from recordings.storage import Storage, recording_key
from telephony.clock import Clock
from tickets.models import CallRow
from tickets.records import CallRecord

log = logging.getLogger(__name__)


class StoredFileMismatch(Exception):
    """The stored copy is not the file that was converted."""


@dataclass(frozen=True, slots=True)
class PipelineSettings:
    format: str = "opus"
    workers: int = 1
    delete_wav: bool = True
    retention: RetentionRules = field(default_factory=RetentionRules)
    work_dir: Path = Path("/var/spool/hotline/converting")  # converted files before storing
    timezone: str = "Asia/Shanghai"  # the date in a storage key is the local one
    max_attempts: int = 5
    retry_seconds: float = 30.0  # wait after the first failure, doubled after each next one
    # a WAV written to this recently (real seconds) may still be open in Asterisk
    settle_seconds: float = 2.0
    poll_seconds: float = 5.0
    sweep_seconds: float = 60.0
    instance: str = field(default_factory=socket.gethostname)  # the claims' owner
    stale_claim_seconds: float = 900.0  # longer than any conversion takes

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True, slots=True)
class Job:
    recording_id: int
    wav: Path
    key: str
    line: str
    kind: str
    started_at: datetime


class RecordingPipeline:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        storage: Storage,
        settings: PipelineSettings,
        clock: Clock,
        executor: Executor,
    ) -> None:
        self.sessions = sessions
        self.storage = storage
        self.settings = settings
        self.clock = clock
        self.executor = executor
        # builds a new pool when a worker process died (the old pool refuses all work then)
        self.new_executor: Callable[[], Executor] | None = None
        self.last_backlog: dict[str, int] = dict.fromkeys(RECORDING_STATES, 0)
        self._running: dict[int, asyncio.Task[None]] = {}
        self._not_before: dict[int, float] = {}  # recording id -> clock.monotonic()
        self._inserts: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._loop: asyncio.Task[None] | None = None

    # -- adding recordings ------------------------------------------------------------

    def enqueue(self, record: CallRecord) -> None:
        """A call changed: if it ended with a recording, add its row in the background."""
        if record.ended_at is None or not record.recording_path:
            return
        task = asyncio.get_running_loop().create_task(self._insert_logged(record))
        self._inserts.add(task)
        task.add_done_callback(self._inserts.discard)

    async def _insert_logged(self, record: CallRecord) -> None:
        try:
            await self.add(record)
        except Exception as exc:  # the sweep finds the call again
            log.error("could not add the recording of %s/%s: %s", *record.key, exc)

    async def add(self, record: CallRecord) -> bool:
        """Add the ``pending`` row of a recorded call; False if it has one already."""
        assert record.recording_path is not None
        source = Source(
            record.server,
            record.call_id,
            record.line,
            kind_of(record.direction),
            record.queued_at,
            record.recording_path,
        )
        added = await add_pending(self.sessions, source)
        if added:
            self._wake.set()
        return added

    async def sweep(self, limit: int = 500) -> int:
        """Add the rows of ended, recorded calls that have none; how many were added."""
        async with self.sessions() as session:
            calls = await calls_without_recording(session, limit)
        added = 0
        for call in calls:
            added += await add_pending(self.sessions, source_of_call(call))
        if added:
            self._wake.set()
        return added

    async def backlog(self) -> dict[str, int]:
        """How many recordings are in each state (the wallboard, the health check)."""
        async with self.sessions() as session:
            result = await session.execute(
                select(RecordingRow.state, func.count()).group_by(RecordingRow.state)
            )
            counts = dict.fromkeys(RECORDING_STATES, 0)
            counts.update({state: int(count) for state, count in result.all()})
        self.last_backlog = counts
        return counts

    # -- the worker loop --------------------------------------------------------------

    async def start(self) -> None:
        """Rows this instance's predecessor left ``converting`` go back to ``pending``; then
        work starts."""
        resumed = await self.release_claims(
            (RecordingRow.claimed_by == self.settings.instance) | RecordingRow.claimed_by.is_(None)
        )
        if resumed:
            log.warning("%d recording(s) were converting when the service stopped: again", resumed)
        self._loop = asyncio.get_running_loop().create_task(self._work(), name="recordings")

    async def release_stale_claims(self) -> int:
        """Claims older than ``stale_claim_seconds``: their instance died; convert again."""
        limit = self.clock.now() - timedelta(seconds=self.settings.stale_claim_seconds)
        released = await self.release_claims(RecordingRow.claimed_at < limit)
        if released:
            log.warning("%d recording(s) claimed by an instance that stopped: again", released)
        return released

    async def release_claims(self, which: ColumnElement[bool]) -> int:
        async with self.sessions() as session, session.begin():
            result = await session.execute(
                update(RecordingRow)
                .where(RecordingRow.state == "converting", which)
                .where(RecordingRow.id.not_in(self._running) if self._running else true())
                .values(state="pending", claimed_by=None, claimed_at=None)
                .execution_options(synchronize_session=False)
            )
        return int(getattr(result, "rowcount", 0) or 0)

    async def stop(self) -> None:
        """Stop taking work; conversions under way are abandoned (``converting`` → pending
        at the next start)."""
        tasks = [t for t in (self._loop, *self._running.values(), *self._inserts) if t]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._loop = None

    async def _work(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self._take_work()
            except Exception as exc:
                log.error("recordings pipeline could not take work: %s", exc)
            await self._wait(self.settings.poll_seconds)

    async def _wait(self, seconds: float) -> None:
        sleep = asyncio.ensure_future(self.clock.sleep(seconds))
        wake = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({sleep, wake}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in (sleep, wake):
                waiter.cancel()

    async def _take_work(self) -> None:
        while len(self._running) < self.settings.workers:
            job = await self._claim()
            if job is None:
                return
            task = asyncio.get_running_loop().create_task(self._process(job))
            self._running[job.recording_id] = task

    async def _claim(self) -> Job | None:
        now = self.clock.monotonic()
        skipped = set(self._running) | {i for i, at in self._not_before.items() if at > now}
        async with self.sessions() as session, session.begin():
            query = select(RecordingRow).where(RecordingRow.state == "pending")
            if skipped:
                query = query.where(RecordingRow.id.not_in(skipped))
            row = await session.scalar(query.order_by(RecordingRow.id).limit(1))
            if row is None:
                return None
            claimed = await session.execute(
                update(RecordingRow)
                .where(RecordingRow.id == row.id, RecordingRow.state == "pending")
                .values(
                    state="converting",
                    claimed_by=self.settings.instance,
                    claimed_at=self.clock.now(),
                )
                .execution_options(synchronize_session=False)
            )
            if getattr(claimed, "rowcount", 0) != 1:
                return None  # another instance took it
        key = recording_key(
            row.started_at, self.settings.zone, row.line, row.call_id, self.settings.format
        )
        return Job(row.id, Path(row.source_path), key, row.line, row.kind, row.started_at)

    async def _process(self, job: Job) -> None:
        try:
            if not await asyncio.to_thread(job.wav.exists):
                await self._retry_or_give_up(job, "WAV not found", "missing")
            elif await asyncio.to_thread(self._still_written, job.wav):
                await self._set_state(job.recording_id, "pending")
                self._defer(job.recording_id, self.settings.settle_seconds)
            else:
                converted = await self._convert(job)
                await self._store(job, converted)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("recording %s (%s): %s", job.recording_id, job.wav, exc)
            await self._retry_or_give_up(job, str(exc) or type(exc).__name__, "failed")
        finally:
            self._running.pop(job.recording_id, None)
            self._wake.set()

    def _still_written(self, wav: Path) -> bool:
        return time.time() - wav.stat().st_mtime < self.settings.settle_seconds

    async def _convert(self, job: Job) -> Converted:
        # one directory per recording: two servers may name their WAVs alike
        work_dir = self.settings.work_dir / str(job.recording_id)
        await asyncio.to_thread(work_dir.mkdir, parents=True, exist_ok=True)
        convert = functools.partial(convert_recording, job.wav, work_dir, self.settings.format)
        executor = self.executor
        try:
            return await asyncio.get_running_loop().run_in_executor(executor, convert)
        except BrokenExecutor:
            self._replace_broken(executor)
            raise

    def _replace_broken(self, broken: Executor) -> None:
        """A conversion process died (killed, out of memory): later work goes to a new pool;
        the attempt that met the broken one is retried like any failed attempt."""
        if self.new_executor is None or self.executor is not broken:
            return
        log.error("the conversion pool broke (a worker process died); starting a new one")
        broken.shutdown(wait=False, cancel_futures=True)
        self.executor = self.new_executor()

    async def _store(self, job: Job, converted: Converted) -> None:
        try:
            await asyncio.to_thread(self.storage.put, job.key, converted.path)
            stored_size = await asyncio.to_thread(self.storage.size, job.key)
            if stored_size != converted.size:
                raise StoredFileMismatch(f"stored {stored_size} bytes of {converted.size}")
            await self._mark_stored(job, converted)
        finally:
            await asyncio.to_thread(_remove_work_file, converted.path)
        # only now that the stored copy is verified and recorded
        if self.settings.delete_wav:  # shielded: a stop meanwhile must not leave the WAV
            await asyncio.shield(asyncio.to_thread(job.wav.unlink, missing_ok=True))
        self._not_before.pop(job.recording_id, None)
        log.info("recording %s stored as %s", job.recording_id, job.key)

    async def _mark_stored(self, job: Job, converted: Converted) -> None:
        purge_after = self.settings.retention.purge_after(job.line, job.kind, job.started_at)
        values = {
            "state": "stored",
            "claimed_by": None,
            "claimed_at": None,
            "error": "",
            "storage_key": job.key,
            "format": converted.format,
            "size": converted.size,
            "duration_seconds": converted.duration_seconds,
            "sha256": converted.sha256,
            "source_sha256": converted.source_sha256,
            "repaired": converted.repaired,
            "waveform": list(converted.peaks),
            "converted_at": self.clock.now(),
            "purge_after": purge_after,
        }
        async with self.sessions() as session, session.begin():
            await session.execute(
                update(RecordingRow).where(RecordingRow.id == job.recording_id).values(**values)
            )

    async def _retry_or_give_up(self, job: Job, error: str, final_state: str) -> None:
        async with self.sessions() as session, session.begin():
            row = await session.get(RecordingRow, job.recording_id)
            if row is None:
                return
            row.attempts += 1
            row.error = error[:2000]
            row.claimed_by, row.claimed_at = None, None
            row.state = final_state if row.attempts >= self.settings.max_attempts else "pending"
            attempts, state = row.attempts, row.state
        if state == "pending":
            self._defer(job.recording_id, self.settings.retry_seconds * 2 ** (attempts - 1))
        else:
            self._not_before.pop(job.recording_id, None)
            log.error(
                "recording %s is %s after %d attempts: %s", job.recording_id, state, attempts, error
            )

    async def _set_state(self, recording_id: int, state: str) -> None:
        async with self.sessions() as session, session.begin():
            await session.execute(
                update(RecordingRow)
                .where(RecordingRow.id == recording_id)
                .values(state=state, claimed_by=None, claimed_at=None)
            )

    def _defer(self, recording_id: int, seconds: float) -> None:
        self._not_before[recording_id] = self.clock.monotonic() + seconds


def _remove_work_file(path: Path) -> None:
    path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        path.parent.rmdir()


@dataclass(frozen=True, slots=True)
class Source:
    """A recorded call, as its recording row starts."""

    server: str
    call_id: str
    line: str
    kind: str
    started_at: datetime
    path: str


def kind_of(direction: str) -> str:
    return "callback" if direction == "callback" else "call"


def source_of_call(call: CallRow) -> Source:
    path = call.recording_path or ""
    kind = kind_of(call.direction)
    return Source(call.server, call.call_id, call.line, kind, call.queued_at, path)


async def calls_without_recording(session: AsyncSession, limit: int = 500) -> list[CallRow]:
    """Ended calls with a recording and no recording row, oldest first."""
    rows = await session.scalars(
        select(CallRow)
        .where(
            CallRow.recording_path.is_not(None),
            CallRow.ended_at.is_not(None),
            ~exists().where(
                RecordingRow.server == CallRow.server, RecordingRow.call_id == CallRow.call_id
            ),
        )
        .order_by(CallRow.id)
        .limit(limit)
    )
    return list(rows)


async def add_pending(sessions: async_sessionmaker[AsyncSession], source: Source) -> bool:
    """Add the ``pending`` row of ``source``; False if the call has a row already."""
    try:
        async with sessions() as session, session.begin():
            known = await session.scalar(
                select(RecordingRow.id).where(
                    RecordingRow.server == source.server, RecordingRow.call_id == source.call_id
                )
            )
            if known is not None:
                return False
            row = RecordingRow(server=source.server, call_id=source.call_id, line=source.line)
            row.kind, row.started_at, row.source_path = source.kind, source.started_at, source.path
            row.state, row.attempts, row.error = "pending", 0, ""
            session.add(row)
    except IntegrityError:
        return False  # another instance added it meanwhile
    return True
