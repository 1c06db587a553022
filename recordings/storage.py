"""Where converted recordings live, and the key each recording is stored under.

A key is a relative path, ``"2026/11/23/12345/1795474587.0.opus"``: the local date and
the line of the call, then the call id. Files appear under their key only once
complete (written under a hidden temporary name, synced, then renamed).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Protocol
from zoneinfo import ZoneInfo

from recordings.convert import FORMATS
from tickets.files import atomic_file

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


class StorageError(Exception):
    """A key that is absent or not acceptable, or a storage that failed."""


class Storage(Protocol):
    """Where converted recordings live. Keys are relative paths like
    "2026/11/23/12345/1795474587.0.opus" (date and line of the call, then the call id)."""

    def put(self, key: str, source: Path) -> None: ...
    def exists(self, key: str) -> bool: ...
    def size(self, key: str) -> int: ...
    def local_path(self, key: str) -> Path | None: ...
    def open(self, key: str) -> BinaryIO: ...
    def delete(self, key: str) -> None: ...
    def keys(self) -> Iterator[str]: ...


def recording_key(started_at: datetime, zone: ZoneInfo, line: str, call_id: str, fmt: str) -> str:
    """The key of a call's recording: the call's local date, its line, its id."""
    if started_at.tzinfo is None:
        raise ValueError("started_at must be timezone-aware")
    codec = FORMATS.get(fmt)
    if codec is None:
        raise ValueError(f"unknown format {fmt!r}")
    local = started_at.astimezone(zone)
    return f"{local:%Y/%m/%d}/{_safe_name(line)}/{_safe_name(call_id)}.{codec.extension}"


def _safe_name(text: str) -> str:
    # leading dots would make "." / ".." or a hidden (temporary) name
    return _UNSAFE.sub("_", text).lstrip(".") or "_"


class LocalStorage:
    """Recordings as files under one directory of the local disk."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, key: str, source: Path) -> None:
        """Copy ``source`` in under ``key``, replacing what was there."""
        target = self._path(key)
        try:
            with source.open("rb") as reader, atomic_file(target) as writer:
                shutil.copyfileobj(reader, writer, 1 << 20)
        except OSError as exc:
            raise StorageError(f"{key}: cannot store {source}: {exc}") from exc

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def size(self, key: str) -> int:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError as exc:
            raise StorageError(f"{key}: not stored") from exc

    def local_path(self, key: str) -> Path | None:
        return self._path(key)

    def open(self, key: str) -> BinaryIO:
        try:
            return self._path(key).open("rb")
        except FileNotFoundError as exc:
            raise StorageError(f"{key}: not stored") from exc

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def keys(self) -> Iterator[str]:
        """Every stored key, in sorted order; temporary files are not keys."""
        if not self.root.is_dir():
            return
        for directory, subdirectories, files in os.walk(self.root):
            subdirectories.sort()
            base = Path(directory).relative_to(self.root)
            for name in sorted(files):
                if not name.startswith("."):
                    yield (base / name).as_posix()

    def _path(self, key: str) -> Path:
        parts = key.split("/")
        if (
            not key
            or "\\" in key
            or "\x00" in key
            or any(part in ("", ".", "..") or part.startswith(".") for part in parts)
        ):
            raise StorageError(f"{key!r}: not an acceptable storage key")
        return self.root.joinpath(*parts)
