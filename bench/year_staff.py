"""Who works the bench year and who calls: the centre's agents (each with a pace of
their own), the rota of one day — enough agents for about 85 answered calls each, in
five shifts sized so that each shift is about as busy per agent — and the callers'
mainland mobile numbers, a twentieth of which make three tenths of the calls.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from itertools import accumulate

from bench.year_shape import share_out
from telephony.simulator.traffic import GIVEN_NAMES, SURNAMES

CALLS_PER_AGENT_PLANNED = 85
_MOBILE_PREFIXES = ("38", "39", "58", "59", "86", "87", "88", "35", "36", "37", "50", "51")


@dataclass(frozen=True, slots=True)
class Roster:
    """The centre's agents by staff number, each with a pace (share of the calls taken)."""

    agents: tuple[str, ...]
    names: tuple[str, ...]
    paces: tuple[float, ...]

    @classmethod
    def of(cls, rng: random.Random, size: int) -> Roster:
        agents = tuple(str(1001 + n) for n in range(size))
        names = tuple(rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES) for _ in agents)
        return cls(agents, names, tuple(rng.uniform(0.85, 1.15) for _ in agents))


# shifts of the rota: (first hour, hours); the night shift runs past midnight
SHIFTS = ((23, 8), (7, 8), (9, 8), (12, 8), (15, 8))
SHIFT_SHARES = (0.06, 0.34, 0.24, 0.05, 0.31)  # each shift about as busy per agent


@dataclass
class Duty:
    """The agents on duty one day, each at a seat (8001, 8002, …) for one shift; a small
    rota (under five agents) covers every hour with everyone."""

    agents: list[str]
    seats: list[str]
    by_hour: list[tuple[list[int], list[float]]]  # hour -> agents on shift, cumulative paces

    @classmethod
    def of(cls, rng: random.Random, roster: Roster, expected_answered: float) -> Duty:
        wanted = math.ceil(expected_answered / CALLS_PER_AGENT_PLANNED)
        size = min(len(roster.agents), max(1, wanted))
        picked = rng.sample(range(len(roster.agents)), size)
        hours: list[list[int]] = [[] for _ in range(24)]
        if size < len(SHIFTS):
            hours = [list(range(size)) for _ in range(24)]
        else:
            shift_of = [
                n for n, count in enumerate(share_out(size, SHIFT_SHARES)) for _ in range(count)
            ]
            for agent, shift in enumerate(shift_of):
                first, length = SHIFTS[shift]
                for hour in range(first, first + length):
                    hours[hour % 24].append(agent)
        by_hour = [(on, list(accumulate(roster.paces[picked[n]] for n in on))) for on in hours]
        seats = [str(8001 + n) for n in range(size)]
        return cls([roster.agents[i] for i in picked], seats, by_hour)

    def pick(self, rng: random.Random, hour: int) -> tuple[str, str]:
        on, cumulative = self.by_hour[hour % 24]
        if not on:
            n = rng.randrange(len(self.agents))
        else:
            n = on[rng.choices(range(len(on)), cum_weights=cumulative)[0]]
        return self.agents[n], self.seats[n]


class CallerPool:
    """Mainland mobile numbers; a twentieth of them make three tenths of the calls."""

    def __init__(self, rng: random.Random, size: int) -> None:
        self.rng = rng
        self.size = max(50, size)

    def number(self, index: int) -> str:
        return f"1{_MOBILE_PREFIXES[index % len(_MOBILE_PREFIXES)]}{index:08d}"

    def pick(self) -> str:
        rng = self.rng
        if rng.random() < 0.003:
            return ""  # withheld
        share = 0.05 if rng.random() < 0.3 else 1.0
        return self.number(int(self.size * share * rng.random()))
