"""app_queue's configuration and member states, as far as calls that do not use Queue() see them.

The lab's queues.conf has static members ``Local/8001@agents/n``; a routed call
to seat 8001 still changes that member's device state, so Asterisk sends
``QueueMemberStatus`` and ``Queue:hotline_avail`` device states. QueueStatus,
QueueSummary and ``queue show`` read the same model. Queue() itself (callers
waiting, members rung) is meant to sit on this model and on the Dial/bridge code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from telephony.simulator.channels import Headers

if TYPE_CHECKING:
    from telephony.simulator.devstate import DeviceStates

# AMI member Status: ast_device_state values
MEMBER_STATUS = {
    "UNKNOWN": 0,
    "NOT_INUSE": 1,
    "INUSE": 2,
    "BUSY": 3,
    "INVALID": 4,
    "UNAVAILABLE": 5,
    "RINGING": 6,
    "RINGINUSE": 7,
    "ONHOLD": 8,
}
STATUS_TEXT = {
    0: "Unknown",
    1: "Not in use",
    2: "In use",
    3: "Busy",
    4: "Invalid",
    5: "Unavailable",
    6: "Ringing",
    7: "Ring+Inuse",
    8: "On Hold",
}


@dataclass
class Member:
    queue: str
    name: str
    interface: str
    state_interface: str
    login_time: int
    penalty: int = 0
    membership: str = "static"
    calls_taken: int = 0
    last_call: int = 0
    last_pause: int = 0
    in_call: int = 0
    status: int = 1
    paused: bool = False
    paused_reason: str = ""
    wrapuptime: int = 0
    ringinuse: bool = False

    @property
    def device(self) -> str:
        """``Local/8001@agents/n`` -> ``Local/8001@agents`` (the device state name)."""
        tech, _, rest = self.state_interface.partition("/")
        if tech.lower() == "local":
            rest = rest.split("/", 1)[0]
        return f"{tech}/{rest}"

    def state_headers(self) -> Headers:
        return [
            ("StateInterface", self.state_interface),
            ("Membership", self.membership),
            ("Penalty", str(self.penalty)),
            ("CallsTaken", str(self.calls_taken)),
            ("LastCall", str(self.last_call)),
            ("LastPause", str(self.last_pause)),
            ("LoginTime", str(self.login_time)),
            ("InCall", str(self.in_call)),
            ("Status", str(self.status)),
            ("Paused", "1" if self.paused else "0"),
            ("PausedReason", self.paused_reason),
        ]

    def event_headers(self) -> Headers:
        """QueueMemberStatus / QueueMemberAdded / QueueMemberPause body."""
        return [
            ("Queue", self.queue),
            ("MemberName", self.name),
            ("Interface", self.interface),
            *self.state_headers(),
            ("Ringinuse", "1" if self.ringinuse else "0"),
            ("Wrapuptime", str(self.wrapuptime)),
        ]

    def list_headers(self) -> Headers:
        """A QueueStatus ``QueueMember`` item (no Ringinuse there)."""
        return [
            ("Queue", self.queue),
            ("Name", self.name),
            ("Location", self.interface),
            *self.state_headers(),
            ("Wrapuptime", str(self.wrapuptime)),
        ]


@dataclass
class Queue:
    name: str
    strategy: str = "ringall"
    servicelevel: int = 0
    maxlen: int = 0
    weight: int = 0
    ringinuse: bool = True
    members: list[Member] = field(default_factory=list)
    callers: int = 0
    holdtime: int = 0
    talktime: int = 0
    completed: int = 0
    abandoned: int = 0

    @property
    def avail_device(self) -> str:
        return f"Queue:{self.name}_avail"

    def available(self) -> list[Member]:
        return [m for m in self.members if not m.paused and m.status == MEMBER_STATUS["NOT_INUSE"]]

    def params_headers(self) -> Headers:
        return [
            ("Queue", self.name),
            ("Max", str(self.maxlen)),
            ("Strategy", self.strategy),
            ("Calls", str(self.callers)),
            ("Holdtime", str(self.holdtime)),
            ("TalkTime", str(self.talktime)),
            ("Completed", str(self.completed)),
            ("Abandoned", str(self.abandoned)),
            ("ServiceLevel", str(self.servicelevel)),
            ("ServicelevelPerf", "0.0"),
            ("ServicelevelPerf2", "0.0"),
            ("Weight", str(self.weight)),
        ]

    def summary_headers(self) -> Headers:
        logged_in = [m for m in self.members if m.status not in (4, 5)]
        return [
            ("Queue", self.name),
            ("LoggedIn", str(len(logged_in))),
            ("Available", str(len(self.available()))),
            ("Callers", str(self.callers)),
            ("HoldTime", str(self.holdtime)),
            ("TalkTime", str(self.talktime)),
            ("LongestHoldTime", "0"),
        ]

    def show(self, now: float) -> list[str]:
        """``queue show <name>`` output lines."""
        maxlen = "unlimited" if self.maxlen == 0 else str(self.maxlen)
        lines = [
            f"{self.name} has {self.callers} calls (max {maxlen}) in '{self.strategy}' strategy "
            f"({self.holdtime}s holdtime, {self.talktime}s talktime), W:{self.weight}, "
            f"C:{self.completed}, A:{self.abandoned}, SL:0.0%, SL2:0.0% "
            f"within {self.servicelevel}s",
            "   Members: ",
        ]
        for member in self.members:
            ringinuse = "enabled" if member.ringinuse else "disabled"
            taken = "has taken no calls yet"
            if member.calls_taken:
                since = int(now) - member.last_call
                taken = f"has taken {member.calls_taken} calls (last was {since} secs ago)"
            lines.append(
                f"      {member.name} ({member.interface}) (ringinuse {ringinuse}) "
                f"({STATUS_TEXT.get(member.status, 'Unknown')}) {taken} "
                f"(login was {int(now) - member.login_time} secs ago)"
            )
        lines += ["   No Callers" if self.callers == 0 else f"   Callers: {self.callers}", ""]
        return lines


@dataclass
class QueueSet:
    queues: dict[str, Queue] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path, now: float) -> QueueSet:
        return parse_queues(path.read_text(encoding="utf-8"), int(now))

    def initial_devices(self) -> list[tuple[str, str]]:
        """What app_queue puts in the device-state cache when it loads."""
        devices: list[tuple[str, str]] = []
        for queue in self.queues.values():
            for member in reversed(queue.members):
                devices.append((f"Queue:{queue.name}_pause_{member.interface}", "NOT_INUSE"))
            devices.append((queue.avail_device, "INUSE"))
        return devices

    def device_changed(self, device: str, state: str, devstate: DeviceStates) -> None:
        for queue in self.queues.values():
            members = [m for m in queue.members if m.device == device]
            for member in members:
                status = MEMBER_STATUS.get(state, 0)
                if status != member.status:
                    member.status = status
                    devstate.engine.bus.emit("QueueMemberStatus", "agent", member.event_headers())
            if members:
                avail = "NOT_INUSE" if queue.available() else "INUSE"
                devstate.publish(queue.avail_device, avail)


def parse_queues(text: str, login_time: int) -> QueueSet:
    queues = QueueSet()
    defaults: dict[str, str] = {}
    current: Queue | None = None
    for raw in text.splitlines():
        line = raw.split(";", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and "]" in line:
            name = line[1 : line.index("]")].strip()
            current = None if name == "general" else queues.queues.setdefault(name, Queue(name))
            continue
        key, _, value = line.replace("=>", "=", 1).partition("=")
        key, value = key.strip().lower(), value.strip()
        if current is None:
            defaults[key] = value
        elif key == "member":
            current.members.append(_member(current, value, login_time))
        else:
            _setting(current, key, value)
    for queue in queues.queues.values():
        for member in queue.members:
            member.ringinuse = queue.ringinuse
    return queues


def _setting(queue: Queue, key: str, value: str) -> None:
    if key == "strategy":
        queue.strategy = value
    elif key == "servicelevel":
        queue.servicelevel = int(value or 0)
    elif key == "maxlen":
        queue.maxlen = int(value or 0)
    elif key == "weight":
        queue.weight = int(value or 0)
    elif key == "ringinuse":
        queue.ringinuse = value.lower() in ("yes", "true", "1", "on")


def _member(queue: Queue, value: str, login_time: int) -> Member:
    parts = [part.strip() for part in value.split(",")]
    interface = parts[0]
    penalty = int(parts[1]) if len(parts) > 1 and parts[1] else 0
    name = parts[2] if len(parts) > 2 and parts[2] else interface
    state_interface = parts[3] if len(parts) > 3 and parts[3] else interface
    return Member(queue.name, name, interface, state_interface, login_time, penalty=penalty)
