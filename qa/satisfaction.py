"""Satisfaction (满意率) as the contracts define it: satisfied (and, per contract, basically
satisfied) over rated, from the post-call survey and from the callbacks (回访) of orders.

The survey's keys are 1 满意, 2 基本满意, 3 不满意; a caller who pressed nothing did not
rate. A callback rates its order: each order counts once, by its last rated callback of
the period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tickets.models import CallRow
from tickets.order_models import OrderRevisitRow

SATISFIED, BASIC, UNSATISFIED = "satisfied", "basically_satisfied", "unsatisfied"
LABELS = {SATISFIED: "满意", BASIC: "基本满意", UNSATISFIED: "不满意"}
SURVEY_KEYS = {1: SATISFIED, 2: BASIC, 3: UNSATISFIED}


@dataclass(frozen=True)
class SatisfactionRules:
    # contracts differ: most count 基本满意 as satisfied, some only 满意
    basic_counts_as_satisfied: bool = True


async def satisfaction(
    session: AsyncSession, start: datetime, end: datetime, rules: SatisfactionRules
) -> dict[str, Any]:
    """Ratings of [start, end): both sources together and each one separately."""
    survey = await _survey_counts(session, start, end)
    callback = await _callback_counts(session, start, end)
    together = {key: survey[key] + callback[key] for key in LABELS}
    return {
        "basic_counts_as_satisfied": rules.basic_counts_as_satisfied,
        **_figures(together, rules),
        "survey": _figures(survey, rules),
        "callback": _figures(callback, rules),
    }


async def _survey_counts(session: AsyncSession, start: datetime, end: datetime) -> dict[str, int]:
    rows = await session.execute(
        select(CallRow.survey_score, func.count())
        .where(
            CallRow.queued_at >= start,
            CallRow.queued_at < end,
            CallRow.survey_score.in_(list(SURVEY_KEYS)),
        )
        .group_by(CallRow.survey_score)
    )
    counts = dict.fromkeys(LABELS, 0)
    for score, count in rows:
        if score is not None:
            counts[SURVEY_KEYS[score]] += count
    return counts


async def _callback_counts(session: AsyncSession, start: datetime, end: datetime) -> dict[str, int]:
    rows = await session.execute(
        select(OrderRevisitRow.order_id, OrderRevisitRow.result)
        .where(
            OrderRevisitRow.recorded_at >= start,
            OrderRevisitRow.recorded_at < end,
            OrderRevisitRow.result.in_(list(LABELS)),
        )
        .order_by(OrderRevisitRow.order_id, OrderRevisitRow.recorded_at, OrderRevisitRow.id)
    )
    last = {order_id: result for order_id, result in rows}
    counts = dict.fromkeys(LABELS, 0)
    for result in last.values():
        if result is not None:
            counts[result] += 1
    return counts


def _figures(counts: dict[str, int], rules: SatisfactionRules) -> dict[str, Any]:
    rated = sum(counts.values())
    happy = counts[SATISFIED] + (counts[BASIC] if rules.basic_counts_as_satisfied else 0)
    return {
        "rated": rated,
        SATISFIED: counts[SATISFIED],
        BASIC: counts[BASIC],
        UNSATISFIED: counts[UNSATISFIED],
        "rate": round(happy / rated, 4) if rated else None,
    }
