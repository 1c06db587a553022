"""The fact maker: every AMI message of one Asterisk, in arrival order, -> call facts.

It keeps a small state per channel (``_Channel``) for what one event does not
carry, and after a (re)connect reconciles its calls with ``CoreShowChannels``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from telephony.clock import utc_from_epoch
from telephony.fact_handlers import EVENTS, LIST_ITEMS, USER_EVENTS, caller_id_of, seat_from_channel
from telephony.facts import (
    CHANNEL_GONE,
    CallAnswered,
    CallEnded,
    CallerWaiting,
    CallStyle,
    Fact,
    RecordingStarted,
    RecordingStopped,
    SeatMissed,
    SeatRinging,
)
from telephony.wire import AmiMessage


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
    callback_seat: str | None = None  # an outbound callback: the seat that placed it


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
        if name is None or (message.action_id is not None and name in LIST_ITEMS):
            return []
        if name == "UserEvent":
            handler = USER_EVENTS.get(message.get("UserEvent") or "")
        else:
            handler = EVENTS.get(name)
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
        self,
        message: AmiMessage,
        at: datetime,
        style: CallStyle,
        line: str,
        reason: str,
        skill: str = "",
        emergency: bool = False,
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
                caller_number=caller_id_of(message.get("CallerIDNum")),
                caller_name=caller_id_of(message.get("CallerIDName")),
                at=at,
                reason=reason,
                style=style,
                queue=message.get("Queue"),
                skill=skill,
                emergency=emergency,
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
        on_hold = context == "hotline-hold"  # the lab's dialplan holds in hotline-inbound
        if on_hold or (context == "hotline-inbound" and application == "MusicOnHold"):
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
