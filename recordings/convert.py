"""Converting a MixMonitor WAV to the stored format, and proving the result plays.

Runs in a worker process (never on the event loop): repairs the WAV header if a crash
left it unfinished, encodes with ffmpeg through pydub, decodes the output again to
check its length, and hashes both files.
"""

from __future__ import annotations

import functools
import hashlib
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recordings.wav import WavError, WavInfo, read_wav_info, repair_wav
from recordings.waveform import peaks as waveform_peaks
from tickets.files import fsync_directory

DURATION_TOLERANCE_SECONDS = 0.25
DURATION_TOLERANCE_RATIO = 0.02


@dataclass(frozen=True)
class Codec:
    extension: str
    container: str  # ffmpeg's muxer / demuxer
    encoder: str
    decoder: str
    bitrate: str


FORMATS = {
    # Opus in Ogg: 24 kbit/s mono is plenty for 8 kHz telephone speech
    "opus": Codec(
        extension="opus", container="ogg", encoder="libopus", decoder="opus", bitrate="24k"
    ),
    "mp3": Codec(
        extension="mp3", container="mp3", encoder="libmp3lame", decoder="mp3", bitrate="32k"
    ),
}


@dataclass(frozen=True)
class Converted:
    path: Path
    format: str
    size: int
    duration_seconds: float  # of the output, decoded again
    sha256: str
    source_sha256: str  # of the WAV after any repair (the bytes that were converted)
    source_duration_seconds: float
    repaired: bool
    peaks: list[float]


class ConversionError(Exception):
    """The WAV could not be converted; the message says why."""


def worker_initializer() -> None:
    """For the process pool: low priority, and pydub pointed at the bundled ffmpeg."""
    os.nice(10)
    _audio_segment()


@functools.cache
def _audio_segment() -> Any:
    """pydub's AudioSegment, using the ffmpeg binary of imageio-ffmpeg."""
    import imageio_ffmpeg

    with warnings.catch_warnings():
        # pydub warns at import when no ffmpeg is on PATH; it is set just below
        warnings.simplefilter("ignore")
        from pydub import AudioSegment
    AudioSegment.converter = imageio_ffmpeg.get_ffmpeg_exe()
    return AudioSegment


def convert_recording(
    wav: Path, out_dir: Path, fmt: str = "opus", *, peaks: int = 600
) -> Converted:
    """Convert ``wav`` to ``out_dir / "<stem>.<ext>"`` and verify it; :class:`ConversionError`
    if it cannot be done (the WAV stays where it is)."""
    codec = FORMATS.get(fmt)
    if codec is None:
        raise ConversionError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    repaired, info = _checked_source(wav)
    segment = _decode_wav(wav)
    target = out_dir / f"{wav.stem}.{codec.extension}"
    _encode(segment, target, codec)
    try:
        duration = _verified_duration(target, codec, info.duration_seconds)
    except ConversionError:
        target.unlink(missing_ok=True)
        raise
    return Converted(
        path=target,
        format=fmt,
        size=target.stat().st_size,
        duration_seconds=duration,
        sha256=file_sha256(target),
        source_sha256=file_sha256(wav),
        source_duration_seconds=info.duration_seconds,
        repaired=repaired,
        peaks=waveform_peaks(
            segment.get_array_of_samples(), peaks, full_scale=1 << (8 * segment.sample_width - 1)
        ),
    )


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _checked_source(wav: Path) -> tuple[bool, WavInfo]:
    try:
        repaired = repair_wav(wav)
        info = read_wav_info(wav)
    except (WavError, OSError) as exc:
        raise ConversionError(str(exc)) from exc
    if info.data_bytes == 0:
        raise ConversionError(f"{wav.name}: the WAV holds no audio")
    return repaired, info


def _decode_wav(wav: Path) -> Any:
    try:
        with wav.open("rb") as stream:  # pydub leaves a file it opened itself open
            return _audio_segment().from_wav(stream)
    except Exception as exc:  # pydub raises bare exceptions of several kinds
        raise ConversionError(f"{wav.name}: cannot read the WAV: {exc}") from exc


def _encode(segment: Any, target: Path, codec: Codec) -> None:
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        exported = segment.export(
            str(temporary),
            format=codec.container,
            codec=codec.encoder,
            bitrate=codec.bitrate,
            parameters=["-ac", "1"],
        )
        exported.close()
        with temporary.open("rb") as written:
            os.fsync(written.fileno())
        os.replace(temporary, target)
    except Exception as exc:
        raise ConversionError(f"{target.name}: ffmpeg failed: {_summary(exc)}") from exc
    finally:
        temporary.unlink(missing_ok=True)
    fsync_directory(target.parent)


def _verified_duration(target: Path, codec: Codec, expected: float) -> float:
    try:
        decoded = _audio_segment().from_file(
            str(target), format=codec.container, codec=codec.decoder
        )
    except Exception as exc:
        raise ConversionError(f"{target.name}: does not decode: {_summary(exc)}") from exc
    duration = float(decoded.duration_seconds)
    tolerance = max(DURATION_TOLERANCE_SECONDS, DURATION_TOLERANCE_RATIO * expected)
    if abs(duration - expected) > tolerance:
        raise ConversionError(
            f"{target.name}: decodes to {duration:.3f} s, the WAV lasts {expected:.3f} s"
        )
    return duration


def _summary(exc: Exception, tail: int = 400) -> str:
    """The first line of ffmpeg's complaint and the end of its output, where the reason is."""
    text = str(exc).strip()
    if len(text) <= 2 * tail:
        return text
    return f"{text.splitlines()[0]} … {text[-tail:]}"
