"""Channels of the simulated Asterisk: state, caller id, variables, and their AMI header block.

A channel is named as Asterisk names it (``PJSIP/8001-0000000a``,
``Local/8001@agents-00000001;1``), carries a Uniqueid ``<epoch>.<n>`` and a
Linkedid, and is woken (``Waker``) by whatever its owner waits for: a hangup, a
redirect, an answer or ringing of a channel it dials.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from telephony.clock import Clock, Timer

if TYPE_CHECKING:
    from telephony.simulator.bridge import Bridge
    from telephony.simulator.phones import Phone

DOWN, RING, RINGING, UP, BUSY = 0, 4, 5, 6, 7
STATE_DESC = {
    0: "Down",
    1: "Rsrvd",
    2: "OffHook",
    3: "Dialing",
    4: "Ring",
    5: "Ringing",
    6: "Up",
    7: "Busy",
    8: "Dialing Offhook",
    9: "Pre-ring",
}
UNKNOWN = "<unknown>"
CAUSE_TEXT = {
    0: "Unknown",
    1: "Unallocated (unassigned) number",
    16: "Normal Clearing",
    17: "User busy",
    18: "No user responding",
    19: "User alerting, no answer",
    20: "Subscriber absent",
    21: "Call Rejected",
    27: "Destination out of order",
    34: "Circuit/channel congestion",
    38: "Network out of order",
    127: "Interworking, unspecified",
}
NORMAL_CLEARING = 16
CHANNEL_FIELDS = (
    "Channel",
    "ChannelState",
    "ChannelStateDesc",
    "CallerIDNum",
    "CallerIDName",
    "ConnectedLineNum",
    "ConnectedLineName",
    "Language",
    "AccountCode",
    "Context",
    "Exten",
    "Priority",
    "Uniqueid",
    "Linkedid",
)

Headers = list[tuple[str, str]]


def cause_text(cause: int) -> str:
    return CAUSE_TEXT.get(cause, "Unknown")


def clean(value: str) -> str:
    """Values from outside (caller names) must not break AMI framing."""
    return value.replace("\r", " ").replace("\n", " ").replace("\x00", "")


class Waker:
    """Wakes the one coroutine that owns a channel: early on a poke, else when time is up."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._future: asyncio.Future[None] | None = None
        self._pending = False

    def poke(self) -> None:
        if self._future is not None and not self._future.done():
            self._future.set_result(None)
        else:
            self._pending = True

    async def sleep(self, seconds: float | None) -> None:
        """Return after ``seconds`` (None: only on a poke), or at once after a poke."""
        if self._pending:
            self._pending = False
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._future = future
        timer: Timer | None = None
        if seconds is not None:
            timer = self.clock.call_later(seconds, lambda: _resolve(future))
        try:
            await future
        finally:
            self._future = None
            self._pending = False
            if timer is not None:
                timer.cancel()


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


@dataclass(eq=False)
class Channel:
    name: str
    uniqueid: str
    linkedid: str
    tech: str  # "PJSIP" | "Local"
    resource: str  # "8001", "trunk", "8001@agents"
    created_at: float
    waker: Waker
    context: str = ""
    exten: str = ""
    priority: int = 1
    state: int = DOWN
    caller_num: str = ""
    caller_name: str = ""
    connected_num: str = ""
    connected_name: str = ""
    language: str = "en"
    accountcode: str = ""
    variables: dict[str, str] = field(default_factory=dict)
    app: str = ""
    appdata: str = ""
    answered_at: float | None = None
    hangupcause: int = 0
    hangup_queued: bool = False  # a hangup reached it from outside (HangupRequest)
    soft_hungup: bool = False  # its owner acted on the hangup (SoftHangupRequest)
    gone: bool = False  # destroyed (Hangup sent)
    async_goto: tuple[str, str, str] | None = None  # Redirect target (context, exten, priority)
    bridge: Bridge | None = None
    other_half: Channel | None = None  # the other leg of a Local pair
    local_leg: int = 0  # 1 or 2 for Local channels
    pbx_running: bool = False
    controls: list[str] = field(default_factory=list)  # indications for its owner: ringing, answer…
    phone: Phone | None = None  # the simulated device behind a PJSIP channel
    moh_class: str | None = None
    generator_started: float | None = None  # clock monotonic: hold music or tones it plays
    dialer: Channel | None = None  # the caller whose Dial or Queue rings this channel
    digits: str = ""  # keys the far end pressed that no application has read yet
    detached: bool = False  # a dialled channel a Redirect took away from its dialer
    sip_call_id: str = ""  # PJSIP only: its SIP Call-ID (BRIDGEPVTCALLID of its peer)
    dialed: str = ""  # an inbound call: the number it dialled (its first exten)
    rtp_stats_sent: bool = False  # PJSIP only: the RTPAUDIOQOS variables are set
    audio_listeners: list[Callable[[Channel], None]] = field(default_factory=list)
    # header values Asterisk still publishes in place of the live ones: fields an
    # application changed without publishing a new snapshot yet (app_queue's member)
    shown: dict[str, str] = field(default_factory=dict)

    @property
    def device(self) -> str:
        """The device a channel belongs to: ``PJSIP/8001``, ``Local/8001@agents``."""
        return f"{self.tech}/{self.resource}"

    @property
    def hung_up(self) -> bool:
        return self.hangup_queued or self.soft_hungup or self.gone

    def headers(self, prefix: str = "", live: bool = False) -> Headers:
        """The channel block of an event; ``live``: the values as they are now, even
        those not published yet (a freshly made snapshot, as app_queue's own events)."""
        values = (
            self.name,
            str(self.state),
            STATE_DESC.get(self.state, "Unknown"),
            self.caller_num or UNKNOWN,
            self.caller_name or UNKNOWN,
            self.connected_num or UNKNOWN,
            self.connected_name or UNKNOWN,
            self.language,
            self.accountcode,
            self.context,
            self.exten,
            str(self.priority),
            self.uniqueid,
            self.linkedid,
        )
        shown = {} if live else self.shown
        return [
            (prefix + name, shown.get(name, value))
            for name, value in zip(CHANNEL_FIELDS, values, strict=True)
        ]

    def audio_changed(self) -> None:
        for listener in list(self.audio_listeners):
            listener(self)


class ChannelNames:
    """Counters behind names and Uniqueids; a restart of Asterisk starts them again."""

    def __init__(self) -> None:
        self._uniqueid = 0
        self._per_tech: dict[str, int] = {}

    def next_uniqueid(self, now: float) -> str:
        value = f"{int(now)}.{self._uniqueid}"
        self._uniqueid += 1
        return value

    def next_suffix(self, tech: str) -> str:
        value = self._per_tech.get(tech, 0)
        self._per_tech[tech] = value + 1
        return f"{value:08x}"


class ChannelTable:
    """Live channels, by name and by Uniqueid, in creation order."""

    def __init__(self) -> None:
        self._by_name: dict[str, Channel] = {}
        self._by_uniqueid: dict[str, Channel] = {}
        self.processed = 0

    def add(self, channel: Channel) -> None:
        self._by_name[channel.name] = channel
        self._by_uniqueid[channel.uniqueid] = channel
        self.processed += 1

    def remove(self, channel: Channel) -> None:
        self._by_name.pop(channel.name, None)
        self._by_uniqueid.pop(channel.uniqueid, None)

    def by_name(self, name: str) -> Channel | None:
        found = self._by_name.get(name)
        if found is None:
            lowered = name.lower()
            found = next((c for n, c in self._by_name.items() if n.lower() == lowered), None)
        return found

    def by_uniqueid(self, uniqueid: str) -> Channel | None:
        return self._by_uniqueid.get(uniqueid)

    def all(self) -> list[Channel]:
        return list(self._by_name.values())

    def clear(self) -> None:
        self._by_name.clear()
        self._by_uniqueid.clear()

    def __len__(self) -> int:
        return len(self._by_name)
