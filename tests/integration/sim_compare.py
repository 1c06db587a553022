"""Comparing two AMI streams of one session: the real Asterisk's and the simulator's.

Each frame becomes an ``Item``: its name (``Response:Success``, ``Newexten``,
``UserEvent(HotlineWaiting)``), its header names in order, its values with
what differs between any two runs mapped away (Uniqueids to the channel they
name, bridge ids to their creation order, session ids, ports, clock readings,
SIP Call-IDs and RTP SSRCs)
and the *stream* it belongs to: the channel, device, queue member, bridge or
originate it is about, or the session itself. The fidelity test says how
strictly streams and their interleaving must agree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from telephony.wire import AmiMessage

UNIQUEID = re.compile(r"\b\d{9,11}\.\d+\b")
UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
CLOCK_HEADERS = frozenset(
    {
        "Timestamp",
        "EventTV",
        "SessionTV",
        "Uptime",
        "LastReload",
        "LoginTime",
        "LastCall",
        "LastPause",
        "CoreStartupDate",
        "CoreStartupTime",
        "CoreReloadDate",
        "CoreReloadTime",
        "Duration",
        "Seconds",
        "HoldTime",
        "TalkTime",
        "Holdtime",
        "RingTime",
    }
)
CLOCK_VARIABLES = frozenset(
    {
        "ANSWEREDTIME",
        "ANSWEREDTIME_MS",
        "DIALEDTIME",
        "DIALEDTIME_MS",
        "RINGTIME",
        "RINGTIME_MS",
        "PROGRESSTIME",
        "PROGRESSTIME_MS",
        "QUEUEWAIT",
        "QUEUEWAIT_MS",
    }
)
# values a phone or Asterisk picks at random for each call
RANDOM_VARIABLES = frozenset({"BRIDGEPVTCALLID"})  # the SIP Call-ID of the bridged peer
SSRC = re.compile(r"\bssrc=\d+")  # RTPAUDIOQOS*: the RTP stream's random SSRC
SESSION_EVENTS = frozenset({"FullyBooted", "SuccessfulAuth", "RequestBadFormat", "Shutdown"})
CAPTURED_RECORDINGS = "/var/spool/hotline/recordings"


@dataclass(frozen=True)
class Item:
    name: str
    headers: tuple[str, ...]
    values: tuple[tuple[str, str], ...]
    stream: str
    t: float

    def describe(self) -> str:
        shown = ", ".join(f"{k}={v}" for k, v in self.values if k not in ("Privilege",))
        return f"{self.name} [{self.stream}] {shown[:300]}"


@dataclass
class Normalizer:
    """Maps the values that differ between runs; one per stream of frames."""

    recordings_dir: str = CAPTURED_RECORDINGS
    channel_of: dict[str, str] = field(default_factory=dict)  # Uniqueid -> channel name
    bridges: dict[str, str] = field(default_factory=dict)

    def items(self, frames: Iterable[tuple[float, AmiMessage]]) -> list[Item]:
        return [self.item(t, message) for t, message in frames]

    def item(self, t: float, message: AmiMessage) -> Item:
        self._learn(message)
        values = tuple((name, self.value(message, name, value)) for name, value in message.headers)
        return Item(
            _name(message), tuple(n for n, _ in message.headers), values, self.stream(message), t
        )

    def _learn(self, message: AmiMessage) -> None:
        for prefix in ("", "Dest", "LocalOne", "LocalTwo"):
            uniqueid = message.get(prefix + "Uniqueid")
            channel = message.get(prefix + "Channel")
            if uniqueid and channel and uniqueid not in self.channel_of:
                self.channel_of[uniqueid] = channel
        bridge = message.get("BridgeUniqueid")
        if bridge and bridge not in self.bridges:
            self.bridges[bridge] = f"bridge#{len(self.bridges) + 1}"

    def value(self, message: AmiMessage, name: str, value: str) -> str:
        if name in CLOCK_HEADERS or (
            message.event == "VarSet"
            and name == "Value"
            and message.get("Variable") in CLOCK_VARIABLES
        ):
            return "<clock>" if value else ""
        if message.event == "VarSet" and name == "Value":
            if message.get("Variable") in RANDOM_VARIABLES:
                return "<random>" if value else ""
            value = SSRC.sub("ssrc=<random>", value)
        if name == "SessionID":
            return "<session>"
        if name == "Challenge":
            return "<challenge>"
        if name in ("LocalAddress", "RemoteAddress"):
            return value.rsplit("/", 1)[0] + "/<port>"
        if name == "Output":
            value = re.sub(r"login was \d+ secs ago", "login was N secs ago", value)
        value = value.replace(self.recordings_dir, CAPTURED_RECORDINGS)
        value = UUID.sub(lambda m: self.bridges.get(m.group(0), "<uuid>"), value)
        return UNIQUEID.sub(lambda m: f"uid({self.channel_of.get(m.group(0), '?')})", value)

    def stream(self, message: AmiMessage) -> str:
        event = message.event
        if event is None or event in SESSION_EVENTS:
            return "session"
        if event == "DeviceStateChange":
            return "session" if "ActionID" in message else f"device {message.get('Device')}"
        if event == "QueueMemberStatus":
            return f"member {message.get('Interface')}"
        if event == "OriginateResponse":
            return f"originate {message.get('ActionID')}"
        if "ActionID" in message:
            return "session"  # a list item
        for prefix in ("", "Dest", "LocalOne"):
            uniqueid = message.get(prefix + "Uniqueid")
            if uniqueid and uniqueid != "none":
                return f"channel {self.channel_of.get(uniqueid, uniqueid)}"
        bridge = message.get("BridgeUniqueid")
        if bridge:
            return f"bridge {self.bridges.get(bridge)}"
        return "session"


def _name(message: AmiMessage) -> str:
    if message.event is None:
        return f"Response:{message.response}"
    if message.event == "UserEvent":
        return f"UserEvent({message.get('UserEvent')})"
    return message.event


def bursts(items: list[Item], gap: float) -> list[int]:
    """Burst number of each item: a new burst starts after ``gap`` seconds of silence."""
    numbers: list[int] = []
    current, last = 0, None
    for item in items:
        if last is not None and item.t - last > gap:
            current += 1
        numbers.append(current)
        last = item.t
    return numbers


def by_stream(items: list[Item]) -> dict[str, list[Item]]:
    streams: dict[str, list[Item]] = {}
    for item in items:
        streams.setdefault(item.stream, []).append(item)
    return streams


def stream_differences(expected: list[Item], actual: list[Item]) -> list[str]:
    """Every stream must be the same frames, in the same order, with the same headers."""
    problems: list[str] = []
    want, got = by_stream(expected), by_stream(actual)
    for stream in sorted(set(want) | set(got)):
        a, b = want.get(stream, []), got.get(stream, [])
        for index in range(max(len(a), len(b))):
            left = a[index] if index < len(a) else None
            right = b[index] if index < len(b) else None
            if (
                left is None
                or right is None
                or (left.name, left.headers, left.values)
                != (
                    right.name,
                    right.headers,
                    right.values,
                )
            ):
                problems.append(
                    f"{stream} #{index}:\n  Asterisk:  {left.describe() if left else '(nothing)'}"
                    f"\n  simulator: {right.describe() if right else '(nothing)'}"
                )
                break
    return problems


def order_differences(expected: list[Item], actual: list[Item], gap: float) -> list[str]:
    """Frames of different streams may interleave only inside one captured burst."""
    numbers = bursts(expected, gap)
    position: dict[tuple[str, int], int] = {}
    seen: dict[str, int] = {}
    for item, burst in zip(expected, numbers, strict=True):
        index = seen.get(item.stream, 0)
        seen[item.stream] = index + 1
        position[(item.stream, index)] = burst
    problems: list[str] = []
    seen.clear()
    highest = -1
    for item in actual:
        index = seen.get(item.stream, 0)
        seen[item.stream] = index + 1
        burst = position.get((item.stream, index))
        if burst is None:
            continue
        if burst < highest:
            problems.append(f"{item.describe()} comes after a frame of a later burst (#{highest})")
        highest = max(highest, burst)
    return problems
