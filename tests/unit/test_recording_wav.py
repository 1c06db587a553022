"""The MixMonitor WAV header: reading it, and repairing what a crash leaves."""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

import pytest

from recordings.wav import WavError, WavInfo, read_wav_info, repair_wav


def write_tone(path: Path, seconds: float, rate: int = 8000) -> None:
    """8 kHz 16-bit mono PCM, as MixMonitor writes it (a 400 Hz tone)."""
    frames = int(seconds * rate)
    samples = (int(8000 * math.sin(2 * math.pi * 400 * n / rate)) for n in range(frames))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"".join(struct.pack("<h", s) for s in samples))


def zero_sizes(path: Path) -> None:
    """What a crash leaves: the RIFF size and the data size never written."""
    data = bytearray(path.read_bytes())
    data[4:8] = b"\0\0\0\0"
    data[40:44] = b"\0\0\0\0"
    path.write_bytes(bytes(data))


def header_sizes(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    return struct.unpack_from("<I", data, 4)[0], struct.unpack_from("<I", data, 40)[0]


def test_a_two_second_mixmonitor_wav_is_read_as_8khz_16_bit_mono(tmp_path: Path) -> None:
    path = tmp_path / "call.wav"
    write_tone(path, 2.0)
    assert read_wav_info(path) == WavInfo(
        channels=1,
        sample_rate=8000,
        bits=16,
        data_bytes=32000,
        duration_seconds=2.0,
        data_offset=44,
    )


def test_a_wav_with_a_list_chunk_before_the_data_has_its_samples_after_it(tmp_path: Path) -> None:
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16)
    info_chunk = b"LIST" + struct.pack("<I", 5) + b"INFOx" + b"\0"  # odd size, padded
    data = b"\1\0" * 4000
    body = b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt + info_chunk
    body += b"data" + struct.pack("<I", len(data)) + data
    path = tmp_path / "list.wav"
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    info = read_wav_info(path)
    assert (info.data_offset, info.data_bytes, info.duration_seconds) == (58, 8000, 0.5)


def test_a_crashed_wav_reads_as_empty_until_repaired(tmp_path: Path) -> None:
    path = tmp_path / "crash.wav"
    write_tone(path, 2.0)
    zero_sizes(path)
    assert read_wav_info(path).data_bytes == 0
    assert repair_wav(path) is True
    assert header_sizes(path) == (32036, 32000)
    assert read_wav_info(path).duration_seconds == 2.0


def test_repair_changes_only_the_two_size_fields_and_replaces_the_file(tmp_path: Path) -> None:
    path = tmp_path / "crash.wav"
    write_tone(path, 1.0)
    good = path.read_bytes()
    zero_sizes(path)
    inode = path.stat().st_ino
    repair_wav(path)
    assert path.read_bytes() == good
    assert path.stat().st_ino != inode  # a new file renamed over the old one
    assert sorted(p.name for p in tmp_path.iterdir()) == ["crash.wav"]


def test_a_data_size_beyond_the_end_of_a_cut_file_is_set_to_what_is_there(tmp_path: Path) -> None:
    path = tmp_path / "cut.wav"
    write_tone(path, 2.0)
    path.write_bytes(path.read_bytes()[: 44 + 16000])
    assert read_wav_info(path).data_bytes == 16000
    assert repair_wav(path) is True
    assert header_sizes(path) == (16036, 16000)


def test_a_half_written_last_sample_is_left_out_of_the_data_size(tmp_path: Path) -> None:
    path = tmp_path / "odd.wav"
    write_tone(path, 1.0)
    path.write_bytes(path.read_bytes()[: 44 + 1001])
    zero_sizes(path)
    assert repair_wav(path) is True
    assert header_sizes(path) == (1037, 1000)
    assert read_wav_info(path).duration_seconds == 500 / 8000


def test_a_sound_wav_is_not_touched_by_repair(tmp_path: Path) -> None:
    path = tmp_path / "good.wav"
    write_tone(path, 1.0)
    before = path.read_bytes()
    inode = path.stat().st_ino
    assert repair_wav(path) is False
    assert path.read_bytes() == before
    assert path.stat().st_ino == inode


def test_an_empty_crashed_recording_gets_a_riff_size_and_keeps_no_data(tmp_path: Path) -> None:
    path = tmp_path / "empty.wav"
    write_tone(path, 0.0)
    zero_sizes(path)
    assert repair_wav(path) is True  # RIFF size 0 becomes 36
    assert header_sizes(path) == (36, 0)
    assert repair_wav(path) is False


def test_a_text_file_is_not_a_wav_and_is_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "notes.wav"
    path.write_bytes(b"this is not audio at all")
    with pytest.raises(WavError, match="not a WAV file"):
        read_wav_info(path)
    with pytest.raises(WavError, match="not a WAV file"):
        repair_wav(path)
    assert path.read_bytes() == b"this is not audio at all"


def test_a_header_cut_before_the_data_chunk_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "short.wav"
    write_tone(path, 1.0)
    path.write_bytes(path.read_bytes()[:30])
    with pytest.raises(WavError, match="cut short"):
        repair_wav(path)
    assert path.stat().st_size == 30


def test_an_a_law_wav_is_refused_as_not_pcm(tmp_path: Path) -> None:
    fmt = struct.pack("<HHIIHH", 6, 1, 8000, 8000, 1, 8)
    body = b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", 0)
    path = tmp_path / "alaw.wav"
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    with pytest.raises(WavError, match="not PCM"):
        read_wav_info(path)


def test_a_missing_file_is_an_os_error_not_a_wav_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_wav_info(tmp_path / "gone.wav")
