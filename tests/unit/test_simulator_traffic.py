"""Simulated callers: believable, reproducible from a seed, arriving as a Poisson stream."""

from __future__ import annotations

import asyncio
import re
import statistics
from typing import Any

from telephony.clock import FakeClock
from telephony.simulator import CallerScript, TrafficGenerator, TrafficProfile

MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}[2-9]\d{6,7}$")


class PlacedCalls:
    """Stands in for the simulator: remembers the calls placed."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str, CallerScript]] = []

    async def place_call(self, line: str, number: str, name: str = "", script: Any = None) -> str:
        self.calls.append((line, number, name, script))
        return f"1795458352.{len(self.calls)}"


def generator(seed: int, **profile: Any) -> TrafficGenerator:
    return TrafficGenerator(PlacedCalls(), FakeClock(), TrafficProfile(**profile), seed)  # type: ignore[arg-type]


def test_the_same_seed_gives_the_same_callers() -> None:
    one, two = generator(7), generator(7)
    assert [one.next_caller() for _ in range(50)] == [two.next_caller() for _ in range(50)]
    assert [one.next_gap() for _ in range(50)] == [two.next_gap() for _ in range(50)]
    assert generator(8).next_caller() != generator(7).next_caller()


def test_callers_look_like_mainland_callers() -> None:
    traffic = generator(12345)
    callers = [traffic.next_caller() for _ in range(400)]
    numbers = [c.number for c in callers]
    assert all(MOBILE.match(n) or LANDLINE.match(n) for n in numbers)
    assert 0.6 < sum(bool(MOBILE.match(n)) for n in numbers) / len(numbers) < 0.9
    names = [c.name for c in callers]
    assert 0.1 < names.count("") / len(names) < 0.3
    assert all(len(name) in (0, 2, 3) for name in names)
    assert all("\u4e00" <= ch <= "\u9fff" for name in names for ch in name)


def test_line_mix_and_distributions_follow_the_profile() -> None:
    traffic = generator(3)
    callers = [traffic.next_caller() for _ in range(2000)]
    share_12345 = sum(c.line == "12345" for c in callers) / len(callers)
    assert 0.65 < share_12345 < 0.75
    patience = [c.script.patience for c in callers if c.script.patience is not None]
    talk = [c.script.talk_seconds for c in callers]
    assert 40 < statistics.mean(patience) < 50
    assert 36 < statistics.mean(talk) < 46
    keys = [c.script.survey_key for c in callers]
    assert keys.count("1") > keys.count("2") > keys.count("3") > 0
    assert keys.count(None) > 0


def test_arrivals_are_poisson_at_the_profile_rate() -> None:
    traffic = generator(5, calls_per_minute=6.0)
    gaps = [traffic.next_gap() for _ in range(3000)]
    assert 9.5 < statistics.mean(gaps) < 10.5  # 6 calls a minute: 10 s apart on average
    assert 9.0 < statistics.stdev(gaps) < 11.0  # exponential: the spread equals the mean


async def test_run_places_calls_until_the_duration_is_over() -> None:
    clock = FakeClock()
    placed = PlacedCalls()
    traffic = TrafficGenerator(placed, clock, TrafficProfile(calls_per_minute=30.0), seed=1)  # type: ignore[arg-type]
    task = asyncio.create_task(traffic.run(120.0))
    for _ in range(130):
        await clock.advance(1.0)
    await task
    assert 30 < len(placed.calls) < 95  # about one call every two seconds for two minutes
    assert traffic.placed == [f"1795458352.{n}" for n in range(1, len(placed.calls) + 1)]
