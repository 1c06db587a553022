"""``hotline bench recordings``: how fast recordings convert, and what converting costs the
event loop, measured in one run on this machine.

1. Conversion speed, in × real time per core, through ``convert_recording`` (repair
   check, encode, decode again to verify, hashes, peaks) in the process pool the
   pipeline uses (``worker_initializer``: low priority).
2. The same files through a bare ``ffmpeg -i x.wav -c:a libopus -b:a 24k x.opus``, one
   at a time (one core): the price of our verification.
3. Event-loop lag — how late a 10 ms asyncio ticker wakes — while the pool converts.
The WAVs are MixMonitor's format (8 kHz 16-bit mono), written to a temporary directory
that is removed at the end. Each phase stops at its time budget.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import subprocess
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import imageio_ffmpeg

from recordings.convert import convert_recording, worker_initializer
from telephony.simulator.audio import RATE, write_wav

TICK_SECONDS = 0.010
PHASE_BUDGET_SECONDS = 25.0  # each of the two conversion phases; the whole run stays under 60 s


def run(seconds_of_audio: float, files: int, workers: int) -> dict[str, Any]:
    """Generate ``files`` WAVs of ``seconds_of_audio`` each, convert them both ways, and
    return the figures (speeds in × real time per core, lag in milliseconds)."""
    with tempfile.TemporaryDirectory(prefix="hotline-bench-recordings-") as directory:
        root = Path(directory)
        wavs = _write_wavs(root / "wav", seconds_of_audio, files)
        (root / "pool").mkdir()
        pool = asyncio.run(_pool_phase(wavs, root / "pool", workers))
        bare = _bare_ffmpeg_phase(wavs, root / "bare")
    return {
        "seconds_of_audio": seconds_of_audio,
        "files": files,
        "workers": workers,
        "cpus": os.cpu_count(),
        "pool_files_converted": pool["converted"],
        "pool_files_failed": pool["failed"],
        "pool_wall_seconds": round(pool["wall"], 3),
        "pool_x_realtime_per_core": _speed(
            pool["converted"], seconds_of_audio, pool["wall"], workers
        ),
        "bare_ffmpeg_files_converted": bare["converted"],
        "bare_ffmpeg_wall_seconds": round(bare["wall"], 3),
        "bare_ffmpeg_x_realtime_per_core": _speed(
            bare["converted"], seconds_of_audio, bare["wall"], 1
        ),
        "loop_lag_ms": pool["lag"],
    }


def print_report(figures: dict[str, Any]) -> None:
    lag = figures["loop_lag_ms"]
    print(
        f"Recordings: {figures['files']} WAVs of {figures['seconds_of_audio']:g} s "
        f"(8 kHz 16-bit mono), {figures['workers']} worker(s), {figures['cpus']} CPUs"
    )
    print(
        f"  convert_recording -> opus in the pool .. {figures['pool_x_realtime_per_core']:>8,.1f}"
        f" x real time per core ({figures['pool_files_converted']} files, "
        f"{figures['pool_wall_seconds']:.2f} s, {figures['pool_files_failed']} failed)"
    )
    print(
        f"  bare ffmpeg -> opus, one at a time ..... "
        f"{figures['bare_ffmpeg_x_realtime_per_core']:>8,.1f}"
        f" x real time per core ({figures['bare_ffmpeg_files_converted']} files, "
        f"{figures['bare_ffmpeg_wall_seconds']:.2f} s)"
    )
    print(
        f"Event-loop lag of a 10 ms ticker while the pool converts ({lag['ticks']} ticks): "
        f"p50 {lag['p50']:.2f} ms   p99 {lag['p99']:.2f} ms   max {lag['max']:.2f} ms"
    )


def _write_wavs(directory: Path, seconds: float, files: int) -> list[Path]:
    directory.mkdir(parents=True)
    frames = int(seconds * RATE)
    segments = [(0, frames // 2, "caller"), (frames // 2, frames - frames // 2, "talk")]
    paths = [directory / f"{1795474587 + n}.0.wav" for n in range(files)]
    for path in paths:
        write_wav(path, segments)
    return paths


async def _pool_phase(wavs: list[Path], out_dir: Path, workers: int) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    lags: list[float] = []
    with ProcessPoolExecutor(workers, initializer=worker_initializer) as pool:
        # start the workers first: process start-up is not conversion
        await asyncio.gather(*(loop.run_in_executor(pool, os.getpid) for _ in range(workers)))
        ticker = asyncio.create_task(_tick(lags))
        started = time.perf_counter()
        futures = [loop.run_in_executor(pool, convert_recording, wav, out_dir) for wav in wavs]
        done, pending = await asyncio.wait(futures, timeout=PHASE_BUDGET_SECONDS)
        wall = time.perf_counter() - started
        ticker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ticker
        for future in pending:
            future.cancel()
        pool.shutdown(cancel_futures=True)
    converted = sum(1 for future in done if future.exception() is None)
    failed = len(done) - converted
    return {"converted": converted, "failed": failed, "wall": wall, "lag": _lag_figures(lags)}


async def _tick(lags: list[float]) -> None:
    while True:
        before = time.perf_counter()
        await asyncio.sleep(TICK_SECONDS)
        lags.append(time.perf_counter() - before - TICK_SECONDS)


def _bare_ffmpeg_phase(wavs: list[Path], out_dir: Path) -> dict[str, Any]:
    out_dir.mkdir(parents=True)
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    started = time.perf_counter()
    converted = 0
    for wav in wavs:
        if time.perf_counter() - started > PHASE_BUDGET_SECONDS:
            break
        target = out_dir / f"{wav.stem}.opus"
        command = [ffmpeg, "-v", "error", "-y", "-i", str(wav), "-c:a", "libopus", "-b:a", "24k"]
        subprocess.run([*command, str(target)], check=True)
        converted += 1
    return {"converted": converted, "wall": time.perf_counter() - started}


def _speed(converted: int, seconds_of_audio: float, wall: float, cores: int) -> float:
    if wall <= 0 or cores <= 0:
        return 0.0
    return round(converted * seconds_of_audio / wall / cores, 1)


def _lag_figures(lags: list[float]) -> dict[str, float]:
    if not lags:
        return {"ticks": 0, "p50": 0.0, "p99": 0.0, "max": 0.0}
    ms = sorted(max(0.0, lag) * 1000 for lag in lags)
    return {
        "ticks": len(ms),
        "p50": round(statistics.median(ms), 2),
        "p99": round(ms[min(len(ms) - 1, int(0.99 * len(ms)))], 2),
        "max": round(ms[-1], 2),
    }
