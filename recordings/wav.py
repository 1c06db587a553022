"""The MixMonitor WAV as Asterisk leaves it: reading its RIFF header, and repairing the
header of a file whose writer died before closing it.

Asterisk writes the RIFF and ``data`` sizes when it closes the file; after a crash (of
Asterisk or of the machine) they stay 0, though the samples are all there.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from tickets.files import atomic_file

PCM, EXTENSIBLE = 1, 0xFFFE
_RIFF_SIZE_OFFSET = 4
_HEADER_LIMIT = 1 << 16  # chunks before ``data`` (fmt, LIST, fact) fit in far less


class WavError(ValueError):
    """Not a PCM WAV, or its header is cut short."""


@dataclass(frozen=True)
class WavInfo:
    channels: int
    sample_rate: int
    bits: int
    data_bytes: int  # what the file holds, never more than the header says
    duration_seconds: float
    data_offset: int  # where the samples start


@dataclass(frozen=True)
class _Header:
    riff_size: int
    channels: int
    sample_rate: int
    bits: int
    data_size: int  # as written in the header
    data_offset: int

    @property
    def block_align(self) -> int:
        return self.channels * ((self.bits + 7) // 8)


def read_wav_info(path: Path) -> WavInfo:
    """The format and length of a PCM WAV; :class:`WavError` if it is not one."""
    file_size = path.stat().st_size
    with path.open("rb") as stream:
        header = _read_header(stream, path)
    available = max(0, file_size - header.data_offset)
    data_bytes = min(header.data_size, available)
    data_bytes -= data_bytes % header.block_align
    frames = data_bytes // header.block_align
    return WavInfo(
        channels=header.channels,
        sample_rate=header.sample_rate,
        bits=header.bits,
        data_bytes=data_bytes,
        duration_seconds=frames / header.sample_rate,
        data_offset=header.data_offset,
    )


def repair_wav(path: Path) -> bool:
    """Rewrite a RIFF or ``data`` size that is 0 or beyond the end of the file from the file's
    length, atomically (a repaired copy replaces the file). True if the file changed."""
    file_size = path.stat().st_size
    with path.open("rb") as stream:
        header = _read_header(stream, path)
    riff_size = file_size - 8
    available = file_size - header.data_offset
    data_size = available - available % header.block_align
    riff_wrong = header.riff_size == 0 or header.riff_size > riff_size
    data_wrong = header.data_size == 0 or header.data_size > available
    if not riff_wrong and not data_wrong:
        return False
    new_riff = riff_size if riff_wrong else header.riff_size
    new_data = data_size if data_wrong else header.data_size
    if (new_riff, new_data) == (header.riff_size, header.data_size):
        return False  # an empty recording: 0 is right
    _replace_sizes(path, header.data_offset, new_riff, new_data)
    return True


def _read_header(stream: BinaryIO, path: Path) -> _Header:
    start = stream.read(12)
    if len(start) < 12 or start[:4] != b"RIFF" or start[8:12] != b"WAVE":
        raise WavError(f"{path.name}: not a WAV file (no RIFF/WAVE header)")
    riff_size = struct.unpack_from("<I", start, 4)[0]
    fmt: tuple[int, int, int] | None = None
    while stream.tell() < _HEADER_LIMIT:
        chunk = stream.read(8)
        if len(chunk) < 8:
            break
        chunk_id, size = chunk[:4], struct.unpack_from("<I", chunk, 4)[0]
        if chunk_id == b"data":
            if fmt is None:
                raise WavError(f"{path.name}: data chunk before the fmt chunk")
            return _Header(riff_size, *fmt, data_size=size, data_offset=stream.tell())
        body = stream.read(size + size % 2)  # chunks are padded to even sizes
        if len(body) < size:
            break
        if chunk_id == b"fmt ":
            fmt = _parse_fmt(body, path)
    raise WavError(f"{path.name}: WAV header cut short (no data chunk)")


def _parse_fmt(body: bytes, path: Path) -> tuple[int, int, int]:
    if len(body) < 16:
        raise WavError(f"{path.name}: fmt chunk cut short")
    audio_format, channels, sample_rate, _, _, bits = struct.unpack_from("<HHIIHH", body)
    if audio_format not in (PCM, EXTENSIBLE):
        raise WavError(f"{path.name}: not PCM (WAVE format {audio_format:#x})")
    if channels < 1 or sample_rate < 1 or bits not in (8, 16, 24, 32):
        raise WavError(
            f"{path.name}: unusable fmt ({channels} channels, {sample_rate} Hz, {bits} bits)"
        )
    return channels, sample_rate, bits


def _replace_sizes(path: Path, data_offset: int, riff_size: int, data_size: int) -> None:
    mode = path.stat().st_mode & 0o7777
    with atomic_file(path) as copy, path.open("rb") as original:
        while block := original.read(1 << 20):
            copy.write(block)
        copy.seek(_RIFF_SIZE_OFFSET)
        copy.write(struct.pack("<I", riff_size))
        copy.seek(data_offset - 4)
        copy.write(struct.pack("<I", data_size))
        os.fchmod(copy.fileno(), mode)
