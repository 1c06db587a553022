"""Dial(): call one or more channels, wait for an answer, bridge, and tear down.

Events and variables follow app_dial in the captures: eleven empty DIAL*
variables, the outgoing channel's Newchannel/DIALEDPEERNUMBER/Newexten AppDial,
DialBegin, ``m`` hold music, RINGTIME + DialState RINGING, DIALSTATUS, DialEnd,
a basic bridge with BRIDGEPEER, and after it ANSWEREDTIME/DIALEDTIME. Option
``g`` lets the caller go on in the dialplan when the called side hangs up.
app_queue (``queue_ring``, ``queue_bridge``) reuses ``dial_event`` and
``tear_down``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from telephony.simulator import legs
from telephony.simulator.apps import answer_channel, start_moh, stop_moh
from telephony.simulator.bridge import (
    Bridge,
    announce_peers,
    clear_peers,
    create_bridge,
    destroy_bridge,
    enter_bridge,
    leave_bridge,
)
from telephony.simulator.channels import RINGING, UP, Channel
from telephony.simulator.expressions import split_arguments
from telephony.simulator.pbx import Outcome

if TYPE_CHECKING:
    from telephony.simulator.engine import Engine

RESET_VARIABLES = (
    "DIALSTATUS",
    "DIALEDPEERNUMBER",
    "DIALEDPEERNAME",
    "ANSWEREDTIME",
    "ANSWEREDTIME_MS",
    "DIALEDTIME",
    "DIALEDTIME_MS",
    "RINGTIME",
    "RINGTIME_MS",
    "PROGRESSTIME",
    "PROGRESSTIME_MS",
)
# control frame -> (DialStatus, hangup cause given to the refusing channel)
REFUSALS = {
    "busy": ("BUSY", 17),
    "congestion": ("CONGESTION", 34),
    "unavailable": ("CHANUNAVAIL", 20),
}
CAUSE_STATUS = {
    16: "NOANSWER",
    17: "BUSY",
    19: "NOANSWER",
    21: "BUSY",
    34: "CONGESTION",
    20: "CHANUNAVAIL",
    1: "CHANUNAVAIL",
}


@dataclass
class DialOptions:
    timeout: float | None = None
    go_on: bool = False  # g
    moh_class: str | None = None  # m(class)


@dataclass
class Leg:
    channel: Channel
    dialstring: str
    started: float
    status: str = ""
    ringing_seen: bool = False


@dataclass
class DialResult:
    answered: Leg | None = None
    status: str = ""
    refusals: list[str] = field(default_factory=list)
    hang_up: list[tuple[Leg, int]] = field(default_factory=list)  # legs to end, with a cause


def hang_up_legs(engine: Engine, result: DialResult) -> None:
    for leg, cause in result.hang_up:
        _destroy_leg(engine, leg, cause)
    result.hang_up.clear()


def parse_options(args: list[str]) -> DialOptions:
    options = DialOptions()
    if len(args) > 1 and args[1].strip():
        try:
            options.timeout = float(args[1])
        except ValueError:
            options.timeout = None
    text = args[2] if len(args) > 2 else ""
    i = 0
    while i < len(text):
        flag = text[i]
        argument = ""
        if i + 1 < len(text) and text[i + 1] == "(":
            end = text.find(")", i)
            argument = text[i + 2 : end if end >= 0 else len(text)]
            i = end if end >= 0 else len(text)
        if flag == "g":
            options.go_on = True
        elif flag == "m":
            options.moh_class = argument or "default"
        i += 1
    return options


def dial_event(
    engine: Engine, event: str, caller: Channel | None, peer: Channel, extra: list[tuple[str, str]]
) -> None:
    caller_headers = caller.headers() if caller is not None else []
    engine.bus.emit(event, "call", [*caller_headers, *peer.headers("Dest"), *extra])


async def dial_app(engine: Engine, caller: Channel, data: str) -> Outcome:
    args = split_arguments(data)
    options = parse_options(args)
    for name in RESET_VARIABLES:
        engine.set_var(caller, name, "")
    started = [leg for text in args[0].split("&") if (leg := start_leg(engine, caller, text))]
    if not started:
        engine.set_var(caller, "DIALSTATUS", "CHANUNAVAIL")
        return Outcome.NEXT
    if options.moh_class:
        start_moh(engine, caller, options.moh_class)
    result = await wait_for_answer(engine, caller, started, options.timeout)
    if result.answered is not None:
        hang_up_legs(engine, result)
        return await connect(engine, caller, result.answered, options)
    stop_moh(engine, caller)
    hang_up_legs(engine, result)
    engine.set_var(caller, "DIALSTATUS", result.status)
    return Outcome.HANGUP if caller.hung_up else Outcome.NEXT


def start_leg(engine: Engine, caller: Channel, text: str) -> Leg | None:
    target = legs.parse_target(text)
    if target is None:
        return None
    peer = legs.request(engine, target, caller.linkedid)
    if peer is None:
        return None
    peer.dialer = caller
    peer.waker = caller.waker  # the dialing thread reads the outgoing channel
    engine.set_var(peer, "DIALEDPEERNUMBER", target.dialstring)
    peer.caller_num, peer.caller_name = caller.exten, caller.connected_name or caller.caller_name
    peer.connected_num, peer.connected_name = caller.caller_num, caller.caller_name
    if peer.tech == "PJSIP":
        peer.exten = caller.exten
    engine.newexten(peer, "AppDial", "(Outgoing Line)")
    engine.channel_event(
        "NewCallerid", "call", peer, [("CID-CallingPres", "0 (Presentation Allowed, Not Screened)")]
    )
    engine.channel_event("NewConnectedLine", "call", peer)
    legs.call(engine, peer, target.optimize)
    dial_event(engine, "DialBegin", caller, peer, [("DialString", target.dialstring)])
    return Leg(peer, target.dialstring, engine.clock.monotonic())


async def wait_for_answer(
    engine: Engine, caller: Channel | None, pending: list[Leg], ring_timeout: float | None
) -> DialResult:
    """Ring ``pending`` until one answers, all refuse, the timeout passes or the caller goes."""
    result = DialResult()
    deadline = None if ring_timeout is None else engine.clock.monotonic() + ring_timeout
    waker = pending[0].channel.waker
    while True:
        for leg in list(pending):
            if _read_controls(engine, caller, leg, result):
                pending.remove(leg)
                _end_all(engine, caller, pending, result, "CANCEL", 26)  # answered elsewhere
                return result
            if leg.status:
                pending.remove(leg)
        if caller is not None and (caller.hung_up or caller.async_goto is not None):
            _end_all(engine, caller, pending, result, "CANCEL", caller.hangupcause or 16)
            result.status = "CANCEL"
            return result
        if not pending:
            result.status = _refusal_status(result.refusals)
            return result
        left = None if deadline is None else deadline - engine.clock.monotonic()
        if left is not None and left <= 1e-6:
            # DialStatus NOANSWER: the seat rang for the whole timeout; its leg ends with cause 0
            _end_all(engine, caller, pending, result, "NOANSWER", 0)
            result.status = "NOANSWER"
            return result
        await waker.sleep(left)


def _end_all(
    engine: Engine,
    caller: Channel | None,
    pending: list[Leg],
    result: DialResult,
    status: str,
    cause: int,
) -> None:
    for leg in pending:
        leg.status = status
        dial_event(engine, "DialEnd", caller, leg.channel, [("DialStatus", status)])
        result.hang_up.append((leg, cause))


def _refusal_status(refusals: list[str]) -> str:
    for status in ("BUSY", "CONGESTION", "CHANUNAVAIL"):
        if status in refusals:
            return status
    return refusals[0] if refusals else "CHANUNAVAIL"


def _read_controls(engine: Engine, caller: Channel | None, leg: Leg, result: DialResult) -> bool:
    """Act on what the outgoing channel said; True when it answered."""
    peer = leg.channel
    controls, peer.controls = peer.controls, []
    for control in controls:
        if control == "ringing" and not leg.ringing_seen:
            leg.ringing_seen = True
            engine.set_state(peer, RINGING)
            if caller is not None:
                elapsed = engine.clock.monotonic() - leg.started
                engine.set_var(caller, "RINGTIME", str(int(elapsed)))
                engine.set_var(caller, "RINGTIME_MS", str(round(elapsed * 1000)))
            dial_event(engine, "DialState", caller, peer, [("DialStatus", "RINGING")])
        elif control == "answer":
            result.answered = leg
            return True
        elif control in REFUSALS:
            status, cause = REFUSALS[control]
            result.refusals.append(status)
            _end_leg(engine, caller, leg, status, cause)
            return False
    if peer.hung_up and not leg.status:
        status = CAUSE_STATUS.get(peer.hangupcause, "CHANUNAVAIL")
        result.refusals.append(status)
        _end_leg(engine, caller, leg, status, peer.hangupcause)
    return False


def _end_leg(engine: Engine, caller: Channel | None, leg: Leg, status: str, cause: int) -> None:
    leg.status = status
    dial_event(engine, "DialEnd", caller, leg.channel, [("DialStatus", status)])
    _destroy_leg(engine, leg, cause)


def _destroy_leg(engine: Engine, leg: Leg, cause: int) -> None:
    if not leg.channel.gone and not leg.channel.detached:
        if not leg.channel.hangup_queued:
            leg.channel.hangupcause = cause
        engine.destroy(leg.channel)


async def connect(engine: Engine, caller: Channel, leg: Leg, options: DialOptions) -> Outcome:
    """The called channel answered: bridge the two until one of them leaves."""
    peer = leg.channel
    engine.set_state(peer, UP)
    engine.set_var(caller, "DIALSTATUS", "ANSWER")
    engine.set_var(caller, "DIALEDPEERNAME", peer.name)
    engine.set_var(caller, "DIALEDPEERNUMBER", leg.dialstring)
    if peer.tech == "Local":
        peer.exten = ""  # the answered ;1 half leaves its extension (captures: DestExten empty)
    dial_event(engine, "DialEnd", caller, peer, [("DialStatus", "ANSWER")])
    stop_moh(engine, caller)
    if caller.state != UP:
        answer_channel(engine, caller)
    bridge = create_bridge(engine)
    if peer.tech == "Local":
        engine.newexten(peer, "AppDial", "(Outgoing Line)")
    enter_bridge(engine, bridge, peer)
    enter_bridge(engine, bridge, caller)
    announce_peers(engine, bridge, [peer, caller])
    for channel in (caller, peer):
        if channel.phone is not None:
            channel.phone.bridged(engine, channel)
    while not (caller.hung_up or caller.async_goto or peer.hung_up or peer.gone or peer.detached):
        await caller.waker.sleep(None)
    caller_left = caller.hung_up or caller.async_goto is not None
    tear_down(engine, caller, peer, bridge, caller_left)
    if caller_left or options.go_on:
        return Outcome.NEXT
    if not caller.hangupcause:
        caller.hangupcause = peer.hangupcause or 16
    return Outcome.HANGUP


def tear_down(
    engine: Engine,
    caller: Channel,
    peer: Channel,
    bridge: Bridge,
    caller_left: bool,
    dial_status: bool = True,
) -> None:
    """End a two-party call: BRIDGEPEER cleared, both leave, the bridge goes, the called
    channel hangs up; the caller gets ANSWEREDTIME/DIALEDTIME (and Dial's DIALSTATUS)."""
    order = [caller, peer] if caller_left else [peer, caller]
    clear_peers(engine, order)
    for channel in order:
        leave_bridge(engine, channel)
    hang_up_peer = not peer.detached
    if hang_up_peer and caller_left:
        peer.hangupcause = caller.hangupcause or 16
    if hang_up_peer and peer.other_half is not None and not peer.other_half.gone:
        engine.queue_hangup(peer.other_half, peer.hangupcause)
    destroy_bridge(engine, bridge)
    if not caller.gone:
        now = engine.clock.time()
        answered = peer.answered_at or now
        engine.set_var(caller, "ANSWEREDTIME", str(int(now - answered)))
        engine.set_var(caller, "ANSWEREDTIME_MS", str(round((now - answered) * 1000)))
        engine.set_var(caller, "DIALEDTIME", str(int(now - caller.created_at)))
        engine.set_var(caller, "DIALEDTIME_MS", str(round((now - caller.created_at) * 1000)))
        if dial_status:
            engine.set_var(caller, "DIALSTATUS", "ANSWER")
    if hang_up_peer:
        engine.destroy(peer)
