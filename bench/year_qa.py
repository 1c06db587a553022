"""Quality assurance (质检) of the bench year: the standard form, a sampling plan each
night for the day before, samples (1.5 % of the answered calls at random, and every call
rated unsatisfied), and the reviewers' grades a few days later — scored by
``qa.scoring.grade`` on the form's items, so that the QA average and the work-order
quality the contracts read are the form's own arithmetic. A few calls fail a red line
(score 0, a zero-score order for the contracts that count them).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bench.year_shape import DayShape
from qa.forms import DEFAULT_FORM
from qa.scoring import grade
from tickets.records import CallRecord

FORM_ID = 1
REVIEWERS = ("qa1", "qa2", "qa3", "qa4")
FORM_COLUMNS = (
    "id",
    "name",
    "version",
    "title",
    "definition",
    "active",
    "created_at",
    "created_by",
)
PLAN_COLUMNS = ("id", "day", "seed", "rules", "created_at", "created_by")
SAMPLE_COLUMNS = (
    "id",
    "plan_id",
    "server",
    "call_id",
    "agent",
    "seat",
    "line",
    "order_number",
    "reasons",
    "state",
    "calibration",
)
REVIEW_COLUMNS = (
    "sample_id",
    "form_id",
    "reviewer",
    "agent",
    "answers",
    "score",
    "red_lines",
    "comment",
    "submitted_at",
    "amend_reason",
    "current",
)
_RED_LINES = tuple(item.code for item in DEFAULT_FORM.items() if item.red_line)


def form_row(at: datetime) -> tuple[Any, ...]:
    definition = json.dumps(DEFAULT_FORM.as_json(), ensure_ascii=False)
    return (FORM_ID, DEFAULT_FORM.name, 1, DEFAULT_FORM.title, definition, True, at, "system")


@dataclass
class DayQa:
    plans: list[tuple[Any, ...]] = field(default_factory=list)
    samples: list[tuple[Any, ...]] = field(default_factory=list)
    reviews: list[tuple[Any, ...]] = field(default_factory=list)


class QaMaker:
    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng = rng
        self.now = now
        self.next_plan = 1
        self.next_sample = 1

    def day(
        self, shape: DayShape, answered: list[CallRecord], orders: dict[tuple[str, str], str]
    ) -> DayQa:
        made = DayQa()
        drawn_at = shape.start + timedelta(days=1, hours=1)  # the nightly plan, 01:00
        if drawn_at > self.now:
            return made
        plan_id, self.next_plan = self.next_plan, self.next_plan + 1
        seed = self.rng.getrandbits(31)
        made.plans.append((plan_id, shape.day, seed, '{"rate": 0.015}', drawn_at, "nightly"))
        for record, reason in self._chosen(answered):
            self._sample(made, plan_id, record, reason, orders, drawn_at)
        return made

    def _chosen(self, answered: list[CallRecord]) -> list[tuple[CallRecord, str]]:
        rng = self.rng
        chosen = []
        for record in answered:
            if record.survey_score == 3:
                chosen.append((record, "unsatisfied"))
            elif rng.random() < 0.015:
                chosen.append((record, "random"))
        return chosen

    def _sample(
        self,
        made: DayQa,
        plan_id: int,
        record: CallRecord,
        reason: str,
        orders: dict[tuple[str, str], str],
        drawn_at: datetime,
    ) -> None:
        rng = self.rng
        sample_id, self.next_sample = self.next_sample, self.next_sample + 1
        submitted = drawn_at + timedelta(hours=rng.uniform(4, 96))
        reviewed = rng.random() < 0.92 and submitted <= self.now
        made.samples.append(
            (
                sample_id,
                plan_id,
                record.server,
                record.call_id,
                record.agent,
                record.seat,
                record.line,
                orders.get(record.key),
                json.dumps([reason]),
                "reviewed" if reviewed else "open",
                False,
            )
        )
        if reviewed:
            made.reviews.append(self._review(sample_id, record, submitted))

    def _review(self, sample_id: int, record: CallRecord, at: datetime) -> tuple[Any, ...]:
        answers = self._answers()
        graded = grade(DEFAULT_FORM, answers)
        return (
            sample_id,
            FORM_ID,
            self.rng.choice(REVIEWERS),
            record.agent,
            json.dumps(answers, ensure_ascii=False),
            graded.score,
            json.dumps(list(graded.red_lines)),
            "",
            at,
            "",
            True,
        )

    def _answers(self) -> dict[str, dict[str, Any]]:
        rng = self.rng
        failed = rng.choice(_RED_LINES) if rng.random() < 0.004 else None
        answers: dict[str, dict[str, Any]] = {}
        for item in DEFAULT_FORM.items():
            if item.red_line:
                answers[item.code] = {"failed": item.code == failed, "comment": ""}
            elif item.allow_na and rng.random() < 0.08:
                answers[item.code] = {"score": None, "comment": ""}
            else:
                quality = min(1.0, max(0.0, rng.gauss(0.9, 0.1)))
                score = round(item.weight * quality * 2) / 2
                answers[item.code] = {"score": score, "comment": ""}
        return answers
