"""Checking that the recordings the database names and the files the storage holds agree.

Recordings are evidence: checks of callback recordings come without notice, and a
falsified record costs the operator money. ``reconcile`` finds calls recorded without
a recording row, stored rows whose file is gone, stored files no row names, and stored
files whose SHA-256 is not the one recorded when they were stored (altered). With
``repair`` it adds the missing rows, converts again what lost its stored file while
its WAV is still there, and marks altered recordings ``failed``; it never deletes.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from recordings.models import RecordingRow
from recordings.pipeline import add_pending, calls_without_recording, source_of_call
from recordings.storage import Storage

CHECKSUM_MISMATCH = "checksum mismatch"
STORED_FILE_MISSING = "stored file missing"
# the kinds of finding, for the summary
CALL_WITHOUT_ROW = "call_without_row"
ROW_WITHOUT_FILE = "row_without_file"
FILE_WITHOUT_ROW = "file_without_row"
TAMPERED = "checksum_mismatch"
KINDS = (CALL_WITHOUT_ROW, ROW_WITHOUT_FILE, FILE_WITHOUT_ROW, TAMPERED)


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str
    server: str | None = None
    call_id: str | None = None
    recording_id: int | None = None
    storage_key: str | None = None
    detail: str = ""
    repaired: bool = False

    def as_json(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value is not None}


@dataclass(slots=True)
class Report:
    findings: list[Finding] = field(default_factory=list)
    rows_checked: int = 0
    files_checked: int = 0

    def summary(self) -> dict[str, Any]:
        counts = Counter(finding.kind for finding in self.findings)
        return {
            "rows_checked": self.rows_checked,
            "files_checked": self.files_checked,
            **{kind: counts.get(kind, 0) for kind in KINDS},
            "repaired": sum(1 for finding in self.findings if finding.repaired),
        }


async def reconcile(
    sessions: async_sessionmaker[AsyncSession], storage: Storage, *, repair: bool = False
) -> Report:
    report = Report()
    await _calls_without_rows(sessions, report, repair)
    known_keys = await _stored_rows(sessions, storage, report, repair)
    for key in await asyncio.to_thread(lambda: list(storage.keys())):
        report.files_checked += 1
        if key not in known_keys:
            report.findings.append(Finding(FILE_WITHOUT_ROW, storage_key=key))
    return report


async def _calls_without_rows(
    sessions: async_sessionmaker[AsyncSession], report: Report, repair: bool
) -> None:
    async with sessions() as session:
        calls = await calls_without_recording(session, limit=1_000_000)
    for call in calls:
        added = repair and await add_pending(sessions, source_of_call(call))
        detail = call.recording_path or ""
        report.findings.append(
            Finding(CALL_WITHOUT_ROW, call.server, call.call_id, detail=detail, repaired=added)
        )


async def _stored_rows(
    sessions: async_sessionmaker[AsyncSession], storage: Storage, report: Report, repair: bool
) -> set[str]:
    """Check every row that names a stored file; the keys rows name (purged ones too)."""
    async with sessions() as session:
        rows = list(await session.scalars(select(RecordingRow).order_by(RecordingRow.id)))
    known = {row.storage_key for row in rows if row.storage_key is not None}
    for row in rows:
        if row.state != "stored" or row.storage_key is None:
            continue
        report.rows_checked += 1
        finding = await _check_row(storage, row)
        if finding is None:
            continue
        if repair:
            finding = await _repair(sessions, row, finding)
        report.findings.append(finding)
    return known


async def _check_row(storage: Storage, row: RecordingRow) -> Finding | None:
    key = row.storage_key or ""
    found = Finding("", row.server, row.call_id, row.id, key)
    if not await asyncio.to_thread(storage.exists, key):
        return _with(found, ROW_WITHOUT_FILE, STORED_FILE_MISSING)
    digest = await asyncio.to_thread(_sha256_of, storage, key)
    if digest != row.sha256:
        return _with(found, TAMPERED, f"stored file {digest}, recorded {row.sha256}")
    return None


def _with(finding: Finding, kind: str, detail: str, repaired: bool = False) -> Finding:
    return Finding(
        kind,
        finding.server,
        finding.call_id,
        finding.recording_id,
        finding.storage_key,
        detail,
        repaired,
    )


def _sha256_of(storage: Storage, key: str) -> str:
    digest = hashlib.sha256()
    with storage.open(key) as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


async def _repair(
    sessions: async_sessionmaker[AsyncSession], row: RecordingRow, finding: Finding
) -> Finding:
    values: dict[str, Any]
    if finding.kind == TAMPERED:
        values = {"state": "failed", "error": CHECKSUM_MISMATCH}
    elif await asyncio.to_thread(Path(row.source_path).exists):
        values = {"state": "pending", "attempts": 0, "error": STORED_FILE_MISSING}
    else:
        return finding  # nothing left to convert again: reported only
    async with sessions() as session, session.begin():
        await session.execute(
            update(RecordingRow)
            .where(RecordingRow.id == row.id, RecordingRow.state == "stored")
            .values(**values)
        )
    return _with(finding, finding.kind, finding.detail, repaired=True)
