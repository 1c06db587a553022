"""Helpers of the recordings tests: WAVs as MixMonitor leaves them, a pipeline on a migrated
database with a real process pool, and waiting for a recording's state. No tests here."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import math
import struct
import subprocess
import time
import wave
from collections.abc import AsyncIterator
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import imageio_ffmpeg
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from recordings.models import RecordingRow
from recordings.pipeline import PipelineSettings, RecordingPipeline
from recordings.storage import LocalStorage
from telephony.clock import SystemClock
from tests.integration.db_kit import T0, at, call, migrated_engine
from tickets.db import session_factory
from tickets.records import CallRecord
from web.recordings_root import conversion_pool

RATE = 8000


def tone_wav(path: Path, seconds: float) -> Path:
    """``seconds`` of a 400 Hz tone at half scale, 8 kHz 16-bit mono, as MixMonitor writes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = int(seconds * RATE)
    samples = [int(16383 * math.sin(2 * math.pi * 400 * n / RATE)) for n in range(count)]
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(struct.pack(f"<{count}h", *samples))
    return path


def zero_header_sizes(path: Path) -> None:
    """What a crash of Asterisk leaves: RIFF and data sizes never written (a 44-byte header)."""
    with path.open("r+b") as stream:
        stream.seek(4)
        stream.write(b"\0\0\0\0")
        stream.seek(40)
        stream.write(b"\0\0\0\0")


def decoded_seconds(path: Path) -> float:
    """Decode with a bare ffmpeg to 8 kHz mono PCM and count the samples."""
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path)]
    pcm = subprocess.run(
        [*command, "-f", "s16le", "-ac", "1", "-ar", str(RATE), "-"],
        capture_output=True,
        check=True,
    ).stdout
    return len(pcm) / 2 / RATE


def recorded_call(call_id: str, wav: Path, **changes: Any) -> CallRecord:
    """Call ``call_id`` of pbx1 on 12345, queued at T0, ended with ``wav`` recorded."""
    values: dict[str, Any] = {
        "answered_at": at(5),
        "ended_at": at(65),
        "outcome": "answered",
        "recording_path": str(wav),
    }
    values.update(changes)
    return call(call_id, **values)


@dataclass
class PipelineRig:
    pipeline: RecordingPipeline
    sessions: async_sessionmaker[AsyncSession]
    storage: LocalStorage
    settings: PipelineSettings

    async def row(self, server: str, call_id: str) -> RecordingRow:
        async with self.sessions() as session:
            row = await session.scalar(
                select(RecordingRow).where(
                    RecordingRow.server == server, RecordingRow.call_id == call_id
                )
            )
        assert row is not None, f"no recording row for {server}/{call_id}"
        return row

    async def until_state(
        self, call_id: str, state: str, within: float = 60.0, server: str = "pbx1"
    ) -> RecordingRow:
        """Wait (real seconds) until the recording of ``call_id`` is in ``state``."""
        deadline = time.monotonic() + within
        while True:
            row = await self.row(server, call_id)
            if row.state == state:
                return row
            if time.monotonic() > deadline:
                pytest.fail(f"{call_id} is {row.state} ({row.error}), not {state}")
            await SystemClock().sleep(0.05)


async def until_gone(path: Path, within: float = 10.0) -> None:
    """The pipeline removes a WAV just after it records the stored copy: wait for it."""
    deadline = time.monotonic() + within
    while await asyncio.to_thread(path.exists):
        if time.monotonic() > deadline:
            pytest.fail(f"{path} is still there")
        await asyncio.sleep(0.05)


def quick_settings(tmp_path: Path, **changes: Any) -> PipelineSettings:
    values: dict[str, Any] = {
        "work_dir": tmp_path / "converting",
        "settle_seconds": 0.0,
        "retry_seconds": 0.05,
        "poll_seconds": 0.2,
    }
    values.update(changes)
    return PipelineSettings(**values)


@contextlib.asynccontextmanager
async def pipeline_rig(
    database_url: str,
    tmp_path: Path,
    *,
    executor: Executor | None = None,
    start: bool = True,
    **changes: Any,
) -> AsyncIterator[PipelineRig]:
    """A started pipeline on a migrated database, storing under ``tmp_path / "stored"``."""
    own_pool = executor is None
    pool = executor or conversion_pool(1)
    settings = quick_settings(tmp_path, **changes)
    try:
        async with migrated_engine(database_url) as engine:
            sessions = session_factory(engine)
            storage = LocalStorage(tmp_path / "stored")
            pipeline = RecordingPipeline(sessions, storage, settings, SystemClock(), pool)
            if start:
                await pipeline.start()
            try:
                yield PipelineRig(pipeline, sessions, storage, settings)
            finally:
                await pipeline.stop()
    finally:
        if own_pool:
            pool.shutdown(wait=True, cancel_futures=True)


async def add_stored(
    sessions: async_sessionmaker[AsyncSession],
    storage: LocalStorage,
    call_id: str,
    *,
    content: bytes = b"OggS stored recording",
    **changes: Any,
) -> RecordingRow:
    """A stored recording of call ``call_id`` (pbx1, 12345, queued at T0), its file in
    ``storage``; kept 180 days unless ``changes`` say otherwise."""
    key = f"2026/11/23/12345/{call_id}.opus"
    source = storage.root.parent / "put" / f"{call_id}.opus"
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_bytes(content)
    storage.put(key, source)
    values: dict[str, Any] = {
        "server": "pbx1",
        "call_id": call_id,
        "line": "12345",
        "kind": "call",
        "started_at": T0,
        "source_path": f"/var/spool/asterisk/monitor/{call_id}.wav",
        "state": "stored",
        "storage_key": key,
        "format": "opus",
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "purge_after": T0 + timedelta(days=180),
    }
    values.update(changes)
    async with sessions() as session, session.begin():
        row = RecordingRow(**values)
        session.add(row)
    return row
