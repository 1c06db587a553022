"""Basic two-party bridges: BridgeCreate, BridgeEnter, BridgeLeave, BridgeDestroy.

The header block and the order of the BRIDGEPEER variables are those of the
captures (a ``basic`` bridge with the ``simple_bridge`` technology).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from telephony.simulator.channels import Channel, Headers

if TYPE_CHECKING:
    from telephony.simulator.engine import Engine


@dataclass(eq=False)
class Bridge:
    uniqueid: str = field(default_factory=lambda: str(uuid.uuid4()))
    channels: list[Channel] = field(default_factory=list)
    destroyed: bool = False

    def headers(self) -> Headers:
        return [
            ("BridgeUniqueid", self.uniqueid),
            ("BridgeType", "basic"),
            ("BridgeTechnology", "simple_bridge"),
            ("BridgeCreator", "<unknown>"),
            ("BridgeName", "<unknown>"),
            ("BridgeNumChannels", str(len(self.channels))),
            ("BridgeVideoSourceMode", "none"),
        ]

    def peer_of(self, channel: Channel) -> Channel | None:
        return next((c for c in self.channels if c is not channel), None)


def create_bridge(engine: Engine) -> Bridge:
    bridge = Bridge()
    engine.bus.emit("BridgeCreate", "call", bridge.headers())
    return bridge


def enter_bridge(engine: Engine, bridge: Bridge, channel: Channel) -> None:
    bridge.channels.append(channel)
    channel.bridge = bridge
    engine.bus.emit("BridgeEnter", "call", [*bridge.headers(), *channel.headers()])
    channel.audio_changed()


def announce_peers(engine: Engine, bridge: Bridge, order: list[Channel]) -> None:
    """BRIDGEPEER (and BRIDGEPVTCALLID for PJSIP) on each channel, in ``order``."""
    for channel in order:
        peer = bridge.peer_of(channel)
        _peer_variables(engine, channel, peer)


def clear_peers(engine: Engine, order: list[Channel]) -> None:
    for channel in order:
        if not channel.gone:
            _peer_variables(engine, channel, None)


def _peer_variables(engine: Engine, channel: Channel, peer: Channel | None) -> None:
    engine.set_var(channel, "BRIDGEPEER", peer.name if peer is not None else "")
    if channel.tech == "PJSIP" and (peer is None or peer.tech == "PJSIP"):
        engine.set_var(channel, "BRIDGEPVTCALLID", peer.sip_call_id if peer is not None else "")


def leave_bridge(engine: Engine, channel: Channel) -> None:
    bridge = channel.bridge
    if bridge is None:
        return
    if channel in bridge.channels:
        bridge.channels.remove(channel)
    channel.bridge = None
    engine.bus.emit("BridgeLeave", "call", [*bridge.headers(), *channel.headers()])
    channel.audio_changed()


def destroy_bridge(engine: Engine, bridge: Bridge) -> None:
    if bridge.destroyed:
        return
    for channel in list(bridge.channels):
        leave_bridge(engine, channel)
    bridge.destroyed = True
    engine.bus.emit("BridgeDestroy", "call", bridge.headers())
