"""Converting MixMonitor WAVs with the real ffmpeg: opus and mp3, verified and hashed."""

from __future__ import annotations

import hashlib
import math
import os
import struct
import subprocess
import wave
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import imageio_ffmpeg
import pytest

import recordings.convert as convert_module
from recordings.convert import ConversionError, convert_recording, worker_initializer
from recordings.wav import WavInfo
from telephony.simulator.audio import write_wav

RATE = 8000


def write_three_levels(path: Path) -> None:
    """3 s of 8 kHz 16-bit mono: a 400 Hz tone at half scale, a silent second, a quarter scale."""
    samples: list[int] = []
    for level in (0.5, 0.0, 0.25):
        samples += [int(level * 32767 * math.sin(math.pi * n / 10)) for n in range(RATE)]
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(struct.pack(f"<{len(samples)}h", *samples))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def decoded_seconds(path: Path) -> float:
    """Decode with a bare ffmpeg to 8 kHz mono PCM and count the samples."""
    decode = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path)]
    pcm = subprocess.run(
        [*decode, "-f", "s16le", "-ac", "1", "-ar", str(RATE), "-"], capture_output=True, check=True
    ).stdout
    return len(pcm) / 2 / RATE


@pytest.fixture
def wav(tmp_path: Path) -> Path:
    path = tmp_path / "in" / "1795474587.0.wav"
    path.parent.mkdir()
    write_three_levels(path)
    return path


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    path = tmp_path / "out"
    path.mkdir()
    return path


def test_a_wav_converts_to_ogg_opus_that_decodes_to_the_same_length(
    wav: Path, out_dir: Path
) -> None:
    wav_hash = sha256(wav)
    converted = convert_recording(wav, out_dir, "opus", peaks=3)
    assert converted.path == out_dir / "1795474587.0.opus"
    assert converted.path.read_bytes()[:4] == b"OggS"
    assert b"OpusHead" in converted.path.read_bytes()[:100]
    assert converted.format == "opus"
    assert converted.size == converted.path.stat().st_size
    assert converted.sha256 == sha256(converted.path)
    assert converted.source_sha256 == wav_hash
    assert converted.source_duration_seconds == 3.0
    assert abs(converted.duration_seconds - 3.0) <= 0.25
    assert abs(decoded_seconds(converted.path) - 3.0) <= 0.25
    assert converted.repaired is False
    assert converted.peaks == [0.5, 0.0, 0.25]
    assert 3 * 24000 / 8 * 0.5 < converted.size < 3 * 24000 / 8 * 2  # about 24 kbit/s
    assert sorted(p.name for p in out_dir.iterdir()) == ["1795474587.0.opus"]


def test_a_wav_converts_to_mp3_that_decodes_to_the_same_length(wav: Path, out_dir: Path) -> None:
    converted = convert_recording(wav, out_dir, "mp3")
    assert converted.path == out_dir / "1795474587.0.mp3"
    assert converted.format == "mp3"
    assert converted.sha256 == sha256(converted.path)
    assert converted.size == converted.path.stat().st_size
    assert abs(converted.duration_seconds - 3.0) <= 0.25
    assert abs(decoded_seconds(converted.path) - 3.0) <= 0.25
    assert len(converted.peaks) == 600
    assert max(converted.peaks[:200]) == 0.5
    assert max(converted.peaks[200:400]) == 0.0
    assert max(converted.peaks[400:]) == 0.25


def test_a_wav_left_by_a_crash_is_repaired_then_converted(wav: Path, out_dir: Path) -> None:
    good = wav.read_bytes()
    crashed = bytearray(good)
    crashed[4:8] = crashed[40:44] = b"\0\0\0\0"
    wav.write_bytes(bytes(crashed))
    converted = convert_recording(wav, out_dir, "opus")
    assert converted.repaired is True
    assert converted.source_duration_seconds == 3.0
    assert abs(decoded_seconds(converted.path) - 3.0) <= 0.25
    assert wav.read_bytes() == good
    assert converted.source_sha256 == hashlib.sha256(good).hexdigest()


def test_a_wav_written_by_the_simulated_mixmonitor_converts(tmp_path: Path, out_dir: Path) -> None:
    wav = tmp_path / "1795474600.3.wav"
    write_wav(wav, [(0, 16000, "caller"), (16000, 24000, "talk")])
    converted = convert_recording(wav, out_dir)
    assert converted.source_duration_seconds == 5.0
    assert abs(decoded_seconds(converted.path) - 5.0) <= 0.25


def test_a_text_file_is_refused_with_a_clear_reason_and_left_as_it_was(
    tmp_path: Path, out_dir: Path
) -> None:
    wav = tmp_path / "1.0.wav"
    wav.write_bytes(b"Asterisk wrote nothing useful here")
    with pytest.raises(ConversionError, match=r"1\.0\.wav: not a WAV file"):
        convert_recording(wav, out_dir)
    assert wav.read_bytes() == b"Asterisk wrote nothing useful here"
    assert list(out_dir.iterdir()) == []


def test_a_wav_cut_inside_its_header_is_refused_and_left_as_it_was(
    wav: Path, out_dir: Path
) -> None:
    head = wav.read_bytes()[:40]
    wav.write_bytes(head)
    with pytest.raises(ConversionError, match="cut short"):
        convert_recording(wav, out_dir)
    assert wav.read_bytes() == head
    assert list(out_dir.iterdir()) == []


def test_a_wav_with_no_samples_is_refused(tmp_path: Path, out_dir: Path) -> None:
    wav = tmp_path / "2.0.wav"
    write_wav(wav, [])
    with pytest.raises(ConversionError, match="holds no audio"):
        convert_recording(wav, out_dir)


def test_an_unknown_format_is_refused(wav: Path, out_dir: Path) -> None:
    with pytest.raises(ConversionError, match="unknown format 'flac'"):
        convert_recording(wav, out_dir, "flac")


def test_an_output_shorter_than_the_wav_is_refused_and_removed(
    wav: Path, out_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def claims_four_seconds(path: Path) -> WavInfo:
        return WavInfo(1, RATE, 16, 64000, 4.0, 44)

    monkeypatch.setattr(convert_module, "read_wav_info", claims_four_seconds)
    with pytest.raises(ConversionError, match=r"the WAV lasts 4\.000 s"):
        convert_recording(wav, out_dir)
    assert list(out_dir.iterdir()) == []


def _niceness_and_conversion(wav: Path, out_dir: Path) -> tuple[int, float]:
    converted = convert_recording(wav, out_dir, "opus")
    return os.nice(0), converted.source_duration_seconds


def test_a_worker_process_converts_at_low_priority(wav: Path, out_dir: Path) -> None:
    with ProcessPoolExecutor(1, initializer=worker_initializer) as pool:
        niceness, seconds = pool.submit(_niceness_and_conversion, wav, out_dir).result(60)
    assert niceness == os.nice(0) + 10
    assert seconds == 3.0
    assert (out_dir / "1795474587.0.opus").is_file()
