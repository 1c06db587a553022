"""Waveform peaks: the loudest sample of each slice, as a fraction of full scale."""

from __future__ import annotations

from array import array

from recordings.waveform import peaks


def test_each_bucket_keeps_its_loudest_sample_positive_or_negative() -> None:
    samples = [0, 100, -200, 50, 32767, -32768]
    assert peaks(samples, 3) == [0.0031, 0.0061, 1.0]


def test_buckets_of_uneven_length_put_the_remainder_at_the_end() -> None:
    samples = [n * 1000 for n in range(1, 11)]  # buckets of 3, 3 and 4 samples
    assert peaks(samples, 3, full_scale=10000) == [0.3, 0.6, 1.0]


def test_fewer_samples_than_buckets_gives_one_peak_per_sample() -> None:
    assert peaks(array("h", [16384, -8192]), 600) == [0.5, 0.25]


def test_silence_is_zero_and_no_samples_is_no_peaks() -> None:
    assert peaks(array("h", [0] * 8000), 4) == [0.0, 0.0, 0.0, 0.0]
    assert peaks([], 600) == []
    assert peaks([5, 6], 0) == []
