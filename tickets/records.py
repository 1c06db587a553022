"""Plain records of what happened on a call: the values of one ``calls`` row.

The ACD folds call facts into ``CallRecord`` snapshots; the write-behind writer
stores them; the live wallboard, the daily report and the monthly assessment
compute their figures from these same records, so they agree to the call.
A record is immutable: every change makes a new snapshot with ``version + 1``,
and the database keeps only the highest version of each call.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

# answered: a seat took it. abandoned: the caller hung up before a seat answered.
# timeout: the queue gave up on the caller. no_seat: no seat could take the line.
# lost: the channel vanished while the AMI link was down (end time approximate).
# kept_place: the caller pressed the key to hang up and be called back in turn.
# For an outbound callback (direction "callback"): answered = the citizen was reached.
Outcome = Literal["answered", "abandoned", "timeout", "no_seat", "lost", "kept_place"]
OUTCOMES: tuple[Outcome, ...] = (
    "answered",
    "abandoned",
    "timeout",
    "no_seat",
    "lost",
    "kept_place",
)
Direction = Literal["in", "callback"]

# SeatAttempt.result: ANSWER or the DialStatus that ended the ring (NOANSWER, BUSY, …).
RINGING = "RINGING"


@dataclass(frozen=True, slots=True)
class SeatAttempt:
    """One offer of the call to one seat."""

    seat: str
    rang_at: datetime
    ended_at: datetime | None = None
    result: str = RINGING


@dataclass(frozen=True, slots=True)
class CallRecord:
    server: str
    call_id: str
    linked_id: str
    line: str
    caller_number: str
    queued_at: datetime
    caller_name: str = ""
    channel: str = ""
    style: str = "routed"
    answered_at: datetime | None = None
    talk_ended_at: datetime | None = None
    ended_at: datetime | None = None
    seat: str | None = None
    outcome: Outcome | None = None
    end_cause: int | None = None
    end_cause_text: str = ""
    queue_result: str | None = None
    recording_path: str | None = None
    recording_started_at: datetime | None = None
    recording_stopped_at: datetime | None = None
    survey_score: int | None = None
    attempts: tuple[SeatAttempt, ...] = field(default_factory=tuple)
    agent: str | None = None  # staff number of the agent who answered
    skill: str = ""  # the skill the caller asked for (方言, 涉企…), "" for any
    priority: int = 0
    emergency: bool = False
    direction: Direction = "in"
    callback_of: str | None = None  # for a callback: the call_id of the call it returns
    version: int = 1

    @property
    def key(self) -> tuple[str, str]:
        return (self.server, self.call_id)

    @property
    def is_live(self) -> bool:
        return self.ended_at is None

    @property
    def wait_seconds(self) -> float | None:
        """Queued until answered, or until the caller gave up."""
        end = self.answered_at or self.ended_at
        return None if end is None else max(0.0, (end - self.queued_at).total_seconds())

    @property
    def talk_seconds(self) -> float | None:
        if self.answered_at is None:
            return None
        end = self.talk_ended_at or self.ended_at
        return None if end is None else max(0.0, (end - self.answered_at).total_seconds())

    @property
    def misses(self) -> int:
        return sum(1 for a in self.attempts if a.result not in ("ANSWER", RINGING, "CANCEL"))


# Seat states the ACD reports (offline: no agent signed in; unreachable: softphone not registered)
SeatStateName = Literal[
    "offline", "ready", "reserved", "ringing", "talking", "wrapup", "paused", "unreachable"
]


@dataclass(frozen=True, slots=True)
class SeatStateInterval:
    """One stretch of time a seat spent in one state; ``ended_at`` None while it lasts.

    Keyed by (seat, started_at): the open interval is written when it starts and
    written again, closed, when it ends.
    """

    seat: str
    state: SeatStateName
    started_at: datetime
    ended_at: datetime | None = None
    reason: str = ""
    agent: str | None = None

    @property
    def key(self) -> tuple[str, datetime]:
        return (self.seat, self.started_at)


@dataclass(frozen=True, slots=True)
class WorkOrderDraft:
    """The work order (工单) opened when a seat answers, linked to its call."""

    number: str
    server: str
    call_id: str
    line: str
    caller_number: str
    created_at: datetime
    seat: str | None = None
    # the agent who accepted it (首接负责制: first offered their callers again)
    agent: str | None = None
    status: str = "draft"

    @property
    def key(self) -> str:
        return self.number


@dataclass(frozen=True, slots=True)
class AgentSession:
    """An agent (坐席员, by staff number) signed in to a seat; ``ended_at`` None while signed in."""

    agent: str
    seat: str
    started_at: datetime
    ended_at: datetime | None = None
    ended_by: str = ""  # "agent", or the supervisor who forced the logout

    @property
    def key(self) -> tuple[str, datetime]:
        return (self.agent, self.started_at)


# 漏接回拨: a call that reached nobody, to be called back before ``due_at``.
CallbackReason = Literal["abandoned", "timeout", "no_seat", "lost", "kept_place", "missed"]
CallbackStatus = Literal["pending", "calling", "reached", "unreachable", "not_needed", "cancelled"]


@dataclass(frozen=True, slots=True)
class CallbackTask:
    task_id: str  # derived from the call: "<server>/<call_id>"
    server: str
    call_id: str
    line: str
    caller_number: str
    reason: CallbackReason
    created_at: datetime
    due_at: datetime
    status: CallbackStatus = "pending"
    attempts: int = 0
    last_attempt_at: datetime | None = None
    agent: str | None = None
    seat: str | None = None
    result_call_id: str | None = None  # the outbound call that reached the caller
    note: str = ""
    closed_at: datetime | None = None
    version: int = 1

    @property
    def key(self) -> str:
        return self.task_id

    @property
    def is_open(self) -> bool:
        return self.status in ("pending", "calling")


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """Who did what to whom, when, from where (supervisor actions, recording plays, …)."""

    entry_id: str  # unique, made by the caller (uuid4 hex)
    at: datetime
    actor: str
    action: str  # e.g. "seat.force_pause", "call.listen"
    target: str  # e.g. "seat:8001", "call:pbx1/1795458352.0"
    details: dict[str, str] = field(default_factory=dict)
    source: str = ""  # the client address

    @classmethod
    def new(
        cls,
        at: datetime,
        actor: str,
        action: str,
        target: str,
        source: str,
        details: dict[str, str],
    ) -> AuditEntry:
        """An entry with a fresh id."""
        return cls(uuid.uuid4().hex, at, actor, action, target, details, source)

    @property
    def key(self) -> str:
        return self.entry_id
