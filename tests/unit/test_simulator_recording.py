"""MixMonitor's WAV: the plan of a recording and the file written from it."""

from __future__ import annotations

import wave
from pathlib import Path

from telephony.simulator.audio import Recording, write_wav


def test_a_recording_plan_covers_the_recorded_time_in_whole_frames(tmp_path: Path) -> None:
    recording = Recording(tmp_path / "a" / "b.wav", started=10.0, changes=[(10.0, "caller")])
    recording.changes += [(12.0, "hold"), (14.5, "talk"), (20.0, "caller")]
    recording.stopped = 21.013
    segments = recording.segments()
    assert [(first, count, kind) for first, count, kind in segments] == [
        (0, 16000, "caller"),
        (16000, 20000, "hold"),
        (36000, 44000, "talk"),
        (80000, 8000, "caller"),
    ]
    write_wav(recording.path, segments)
    with wave.open(str(recording.path)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate(), wav.getnframes()) == (
            1,
            2,
            8000,
            88000,
        )


def test_talk_is_louder_than_hold_music(tmp_path: Path) -> None:
    path = tmp_path / "levels.wav"
    write_wav(path, [(0, 8000, "hold"), (8000, 8000, "talk")])
    with wave.open(str(path)) as wav:
        data = wav.readframes(16000)
    samples = memoryview(data).cast("h")
    # the seat's 440 Hz beep adds to the caller's 600 Hz one only while bridged
    hold = max(abs(s) for s in samples[:8000])
    talk = max(abs(s) for s in samples[8000:])
    assert talk > hold > 0
