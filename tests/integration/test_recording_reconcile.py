"""Reconcile: a stored recording altered after storing is found by its SHA-256 and, on
repair, marked failed (never deleted); calls recorded without a row, rows without a file
and files without a row are reported, and repair adds the missing rows."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from recordings.models import RecordingRow
from recordings.reconcile import reconcile
from tests.integration.db_kit import migrated_engine
from tests.integration.recordings_kit import (
    PipelineRig,
    add_stored,
    pipeline_rig,
    recorded_call,
    tone_wav,
)
from tickets.store import write_batch
from web.cli import main

KEY = "2026/11/23/12345/c1.opus"


async def _store_a_real_recording(rig: PipelineRig, tmp_path: Path) -> RecordingRow:
    wav = tone_wav(tmp_path / "monitor" / "c1.wav", 2.0)
    await rig.pipeline.add(recorded_call("c1", wav))
    return await rig.until_state("c1", "stored")


async def test_a_stored_recording_altered_afterwards_is_found_and_marked_failed_on_repair(
    database_url: str, tmp_path: Path
) -> None:
    async with pipeline_rig(database_url, tmp_path) as rig:
        row = await _store_a_real_recording(rig, tmp_path)
        clean = await reconcile(rig.sessions, rig.storage)
        stored = tmp_path / "stored" / KEY
        with stored.open("ab") as stream:  # tampering: one byte more
            stream.write(b"\0")
        found = await reconcile(rig.sessions, rig.storage)
        repaired = await reconcile(rig.sessions, rig.storage, repair=True)
        after = await rig.row("pbx1", "c1")
        last = await reconcile(rig.sessions, rig.storage)
    assert clean.findings == []
    assert clean.summary()["rows_checked"] == 1
    (finding,) = found.findings
    assert (finding.kind, finding.recording_id, finding.storage_key) == (
        "checksum_mismatch",
        row.id,
        KEY,
    )
    assert finding.repaired is False
    assert [f.repaired for f in repaired.findings] == [True]
    assert (after.state, after.error) == ("failed", "checksum mismatch")
    assert stored.is_file()  # kept as evidence
    assert last.findings == []  # a failed row is no longer checked, its file still named


async def test_calls_rows_and_files_that_do_not_match_are_reported_and_missing_rows_added(
    database_url: str, tmp_path: Path
) -> None:
    async with pipeline_rig(database_url, tmp_path, start=False) as rig:
        async with migrated_engine(database_url) as engine, engine.begin() as conn:
            await write_batch(conn, [recorded_call("no-row", tmp_path / "no-row.wav")])
        lost = await add_stored(rig.sessions, rig.storage, "c-lost")
        await add_stored(rig.sessions, rig.storage, "c-fine")
        await asyncio.to_thread((tmp_path / "stored" / f"{lost.storage_key}").unlink)
        stray = tmp_path / "stray.opus"
        stray.write_bytes(b"OggS nobody's")
        rig.storage.put("2026/11/22/12345/stray.opus", stray)
        report = await reconcile(rig.sessions, rig.storage, repair=True)
        added = await rig.row("pbx1", "no-row")
        async with rig.sessions() as session:
            states = dict(
                (await session.execute(select(RecordingRow.call_id, RecordingRow.state))).all()
            )
    found = {(f.kind, f.call_id or f.storage_key, f.repaired) for f in report.findings}
    assert found == {
        ("call_without_row", "no-row", True),
        ("row_without_file", "c-lost", False),  # its WAV is gone too: nothing to convert
        ("file_without_row", "2026/11/22/12345/stray.opus", False),
    }
    assert report.summary() == {
        "rows_checked": 2,
        "files_checked": 2,
        "call_without_row": 1,
        "row_without_file": 1,
        "file_without_row": 1,
        "checksum_mismatch": 0,
        "repaired": 1,
    }
    assert (added.state, added.source_path) == ("pending", str(tmp_path / "no-row.wav"))
    assert states == {"c-lost": "stored", "c-fine": "stored", "no-row": "pending"}
    assert (tmp_path / "stored" / "2026/11/22/12345/stray.opus").is_file()


async def test_a_stored_file_lost_while_its_wav_remains_is_converted_again_on_repair(
    database_url: str, tmp_path: Path
) -> None:
    async with pipeline_rig(database_url, tmp_path, delete_wav=False) as rig:
        await _store_a_real_recording(rig, tmp_path)
        await asyncio.to_thread((tmp_path / "stored" / KEY).unlink)
        report = await reconcile(rig.sessions, rig.storage, repair=True)
        row = await rig.until_state("c1", "stored")
    assert [(f.kind, f.repaired) for f in report.findings] == [("row_without_file", True)]
    assert (tmp_path / "stored" / KEY).is_file()
    assert row.sha256 is not None


def test_the_reconcile_command_prints_json_lines_and_a_summary(
    tmp_path: Path,
    sqlite_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def prepare() -> None:
        async with pipeline_rig(sqlite_url, tmp_path / "recordings", start=False) as rig:
            await add_stored(rig.sessions, rig.storage, "c-fine")
            await add_stored(rig.sessions, rig.storage, "c-bad", sha256="0" * 64)

    asyncio.run(prepare())
    monkeypatch.setenv("HOTLINE_AMI", "ami://u:p@127.0.0.1:5038?mode=observe")
    monkeypatch.setenv("HOTLINE_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("HOTLINE_RECORDINGS_DIR", str(tmp_path / "recordings"))
    assert main(["recordings", "reconcile"]) == 1
    finding, summary = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert (finding["kind"], finding["call_id"], finding["repaired"]) == (
        "checksum_mismatch",
        "c-bad",
        False,
    )
    assert summary["summary"]["checksum_mismatch"] == 1
    assert summary["summary"]["rows_checked"] == 2
