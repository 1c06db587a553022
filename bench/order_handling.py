"""A dispatched bench order's path, after intake (see ``bench.year_orders``): dispatch,
the unit's signing or return, first response, an extension now and then, the replies and
callbacks (回访) — up to three rounds — or the hanging list (挂账) with its monthly
progress notes. Deadlines come from ``tickets.deadlines`` with the contract's rules and
the working-day calendar, as the service sets them.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bench.order_story import Story
from bench.year_texts import Matter, reply_text, unit_for, wrong_unit
from tickets import deadlines as due
from tickets.deadlines import DeadlineRules
from tickets.lifecycle import Status, Step
from tickets.workdays import WorkCalendar

DISPATCHERS = tuple(str(2001 + n) for n in range(6))
CALLBACK_AGENTS = tuple(str(3001 + n) for n in range(10))
MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
SATISFIED = ("satisfied", "basically_satisfied")
# callback results of each round: (satisfied, basically satisfied, unsatisfied, unreachable)
ROUND_RESULTS = (
    (0.86, 0.93, 0.965, 1.0),
    (0.6, 0.9, 0.97, 1.0),
    (0.7, 1.0, 1.0, 1.0),
)  # cumulative
RESULTS = ("satisfied", "basically_satisfied", "unsatisfied", "unreachable")
HANG_REASON = "涉及历史遗留问题，需多部门协调，暂无法解决"


def _unit_actor(unit: str) -> str:
    return f"{unit}:handler"


def _main(story: Story) -> dict[str, Any]:
    """The main unit's assignment now in force."""
    return next(a for a in reversed(story.assignments) if a["role"] == "main")


def _escalation(story: Story, step: Step) -> Callable[[], None]:
    def apply() -> None:
        story.values["escalation"] = step.value

    return apply


class CachedCalendar(WorkCalendar):
    """The working-day calendar, each date looked up once (a year of deadlines asks the
    holiday library a few million times)."""

    def __init__(self, zone: ZoneInfo) -> None:
        super().__init__(zone)
        self._worked: dict[date, bool] = {}

    def is_working_day(self, day: date) -> bool:
        worked = self._worked.get(day)
        if worked is None:
            worked = self._worked[day] = super().is_working_day(day)
        return worked


class Handling:
    def __init__(self, rng: random.Random, rules: DeadlineRules, calendar: WorkCalendar) -> None:
        self.rng = rng
        self.rules = rules
        self.calendar = calendar

    def handle(self, story: Story, matter: Matter, accepted: datetime) -> None:
        rng = self.rng
        right = unit_for(matter)
        wrong = rng.random() < 0.025
        refused = not wrong and rng.random() < 0.008
        first = wrong_unit(rng, right) if wrong else right
        at = self._dispatch(story, accepted, first)
        self._respond(story, at, first)
        if wrong or refused:
            at = self._returned(story, at, first, right, wrong)
        signed = at if refused else self._unit_sign(story, at, right)
        self._extension(story, signed, right)
        if rng.random() < 0.006:
            self._hang(story, matter, signed + DAY * rng.uniform(3, 12), right)
        else:
            self._rounds(story, matter, signed, right)

    # -- dispatch, response, the unit -----------------------------------------------

    def _dispatch(self, story: Story, accepted: datetime, unit: str) -> datetime:
        rng = self.rng
        urgent = story.values["urgency"] == "urgent"
        if urgent:
            delay = MINUTE * rng.uniform(1, 4.5)
        elif rng.random() < 0.015:
            delay = MINUTE * rng.uniform(31, 240)  # late: the dispatcher was busy
        else:
            delay = min(MINUTE * 29.5, MINUTE * rng.lognormvariate(math.log(12), 0.6))
        # the dispatch time counts from intake (a platform order's from its receipt)
        at = max(accepted + MINUTE * rng.uniform(0.5, 2), (story.intake_at or accepted) + delay)
        on_time = at <= story.due["dispatch_due"]
        assisting = [wrong_unit(rng, unit)] if rng.random() < 0.05 else []
        actor = rng.choice(DISPATCHERS)

        def apply() -> None:
            self._assign(story, at, unit, assisting, actor)

        details = {"main_unit": unit, "assisting": assisting, "on_time": on_time}
        return story.then(at, Step.DISPATCH, actor=actor, details=details, apply=apply)

    def _assign(
        self, story: Story, at: datetime, unit: str, assisting: list[str], actor: str
    ) -> None:
        for code, role in ((unit, "main"), *((code, "assist") for code in assisting)):
            story.assignments.append(
                {
                    "order_id": story.id,
                    "unit": code,
                    "role": role,
                    "state": "active",
                    "dispatched_at": at,
                    "dispatched_by": actor,
                    "signed_at": None,
                    "returned_at": None,
                    "return_reason": None,
                    "wrongly_assigned": False,
                }
            )
        story.values.update(
            main_unit=unit,
            dispatched_at=at,
            sign_due=due.sign_due(self.rules, self.calendar, at),
            reply_due=story.values["close_due"],
            escalation="",
        )

    def _respond(self, story: Story, dispatched: datetime, unit: str) -> None:
        """响应: most within the response time, some late, a few never."""
        rng = self.rng
        deadline = story.due["response_due"]
        r = rng.random()
        if r < 0.005:
            return
        start = dispatched + MINUTE * rng.uniform(1, 10)
        if r < 0.02 or deadline <= start:
            at = max(start, deadline + MINUTE * rng.uniform(10, 480))
        else:
            at = start + (deadline - start) * rng.uniform(0.05, 0.95)

        def apply() -> None:
            if story.values["responded_at"] is None:
                story.values["responded_at"] = at

        details = {"on_time": at <= deadline}
        story.aside(at, Step.RESPOND, _unit_actor(unit), "已联系市民", details, apply)

    def _returned(
        self, story: Story, dispatched: datetime, first: str, right: str, wrong: bool
    ) -> datetime:
        """The first unit returns the order: re-dispatched (wrongly assigned) or refused."""
        rng = self.rng
        at = dispatched + HOUR * rng.uniform(0.5, 8)
        reason = "非本单位职责" if wrong else "诉求不明确，无法处置"
        urgent = story.values["urgency"] == "urgent"
        redispatch_due = due.dispatch_due(self.rules, at, urgent=urgent)

        def returned() -> None:
            _main(story).update(state="returned", returned_at=at, return_reason=reason)
            story.values["dispatch_due"] = redispatch_due

        story.then(
            at,
            Step.UNIT_RETURN,
            actor=_unit_actor(first),
            note=reason,
            details={"unit": first},
            apply=returned,
        )
        decided = at + MINUTE * rng.uniform(10, 90)
        actor = rng.choice(DISPATCHERS)
        if wrong:
            return self._redispatch(story, decided, right, actor, decided <= redispatch_due)

        def refused() -> None:
            _main(story)["state"] = "signed"
            story.values["reply_due"] = due.rehandle_due(self.rules, self.calendar, decided)

        note = "经核实属于该单位职责，退回不成立"
        details = {"unit": first}
        return story.then(
            decided, Step.REJECT_RETURN, actor=actor, note=note, details=details, apply=refused
        )

    def _redispatch(
        self, story: Story, at: datetime, unit: str, actor: str, on_time: bool
    ) -> datetime:
        def apply() -> None:
            for assignment in story.assignments:
                if assignment["state"] == "returned" and assignment["role"] == "main":
                    assignment["wrongly_assigned"] = True
                if assignment["state"] in ("active", "signed"):
                    assignment["state"] = "withdrawn"
            self._assign(story, at, unit, [], actor)

        details = {"main_unit": unit, "assisting": [], "on_time": on_time, "wrongly_assigned": True}
        return story.then(at, Step.REDISPATCH, actor=actor, details=details, apply=apply)

    def _unit_sign(self, story: Story, dispatched: datetime, unit: str) -> datetime:
        delay = min(HOUR * 20, MINUTE * self.rng.lognormvariate(math.log(45), 0.8))
        at = dispatched + delay

        def apply() -> None:
            for assignment in story.assignments:
                if assignment["state"] == "active":
                    assignment.update(state="signed", signed_at=at)

        details = {"unit": unit}
        return story.then(at, Step.UNIT_SIGN, actor=_unit_actor(unit), details=details, apply=apply)

    def _extension(self, story: Story, signed: datetime, unit: str) -> None:
        """延期: the unit asks for a few more days; the hotline mostly agrees."""
        rng = self.rng
        if rng.random() >= 0.03:
            return
        asked = signed + HOUR * rng.uniform(4, 20)
        until = story.due["close_due"] + DAY * rng.uniform(3, 7)
        decided = asked + HOUR * rng.uniform(1, 3)
        approved = rng.random() < 0.8
        reason = "需协调施工队，材料到货后处理"
        request = {
            "order_id": story.id,
            "unit": unit,
            "asked_at": asked,
            "asked_by": _unit_actor(unit),
            "until": until,
            "reason": reason,
            "decided_at": None,
            "decided_by": None,
            "approved": None,
            "decision_note": "",
        }
        details = {"unit": unit, "until": until.isoformat()}
        ask = story.aside(
            asked,
            Step.ASK_EXTENSION,
            _unit_actor(unit),
            reason,
            details,
            lambda: story.extensions.append(request),
        )
        actor = rng.choice(DISPATCHERS)

        def decide() -> None:
            request.update(decided_at=decided, decided_by=actor, approved=approved)
            if approved:
                close = max(story.values["close_due"] or until, until)
                story.values.update(reply_due=until, close_due=close, escalation="")

        decision = {"approved": approved, "until": until.isoformat()}
        story.aside(decided, Step.DECIDE_EXTENSION, actor, "", decision, decide, needs=ask)

    # -- the hanging list ---------------------------------------------------------------

    def _hang(self, story: Story, matter: Matter, at: datetime, unit: str) -> None:
        rng = self.rng
        actor = rng.choice(DISPATCHERS)
        story.then(at, Step.HANG, actor=actor, note=HANG_REASON)
        resume = at + DAY * rng.uniform(20, 90) if rng.random() < 0.25 else None
        note = at + DAY * rng.uniform(25, 35)
        while note < (resume or at + DAY * 400):
            if rng.random() < 0.85:
                text = "本月进展：已协调相关部门，持续跟进"
                story.then(note, Step.HANGING_PROGRESS, actor=actor, note=text)
            note += DAY * rng.uniform(25, 35)
        if resume is None:
            return

        def reopen() -> None:
            story.values["reply_due"] = due.rehandle_due(self.rules, self.calendar, resume)
            _main(story)["state"] = "signed"

        story.then(resume, Step.RESUME, actor=actor, apply=reopen)
        self._rounds(story, matter, resume, unit)

    # -- replies and callbacks ---------------------------------------------------------

    def _rounds(self, story: Story, matter: Matter, start: datetime, unit: str) -> None:
        at = start
        for round_no in range(3):
            replied = self._reply(story, matter, at, unit, round_no)
            outcome, at = self._callbacks(story, replied, round_no)
            if outcome != Status.HANDLING:
                return
            if round_no == 1 and self.rng.random() < 0.5:
                self._hang(story, matter, at + DAY * self.rng.uniform(2, 5), unit)
                return

    def _reply(
        self, story: Story, matter: Matter, start: datetime, unit: str, round_no: int
    ) -> datetime:
        rng = self.rng
        close_due = story.due["close_due"]
        if round_no > 0:
            at = start + DAY * rng.uniform(1, 3)
        elif rng.random() < 0.03:
            at = max(start, close_due) + DAY * rng.uniform(0.5, 8)  # slow, urged, supervised
        else:
            at = start + MINUTE * rng.lognormvariate(math.log(2.2 * 1440), 0.6)
        self._escalate(story, start, at, close_due)
        resolved = rng.random() < 0.94
        text = reply_text(rng, matter)

        def apply() -> None:
            story.replies.append(
                {"order_id": story.id, "unit": unit, "at": at, "by": _unit_actor(unit)}
                | text
                | {"resolved": resolved}
            )
            _main(story)["state"] = "replied"
            callback_due = due.callback_due(self.rules, self.calendar, at)
            story.values.update(replied_at=at, result=text["result"], callback_due=callback_due)

        details = {"unit": unit, "resolved": resolved, "on_time": at <= close_due}
        return story.then(
            at, Step.REPLY, Status.REPLIED, _unit_actor(unit), details=details, apply=apply
        )

    def _escalate(self, story: Story, start: datetime, replied: datetime, due_at: datetime) -> None:
        """催办 a day before the closure deadline, 督办 after it, while the unit has not replied."""
        for step, at in ((Step.URGE, due_at - HOUR * 20), (Step.SUPERVISE, due_at + HOUR)):
            if start < at < replied:
                note = "办理时限将到" if step == Step.URGE else "已超办理时限"
                story.aside(at, step, "supervision", note, apply=_escalation(story, step))

    def _callbacks(self, story: Story, replied: datetime, round_no: int) -> tuple[Status, datetime]:
        """回访 until the order closes or goes back to the unit; (REPLIED, …) if nobody
        calls back."""
        rng = self.rng
        deadline = due.callback_due(self.rules, self.calendar, replied)
        r = rng.random()
        if r < 0.01:
            return Status.REPLIED, replied
        if r < 0.035:
            at = deadline + HOUR * rng.uniform(1, 96)
        else:
            at = replied + (deadline - replied) * rng.uniform(0.05, 0.95)
        while True:
            result = rng.choices(RESULTS, cum_weights=ROUND_RESULTS[round_no])[0]
            resolved = result in SATISFIED and rng.random() < 0.97
            story.revisit_attempts += 1
            to = self._after_callback(story, result, resolved)
            self._revisit(story, at, result, resolved, to)
            if to != Status.REPLIED:
                return to, at
            at += HOUR * rng.uniform(20, 30)

    @staticmethod
    def _after_callback(story: Story, result: str, resolved: bool) -> Status:
        if result == "unreachable":
            return Status.REPLIED if story.revisit_attempts < 3 else Status.CLOSED
        return Status.CLOSED if result in SATISFIED and resolved else Status.HANDLING

    def _revisit(self, story: Story, at: datetime, result: str, resolved: bool, to: Status) -> None:
        rng = self.rng
        attempt = story.revisit_attempts
        agent = rng.choice(CALLBACK_AGENTS)
        row = {
            "order_id": story.id,
            "attempt": attempt,
            "placed_at": at - MINUTE * rng.uniform(1, 5),
            "agent": agent,
            "seat": f"{8101 + CALLBACK_AGENTS.index(agent)}",
            "server": None,
            "call_id": None,
            "result": result,
            "resolved": resolved,
            "note": "",
            "recorded_at": at,
        }

        def apply() -> None:
            story.revisits.append(row)
            values = story.values
            values["revisit_attempts"] = attempt
            if result != "unreachable":
                values["satisfaction"] = result
            elif to == Status.CLOSED:
                values["result"] = f"{values['result'] or ''}（回访{attempt}次无法联系）"
            if to == Status.HANDLING:
                _main(story)["state"] = "signed"
                values["reply_due"] = due.rehandle_due(self.rules, self.calendar, at)
                values["callback_due"] = None

        details = {"result": result, "resolved": resolved, "attempt": attempt, "call_id": ""}
        story.then(at, Step.REVISIT, to, agent, details=details, apply=apply)
