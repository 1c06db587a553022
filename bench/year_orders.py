"""The work orders (工单) of one day of the bench year, each with its whole life.

About 72 % come from answered calls (the agent accepts the order while talking), the
rest by SMS, web, WeChat, app, or from the city platform (signed for, or returned up).
Consultations are often answered on the spot (直办). The others are dispatched —
within 30 minutes but for a few, urgent ones at once — and the unit signs for them;
a few units return the order, mostly as wrongly assigned (re-dispatched, counting
against dispatch accuracy), sometimes refused. The unit contacts the citizen (mostly
within the 2-hour response time), replies after a couple of days (a few late, urged
and supervised), and the citizen is called back (回访): satisfied or basically
satisfied closes the order; unsatisfied or unresolved sends it back for another round;
an unreachable citizen is tried up to three times. Some callbacks are late or never
made, a few orders ask for an extension, a few end on the hanging list (挂账) with a
monthly progress note. A caller who calls again about the same matter within 7 days is
flagged as a duplicate (同人同诉): merged (并单) or marked not counted (不纳入考核).
"""

from __future__ import annotations

import json
import random
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bench.order_handling import DISPATCHERS, HOUR, MINUTE, Handling
from bench.order_story import Story
from bench.year_calls import moment
from bench.year_shape import ZONE, DayShape, moments_of_day
from bench.year_staff import CallerPool
from bench.year_texts import ANSWERABLE, NOT_COUNTED_NOTES, Matter, matter_of
from tickets import deadlines as due
from tickets.deadlines import DeadlineRules
from tickets.lifecycle import FINAL, Status, Step
from tickets.orders import make_order_number
from tickets.records import CallRecord
from tickets.workdays import WorkCalendar
from tickets.workflow import new_order_number

PHONE_SHARE = 0.72
CHANNELS = ("sms", "web", "wechat", "app", "platform")
CHANNEL_SHARES = (0.12, 0.32, 0.67, 0.82, 1.0)  # cumulative
DUPLICATE_WINDOW = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Intake:
    created: datetime
    line: str
    channel: str
    caller: str
    call: CallRecord | None = None


@dataclass
class DayOrders:
    stories: list[Story] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)
    by_call: dict[tuple[str, str], str] = field(default_factory=dict)  # call -> order number


@dataclass(frozen=True, slots=True)
class _Recent:
    created: datetime
    line: str
    matter: Matter
    story: Story


class OrderMaker:
    """Makes the orders of one day after another; ids count up from ``first_id``."""

    def __init__(
        self,
        rng: random.Random,
        callers: CallerPool,
        now: datetime,
        deadlines: DeadlineRules,
        calendar: WorkCalendar,
        first_id: int = 1,
    ) -> None:
        self.rng = rng
        self.callers = callers
        self.now = now
        self.rules = deadlines
        self.calendar = calendar
        self.next_id = first_id
        self.handling = Handling(rng, deadlines, calendar)
        self.recent: deque[_Recent] = deque()
        self.by_caller: dict[str, _Recent] = {}
        self.merged: dict[int, Story] = {}  # order id -> the order it was merged into

    def day(self, shape: DayShape, answered: list[CallRecord]) -> DayOrders:
        made = DayOrders()
        for intake in self._intakes(shape, answered):
            story = self._story(intake)
            made.events.extend(story.settle(self.now))
            made.events.extend(self._merge_note(story))
            made.stories.append(story)
            if intake.call is not None:
                made.by_call[(intake.call.server, intake.call.call_id)] = story.number
        return made

    def _intakes(self, shape: DayShape, answered: list[CallRecord]) -> list[Intake]:
        rng = self.rng
        calls = rng.sample(answered, min(len(answered), round(shape.orders * PHONE_SHARE)))
        intakes = [
            Intake(c.answered_at, c.line, "phone", c.caller_number, c)
            for c in calls
            if c.answered_at is not None
        ]
        for at in moments_of_day(rng, shape.start, shape.orders - len(intakes)):
            line = "12345" if rng.random() < 0.8 else "962121"
            channel = rng.choices(CHANNELS, cum_weights=CHANNEL_SHARES)[0]
            intakes.append(Intake(moment(at), line, channel, self.callers.pick()))
        return sorted(intakes, key=lambda i: i.created)

    # -- the order row and its intake -------------------------------------------------

    def _story(self, intake: Intake) -> Story:
        rng = self.rng
        earlier = self._earlier(intake)
        matter = matter_of(rng, intake.line, intake.created.astimezone(ZONE).date())
        if earlier is not None:
            matter = earlier.matter  # the same matter again (同人同诉)
        story = Story(self.next_id, self._values(intake, matter, earlier))
        self.next_id += 1
        accepted = self._intake(story, intake, matter)
        merged = accepted is not None and self._merged(story, earlier, accepted)
        if accepted is not None and not merged:
            self._not_counted(story, accepted, earlier is not None)
            self.handling.handle(story, matter, accepted)
        recent = _Recent(intake.created, intake.line, matter, story)
        self.recent.append(recent)
        if intake.caller and not merged:
            self.by_caller[intake.caller] = recent
        return story

    def _earlier(self, intake: Intake) -> _Recent | None:
        """The caller's latest order of the line in the last 7 days, when (half the time)
        the call is about the same matter again."""
        while self.recent and self.recent[0].created < intake.created - DUPLICATE_WINDOW:
            gone = self.recent.popleft()
            if self.by_caller.get(gone.story.values["caller_number"]) is gone:
                del self.by_caller[gone.story.values["caller_number"]]
        found = self.by_caller.get(intake.caller) if intake.caller else None
        if found is None or found.line != intake.line or self.rng.random() < 0.5:
            return None
        return found

    def _values(self, intake: Intake, matter: Matter, earlier: _Recent | None) -> dict[str, Any]:
        call = intake.call
        if call is not None:
            number = make_order_number(intake.line, intake.created, call.server, call.call_id)
        else:
            number = new_order_number(intake.line, intake.created, self.next_id)
        values = dict.fromkeys(_NULLABLE)
        values.update(
            id=self.next_id,
            number=number,
            server=None if call is None else call.server,
            call_id=None if call is None else call.call_id,
            line=intake.line,
            caller_number=intake.caller,
            seat=None if call is None else call.seat,
            agent=None if call is None else call.agent,
            status="draft" if call is not None else None,
            created_at=intake.created,
            updated_at=intake.created,
            category=matter.category,
            address=matter.address,
            content=matter.content,
            urgency="urgent" if matter.urgent else "normal",
            confidential=self.rng.random() < 0.05,
            open=True,
            version=1,
            channel=intake.channel,
            source_ref=None if call is not None else f"{intake.channel}-{self.next_id:09d}",
            caller_name="",
            handled_directly=False,
            escalation="",
            revisit_attempts=0,
            duplicate_of=None if earlier is None else earlier.story.number,
        )
        return values

    def _deadlines(self, story: Story, at: datetime) -> dict[str, datetime]:
        """The deadlines that start at intake; the step that sets them writes them."""
        urgent = story.values["urgency"] == "urgent"
        story.intake_at = at
        story.due = {
            "dispatch_due": due.dispatch_due(self.rules, at, urgent=urgent),
            "response_due": due.response_due(self.rules, self.calendar, at, urgent=urgent),
            "close_due": due.close_due(self.rules, self.calendar, at),
        }
        return {"accepted_at": at, **story.due}

    def _intake(self, story: Story, intake: Intake, matter: Matter) -> datetime | None:
        """Accept (or receive, sign for); None when the order ends here (answered on the
        spot, returned up)."""
        rng = self.rng
        direct = rng.random() < (0.55 if matter.category in ANSWERABLE else 0.03)
        if intake.call is not None:
            return self._accept_call(story, intake.call, direct)
        platform = intake.channel == "platform"
        at = intake.created
        set_due = self._deadlines(story, at)
        story.then(
            at,
            Step.RECEIVE,
            Status.PENDING_SIGN if platform else Status.ACCEPTED,
            "system",
            details={"channel": intake.channel, "source_ref": story.values["source_ref"]},
            apply=lambda: story.values.update(set_due),
        )
        if platform:
            return self._sign_for(story, at)
        if direct:
            self._answer_directly(story, at + MINUTE * rng.uniform(5, 90), rng.choice(DISPATCHERS))
            return None
        return at

    def _accept_call(self, story: Story, call: CallRecord, direct: bool) -> datetime | None:
        assert call.answered_at is not None
        assert call.talk_ended_at is not None
        talk = call.talk_ended_at - call.answered_at
        agent = call.agent or ""
        if direct:
            self._answer_directly(story, call.talk_ended_at, agent)
            return None
        at = call.answered_at + talk * self.rng.uniform(0.5, 0.95)
        set_due = self._deadlines(story, at)
        return story.then(at, Step.ACCEPT, actor=agent, apply=lambda: story.values.update(set_due))

    def _answer_directly(self, story: Story, at: datetime, actor: str) -> None:
        answer = "已当场答复市民，告知办理流程与所需材料"
        # a call's order answered on the spot gets no deadlines; a received one has them
        set_due = {} if story.due else {"accepted_at": at}

        def apply() -> None:
            story.values.update(set_due)
            story.values.update(handled_directly=True, responded_at=at, result=answer)

        story.then(at, Step.ANSWER_DIRECTLY, actor=actor, note=answer, apply=apply)

    def _sign_for(self, story: Story, received: datetime) -> datetime | None:
        rng = self.rng
        at = received + MINUTE * rng.uniform(3, 20)
        if rng.random() < 0.08:
            reason = "不属于本区管辖范围"
            story.then(
                at,
                Step.RETURN_UP,
                actor=rng.choice(DISPATCHERS),
                note=reason,
                apply=lambda: story.values.update(result=f"退回上级: {reason}"),
            )
            return None
        story.then(
            at,
            Step.SIGN,
            actor=rng.choice(DISPATCHERS),
            apply=lambda: story.values.update(accepted_at=at),
        )
        return at

    def _merged(self, story: Story, earlier: _Recent | None, accepted: datetime) -> bool:
        rng = self.rng
        if earlier is None or rng.random() < 0.5:
            return False
        at = accepted + MINUTE * rng.uniform(10, 60)
        target = earlier.story.status_at(at)
        if target is None or Status(target) in FINAL or at > self.now:
            return False
        into = earlier.story.number
        self.merged[story.id] = earlier.story
        story.then(
            at,
            Step.MERGE,
            actor=rng.choice(DISPATCHERS),
            details={"into": into},
            apply=lambda: story.values.update(merged_into=into, result=f"并入 {into}"),
        )
        return True

    def _merge_note(self, story: Story) -> list[tuple[Any, ...]]:
        """The target's history says an order was merged into it (as the service writes it)."""
        target = self.merged.pop(story.id, None)
        if target is None or story.values["merged_into"] is None:
            return []
        at = story.values["updated_at"]
        status = target.status_at(at)
        if status is None:
            return []
        note = f"{story.number} 并入本单"
        details = json.dumps({"from": story.number}, ensure_ascii=False)
        return [(target.id, at, "system", Step.MERGE.value, status, status, note, details)]

    def _not_counted(self, story: Story, accepted: datetime, duplicate: bool) -> None:
        rng = self.rng
        if duplicate and rng.random() < 0.4:
            reason = "same_person_same_complaint"
        elif rng.random() < 0.012:
            reason = rng.choice(("litigation", "against_policy", "unreasonable"))
        else:
            return
        note = NOT_COUNTED_NOTES[reason]
        story.aside(
            accepted + HOUR * rng.uniform(2, 120),
            Step.NOT_COUNTED,
            rng.choice(DISPATCHERS),
            note,
            {"reason": reason},
            lambda: story.values.update(not_counted=reason, not_counted_note=note),
        )


_NULLABLE = (
    "accepted_at",
    "dispatched_at",
    "responded_at",
    "replied_at",
    "closed_at",
    "dispatch_due",
    "response_due",
    "sign_due",
    "reply_due",
    "callback_due",
    "close_due",
    "main_unit",
    "satisfaction",
    "result",
    "not_counted",
    "not_counted_note",
    "merged_into",
)
