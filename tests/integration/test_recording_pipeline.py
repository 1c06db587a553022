"""The recordings pipeline: a call that ends with a WAV is converted, verified and stored, its
WAV removed; a crash mid-conversion, a WAV whose header a crash left unwritten, a WAV that
does not convert or does not exist; the sweep that finds calls without a recording row."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import hashlib
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from recordings.models import RecordingRow
from recordings.queries import recording_of_call
from tests.integration.acd_kit import Wallboard, acd_service, desk, until_ended
from tests.integration.db_kit import T0, at, migrated_engine
from tests.integration.recordings_kit import (
    decoded_seconds,
    pipeline_rig,
    recorded_call,
    tone_wav,
    until_gone,
    zero_header_sizes,
)
from tests.integration.service_kit import ClientFactory, Service, script, valid_wav_seconds
from tickets.store import write_batch
from web.keys import SESSIONS
from web.recording_settings import RecordingSettings
from web.recordings_root import STORAGE, conversion_pool

CALLER = "13800000091"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def _stored_row(service: Service, call_id: str, within: float = 60.0) -> RecordingRow:
    """Wait (real seconds) until the recording of ``call_id`` is stored."""
    deadline = time.monotonic() + within
    while True:
        async with service.app[SESSIONS]() as session:
            row = await recording_of_call(session, "pbx1", call_id)
        if row is not None and row.state == "stored":
            return row
        if time.monotonic() > deadline:
            pytest.fail(f"recording of {call_id}: {row and (row.state, row.error)}")
        await asyncio.sleep(0.1)


def _published_stored(board: Wallboard) -> int | None:
    """Stored recordings in the last backlog the wallboard was sent."""
    backlogs = [e["backlog"] for e in board.events if e.get("type") == "recordings"]
    return backlogs[-1]["stored"] if backlogs else None


async def test_an_answered_call_is_stored_as_opus_of_its_length_and_its_wav_removed(
    aiohttp_client: ClientFactory, tmp_path: Path, database_url: str
) -> None:
    desks = (desk("8001", "1001"),)
    async with (
        acd_service(
            aiohttp_client, tmp_path, database_url, desks, recordings=RecordingSettings()
        ) as svc,
        Wallboard(svc) as board,
    ):
        await svc.sim.place_call("12345", CALLER, "", script(talk=10, hangs_up_first=True))
        ended = await until_ended(svc, CALLER)
        await svc.sim.recordings_flushed()
        assert ended.recording_path is not None
        # read before the pipeline takes it (it waits until the file is 2 s old)
        wav_seconds = valid_wav_seconds(Path(ended.recording_path))
        wav_sha256 = sha256(Path(ended.recording_path))
        row = await _stored_row(svc, ended.call_id)
        await until_gone(Path(ended.recording_path))
        stored = svc.app[STORAGE].local_path(row.storage_key or "")
        await svc.until(lambda: _published_stored(board) == 1, 30, "the backlog on the hub")
        health = await svc.get("/api/health")
    assert wav_seconds > 10.0  # from before the queue to the hang-up, 10 s of talk in it
    assert stored is not None
    assert stored.is_file()
    local = ended.queued_at + timedelta(hours=8)
    assert row.storage_key == f"{local:%Y/%m/%d}/12345/{ended.call_id}.opus"
    assert stored == tmp_path / "recordings" / "stored" / row.storage_key
    assert (row.kind, row.line, row.format, row.attempts, row.error) == (
        "call",
        "12345",
        "opus",
        0,
        "",
    )
    assert row.size == stored.stat().st_size
    assert row.sha256 == sha256(stored)
    assert row.duration_seconds == pytest.approx(wav_seconds, abs=0.05)
    assert decoded_seconds(stored) == pytest.approx(row.duration_seconds, abs=0.1)
    assert row.source_sha256 == wav_sha256
    assert row.repaired is False
    assert row.waveform is not None
    assert 0 < len(row.waveform) <= 600
    assert row.purge_after == ended.queued_at + timedelta(days=180)
    assert (health["recordings"]["stored"], health["recordings"]["pending"]) == (1, 0)


async def test_a_zeroed_wav_header_is_repaired_and_stored_with_its_full_length(
    database_url: str, tmp_path: Path
) -> None:
    wav = tone_wav(tmp_path / "monitor" / "1795474587.0.wav", 3.0)
    zero_header_sizes(wav)
    async with pipeline_rig(database_url, tmp_path) as rig:
        assert await rig.pipeline.add(recorded_call("1795474587.0", wav))
        row = await rig.until_state("1795474587.0", "stored")
        await until_gone(wav)
    stored = tmp_path / "stored" / "2026/11/23/12345/1795474587.0.opus"
    assert row.repaired is True
    assert row.duration_seconds == pytest.approx(3.0, abs=0.1)
    assert decoded_seconds(stored) == pytest.approx(3.0, abs=0.1)


async def test_a_pipeline_stopped_while_converting_resumes_after_restart(
    database_url: str, tmp_path: Path
) -> None:
    wav = tone_wav(tmp_path / "monitor" / "c1.wav", 2.0)
    released = threading.Event()
    blocked = ThreadPoolExecutor(max_workers=1)
    blocked.submit(released.wait, 30)  # the only worker is busy: the conversion waits behind
    try:
        async with pipeline_rig(database_url, tmp_path, executor=blocked) as rig:
            await rig.pipeline.add(recorded_call("c1", wav))
            await rig.until_state("c1", "converting")
            await rig.pipeline.stop()  # as if the service died here
            assert (await rig.row("pbx1", "c1")).state == "converting"
    finally:
        released.set()
        blocked.shutdown(wait=True, cancel_futures=True)
    async with pipeline_rig(database_url, tmp_path) as rig:
        row = await rig.until_state("c1", "stored")
        await until_gone(wav)
    assert row.attempts == 0
    assert row.duration_seconds == pytest.approx(2.0, abs=0.1)


async def test_another_instance_leaves_a_live_claim_alone_and_takes_back_a_dead_one(
    database_url: str, tmp_path: Path
) -> None:
    wav = tone_wav(tmp_path / "monitor" / "c2.wav", 2.0)
    released = threading.Event()
    blocked = ThreadPoolExecutor(max_workers=1)
    blocked.submit(released.wait, 30)  # instance A's only worker is busy: c2 stays converting
    try:
        async with pipeline_rig(
            database_url, tmp_path, executor=blocked, instance="host-a:8080"
        ) as a:
            await a.pipeline.add(recorded_call("c2", wav))
            claimed = await a.until_state("c2", "converting")
            assert claimed.claimed_by == "host-a:8080"
            async with pipeline_rig(
                database_url, tmp_path, start=False, instance="host-b:8080"
            ) as b:
                await b.pipeline.start()  # B starts: A's live claim is not B's to take back
                assert await b.pipeline.release_stale_claims() == 0
                assert (await b.row("pbx1", "c2")).state == "converting"
                later = dataclasses.replace(b.settings, stale_claim_seconds=0.0)
                b.pipeline.settings = later  # as if A had held it past any conversion
                assert await b.pipeline.release_stale_claims() == 1
                row = await b.until_state("c2", "stored")
    finally:
        released.set()
        blocked.shutdown(wait=True, cancel_futures=True)
    assert (row.attempts, row.claimed_by) == (0, None)


async def test_a_wav_that_does_not_convert_fails_after_the_last_attempt_and_is_kept(
    database_url: str, tmp_path: Path
) -> None:
    wav = tmp_path / "monitor" / "bad.wav"
    wav.parent.mkdir()
    wav.write_bytes(b"this is not a RIFF file at all" * 10)
    async with pipeline_rig(database_url, tmp_path, max_attempts=2) as rig:
        await rig.pipeline.add(recorded_call("bad", wav))
        row = await rig.until_state("bad", "failed")
        backlog = await rig.pipeline.backlog()
    assert row.attempts == 2
    assert row.error != ""
    assert (row.storage_key, row.sha256) == (None, None)
    assert wav.exists()
    assert (backlog["failed"], backlog["stored"], backlog["pending"]) == (1, 0, 0)


async def test_a_wav_that_never_appears_makes_the_recording_missing(
    database_url: str, tmp_path: Path
) -> None:
    async with pipeline_rig(database_url, tmp_path, max_attempts=3) as rig:
        await rig.pipeline.add(recorded_call("gone", tmp_path / "monitor" / "gone.wav"))
        row = await rig.until_state("gone", "missing")
    assert (row.attempts, row.error) == (3, "WAV not found")


async def test_with_delete_wav_off_the_wav_stays_after_storing(
    database_url: str, tmp_path: Path
) -> None:
    wav = tone_wav(tmp_path / "monitor" / "keep.wav", 1.0)
    before = sha256(wav)
    async with pipeline_rig(database_url, tmp_path, delete_wav=False, format="mp3") as rig:
        await rig.pipeline.add(recorded_call("keep", wav, direction="callback"))
        row = await rig.until_state("keep", "stored")
    assert sha256(wav) == before == row.source_sha256
    assert (row.kind, row.format) == ("callback", "mp3")
    assert row.storage_key == "2026/11/23/12345/keep.mp3"
    # callbacks (回访) are kept a year
    assert row.purge_after == T0 + timedelta(days=365)


async def test_adding_a_call_twice_keeps_one_row(database_url: str, tmp_path: Path) -> None:
    wav = tone_wav(tmp_path / "monitor" / "twice.wav", 1.0)
    async with pipeline_rig(database_url, tmp_path, start=False) as rig:
        first = await rig.pipeline.add(recorded_call("twice", wav))
        second = await rig.pipeline.add(recorded_call("twice", wav, ended_at=at(70)))
        async with rig.sessions() as session:
            count = await session.scalar(select(func.count()).select_from(RecordingRow))
    assert (first, second, count) == (True, False, 1)


async def test_the_sweep_adds_rows_for_ended_recorded_calls_that_have_none(
    database_url: str, tmp_path: Path
) -> None:
    calls = [
        recorded_call("ended", tmp_path / "a.wav"),
        recorded_call("live", tmp_path / "b.wav", ended_at=None),
        recorded_call("unrecorded", tmp_path / "c.wav", recording_path=None),
        recorded_call("known", tmp_path / "d.wav"),
    ]
    async with pipeline_rig(database_url, tmp_path, start=False) as rig:
        async with migrated_engine(database_url) as engine, engine.begin() as conn:
            await write_batch(conn, calls)
        await rig.pipeline.add(calls[3])
        added = await rig.pipeline.sweep()
        again = await rig.pipeline.sweep()
        row = await rig.row("pbx1", "ended")
        backlog = await rig.pipeline.backlog()
    assert (added, again) == (1, 0)
    assert (row.state, row.source_path, row.started_at) == ("pending", str(tmp_path / "a.wav"), T0)
    assert backlog["pending"] == 2


async def test_a_dead_conversion_process_is_replaced_and_the_recording_stored(
    database_url: str, tmp_path: Path
) -> None:
    wav = tone_wav(tmp_path / "monitor" / "1795474590.0.wav", 2.0)
    broken = conversion_pool(1)
    # a worker process killed (the kernel's OOM killer, an operator): the pool is broken
    broken.submit(os._exit, 1)
    with contextlib.suppress(Exception):
        broken.submit(abs, 1).result(timeout=30)
    async with pipeline_rig(database_url, tmp_path, executor=broken) as rig:
        rig.pipeline.new_executor = functools.partial(conversion_pool, 1)
        assert await rig.pipeline.add(recorded_call("1795474590.0", wav))
        row = await rig.until_state("1795474590.0", "stored")
        replacement = rig.pipeline.executor
    replacement.shutdown(wait=True)
    assert replacement is not broken
    # one failed attempt on the broken pool, then stored through the new one
    assert (row.attempts, row.duration_seconds) == (1, pytest.approx(2.0, abs=0.1))
