"""Reader of AMI transcripts in the ``amicap/1`` format (real Asterisk captures).

A transcript is ``# `` comment lines, then records ``<DIR> <SESSION> <T> <N>\\n``
followed by exactly N payload bytes and a newline. ``<`` is what Asterisk sent,
``>`` what the client sent, ``!`` a note of the recorder. ``T`` is seconds since
``t0-utc`` (a comment line). Malformed records raise ``TranscriptError`` naming
the byte offset, never a silent misread.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

DIRECTIONS = ("<", ">", "!")


class TranscriptError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Record:
    direction: str
    session: int
    t: float
    payload: bytes


@dataclass
class Transcript:
    path: Path
    comments: dict[str, str] = field(default_factory=dict)
    records: list[Record] = field(default_factory=list)

    @property
    def t0(self) -> datetime:
        raw = self.comments.get("t0-utc")
        if not raw:
            return datetime(1970, 1, 1, tzinfo=UTC)
        stamp = datetime.fromisoformat(raw)
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)

    def at(self, t: float) -> datetime:
        return self.t0 + timedelta(seconds=t)

    def sessions(self) -> list[int]:
        return sorted({r.session for r in self.records})

    def received(self, session: int) -> bytes:
        """The exact byte stream Asterisk sent on one session."""
        return b"".join(
            r.payload for r in self.records if r.session == session and r.direction == "<"
        )


def read_transcript(path: str | Path) -> Transcript:
    path = Path(path)
    transcript = Transcript(path=path)
    transcript.records.extend(_records(path.read_bytes(), transcript.comments))
    return transcript


def _records(data: bytes, comments: dict[str, str]) -> Iterator[Record]:
    pos = 0
    while pos < len(data):
        eol = data.find(b"\n", pos)
        if eol < 0:
            raise TranscriptError(f"offset {pos}: record header without a newline")
        line = data[pos:eol]
        start = pos
        pos = eol + 1
        if not line.strip():
            continue
        if line.startswith(b"#"):
            _comment(line, comments)
            continue
        record = _header(line, start)
        payload = data[pos : pos + record[3]]
        if len(payload) != record[3]:
            raise TranscriptError(f"offset {start}: payload shorter than {record[3]} bytes")
        pos += record[3] + 1
        yield Record(record[0], record[1], record[2], payload)


def _comment(line: bytes, comments: dict[str, str]) -> None:
    text = line[1:].decode("utf-8", errors="replace").strip()
    key, sep, value = text.partition(":")
    if sep and " " not in key.strip():
        comments.setdefault(key.strip(), value.strip())


def _header(line: bytes, offset: int) -> tuple[str, int, float, int]:
    try:
        direction, session, t, size = line.decode("ascii").split(" ")
        parsed = (direction, int(session), float(t), int(size))
    except (UnicodeDecodeError, ValueError) as exc:
        raise TranscriptError(f"offset {offset}: bad record header {line[:60]!r}") from exc
    if direction not in DIRECTIONS or parsed[3] < 0:
        raise TranscriptError(f"offset {offset}: bad record header {line[:60]!r}")
    return parsed
