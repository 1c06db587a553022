"""The calls of one day of the bench year, as the service stores them: ``CallRecord``
snapshots (with their seat attempts), the seats' wrap-up intervals, the agents' sign-ins,
the callback tasks (漏接回拨) with the outbound callbacks that reached the citizen, and a
recording row for every answered call.

How a call goes, at a day's pressure ``p`` (``bench.year_shape``):

* 1.2 % hang up within 5 s (short abandons); a few find no seat or are lost;
* the wait a seat needs is short (exponential, mean 3.5 s × p²), or — for a share
  0.045 × p³ of callers who hit a busy moment — 8 s plus an exponential of mean 35 s × p;
* every caller has a patience of 10 s plus an exponential of mean 150 s: shorter than
  the wait is an abandon; the queue gives up at 300 s; some long waiters keep their place;
* talk times are log-normal (median 150 s on 12345, 190 s on 962121), 35 % of the
  answered callers press a survey key (93 % satisfied), wrap-up is log-normal around 25 s.

Agents on duty each day are enough for about 85 answered calls each; each agent has a
pace of their own, so some agent-days fall short of the 70 calls a contract asks for.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from acd.ledger import KEPT_PLACE, version_at
from bench.year_shape import HOUR_PRESSURE, DayShape, hour_of, moments_of_day
from bench.year_staff import CallerPool, Duty, Roster
from telephony.facts import CHANNEL_GONE
from tickets.records import (
    AgentSession,
    CallbackStatus,
    CallbackTask,
    CallRecord,
    Outcome,
    SeatAttempt,
    SeatStateInterval,
)

SERVER = "pbx1"
SPOOL = "/var/spool/hotline/recordings"
CALLBACK_DEADLINE = timedelta(minutes=120)
RECORDING_COLUMNS = (
    "server",
    "call_id",
    "line",
    "kind",
    "started_at",
    "source_path",
    "state",
    "attempts",
    "error",
    "storage_key",
    "format",
    "size",
    "duration_seconds",
    "sha256",
    "source_sha256",
    "repaired",
    "converted_at",
    "legal_hold",
    "hold_reason",
    "purge_after",
)
_HOUR = 3600.0


def moment(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


@dataclass
class DayCalls:
    inbound: list[CallRecord] = field(default_factory=list)
    callbacks: list[CallRecord] = field(default_factory=list)
    wrapups: list[SeatStateInterval] = field(default_factory=list)
    sessions: list[AgentSession] = field(default_factory=list)
    tasks: list[CallbackTask] = field(default_factory=list)
    recordings: list[tuple[Any, ...]] = field(default_factory=list)
    seats: set[str] = field(default_factory=set)

    def answered(self) -> list[CallRecord]:
        return [r for r in self.inbound if r.answered_at is not None]


class CallMaker:
    """Makes the calls of one day after another; call ids are unique over the year."""

    def __init__(self, rng: random.Random, roster: Roster, callers: CallerPool, now: datetime):
        self.rng = rng
        self.roster = roster
        self.callers = callers
        self.now = now.timestamp()
        self.sequence = 0
        self.day_start = 0.0

    def _pick(self, duty: Duty, at: float) -> tuple[str, str]:
        """An agent on shift at ``at`` and their seat."""
        return duty.pick(self.rng, int((at - self.day_start) // _HOUR))

    def day(self, shape: DayShape) -> DayCalls:
        rng = self.rng
        duty = Duty.of(rng, self.roster, shape.calls * 0.97)
        made = DayCalls(seats=set(duty.seats))
        start = self.day_start = shape.start.timestamp()
        for at in moments_of_day(rng, shape.start, shape.calls):
            hour = hour_of(at, start)
            pressure = shape.pressure * HOUR_PRESSURE[hour]
            made.inbound.append(self._inbound(at, pressure, duty))
        self._callbacks(made, duty)
        made.wrapups = self._wrapups(made.answered())
        made.sessions = _sessions(rng, [*made.inbound, *made.callbacks])
        made.recordings = [self._recording(r) for r in (*made.answered(), *made.callbacks)]
        return made

    def _call_id(self, at: float) -> str:
        self.sequence += 1
        return f"{int(at)}.{self.sequence}"

    def _base(self, at: float) -> dict[str, Any]:
        call_id = self._call_id(at)
        rng = self.rng
        emergency = rng.random() < 0.004
        return {
            "server": SERVER,
            "call_id": call_id,
            "linked_id": call_id,
            "line": "12345" if rng.random() < 0.7 else "962121",
            "caller_number": self.callers.pick(),
            "channel": f"PJSIP/trunk-{self.sequence:08x}",
            "queued_at": moment(at),
            "skill": "方言" if rng.random() < 0.02 else "",
            "emergency": emergency,
            "priority": 10 if emergency else 0,
        }

    def _inbound(self, at: float, pressure: float, duty: Duty) -> CallRecord:
        base = self._base(at)
        outcome, wait = self._fate(pressure)
        if outcome == "answered":
            return self._answered(base, at, wait, duty)
        return self._unanswered(base, at, wait, outcome, duty)

    def _fate(self, pressure: float) -> tuple[Outcome, float]:
        rng = self.rng
        r = rng.random()
        if r < 0.012:
            return "abandoned", rng.uniform(0.5, 4.9)
        if r < 0.0128:
            return "no_seat", rng.uniform(0.0, 2.0)
        if r < 0.013:
            return "lost", rng.uniform(5.0, 60.0)
        if rng.random() < min(0.6, 0.045 * pressure**3):
            needed = 8.0 + rng.expovariate(1.0 / (35.0 * pressure))
        else:
            needed = rng.expovariate(1.0 / (3.5 * pressure**2))
        patience = 10.0 + rng.expovariate(1.0 / 150.0)
        if needed > patience:
            return ("timeout", 300.0) if patience > 300.0 else ("abandoned", patience)
        if needed > 300.0:
            return "timeout", 300.0
        if needed > 60.0 and rng.random() < 0.15:
            return "kept_place", rng.uniform(30.0, 60.0)
        return "answered", needed

    def _answered(self, base: dict[str, Any], at: float, wait: float, duty: Duty) -> CallRecord:
        rng = self.rng
        agent, seat = self._pick(duty, answered := at + wait)
        median = 150.0 if base["line"] == "12345" else 190.0
        talk_end = answered + min(3600.0, max(10.0, rng.lognormvariate(math.log(median), 0.6)))
        score = _survey_key(rng) if rng.random() < 0.35 else None
        ended = talk_end + (rng.uniform(6.0, 12.0) if score else rng.uniform(0.2, 1.0))
        return CallRecord(
            **base,
            answered_at=moment(answered),
            talk_ended_at=moment(talk_end),
            ended_at=moment(ended),
            seat=seat,
            agent=agent,
            outcome="answered",
            end_cause=16,
            end_cause_text="Normal Clearing",
            recording_path=f"{SPOOL}/{base['call_id']}.wav",
            recording_started_at=base["queued_at"],
            recording_stopped_at=moment(ended),
            survey_score=score,
            attempts=self._answer_attempts(at, answered, seat, duty),
            version=version_at(moment(ended)),
        )

    def _answer_attempts(
        self, at: float, answered: float, seat: str, duty: Duty
    ) -> tuple[SeatAttempt, ...]:
        rng = self.rng
        ring = min(answered - at, rng.uniform(2.0, 8.0))
        taken = SeatAttempt(seat, moment(answered - ring), moment(answered), "ANSWER")
        if answered - at > 24.0 + ring and rng.random() < 0.25:
            # the first seat offered rang out its 15 s (DialStatus NOANSWER)
            other = self._pick(duty, at)[1]
            missed = SeatAttempt(other, moment(at + 1.0), moment(at + 16.0), "NOANSWER")
            return (missed, taken)
        return (taken,)

    def _unanswered(
        self, base: dict[str, Any], at: float, wait: float, outcome: Outcome, duty: Duty
    ) -> CallRecord:
        rng = self.rng
        ended = at + wait
        attempts: tuple[SeatAttempt, ...] = ()
        if outcome == "abandoned" and wait > 8.0 and rng.random() < 0.3:
            # the caller hung up while a seat rang (DialStatus CANCEL)
            rang = ended - rng.uniform(1.0, min(wait - 1.0, 14.0))
            seat = self._pick(duty, rang)[1]
            attempts = (SeatAttempt(seat, moment(rang), moment(ended), "CANCEL"),)
        queue_result = {"timeout": "TIMEOUT", "no_seat": "JOINEMPTY", "kept_place": KEPT_PLACE}
        lost = outcome == "lost"
        return CallRecord(
            **base,
            ended_at=moment(ended),
            outcome=outcome,
            end_cause=None if lost else 16,
            end_cause_text=CHANNEL_GONE if lost else "Normal Clearing",
            queue_result=queue_result.get(outcome),
            attempts=attempts,
            version=version_at(moment(ended)),
        )

    # -- callbacks (漏接回拨) ---------------------------------------------------------

    def _callbacks(self, made: DayCalls, duty: Duty) -> None:
        open_until: dict[str, datetime] = {}
        for record in made.inbound:
            if record.answered_at is not None or not record.caller_number:
                continue
            assert record.ended_at is not None
            if open_until.get(record.caller_number, record.ended_at) > record.ended_at:
                continue  # one open task per number: the earlier one stands
            task = self._task(record)
            open_until[record.caller_number] = task.closed_at or task.due_at
            made.tasks.append(self._settle(task, duty, made.callbacks))

    def _task(self, record: CallRecord) -> CallbackTask:
        assert record.ended_at is not None
        assert record.outcome is not None
        reason = record.outcome if record.outcome != "answered" else "missed"
        return CallbackTask(
            task_id=f"{record.server}/{record.call_id}",
            server=record.server,
            call_id=record.call_id,
            line=record.line,
            caller_number=record.caller_number,
            reason=reason,
            created_at=record.ended_at,
            due_at=record.ended_at + CALLBACK_DEADLINE,
            version=version_at(record.ended_at),
        )

    def _settle(self, task: CallbackTask, duty: Duty, callbacks: list[CallRecord]) -> CallbackTask:
        rng = self.rng
        created = task.created_at.timestamp()
        if created + 2 * _HOUR > self.now:
            return task  # still on the list
        r = rng.random()
        if r < 0.62:
            call = self._callback_call(task, created + rng.uniform(120.0, 6000.0), duty)
            callbacks.append(call)
            return _closed(task, "reached", call.ended_at, call.agent, call.seat, call.call_id)
        if r < 0.80:
            at = moment(created + rng.uniform(3600.0, 6600.0))
            return _closed(task, "unreachable", at, None, None, None, attempts=3)
        seat = self._pick(duty, created)[1]
        note = f"called again, answered by seat {seat}"
        return _closed(task, "not_needed", moment(created + rng.uniform(300.0, 5400.0)), note=note)

    def _callback_call(self, task: CallbackTask, at: float, duty: Duty) -> CallRecord:
        rng = self.rng
        agent, seat = self._pick(duty, at)
        call_id = self._call_id(at)
        answered = at + rng.uniform(5.0, 20.0)
        ended = answered + rng.uniform(40.0, 150.0)
        return CallRecord(
            server=SERVER,
            call_id=call_id,
            linked_id=call_id,
            line=task.line,
            caller_number=task.caller_number,
            channel=f"PJSIP/{seat}-{self.sequence:08x}",
            style="callback",
            direction="callback",
            callback_of=task.call_id,
            queued_at=moment(at),
            answered_at=moment(answered),
            talk_ended_at=moment(ended),
            ended_at=moment(ended),
            seat=seat,
            agent=agent,
            outcome="answered",
            end_cause=16,
            end_cause_text="Normal Clearing",
            recording_path=f"{SPOOL}/{call_id}.wav",
            recording_started_at=moment(at),
            recording_stopped_at=moment(ended),
            attempts=(SeatAttempt(seat, moment(at), moment(answered), "ANSWER"),),
            version=version_at(moment(ended)),
        )

    # -- wrap-up, recordings ----------------------------------------------------------

    def _wrapups(self, answered: list[CallRecord]) -> list[SeatStateInterval]:
        rng = self.rng
        seen: set[tuple[str, datetime]] = set()
        found = []
        for record in answered:
            assert record.seat is not None
            assert record.talk_ended_at is not None
            if (record.seat, record.talk_ended_at) in seen:
                continue
            seen.add((record.seat, record.talk_ended_at))
            seconds = rng.lognormvariate(math.log(25.0), 0.35)
            if rng.random() < 0.05:
                seconds += 30.0  # extended once by the agent
            end = record.talk_ended_at + timedelta(seconds=seconds)
            found.append(
                SeatStateInterval(
                    record.seat, "wrapup", record.talk_ended_at, end, agent=record.agent
                )
            )
        return found

    def _recording(self, record: CallRecord) -> tuple[Any, ...]:
        assert record.ended_at is not None
        duration = (record.ended_at - record.queued_at).total_seconds()
        local_day = record.queued_at.strftime("%Y/%m/%d")
        converted = record.ended_at + timedelta(seconds=self.rng.uniform(5.0, 40.0))
        values = {
            "server": record.server,
            "call_id": record.call_id,
            "line": record.line,
            "kind": "call" if record.direction == "in" else "callback",
            "started_at": record.queued_at,
            "source_path": record.recording_path,
            "state": "stored",
            "attempts": 1,
            "error": "",
            "storage_key": f"{local_day}/{record.call_id}.opus",
            "format": "opus",
            "size": int(duration * 3000) + 400,  # 24 kbit/s
            "duration_seconds": round(duration, 3),
            "sha256": f"{self.rng.getrandbits(256):064x}",
            "source_sha256": f"{self.rng.getrandbits(256):064x}",
            "repaired": False,
            "converted_at": converted,
            "legal_hold": False,
            "hold_reason": "",
            "purge_after": record.queued_at + timedelta(days=730),
        }
        return tuple(values[name] for name in RECORDING_COLUMNS)


def _survey_key(rng: random.Random) -> int:
    r = rng.random()
    return 1 if r < 0.93 else (2 if r < 0.98 else 3)


def _closed(
    task: CallbackTask,
    status: CallbackStatus,
    at: datetime | None,
    agent: str | None = None,
    seat: str | None = None,
    result_call_id: str | None = None,
    *,
    attempts: int = 1,
    note: str = "",
) -> CallbackTask:
    assert at is not None
    return replace(
        task,
        status=status,
        attempts=attempts,
        last_attempt_at=at,
        agent=agent,
        seat=seat,
        result_call_id=result_call_id,
        note=note or ("" if status == "reached" else f"{attempts} attempts"),
        closed_at=at,
        version=version_at(at),
    )


def _sessions(rng: random.Random, calls: list[CallRecord]) -> list[AgentSession]:
    """One sign-in per agent and seat of the day, from before their first call to after
    their last."""
    spans: dict[tuple[str, str], list[datetime]] = {}
    for record in calls:
        if record.agent is None or record.seat is None or record.ended_at is None:
            continue
        span = spans.setdefault((record.agent, record.seat), [record.queued_at, record.ended_at])
        span[0] = min(span[0], record.queued_at)
        span[1] = max(span[1], record.ended_at)
    return [
        AgentSession(
            agent=agent,
            seat=seat,
            started_at=first - timedelta(minutes=rng.uniform(5.0, 20.0)),
            ended_at=last + timedelta(minutes=rng.uniform(10.0, 40.0)),
            ended_by="agent",
        )
        for (agent, seat), (first, last) in spans.items()
    ]
