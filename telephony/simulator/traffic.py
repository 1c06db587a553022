"""Simulated callers arriving at the hotlines: Poisson arrivals with believable people.

Numbers look like mainland mobiles (``13812345678``) or landlines with an area
code (``02162345678``); names are 姓+名 (王秀英, 李建国), and some callers send
no name. Most press nothing at the menu; patience is exponential, talk time
lognormal, survey keys mostly 1.
Everything comes from one seeded ``random.Random``: the same seed gives the
same callers at the same times.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from telephony.clock import Clock
from telephony.simulator.config import CallerScript

if TYPE_CHECKING:
    from telephony.simulator.asterisk import SimulatedAsterisk

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜"
_GIVEN = (
    "秀英 建国 伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀兰 霞 平 刚 桂英 建华 "
    "志强 淑珍 玉兰 海燕 文 国庆 红梅 春生 晓东 丽华 永胜"
)
GIVEN_NAMES = tuple(_GIVEN.split())
_MOBILE = (
    "130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 159 166 173 "
    "176 177 180 181 182 183 185 186 187 188 189 191 195 198 199"
)
MOBILE_PREFIXES = tuple(_MOBILE.split())
# area code -> digits of a local number there
T = TypeVar("T")
AREA_CODES = (("021", 8), ("010", 8), ("0371", 8), ("0991", 7), ("020", 8), ("028", 8))


@dataclass(frozen=True)
class TrafficProfile:
    calls_per_minute: float = 3.0
    lines: tuple[tuple[str, float], ...] = (("12345", 0.7), ("962121", 0.3))
    patience_mean: float = 45.0  # seconds, exponential (counted from the call's start)
    patience_min: float = 3.0
    talk_mean: float = 40.0  # seconds, lognormal with this mean
    talk_sigma: float = 0.6
    talk_min: float = 5.0
    hangs_up_first_share: float = 0.3  # callers who end the call themselves (no survey)
    survey_keys: tuple[tuple[str | None, float], ...] = (
        ("1", 0.75),
        ("2", 0.12),
        ("3", 0.05),
        (None, 0.08),
    )
    # the line's menu: 1 dialect desk, 2 enterprise desk, 0 emergency, None no key
    menu_keys: tuple[tuple[str | None, float], ...] = (
        (None, 0.6),
        ("1", 0.15),
        ("2", 0.22),
        ("0", 0.03),
    )
    no_name_share: float = 0.2
    mobile_share: float = 0.75


@dataclass(frozen=True)
class SimulatedCaller:
    line: str
    number: str
    name: str
    script: CallerScript


@dataclass
class TrafficGenerator:
    sim: SimulatedAsterisk
    clock: Clock
    profile: TrafficProfile
    seed: int
    placed: list[str] = field(default_factory=list)  # Uniqueids of the calls placed

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def next_gap(self) -> float:
        """Seconds until the next caller (Poisson arrivals)."""
        rate = self.profile.calls_per_minute / 60.0
        return math.inf if rate <= 0 else self.rng.expovariate(rate)

    def next_caller(self) -> SimulatedCaller:
        profile, rng = self.profile, self.rng
        line = _weighted(rng, profile.lines)
        number = _mobile(rng) if rng.random() < profile.mobile_share else _landline(rng)
        name = (
            ""
            if rng.random() < profile.no_name_share
            else rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)
        )
        patience = max(profile.patience_min, rng.expovariate(1.0 / profile.patience_mean))
        mu = math.log(profile.talk_mean) - profile.talk_sigma**2 / 2  # lognormal with that mean
        talk = max(profile.talk_min, rng.lognormvariate(mu, profile.talk_sigma))
        script = CallerScript(
            patience=round(patience, 1),
            talk_seconds=round(talk, 1),
            hangs_up_first=rng.random() < profile.hangs_up_first_share,
            survey_key=_weighted(rng, profile.survey_keys),
            menu_key=_weighted(rng, profile.menu_keys),
        )
        return SimulatedCaller(line, number, name, script)

    async def run(self, duration: float | None) -> None:
        """Place calls until ``duration`` seconds (of the clock) have passed; None: forever."""
        started = self.clock.monotonic()
        while True:
            gap = self.next_gap()
            if duration is not None:
                left = duration - (self.clock.monotonic() - started)
                if gap > left:
                    await self.clock.sleep(max(0.0, left))
                    return
            await self.clock.sleep(gap)
            caller = self.next_caller()
            uniqueid = await self.sim.place_call(
                caller.line, caller.number, caller.name, caller.script
            )
            self.placed.append(uniqueid)


def _weighted(rng: random.Random, choices: tuple[tuple[T, float], ...]) -> T:
    total = sum(weight for _, weight in choices)
    point = rng.random() * total
    for value, weight in choices:
        point -= weight
        if point < 0:
            return value
    return choices[-1][0]


def _mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + "".join(str(rng.randrange(10)) for _ in range(8))


def _landline(rng: random.Random) -> str:
    area, digits = rng.choice(AREA_CODES)
    first = str(rng.randrange(2, 10))  # local numbers start with 2-9
    return area + first + "".join(str(rng.randrange(10)) for _ in range(digits - 1))
