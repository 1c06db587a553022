"""Raw AMI messages -> typed call facts, for both call styles Asterisk can be run in.

* routed: the service is the ACD. Dialplan ``hotline-inbound`` raises
  ``UserEvent(HotlineWaiting)``; the service Redirects the caller to
  ``hotline-connect,<seat>,1`` which Dials the seat; ``HotlineDialFailed`` sends
  the caller back to hold; ``hotline-survey`` raises ``HotlineSurvey``.
* queue: Asterisk's app_queue is the ACD (``QueueCallerJoin``, ``AgentCalled``,
  ``AgentConnect``, ``AgentRingNoAnswer``, ``QueueCallerAbandon`` …); the service
  only measures and tickets those calls.

A call is the caller's channel; ``call_id`` is its ``Uniqueid``. A small state per
channel remembers what a single event does not carry (the recording path comes in
a ``VarSet`` before the caller is known to be a caller; ``DialEnd`` of an answered
seat has an empty ``DestExten``). Raw messages never leave this package:
``telephony.fact_maker.FactMaker`` makes these facts, one handler per event in
``telephony.fact_handlers``.

* callback: an outbound call placed by the service (``hotline-callback``): the seat's
  softphone rings first, then the citizen is dialled; ``HotlineCallback`` says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

CallStyle = Literal["routed", "queue", "callback"]

ROUTED_CONTEXTS = ("hotline-inbound", "hotline-connect", "hotline-survey")
UNKNOWN_CALLER_ID = "<unknown>"
# CallEnded.cause_text of a call whose channel was gone when the AMI link came back
CHANNEL_GONE = "channel gone after AMI reconnect"
# DialStatus values of a seat that did not take the call. CANCEL: the caller hung up first.
NOT_ANSWERED = ("NOANSWER", "BUSY", "CHANUNAVAIL", "CONGESTION", "CANCEL", "DONTCALL", "TORTURE")


@dataclass(frozen=True, slots=True)
class CallerWaiting:
    """A caller is on hold for a seat (first time, or back after a seat missed)."""

    server: str
    call_id: str
    linked_id: str
    channel: str
    line: str
    caller_number: str
    caller_name: str
    at: datetime
    reason: str  # "new"; the DialStatus that sent the caller back; "resync"
    style: CallStyle
    queue: str | None = None
    skill: str = ""  # chosen in the dialplan's menu (dialect, enterprise…); "" for any seat
    emergency: bool = False
    priority: int = 0  # given by the ACD when it queues the caller


@dataclass(frozen=True, slots=True)
class SeatRinging:
    server: str
    call_id: str
    seat: str
    seat_channel: str
    at: datetime


@dataclass(frozen=True, slots=True)
class CallAnswered:
    server: str
    call_id: str
    seat: str
    at: datetime
    agent: str | None = None  # the agent signed in at the seat (added by the ACD)


@dataclass(frozen=True, slots=True)
class TalkEnded:
    """The seat left the conversation (the caller may go on to the survey)."""

    server: str
    call_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class SeatMissed:
    """A seat was offered the call and did not take it; ``status`` is the DialStatus."""

    server: str
    call_id: str
    seat: str
    status: str
    at: datetime


@dataclass(frozen=True, slots=True)
class CallerLeftQueue:
    """app_queue let the caller go without a seat (TIMEOUT, FULL, JOINEMPTY, LEAVEEMPTY…)."""

    server: str
    call_id: str
    reason: str
    at: datetime


@dataclass(frozen=True, slots=True)
class CallerKeptPlace:
    """The caller pressed the key to hang up and be called back when their turn comes."""

    server: str
    call_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class CallbackPlaced:
    """An outbound callback reached the agent's softphone and now dials the citizen."""

    server: str
    call_id: str  # the Uniqueid of the seat's channel placed by Originate
    linked_id: str
    channel: str
    seat: str
    line: str
    number: str
    callback_of: str  # call_id of the call it returns ("" when placed by hand)
    task: str  # the callback task (漏接回拨), "" if none
    at: datetime
    order: str = ""  # the work order of a callback (回访), "" if none


@dataclass(frozen=True, slots=True)
class CallbackUnanswered:
    """The citizen did not take the callback (DialStatus NOANSWER, BUSY…)."""

    server: str
    call_id: str
    status: str
    at: datetime


@dataclass(frozen=True, slots=True)
class CallEnded:
    server: str
    call_id: str
    at: datetime
    cause: int | None
    cause_text: str


@dataclass(frozen=True, slots=True)
class RecordingStarted:
    server: str
    call_id: str
    path: str
    at: datetime


@dataclass(frozen=True, slots=True)
class RecordingStopped:
    server: str
    call_id: str
    path: str
    at: datetime


@dataclass(frozen=True, slots=True)
class SurveyScored:
    """The caller's key in ``hotline-survey``: 1 satisfied, 2 basically, 3 not; None = no key."""

    server: str
    call_id: str
    score: int | None
    at: datetime


@dataclass(frozen=True, slots=True)
class DeviceStateChanged:
    server: str
    device: str
    state: str
    at: datetime


@dataclass(frozen=True, slots=True)
class LinkUp:
    """The AMI link is logged in and resynced. ``restarted``: Asterisk itself restarted."""

    server: str
    at: datetime
    uptime: int
    restarted: bool


@dataclass(frozen=True, slots=True)
class LinkDown:
    server: str
    at: datetime
    reason: str


CallFact = (
    CallerWaiting
    | SeatRinging
    | CallAnswered
    | SeatMissed
    | TalkEnded
    | CallerLeftQueue
    | CallerKeptPlace
    | CallbackPlaced
    | CallbackUnanswered
    | CallEnded
    | RecordingStarted
    | RecordingStopped
    | SurveyScored
)
Fact = CallFact | DeviceStateChanged | LinkUp | LinkDown
