"""Channel technologies: Local pairs and PJSIP channels, created and called as Asterisk does.

``request`` makes the channel a dial string names (no events but Newchannel),
``call`` starts it ringing: a Local pair copies its variables and ids to the
``;2`` half, sends LocalBridge and starts the dialplan there; a PJSIP channel
rings the simulated phone behind the endpoint. A phone hangs up with
``remote_hangup`` (a SIP BYE).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from telephony.simulator import pbx
from telephony.simulator.channels import DOWN, RING, Channel

if TYPE_CHECKING:
    from telephony.simulator.engine import Engine

RTP_STATS = (
    (
        "RTPAUDIOQOS",
        "ssrc={ssrc};themssrc=0;lp=0;rxjitter=0.000000;rxcount=0;txjitter=0.000000;"
        "txcount=0;rlp=0;rtt=0.000000;rxmes=0.000000;txmes=0.000000",
    ),
    (
        "RTPAUDIOQOSJITTER",
        "minrxjitter=000.000000;maxrxjitter=000.000000;avgrxjitter=000.000000;"
        "stdevrxjitter=000.000000;mintxjitter=000.000000;maxtxjitter=000.000000;"
        "avgtxjitter=000.000000;stdevtxjitter=000.000000;",
    ),
    (
        "RTPAUDIOQOSLOSS",
        "  minrxlost=000.000000;  maxrxlost=000.000000;  avgrxlost=000.000000;"
        "  stdevrxlost=000.000000;  mintxlost=000.000000;  maxtxlost=000.000000;"
        "  avgtxlost=000.000000;  stdevtxlost=000.000000;",
    ),
    (
        "RTPAUDIOQOSRTT",
        "     minrtt=000.000000;     maxrtt=000.000000;     avgrtt=000.000000;"
        "     stdevrtt=000.000000;",
    ),
    (
        "RTPAUDIOQOSMES",
        "   minrxmes=000.000000;   maxrxmes=000.000000;   avgrxmes=000.000000;"
        "   stdevrxmes=000.000000;   mintxmes=000.000000;   maxtxmes=000.000000;"
        "   avgtxmes=000.000000;   stdevtxmes=000.000000;",
    ),
)


@dataclass(frozen=True)
class DialTarget:
    """One ``tech/resource`` of a Dial or Originate."""

    tech: str  # "Local" | "PJSIP"
    dialstring: str  # what follows "tech/": "8001@agents/n", "8001", "13800138000@trunk"
    resource: str  # the device part: "8001@agents", "8001", "trunk"
    number: str  # PJSIP/<number>@<endpoint>: the number; else the resource
    optimize: bool = True  # Local without /n


def parse_target(text: str) -> DialTarget | None:
    tech, sep, rest = text.strip().partition("/")
    if not sep or not rest:
        return None
    if tech.lower() == "local":
        resource, _, options = rest.partition("/")
        if "@" not in resource:
            resource += "@default"
        return DialTarget("Local", rest, resource, resource.split("@")[0], "n" not in options)
    if tech.upper() == "PJSIP":
        number, at, endpoint = rest.partition("@")
        if at:
            return DialTarget("PJSIP", rest, endpoint, number)
        return DialTarget("PJSIP", rest, rest, rest)
    return None


def request(engine: Engine, target: DialTarget, linkedid: str | None) -> Channel | None:
    """Create the channel (the ``;1`` half for Local); None if the endpoint cannot be reached."""
    if target.tech == "Local":
        return _local_pair(engine, target, linkedid)
    endpoint = engine.endpoints.get(target.resource)
    if endpoint is None or not endpoint.reachable:
        return None
    in_call = engine.endpoints.in_call(target.resource)
    channel = engine.new_channel(
        "PJSIP", target.resource, state=DOWN, context=endpoint.context, exten="s", linkedid=linkedid
    )
    channel.sip_call_id = str(uuid.uuid4())
    channel.phone = endpoint.phone_for(target.number, in_call)
    return channel


def _local_pair(engine: Engine, target: DialTarget, linkedid: str | None) -> Channel:
    exten, _, context = target.resource.partition("@")
    suffix = engine.names.next_suffix("Local")
    one = engine.new_channel(
        "Local",
        target.resource,
        state=DOWN,
        context=context,
        exten=exten,
        linkedid=linkedid,
        suffix=suffix,
        leg=1,
    )
    two = engine.new_channel(
        "Local",
        target.resource,
        state=RING,
        context=context,
        exten=exten,
        linkedid=one.linkedid,
        suffix=suffix,
        leg=2,
    )
    one.other_half, two.other_half = two, one
    return one


def call(engine: Engine, channel: Channel, optimize: bool = True) -> None:
    """ast_call: start the far end ringing."""
    if channel.tech == "Local":
        _local_call(engine, channel, optimize)
    elif channel.phone is not None:
        channel.phone.incoming(engine, channel)


def _local_call(engine: Engine, one: Channel, optimize: bool) -> None:
    two = one.other_half
    if two is None:
        return
    for name, value in one.variables.items():
        engine.set_var(two, name, value)
    two.caller_num, two.caller_name = one.connected_num, one.connected_name
    two.connected_num, two.connected_name = one.caller_num, one.caller_name
    engine.channel_event(
        "NewCallerid", "call", two, [("CID-CallingPres", "0 (Presentation Allowed, Not Screened)")]
    )
    engine.channel_event("NewConnectedLine", "call", two)
    engine.bus.emit(
        "LocalBridge",
        "call",
        [
            *one.headers("LocalOne"),
            *two.headers("LocalTwo"),
            ("Context", two.context),
            ("Exten", two.exten),
            ("LocalOptimization", "Yes" if optimize else "No"),
        ],
    )
    pbx.start(engine, two, two.context, two.exten, 1)


def indicate(engine: Engine, channel: Channel, control: str) -> None:
    """A control frame (ringing, answer, busy, congestion, progress) for the channel's owner."""
    channel.controls.append(control)
    channel.waker.poke()


def indicate_to_dialer(engine: Engine, channel: Channel, control: str) -> None:
    """What a Local ``;2`` half signals, its ``;1`` half's dialer receives."""
    if channel.local_leg == 2 and channel.other_half is not None and not channel.other_half.gone:
        indicate(engine, channel.other_half, control)


def send_rtp_stats(engine: Engine, channel: Channel) -> None:
    """The RTPAUDIOQOS variables chan_pjsip sets when a call's media ends."""
    if channel.tech != "PJSIP" or channel.rtp_stats_sent or channel.answered_at is None:
        return
    channel.rtp_stats_sent = True
    ssrc = str(uuid.uuid4().int % 4_000_000_000)
    peer = channel.bridge.peer_of(channel) if channel.bridge is not None else None
    for name, template in RTP_STATS:
        value = template.format(ssrc=ssrc)
        engine.set_var(channel, name, value)
        if peer is not None and not peer.gone:
            engine.set_var(peer, name + "BRIDGED", value)


def remote_hangup(engine: Engine, channel: Channel) -> None:
    """The phone behind a PJSIP channel hung up (BYE): HangupRequest without a cause."""
    if channel.hung_up:
        return
    send_rtp_stats(engine, channel)
    engine.queue_hangup(channel, None, announce_cause=False)
