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
seat has an empty ``DestExten``). Raw messages never leave this package.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from telephony.clock import utc_from_epoch
from telephony.wire import AmiMessage

CallStyle = Literal["routed", "queue"]

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
    | CallEnded
    | RecordingStarted
    | RecordingStopped
    | SurveyScored
)
Fact = CallFact | DeviceStateChanged | LinkUp | LinkDown


@dataclass
class _Channel:
    """What we remember about one channel until it hangs up."""

    uniqueid: str
    name: str = ""
    linked_id: str = ""
    line: str | None = None
    is_call: bool = False
    style: CallStyle = "routed"
    recording_path: str | None = None
    recording_active: bool = False
    seat_offered: str | None = None
    ringing: dict[str, str] = field(default_factory=dict)  # seat channel uniqueid -> seat
    answered: bool = False
    talk_ended: bool = False


def seat_from_channel(channel: str) -> str:
    """``PJSIP/8001-0000000a`` -> 8001; ``Local/8001@agents-00000001;1`` -> 8001;
    an app_queue Interface ``Local/8001@agents/n`` or ``PJSIP/8001`` -> 8001."""
    _, _, rest = channel.partition("/")
    rest = rest or channel
    rest = rest.split("@", 1)[0]
    rest = re.sub(r"-[0-9a-f]{8}(;\d)?$", "", rest)
    return rest.split("/", 1)[0]


def _caller_id(value: str | None) -> str:
    return "" if value in (None, UNKNOWN_CALLER_ID) else str(value)


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _survey_score(raw: str | None) -> int | None:
    return int(raw) if raw in ("1", "2", "3") else None


class FactMaker:
    """Feed it every AMI message of one Asterisk in arrival order; it returns facts.

    ``queue_lines`` maps app_queue queue names to hotline lines for PBXs whose
    dialplan does not set ``HOTLINE_LINE`` (default: the queue name is the line).
    """

    def __init__(self, server: str, queue_lines: Mapping[str, str] | None = None) -> None:
        self.server = server
        self.queue_lines = dict(queue_lines or {})
        self._channels: dict[str, _Channel] = {}

    # -- public -----------------------------------------------------------------

    def feed(self, message: AmiMessage, received_at: datetime) -> list[Fact]:
        name = message.event
        if name is None or (message.action_id is not None and name in _LIST_ITEMS):
            return []
        if name == "UserEvent":
            handler = _USER_EVENTS.get(message.get("UserEvent") or "")
        else:
            handler = _EVENTS.get(name)
        if handler is None:
            return []
        return handler(self, message, _event_time(message, received_at))

    def reconcile(self, channels: Sequence[AmiMessage], at: datetime) -> list[Fact]:
        """After a (re)connect: close calls whose channel is gone, adopt live ones we missed.

        ``channels`` are the ``CoreShowChannel`` items of a ``CoreShowChannels`` list.
        """
        live = {item["Uniqueid"]: item for item in channels if "Uniqueid" in item}
        facts: list[Fact] = []
        for uniqueid in [u for u, ch in self._channels.items() if ch.is_call and u not in live]:
            facts.extend(self._end_call(uniqueid, at, None, CHANNEL_GONE))
        for uniqueid in [u for u in list(self._channels) if u not in live]:
            self._channels.pop(uniqueid, None)
        bridges = _bridge_members(channels)
        for uniqueid, item in live.items():
            known = self._channels.get(uniqueid)
            if known is None or not known.is_call:
                facts.extend(self._adopt(item, bridges, at))
        return facts

    def live_calls(self) -> list[str]:
        return [u for u, ch in self._channels.items() if ch.is_call]

    # -- shared steps -------------------------------------------------------------

    def _channel(self, message: AmiMessage) -> _Channel:
        uniqueid = message["Uniqueid"]
        channel = self._channels.get(uniqueid)
        if channel is None:
            channel = _Channel(uniqueid=uniqueid)
            self._channels[uniqueid] = channel
        channel.name = message.get("Channel") or channel.name
        channel.linked_id = message.get("Linkedid") or channel.linked_id or uniqueid
        return channel

    def _call(self, message: AmiMessage) -> _Channel | None:
        uniqueid = message.get("Uniqueid")
        channel = self._channels.get(uniqueid) if uniqueid else None
        return channel if channel is not None and channel.is_call else None

    def _become_call(
        self, message: AmiMessage, at: datetime, style: CallStyle, line: str, reason: str
    ) -> list[Fact]:
        channel = self._channel(message)
        first = not channel.is_call
        channel.is_call = True
        channel.style = style
        channel.line = line
        facts: list[Fact] = [
            CallerWaiting(
                server=self.server,
                call_id=channel.uniqueid,
                linked_id=channel.linked_id,
                channel=channel.name,
                line=line,
                caller_number=_caller_id(message.get("CallerIDNum")),
                caller_name=_caller_id(message.get("CallerIDName")),
                at=at,
                reason=reason,
                style=style,
                queue=message.get("Queue"),
            )
        ]
        if first and channel.recording_active and channel.recording_path:
            facts.append(
                RecordingStarted(self.server, channel.uniqueid, channel.recording_path, at)
            )
        return facts

    def _end_call(
        self, uniqueid: str, at: datetime, cause: int | None, cause_text: str
    ) -> list[Fact]:
        channel = self._channels.pop(uniqueid, None)
        if channel is None or not channel.is_call:
            return []
        facts: list[Fact] = []
        for seat in channel.ringing.values():
            facts.append(SeatMissed(self.server, uniqueid, seat, "CANCEL", at))
        if channel.recording_active and channel.recording_path:
            facts.append(RecordingStopped(self.server, uniqueid, channel.recording_path, at))
        facts.append(CallEnded(self.server, uniqueid, at, cause, cause_text))
        return facts

    def _ring(
        self, call: _Channel, seat: str, seat_channel: str, seat_uid: str, at: datetime
    ) -> Fact:
        call.ringing[seat_uid] = seat
        return SeatRinging(self.server, call.uniqueid, seat, seat_channel, at)

    def _line_for_queue(self, channel: _Channel, message: AmiMessage) -> str:
        queue = message.get("Queue") or ""
        return channel.line or self.queue_lines.get(queue) or queue or message.get("Exten") or ""

    def _adopt(
        self, item: AmiMessage, bridges: Mapping[str, list[AmiMessage]], at: datetime
    ) -> list[Fact]:
        context = item.get("Context") or ""
        application = item.get("Application") or ""
        started = at - timedelta(seconds=_duration_seconds(item.get("Duration")))
        if context == "hotline-inbound" and application == "MusicOnHold":
            return self._become_call(item, started, "routed", item.get("Exten") or "", "resync")
        if context == "hotline-connect" and application == "Dial":
            line = item.get("Exten") or ""
            facts = self._become_call(item, started, "routed", line, "resync")
            return facts + self._adopt_seat(item, bridges, at)
        if application == "Queue":
            facts = self._become_call(item, started, "queue", item.get("Exten") or "", "resync")
            return facts + self._adopt_seat(item, bridges, at)
        return []

    def _adopt_seat(
        self, item: AmiMessage, bridges: Mapping[str, list[AmiMessage]], at: datetime
    ) -> list[Fact]:
        bridge = item.get("BridgeId") or ""
        peers = [p for p in bridges.get(bridge, []) if p.get("Uniqueid") != item.get("Uniqueid")]
        if not bridge or not peers:
            return []
        call = self._channels[item["Uniqueid"]]
        call.answered = True
        seat = seat_from_channel(peers[0].get("Channel") or "")
        return [CallAnswered(self.server, call.uniqueid, seat, at)]


def _event_time(message: AmiMessage, received_at: datetime) -> datetime:
    """Asterisk's own clock when ``timestampevents = yes``, else when we read the frame."""
    stamp = message.get("Timestamp")
    if stamp:
        try:
            return utc_from_epoch(float(stamp))
        except ValueError:
            pass
    return received_at


def _duration_seconds(value: str | None) -> int:
    """CoreShowChannel ``Duration: 00:01:05``."""
    try:
        hours, minutes, seconds = (int(part) for part in (value or "").split(":"))
    except ValueError:
        return 0
    return hours * 3600 + minutes * 60 + seconds


def _bridge_members(channels: Iterable[AmiMessage]) -> dict[str, list[AmiMessage]]:
    members: dict[str, list[AmiMessage]] = {}
    for item in channels:
        bridge = item.get("BridgeId") or ""
        if bridge:
            members.setdefault(bridge, []).append(item)
    return members


# -- one function per event ---------------------------------------------------------

Handler = Callable[[FactMaker, AmiMessage, datetime], list[Fact]]


def on_var_set(maker: FactMaker, message: AmiMessage, at: datetime) -> list[Fact]:
    variable = message.get("Variable")
    if variable not in ("MIXMONITOR_FILENAME", "HOTLINE_LINE") or "Uniqueid" not in message:
        return []
    channel = maker._channel(message)
    value = message.get("Value") or ""
    if variable == "HOTLINE_LINE":
        channel.line = value or channel.line
    else:
        channel.recording_path = value or channel.recording_path
    return []


def on_mixmonitor_start(maker: FactMaker, message: AmiMessage, at: datetime) -> list[Fact]:
    channel = maker._channel(message)
    channel.recording_active = True
    if channel.is_call and channel.recording_path:
        return [RecordingStarted(maker.server, channel.uniqueid, channel.recording_path, at)]
    return []


def on_mixmonitor_stop(maker: FactMaker, message: AmiMessage, at: datetime) -> list[Fact]:
    channel = maker._channels.get(message.get("Uniqueid") or "")
    if channel is None or not channel.recording_active:
        return []
    channel.recording_active = False
    if channel.is_call and channel.recording_path:
        return [RecordingStopped(maker.server, channel.uniqueid, channel.recording_path, at)]
    return []


def on_hotline_waiting(maker: FactMaker, message: AmiMessage, at: datetime) -> list[Fact]:
    channel = maker._channel(message)
    recording = message.get("Recording")
    if recording:
        channel.recording_path = recording
        channel.recording_active = True
    line = message.get("Line") or channel.line or message.get("Exten") or ""
    channel.line = line
    channel.seat_offered = None
    return maker._become_call(message, at, "routed", line, message.get("Reason") or "new")


def on_hotline_connecting(maker: FactMaker, message: AmiMessage, at: datetime) -> list[Fact]:
    call = maker._call(message)
    if call is not None:
        call.seat_offered = message.get("Seat") or call.seat_offered
    return []


def on_hotline_queued(maker: FactMaker, message: AmiMessage, at: datetime) -> list[Fact]:
    channel = maker._channel(message)
    channel.line = message.get("Line") or channel.line
    channel.style = "queue"
    return []


def on_hotline_queue_result(maker: FactMaker, message: AmiMessage, at: datetime) -> list[Fact]:
    call = maker._call(message)
    status = message.get("QueueStatus") or ""
    if call is None or call.answered or status in ("", "CONTINUE"):
        return []
    return [CallerLeftQueue(maker.server, call.uniqueid, status, at)]


def on_hotline_survey(maker: FactMaker, message: AmiMessage, at: datetime) -> list[Fact]:
    call = maker._call(message)
    if call is None:
        return []
    return [SurveyScored(maker.server, call.uniqueid, _survey_score(message.get("Score")), at)]


def on_dial_begin(maker: FactMaker, message: AmiMessage, at: datetime) -> list[Fact]:
    call = maker._call(message)  # an Originate's DialBegin has no Channel/Uniqueid: not a call
    if call is None or call.style != "routed":
        return []
    seat_channel = message.get("DestChannel") or ""
    seat = call.seat_offered or seat_from_channel(seat_channel)
    return [maker._ring(call, seat, seat_channel, message.get("DestUniqueid") or seat_channel, at)]


def on_dial_end(maker: FactMaker, message: AmiMessage, at: datetime) -> list[Fact]:
    call = maker._call(message)
    if call is None:
        return []
    seat_uid = message.get("DestUniqueid") or message.get("DestChannel") or ""
    seat = call.ringing.pop(seat_uid, None)
    status = message.get("DialStatus") or ""
    if seat is None:
        return []
    if status == "ANSWER":
        if call.style == "queue":  # AgentConnect says it, with the member name
            call.ringing[seat_uid] = seat
            return []
        call.answered = True
        return [CallAnswered(maker.server, call.uniqueid, seat, at)]
    if call.style == "queue" and status == "NOANSWER":
        return []  # AgentRingNoAnswer already said it
    return [SeatMissed(maker.server, call.uniqueid, seat, status or "UNKNOWN", at)]


def on_hangup(maker: FactMaker, message: AmiMessage, at: datetime) -> list[Fact]:
    uniqueid = message.get("Uniqueid")
    if uniqueid is None:
        return []
    channel = maker._channels.get(uniqueid)
    if channel is not None and not channel.is_call:
        maker._channels.pop(uniqueid, None)
        return []
    return maker._end_call(
        uniqueid, at, _int_or_none(message.get("Cause")), message.get("Cause-txt") or ""
    )


def on_bridge_leave(maker: FactMaker, message: AmiMessage, at: datetime) -> list[Fact]:
    call = maker._call(message)
    if call is None or not call.answered or call.talk_ended:
        return []
    call.talk_ended = True
    return [TalkEnded(maker.server, call.uniqueid, at)]


def on_queue_caller_join(maker: FactMaker, message: AmiMessage, at: datetime) -> list[Fact]:
    channel = maker._channel(message)
    return maker._become_call(message, at, "queue", maker._line_for_queue(channel, message), "new")


def on_agent_called(maker: FactMaker, message: AmiMessage, at: datetime) -> list[Fact]:
    call = maker._call(message)
    if call is None:
        return []
    seat = seat_from_channel(message.get("Interface") or message.get("DestChannel") or "")
    seat_uid = message.get("DestUniqueid") or message.get("DestChannel") or seat
    return [maker._ring(call, seat, message.get("DestChannel") or "", seat_uid, at)]


def on_agent_ring_no_answer(maker: FactMaker, message: AmiMessage, at: datetime) -> list[Fact]:
    call = maker._call(message)
    if call is None:
        return []
    seat_uid = message.get("DestUniqueid") or message.get("DestChannel") or ""
    seat = call.ringing.pop(seat_uid, None) or seat_from_channel(message.get("Interface") or "")
    return [SeatMissed(maker.server, call.uniqueid, seat, "NOANSWER", at)]


def on_agent_connect(maker: FactMaker, message: AmiMessage, at: datetime) -> list[Fact]:
    call = maker._call(message)
    if call is None:
        return []
    seat_uid = message.get("DestUniqueid") or message.get("DestChannel") or ""
    seat = call.ringing.pop(seat_uid, None) or seat_from_channel(message.get("Interface") or "")
    call.answered = True
    return [CallAnswered(maker.server, call.uniqueid, seat, at)]


def on_queue_caller_abandon(maker: FactMaker, message: AmiMessage, at: datetime) -> list[Fact]:
    call = maker._call(message)
    if call is None or call.answered:
        return []
    return [CallerLeftQueue(maker.server, call.uniqueid, "ABANDON", at)]


def on_device_state_change(maker: FactMaker, message: AmiMessage, at: datetime) -> list[Fact]:
    device, state = message.get("Device"), message.get("State")
    if not device or not state:
        return []
    return [DeviceStateChanged(maker.server, device, state, at)]


_EVENTS: dict[str, Handler] = {
    "VarSet": on_var_set,
    "MixMonitorStart": on_mixmonitor_start,
    "MixMonitorStop": on_mixmonitor_stop,
    "DialBegin": on_dial_begin,
    "DialEnd": on_dial_end,
    "Hangup": on_hangup,
    "BridgeLeave": on_bridge_leave,
    "QueueCallerJoin": on_queue_caller_join,
    "AgentCalled": on_agent_called,
    "AgentRingNoAnswer": on_agent_ring_no_answer,
    "AgentConnect": on_agent_connect,
    "QueueCallerAbandon": on_queue_caller_abandon,
    "DeviceStateChange": on_device_state_change,
}

_USER_EVENTS: dict[str, Handler] = {
    "HotlineWaiting": on_hotline_waiting,
    "HotlineConnecting": on_hotline_connecting,
    "HotlineQueued": on_hotline_queued,
    "HotlineQueueResult": on_hotline_queue_result,
    "HotlineSurvey": on_hotline_survey,
}

# Items of list actions (DeviceStateList answers with DeviceStateChange + ActionID):
# state snapshots, not live changes.
_LIST_ITEMS = frozenset({"DeviceStateChange", "CoreShowChannel", "Status"})
