"""The writer's overflow file: records that did not fit in memory, as fsync'd JSON lines.

One line per record: ``{"seq": N, "kind": "call"|"seat_state"|"order"|"agent_session"|
"callback_task"|"audit", "record": {…}}``, datetimes as ``{"t": "<ISO 8601>"}``, an audit
entry's details as ``[[key, value], …]`` (a details object could look like a datetime).
The file is append-only while in use and read back from an offset; the methods of
``SpillFile`` block on disk I/O, so the writer calls them through ``asyncio.to_thread``,
one at a time.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from tickets.files import atomic_file
from tickets.pending import Writable
from tickets.records import (
    AgentSession,
    AuditEntry,
    CallbackTask,
    CallRecord,
    SeatAttempt,
    SeatStateInterval,
    WorkOrderDraft,
)

log = logging.getLogger(__name__)

_KINDS: dict[str, type[Writable]] = {
    "call": CallRecord,
    "seat_state": SeatStateInterval,
    "order": WorkOrderDraft,
    "agent_session": AgentSession,
    "callback_task": CallbackTask,
    "audit": AuditEntry,
}
_KIND_OF = {cls: kind for kind, cls in _KINDS.items()}


def _tag_datetimes(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    raise TypeError(f"cannot spill {value!r}")


def _untag_datetimes(obj: dict[str, Any]) -> Any:
    if obj.keys() == {"t"}:
        return datetime.fromisoformat(obj["t"])
    return obj


def encode(item: Writable, seq: int) -> str:
    """One JSON line (with its newline) for the record."""
    fields = {f.name: getattr(item, f.name) for f in dataclasses.fields(item)}
    if isinstance(item, CallRecord):
        fields["attempts"] = [dataclasses.asdict(attempt) for attempt in item.attempts]
    elif isinstance(item, AuditEntry):
        fields["details"] = list(item.details.items())
    line = {"seq": seq, "kind": _KIND_OF[type(item)], "record": fields}
    return json.dumps(line, default=_tag_datetimes, ensure_ascii=False) + "\n"


def decode(line: str) -> tuple[int, Writable]:
    """(seq, record) of a line; ValueError/KeyError/TypeError for a damaged line."""
    data = json.loads(line, object_hook=_untag_datetimes)
    fields = dict(data["record"])
    cls = _KINDS[data["kind"]]
    if cls is CallRecord:
        fields["attempts"] = tuple(SeatAttempt(**attempt) for attempt in fields["attempts"])
    elif cls is AuditEntry:
        fields["details"] = {str(key): str(value) for key, value in fields["details"]}
    return int(data["seq"]), cls(**fields)


class SpillFile:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0  # bytes already read back

    def exists(self) -> bool:
        return self.path.exists()

    def append(self, lines: Iterable[str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("ab") as file:
            file.write("".join(lines).encode())
            file.flush()
            os.fsync(file.fileno())

    def read(self, max_lines: int) -> list[str]:
        """The next whole lines after ``offset``; advances it."""
        lines: list[str] = []
        with self.path.open("rb") as file:
            file.seek(self.offset)
            while len(lines) < max_lines:
                raw = file.readline()
                if not raw.endswith(b"\n"):
                    break  # end of file (a line cut short by a crash is dropped at start)
                self.offset += len(raw)
                lines.append(raw.decode())
        return lines

    def unread(self) -> bool:
        return self.path.exists() and self.path.stat().st_size > self.offset

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)
        self.offset = 0

    def prepare(self) -> tuple[int, int, int]:
        """Check a file left by an earlier run, dropping damaged lines:
        (line count, lowest seq, highest seq); the seqs are 0 for an empty file."""
        good: list[str] = []
        seqs: list[int] = []
        damaged = 0
        with self.path.open("rb") as file:
            for raw in file:
                try:
                    seq, _ = decode(raw.decode())
                except (ValueError, KeyError, TypeError):
                    damaged += 1
                    log.error("dropping a damaged line of %s: %r", self.path, raw[:200])
                    continue
                good.append(raw.decode())
                seqs.append(seq)
        self.offset = 0
        if not good:
            self.remove()
        elif damaged or not good[-1].endswith("\n"):
            self.rewrite(good, keep_unread=False)
        return len(good), min(seqs, default=0), max(seqs, default=0)

    def rewrite(self, extra_lines: Iterable[str], *, keep_unread: bool = True) -> None:
        """Replace the file with its unread part followed by ``extra_lines``, atomically."""
        with atomic_file(self.path) as out:
            if keep_unread and self.path.exists():
                with self.path.open("rb") as current:
                    current.seek(self.offset)
                    while chunk := current.read(1 << 20):
                        out.write(chunk)
            for line in extra_lines:
                out.write(line.encode() if line.endswith("\n") else (line + "\n").encode())
        self.offset = 0
