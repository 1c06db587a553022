"""One function per AMI event: message -> facts, with the channel state of the fact maker.

Each handler gets the ``FactMaker`` (for the per-channel state), the message and
the event time; the tables at the end say which handler takes which event.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from telephony.facts import (
    UNKNOWN_CALLER_ID,
    CallAnswered,
    CallbackPlaced,
    CallbackUnanswered,
    CallerKeptPlace,
    CallerLeftQueue,
    DeviceStateChanged,
    Fact,
    RecordingStarted,
    RecordingStopped,
    SeatMissed,
    SurveyScored,
    TalkEnded,
)
from telephony.wire import AmiMessage

if TYPE_CHECKING:
    from telephony.fact_maker import FactMaker, _Channel


def seat_from_channel(channel: str) -> str:
    """``PJSIP/8001-0000000a`` -> 8001; ``Local/8001@agents-00000001;1`` -> 8001;
    an app_queue Interface ``Local/8001@agents/n`` or ``PJSIP/8001`` -> 8001."""
    _, _, rest = channel.partition("/")
    rest = rest or channel
    rest = rest.split("@", 1)[0]
    rest = re.sub(r"-[0-9a-f]{8}(;\d)?$", "", rest)
    return rest.split("/", 1)[0]


def caller_id_of(value: str | None) -> str:
    return "" if value in (None, UNKNOWN_CALLER_ID) else str(value)


def int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def survey_score(raw: str | None) -> int | None:
    return int(raw) if raw in ("1", "2", "3") else None


def flag(raw: str | None) -> bool:
    return (raw or "").strip().lower() in ("1", "yes", "true", "y")


# -- one function per event ---------------------------------------------------------

Handler = Callable[["FactMaker", AmiMessage, datetime], list[Fact]]


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
    reason = message.get("Reason") or "new"
    skill = (message.get("Skill") or "").strip()
    emergency = flag(message.get("Emergency"))
    return maker._become_call(message, at, "routed", line, reason, skill, emergency)


def on_hotline_keep_place(maker: FactMaker, message: AmiMessage, at: datetime) -> list[Fact]:
    call = maker._call(message)
    if call is None or call.answered:
        return []
    return [CallerKeptPlace(maker.server, call.uniqueid, at)]


def on_hotline_callback(maker: FactMaker, message: AmiMessage, at: datetime) -> list[Fact]:
    """The seat's channel (placed by Originate) is in hotline-callback: it is the call."""
    channel = maker._channel(message)
    if channel.is_call:
        return []
    recording = message.get("Recording")
    if recording:
        channel.recording_path, channel.recording_active = recording, True
    channel.is_call, channel.style = True, "callback"
    channel.line = message.get("Line") or channel.line or ""
    channel.callback_seat = seat_from_channel(channel.name)
    placed = CallbackPlaced(
        server=maker.server,
        call_id=channel.uniqueid,
        linked_id=channel.linked_id,
        channel=channel.name,
        seat=channel.callback_seat,
        line=channel.line,
        number=message.get("Number") or "",
        callback_of=message.get("CallbackOf") or "",
        task=message.get("Task") or "",
        at=at,
        order=message.get("Order") or "",
    )
    started = [RecordingStarted(maker.server, channel.uniqueid, recording, at)] if recording else []
    return [placed, *started]


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
    return [SurveyScored(maker.server, call.uniqueid, survey_score(message.get("Score")), at)]


def on_dial_begin(maker: FactMaker, message: AmiMessage, at: datetime) -> list[Fact]:
    call = maker._call(message)  # an Originate's DialBegin has no Channel/Uniqueid: not a call
    if call is None or call.style == "queue":
        return []
    if call.style == "callback":
        return []  # the citizen's phone rings, not a seat
    seat_channel = message.get("DestChannel") or ""
    seat = call.seat_offered or seat_from_channel(seat_channel)
    return [maker._ring(call, seat, seat_channel, message.get("DestUniqueid") or seat_channel, at)]


def on_dial_end(maker: FactMaker, message: AmiMessage, at: datetime) -> list[Fact]:
    call = maker._call(message)
    if call is None:
        return []
    if call.style == "callback":
        return _callback_dial_end(maker, call, message.get("DialStatus") or "UNKNOWN", at)
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


def _callback_dial_end(maker: FactMaker, call: _Channel, status: str, at: datetime) -> list[Fact]:
    if status != "ANSWER":
        return [CallbackUnanswered(maker.server, call.uniqueid, status, at)]
    call.answered = True
    return [CallAnswered(maker.server, call.uniqueid, call.callback_seat or "", at)]


def on_hangup(maker: FactMaker, message: AmiMessage, at: datetime) -> list[Fact]:
    uniqueid = message.get("Uniqueid")
    if uniqueid is None:
        return []
    channel = maker._channels.get(uniqueid)
    if channel is not None and not channel.is_call:
        maker._channels.pop(uniqueid, None)
        return []
    return maker._end_call(
        uniqueid, at, int_or_none(message.get("Cause")), message.get("Cause-txt") or ""
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


EVENTS: dict[str, Handler] = {
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

USER_EVENTS: dict[str, Handler] = {
    "HotlineWaiting": on_hotline_waiting,
    "HotlineKeepPlace": on_hotline_keep_place,
    "HotlineCallback": on_hotline_callback,
    "HotlineConnecting": on_hotline_connecting,
    "HotlineQueued": on_hotline_queued,
    "HotlineQueueResult": on_hotline_queue_result,
    "HotlineSurvey": on_hotline_survey,
}

# Items of list actions (DeviceStateList answers with DeviceStateChange + ActionID):
# state snapshots, not live changes.
LIST_ITEMS = frozenset({"DeviceStateChange", "CoreShowChannel", "Status"})
