"""Service-level figures computed from call records — the one definition of every number.

The wallboard (today's records in memory), the daily report and the monthly
assessment (records read back from the database) all call ``compute_figures``,
so they agree to the call. Definitions (DOMAIN.md, "The numbers an operator is
judged by"):

* offered: calls that reached the queue and are settled (answered, or ended
  without a seat). A caller still waiting is not counted yet.
* 15-second answer rate: answered within ``answer_target`` seconds / offered.
* connection rate: answered by a seat / offered.
* abandoned: the caller hung up before a seat answered; a short abandon is one
  under ``short_abandon`` seconds (reported apart; some contracts exclude it).
* ASA: average wait of answered calls.
* kept place: the caller hung up to be called back in turn (offered, not abandoned).
* connected: answered, plus — when the contract counts them
  (``count_callbacks``) — calls whose callback reached the citizen; the
  connection rate uses it. Outbound callbacks are not calls offered.

Each rate has the contract's target (``answer_rate_target``,
``connection_rate_target``); ``meets_targets`` says whether a period reached them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tickets.records import CallRecord


@dataclass(frozen=True, slots=True)
class FigureRules:
    answer_target: float = 15.0
    short_abandon: float = 5.0
    exclude_short_abandons: bool = False  # contract option: short abandons are not "offered"
    count_callbacks: bool = False  # contract option: a reached callback counts as connected
    answer_rate_target: float = 0.9  # the 15-second answer rate the contract asks for
    connection_rate_target: float = 0.9  # the connection rate the contract asks for

    def __post_init__(self) -> None:
        for name in RATE_TARGETS.values():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
                raise ValueError(f"{name}: a share above 0 and at most 1 (0.9 is 90 %)")


# the rate -> the rule that holds its target
RATE_TARGETS = {"answer_rate": "answer_rate_target", "connection_rate": "connection_rate_target"}


@dataclass(frozen=True, slots=True)
class SeatFigures:
    seat: str
    answered: int = 0
    missed: int = 0
    talk_seconds: float = 0.0

    @property
    def average_talk(self) -> float | None:
        return self.talk_seconds / self.answered if self.answered else None


@dataclass(frozen=True, slots=True)
class Figures:
    offered: int = 0
    answered: int = 0
    answered_in_target: int = 0
    abandoned: int = 0
    short_abandoned: int = 0
    timeout: int = 0
    no_seat: int = 0
    lost: int = 0
    kept_place: int = 0
    callbacks_reached: int = 0  # offered calls whose callback reached the citizen
    connected: int = 0
    wait_seconds_answered: float = 0.0
    talk_seconds: float = 0.0
    talk_counted: int = 0
    longest_wait_answered: float = 0.0
    rated: int = 0
    satisfied: int = 0
    basically_satisfied: int = 0
    per_seat: tuple[SeatFigures, ...] = field(default_factory=tuple)

    @property
    def answer_rate_in_target(self) -> float | None:
        return self.answered_in_target / self.offered if self.offered else None

    @property
    def connection_rate(self) -> float | None:
        return self.connected / self.offered if self.offered else None

    @property
    def abandonment_rate(self) -> float | None:
        return self.abandoned / self.offered if self.offered else None

    @property
    def asa(self) -> float | None:
        return self.wait_seconds_answered / self.answered if self.answered else None

    @property
    def average_talk(self) -> float | None:
        return self.talk_seconds / self.talk_counted if self.talk_counted else None


@dataclass
class _SeatTally:
    answered: int = 0
    missed: int = 0
    talk_seconds: float = 0.0


@dataclass
class _Tally:
    rules: FigureRules
    counts: dict[str, int] = field(default_factory=dict)
    wait_answered: float = 0.0
    talk: float = 0.0
    talk_counted: int = 0
    longest_wait: float = 0.0
    seats: dict[str, _SeatTally] = field(default_factory=dict)

    def bump(self, name: str) -> None:
        self.counts[name] = self.counts.get(name, 0) + 1

    def seat(self, seat: str) -> _SeatTally:
        return self.seats.setdefault(seat, _SeatTally())

    def add(self, record: CallRecord) -> None:
        self._add_attempts(record)
        self._add_survey(record)
        if record.answered_at is not None:
            self._add_answered(record)
        elif record.ended_at is not None:
            self._add_unanswered(record)

    def _add_attempts(self, record: CallRecord) -> None:
        for attempt in record.attempts:
            if attempt.result not in ("ANSWER", "RINGING", "CANCEL"):
                self.seat(attempt.seat).missed += 1

    def _add_survey(self, record: CallRecord) -> None:
        if record.survey_score is None:
            return
        self.bump("rated")
        if record.survey_score == 1:
            self.bump("satisfied")
        elif record.survey_score == 2:
            self.bump("basically_satisfied")

    def _add_answered(self, record: CallRecord) -> None:
        wait = record.wait_seconds or 0.0
        self.bump("offered")
        self.bump("answered")
        if wait <= self.rules.answer_target:
            self.bump("answered_in_target")
        self.wait_answered += wait
        self.longest_wait = max(self.longest_wait, wait)
        talk = record.talk_seconds
        seat = self.seat(record.seat or "?")
        seat.answered += 1
        if talk is not None and record.ended_at is not None:
            self.talk += talk
            self.talk_counted += 1
            seat.talk_seconds += talk

    def _add_unanswered(self, record: CallRecord) -> None:
        outcome = record.outcome or "abandoned"
        short = outcome == "abandoned" and (record.wait_seconds or 0.0) < self.rules.short_abandon
        if short:
            self.bump("short_abandoned")
        if not (short and self.rules.exclude_short_abandons):
            self.bump("offered")
        self.bump(outcome)

    def result(self) -> Figures:
        c = self.counts.get
        seats = tuple(
            SeatFigures(seat, t.answered, t.missed, round(t.talk_seconds, 3))
            for seat, t in sorted(self.seats.items())
        )
        return Figures(
            offered=c("offered", 0),
            answered=c("answered", 0),
            answered_in_target=c("answered_in_target", 0),
            abandoned=c("abandoned", 0),
            short_abandoned=c("short_abandoned", 0),
            timeout=c("timeout", 0),
            no_seat=c("no_seat", 0),
            lost=c("lost", 0),
            kept_place=c("kept_place", 0),
            callbacks_reached=c("callbacks_reached", 0),
            connected=c("answered", 0)
            + (c("callbacks_reached", 0) if self.rules.count_callbacks else 0),
            wait_seconds_answered=self.wait_answered,
            talk_seconds=self.talk,
            talk_counted=self.talk_counted,
            longest_wait_answered=self.longest_wait,
            rated=c("rated", 0),
            satisfied=c("satisfied", 0),
            basically_satisfied=c("basically_satisfied", 0),
            per_seat=seats,
        )


def compute_figures(records: Iterable[CallRecord], rules: FigureRules = FigureRules()) -> Figures:
    records = list(records)
    reached = {r.callback_of for r in records if r.direction == "callback" and r.answered_at}
    tally = _Tally(rules)
    for record in records:
        if record.direction != "in":
            continue
        tally.add(record)
        if record.answered_at is None and record.call_id in reached:
            tally.bump("callbacks_reached")
    return tally.result()


def within(
    records: Iterable[CallRecord], start: datetime, end: datetime | None = None
) -> list[CallRecord]:
    """Calls queued in [start, end)."""
    return [r for r in records if r.queued_at >= start and (end is None or r.queued_at < end)]


def last_minutes(records: Iterable[CallRecord], now: datetime, minutes: int) -> list[CallRecord]:
    return within(records, now - timedelta(minutes=minutes))


def targets(rules: FigureRules) -> dict[str, float]:
    """The contract's targets: answer within ``answer_seconds``; each rate at least its share."""
    return {
        "answer_seconds": rules.answer_target,
        "answer_rate": rules.answer_rate_target,
        "connection_rate": rules.connection_rate_target,
    }


def meets_targets(figures: Figures, rules: FigureRules) -> dict[str, bool | None]:
    """Whether each rate reached its target (a rate equal to it does); None while no call
    was offered, so an empty period is neither good nor bad."""
    rates = {
        "answer_rate": figures.answer_rate_in_target,
        "connection_rate": figures.connection_rate,
    }
    return {
        name: _at_least(rates[name], getattr(rules, rule)) for name, rule in RATE_TARGETS.items()
    }


def _at_least(rate: float | None, target: float) -> bool | None:
    return None if rate is None else rate >= target
