"""app_queue's state: queues, their members and waiting callers, and what members' states do.

A member's device state (``Local/8001@agents`` for the member
``Local/8001@agents/n``) drives its status, as app_queue's device-state
callback does: every published state of the device updates the member, sends
``QueueMemberStatus`` when the status changed and sets ``Queue:<name>_avail``.
That happens for routed calls too (a call to seat 8001 that never went
through Queue()). The end of a member's call is booked when its device goes
back to NOT_INUSE (update_queue: CallsTaken, LastCall, the queue's talk time).
Times here are ``time(NULL)``: whole epoch seconds, as app_queue keeps them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from telephony.simulator.channels import Channel, Headers

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
UNKNOWN, NOT_INUSE, INVALID, UNAVAILABLE = 0, 1, 4, 5
# joinempty / leavewhenempty conditions (app_queue's QUEUE_EMPTY_*)
EMPTY_PENALTY, EMPTY_PAUSED, EMPTY_INUSE, EMPTY_RINGING = 1, 2, 4, 8
EMPTY_UNAVAILABLE, EMPTY_INVALID, EMPTY_UNKNOWN, EMPTY_WRAPUP = 16, 32, 64, 128
QUEUE_PAUSED_DEVSTATE, QUEUE_UNPAUSED_DEVSTATE = "INUSE", "NOT_INUSE"
RANDOM_SEED = 12345  # strategies random/wrandom: the same run gives the same choices


@dataclass(eq=False)
class Member:
    queue: str
    name: str
    interface: str
    state_interface: str
    login_time: int
    penalty: int = 0
    membership: str = "static"  # "dynamic": added by QueueAdd
    calls_taken: int = 0
    last_call: int = 0
    last_pause: int = 0
    status: int = NOT_INUSE
    paused: bool = False
    paused_reason: str = ""
    wrapuptime: int = 0  # the member's own; 0: the queue's
    ringinuse: bool = False
    started: int = 0  # when its current queue call was connected (InCall while set)
    completed_in_sl: bool = False  # that call was answered within the service level
    pending: bool = False  # a caller is ringing it (app_queue's pending_members)
    position: int = 0  # its place among the queue's members (rrmemory's queuepos)

    @property
    def device(self) -> str:
        """``Local/8001@agents/n`` -> ``Local/8001@agents`` (the device state name)."""
        tech, _, rest = self.state_interface.partition("/")
        if tech.lower() == "local":
            rest = rest.split("/", 1)[0]
        return f"{tech}/{rest}"

    @property
    def pause_device(self) -> str:
        return f"Queue:{self.queue}_pause_{self.interface}"

    def state_headers(self) -> Headers:
        return [
            ("StateInterface", self.state_interface),
            ("Membership", self.membership),
            ("Penalty", str(self.penalty)),
            ("CallsTaken", str(self.calls_taken)),
            ("LastCall", str(self.last_call)),
            ("LastPause", str(self.last_pause)),
            ("LoginTime", str(self.login_time)),
            ("InCall", "1" if self.started else "0"),
            ("Status", str(self.status)),
            ("Paused", "1" if self.paused else "0"),
            ("PausedReason", self.paused_reason),
        ]

    def event_headers(self) -> Headers:
        """QueueMemberStatus / Added / Removed / Pause body."""
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


@dataclass(eq=False)
class QueueCaller:
    """A caller in Queue() (app_queue's queue_ent)."""

    channel: Channel
    start: float  # clock time of joining
    original_position: int
    expire: float | None = None  # Queue()'s timeout argument, as a clock time
    pending: bool = False  # ringing members right now: not counted ahead of others
    linpos: int = 0  # strategy linear: where this caller goes on
    linwrapped: bool = False


@dataclass(eq=False)
class Queue:
    name: str
    strategy: str = "ringall"
    timeout: int = 15  # seconds a member rings
    retry: int = 5  # seconds between two rounds of ringing
    wrapuptime: int = 0
    servicelevel: int = 0
    maxlen: int = 0
    weight: int = 0
    ringinuse: bool = True
    autofill: bool = True
    autopause: str = "no"  # no | yes | all
    joinempty: int = 0  # EMPTY_* conditions that keep a caller out
    leavewhenempty: int = 0  # EMPTY_* conditions that make waiting callers leave
    musicclass: str = "default"
    timeoutpriority: str = "app"
    members: list[Member] = field(default_factory=list)
    callers: list[QueueCaller] = field(default_factory=list)
    rrpos: int = 0
    wrapped: bool = False
    holdtime: int = 0
    talktime: int = 0
    completed: int = 0
    abandoned: int = 0
    completed_in_sl: int = 0
    abandoned_in_sl: int = 0

    @property
    def device(self) -> str:
        return f"Queue:{self.name}"

    @property
    def avail_device(self) -> str:
        return f"Queue:{self.name}_avail"

    def member(self, interface: str) -> Member | None:
        return next((m for m in self.members if m.interface.lower() == interface.lower()), None)

    def wrapup_of(self, member: Member) -> int:
        return member.wrapuptime or self.wrapuptime

    def in_wrapup(self, member: Member, now: int) -> bool:
        wrapup = self.wrapup_of(member)
        return bool(member.last_call and wrapup and now - wrapup < member.last_call)

    def is_available(self, member: Member, now: int) -> bool:
        """app_queue's is_member_available: could it take a call now."""
        if member.status in (INVALID, UNAVAILABLE):
            return False
        if member.status not in (NOT_INUSE, UNKNOWN) and not member.ringinuse:
            return False
        return not member.paused and not self.in_wrapup(member, now)

    def available_count(self, now: int) -> int:
        """num_available_members: ringall and autofill=no only ever need one."""
        count = 0
        for member in self.members:
            count += self.is_available(member, now)
            if count and (not self.autofill or self.strategy == "ringall"):
                break
        return count

    def is_turn_of(self, caller: QueueCaller, now: int) -> bool:
        """is_our_turn: fewer callers ahead (not counting those ringing) than free members."""
        free = self.available_count(now)
        ahead = 0
        for other in self.callers:
            if other is caller:
                return ahead < free and (self.autofill or self.position(caller) == 1)
            if ahead >= free:
                return False
            ahead += not other.pending
        return False

    def position(self, caller: QueueCaller) -> int:
        return self.callers.index(caller) + 1

    def empty_for(self, conditions: int, now: int) -> bool:
        """get_member_status: no member that the conditions let take calls."""
        if not self.members:
            return True
        return not any(self._counts(member, conditions, now) for member in self.members)

    def _counts(self, member: Member, conditions: int, now: int) -> bool:
        excluded = {
            INVALID: EMPTY_INVALID,
            UNAVAILABLE: EMPTY_UNAVAILABLE,
            2: EMPTY_INUSE,
            6: EMPTY_RINGING,
            UNKNOWN: EMPTY_UNKNOWN,
        }.get(member.status, 0)
        if excluded & conditions:
            return False
        if member.paused and conditions & EMPTY_PAUSED:
            return False
        return not (conditions & EMPTY_WRAPUP and self.in_wrapup(member, now))

    def service_level_perf(self) -> tuple[str, str]:
        """ServicelevelPerf and ServicelevelPerf2 as app_queue prints them (%2.1f)."""
        perf = 100.0 * self.completed_in_sl / self.completed if self.completed else 0.0
        both = self.completed + self.abandoned
        in_sl = self.completed_in_sl + self.abandoned_in_sl
        perf2 = 100.0 * in_sl / both if both else 0.0
        return f"{perf:.1f}", f"{perf2:.1f}"

    def record_holdtime(self, held: int) -> None:
        """recalc_holdtime: an exponential average (filter coefficient 4)."""
        if self.completed + self.abandoned == 0:
            self.holdtime = held
        else:
            self.holdtime = (self.holdtime * 3 + held) >> 2

    def record_completed(self, member: Member, now: int) -> None:
        """update_queue: book the end of the member's call."""
        talked = now - member.started
        self.completed += 1
        self.completed_in_sl += member.completed_in_sl
        self.talktime = talked if self.completed == 1 else (self.talktime * 3 + talked) >> 2


@dataclass
class QueueSet:
    queues: dict[str, Queue] = field(default_factory=dict)
    shared_lastcall: bool = False  # [general] shared_lastcall: a call ends in every queue
    rng: random.Random = field(default_factory=lambda: random.Random(RANDOM_SEED))

    def get(self, name: str) -> Queue | None:
        return self.queues.get(name)

    def initial_devices(self) -> list[tuple[str, str]]:
        """What app_queue puts in the device-state cache when it loads."""
        devices: list[tuple[str, str]] = []
        for queue in self.queues.values():
            for member in reversed(queue.members):
                devices.append((member.pause_device, QUEUE_UNPAUSED_DEVSTATE))
            devices.append((queue.avail_device, "INUSE"))
        return devices

    def members_of(self, device: str) -> list[tuple[Queue, Member]]:
        return [(q, m) for q in self.queues.values() for m in q.members if m.device == device]

    def device_changed(self, device: str, state: str, devstate: DeviceStates) -> None:
        """app_queue's device_state_cb for one published device state."""
        now = int(devstate.engine.clock.time())
        for queue in self.queues.values():
            members = [m for m in queue.members if m.device == device]
            for member in members:
                self.update_status(queue, member, MEMBER_STATUS.get(state, 0), devstate)
            if members:
                free = queue.available_count(now) > 0
                devstate.publish(queue.avail_device, "NOT_INUSE" if free else "INUSE")

    def update_status(
        self, queue: Queue, member: Member, status: int, devstate: DeviceStates
    ) -> None:
        if status == member.status:
            return
        if status == NOT_INUSE and member.started:
            self.end_call(queue, member, int(devstate.engine.clock.time()))
        member.status = status
        member.pending = False
        devstate.engine.bus.emit("QueueMemberStatus", "agent", member.event_headers())

    def end_call(self, queue: Queue, member: Member, now: int) -> None:
        others = self.queues.values() if self.shared_lastcall else [queue]
        for each in others:
            same = each.member(member.interface)
            if same is not None:
                same.last_call = now
                same.calls_taken += 1
        queue.record_completed(member, now)
        member.started = 0
        member.completed_in_sl = False
