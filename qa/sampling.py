"""The daily sampling plan (抽检计划): which answered calls of a day QA reviewers listen to,
and why each was chosen.

A random share of each agent's calls, at least a minimum per agent, plus every call
rated unsatisfied, every complaint, every order that went overdue or was returned by a
unit, and the outliers (very short, very long talks); a few extra calls are scored by
several reviewers to calibrate them. The draw is seeded: the same calls, rules and
seed give the same plan, so a plan can be explained and drawn again.
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from qa.models import QaPlanRow, QaSampleRow
from tickets.categories import top_level_code
from tickets.lifecycle import Step
from tickets.models import CallRow, WorkOrderRow
from tickets.order_models import OrderEventRow
from tickets.orders import ORDER_NUMBER_ZONE

REASONS = {
    "random": "随机抽检",
    "minimum": "保底抽检",
    "unsatisfied": "不满意评价",
    "complaint": "投诉工单",
    "overdue": "超期工单",
    "returned": "退回工单",
    "short": "通话过短",
    "long": "通话过长",
    "calibration": "校准",
}
# the post-call survey's keys: 1 满意, 2 基本满意, 3 不满意
SURVEY_UNSATISFIED = 3


@dataclass(frozen=True)
class SamplingRules:
    share: float = 0.05  # of each agent's answered calls, drawn at random
    minimum_per_agent: int = 2
    short_seconds: float = 20  # talks shorter than this are sampled
    long_seconds: float = 900  # talks longer than this are sampled
    include_unsatisfied: bool = True
    include_complaints: bool = True
    include_overdue: bool = True
    include_returned: bool = True
    complaint_categories: tuple[str, ...] = ("complaint", "service_complaint")  # top level
    calibration_per_day: int = 1

    def as_json(self) -> dict[str, Any]:
        values = dataclasses.asdict(self)
        values["complaint_categories"] = list(self.complaint_categories)
        return values


def sampling_rules(data: Mapping[str, Any]) -> SamplingRules:
    """Rules from JSON or TOML; ``ValueError`` names the key at fault."""
    fields = {field.name: field for field in dataclasses.fields(SamplingRules)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ValueError(f"{unknown[0]}: not a sampling rule")
    values: dict[str, Any] = {}
    for key, value in data.items():
        default = getattr(SamplingRules(), key)
        values[key] = _rule_value(key, value, default)
    rules = SamplingRules(**values)
    if not 0 <= rules.share <= 1:
        raise ValueError("share: must be from 0 to 1")
    if rules.short_seconds >= rules.long_seconds:
        raise ValueError("short_seconds: must be below long_seconds")
    return rules


def _rule_value(key: str, value: Any, default: Any) -> Any:
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ValueError(f"{key}: must be true or false")
        return value
    if isinstance(default, tuple):
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"{key}: must be a list of category codes")
        return tuple(value)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"{key}: must be a number >= 0")
    if isinstance(default, int):
        if value != int(value):
            raise ValueError(f"{key}: must be a whole number")
        return int(value)
    return float(value)


@dataclass(frozen=True)
class CallForSampling:
    server: str
    call_id: str
    agent: str | None
    seat: str | None
    line: str
    talk_seconds: float | None
    survey_score: int | None
    order_number: str | None = None
    order_category: str | None = None
    order_overdue: bool = False
    order_returned: bool = False


@dataclass(frozen=True)
class Pick:
    call: CallForSampling
    reasons: tuple[str, ...]  # codes of REASONS, in the order of REASONS
    calibration: bool = False


def draw(calls: Sequence[CallForSampling], rules: SamplingRules, seed: int) -> list[Pick]:
    """The calls to review and why, ordered by (server, call_id)."""
    ordered = sorted(calls, key=lambda call: (call.server, call.call_id))
    rng = random.Random(seed)
    reasons: dict[tuple[str, str], set[str]] = {}
    for call in ordered:
        found = rule_reasons(call, rules)
        if found:
            reasons[(call.server, call.call_id)] = set(found)
    for agent_calls in _by_agent(ordered):
        _draw_for_agent(agent_calls, rules, rng, reasons)
    _draw_calibration(ordered, rules, rng, reasons)
    return [
        Pick(call, _in_order(reasons[key]), "calibration" in reasons[key])
        for call in ordered
        if (key := (call.server, call.call_id)) in reasons
    ]


def rule_reasons(call: CallForSampling, rules: SamplingRules) -> tuple[str, ...]:
    """The reasons a call must be reviewed whatever the draw."""
    found: list[str] = []
    if rules.include_unsatisfied and call.survey_score == SURVEY_UNSATISFIED:
        found.append("unsatisfied")
    if rules.include_complaints and _is_complaint(call.order_category, rules):
        found.append("complaint")
    if rules.include_overdue and call.order_overdue:
        found.append("overdue")
    if rules.include_returned and call.order_returned:
        found.append("returned")
    if call.talk_seconds is not None and call.talk_seconds < rules.short_seconds:
        found.append("short")
    if call.talk_seconds is not None and call.talk_seconds > rules.long_seconds:
        found.append("long")
    return tuple(found)


def _is_complaint(category: str | None, rules: SamplingRules) -> bool:
    return bool(category) and top_level_code(category or "") in rules.complaint_categories


def _by_agent(ordered: list[CallForSampling]) -> list[list[CallForSampling]]:
    groups: dict[str, list[CallForSampling]] = {}
    for call in ordered:
        if call.agent is not None:
            groups.setdefault(call.agent, []).append(call)
    return [groups[agent] for agent in sorted(groups)]


def _draw_for_agent(
    calls: list[CallForSampling],
    rules: SamplingRules,
    rng: random.Random,
    reasons: dict[tuple[str, str], set[str]],
) -> None:
    # the share rounds half up: 5% of 10 calls is 1 call, of 9 calls 0
    count = min(len(calls), math.floor(rules.share * len(calls) + 0.5))
    for call in rng.sample(calls, count):
        reasons.setdefault((call.server, call.call_id), set()).add("random")
    rest = [call for call in calls if (call.server, call.call_id) not in reasons]
    missing = rules.minimum_per_agent - (len(calls) - len(rest))
    for call in rng.sample(rest, max(0, min(missing, len(rest)))):
        reasons[(call.server, call.call_id)] = {"minimum"}


def _draw_calibration(
    ordered: list[CallForSampling],
    rules: SamplingRules,
    rng: random.Random,
    reasons: dict[tuple[str, str], set[str]],
) -> None:
    # calibration calls come from those not sampled otherwise: several reviewers score
    # them to compare, and they do not count in the agent's results
    rest = [c for c in ordered if c.agent is not None and (c.server, c.call_id) not in reasons]
    for call in rng.sample(rest, min(rules.calibration_per_day, len(rest))):
        reasons[(call.server, call.call_id)] = {"calibration"}


def _in_order(found: set[str]) -> tuple[str, ...]:
    return tuple(code for code in REASONS if code in found)


def day_bounds(day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """[start, end) of the local calendar day."""
    start = datetime.combine(day, time(), zone)
    end = datetime.combine(day + timedelta(days=1), time(), zone)
    return start, end


async def calls_of_day(
    session: AsyncSession, day: date, zone: tzinfo = ORDER_NUMBER_ZONE
) -> list[CallForSampling]:
    """The inbound calls a seat answered, queued on that local day, with their orders' facts."""
    start, end = day_bounds(day, zone)
    rows = await session.execute(
        select(CallRow, WorkOrderRow)
        .outerjoin(
            WorkOrderRow,
            (WorkOrderRow.server == CallRow.server) & (WorkOrderRow.call_id == CallRow.call_id),
        )
        .where(
            CallRow.queued_at >= start,
            CallRow.queued_at < end,
            CallRow.direction == "in",
            CallRow.answered_at.is_not(None),
        )
        .order_by(CallRow.server, CallRow.call_id, WorkOrderRow.id)
    )
    found: dict[tuple[str, str], tuple[CallRow, WorkOrderRow | None]] = {}
    for call, order in rows:
        found.setdefault((call.server, call.call_id), (call, order))
    orders = [order for _, order in found.values() if order is not None]
    steps = await _steps_of(session, [order.id for order in orders])
    return [_for_sampling(call, order, steps) for call, order in found.values()]


async def _steps_of(session: AsyncSession, order_ids: list[int]) -> dict[int, set[str]]:
    steps: dict[int, set[str]] = {}
    for start in range(0, len(order_ids), 500):
        rows = await session.execute(
            select(OrderEventRow.order_id, OrderEventRow.step).where(
                OrderEventRow.order_id.in_(order_ids[start : start + 500]),
                OrderEventRow.step.in_([Step.SUPERVISE.value, Step.UNIT_RETURN.value]),
            )
        )
        for order_id, step in rows:
            steps.setdefault(order_id, set()).add(step)
    return steps


def _for_sampling(
    call: CallRow, order: WorkOrderRow | None, steps: dict[int, set[str]]
) -> CallForSampling:
    facts = steps.get(order.id, set()) if order is not None else set()
    closed_late = (
        order is not None
        and order.closed_at is not None
        and order.close_due is not None
        and order.closed_at > order.close_due
    )
    return CallForSampling(
        server=call.server,
        call_id=call.call_id,
        agent=call.agent,
        seat=call.seat,
        line=call.line,
        talk_seconds=call.talk_seconds,
        survey_score=call.survey_score,
        order_number=order.number if order is not None else None,
        order_category=order.category if order is not None else None,
        # 超期: supervised (督办) at some point, or closed after its deadline
        order_overdue=Step.SUPERVISE.value in facts or closed_late,
        order_returned=Step.UNIT_RETURN.value in facts,
    )


async def plan_of_day(session: AsyncSession, day: date) -> QaPlanRow | None:
    plan: QaPlanRow | None = await session.scalar(select(QaPlanRow).where(QaPlanRow.day == day))
    return plan


async def make_plan(
    session: AsyncSession,
    day: date,
    rules: SamplingRules,
    seed: int,
    actor: str,
    now: datetime,
    zone: tzinfo = ORDER_NUMBER_ZONE,
) -> QaPlanRow:
    """The plan of ``day`` with its samples; a day's existing plan is returned as is."""
    existing = await plan_of_day(session, day)
    if existing is not None:
        return existing
    picks = draw(await calls_of_day(session, day, zone), rules, seed)
    plan = QaPlanRow(day=day, seed=seed, rules=rules.as_json(), created_at=now, created_by=actor)
    session.add(plan)
    await session.flush()
    session.add_all(_sample_row(plan.id, pick) for pick in picks)
    await session.flush()
    return plan


def _sample_row(plan_id: int, pick: Pick) -> QaSampleRow:
    call = pick.call
    return QaSampleRow(
        plan_id=plan_id,
        server=call.server,
        call_id=call.call_id,
        agent=call.agent,
        seat=call.seat,
        line=call.line,
        order_number=call.order_number,
        reasons=list(pick.reasons),
        state="open",
        calibration=pick.calibration,
    )


async def samples_of_plan(session: AsyncSession, plan_id: int) -> list[QaSampleRow]:
    rows = await session.scalars(
        select(QaSampleRow).where(QaSampleRow.plan_id == plan_id).order_by(QaSampleRow.id)
    )
    return list(rows)
