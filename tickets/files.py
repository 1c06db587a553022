"""Files that a crash never leaves half written: written under a hidden temporary name
in the same directory, synced, renamed over the target, and the rename synced.

The spill file, order photos and stored recordings are all written this way; a reader
sees the old file or the new one, never a part.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A new file to write that becomes ``path`` when the block ends without an error;
    after an error the temporary file is removed and ``path`` is as it was. Temporary
    names start with "." (``.<name>.<random>.tmp``), so listings can skip them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with temporary.open("xb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    fsync_directory(path.parent)


def fsync_directory(directory: Path) -> None:
    """Make a rename in ``directory`` durable."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
