"""The waveform drawn above the player: the loudest sample of each slice of a recording."""

from __future__ import annotations

from array import array
from collections.abc import Sequence

FULL_SCALE_16_BIT = 32768


def peaks(
    samples: Sequence[int] | array[int], count: int, *, full_scale: int = FULL_SCALE_16_BIT
) -> list[float]:
    """Max |amplitude| per bucket as a fraction of ``full_scale`` (0..1, 4 decimals), in
    ``count`` buckets of equal length — fewer if there are fewer samples than buckets."""
    total = len(samples)
    buckets = min(count, total)
    if buckets <= 0:
        return []
    result = []
    for index in range(buckets):
        chunk = samples[index * total // buckets : (index + 1) * total // buckets]
        loudest = max(max(chunk), -min(chunk))
        result.append(round(min(1.0, loudest / full_scale), 4))
    return result
