"""Device states (``DeviceStateChange``) as Asterisk's device-state thread reports them.

A channel state change or hangup asks for its device's state to be computed
again; like Asterisk's taskprocessor, the computation runs a little later
(after the running task yields), from the live channels at that moment.
chan_local marks its channels AST_FLAG_DISABLE_DEVSTATE_CACHE, so each request
for a Local device publishes one event, even when the state did not change
(two ``Local/caller@callers INUSE`` in a row are in the captures); cachable
devices (PJSIP endpoints, app_queue's ``Queue:`` devices) are published only
when they change. app_queue hears every published state of its members.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from telephony.simulator.engine import Engine

StateProvider = Callable[[str], str]

NOT_INUSE, INUSE, BUSY, RINGING, UNAVAILABLE = (
    "NOT_INUSE",
    "INUSE",
    "BUSY",
    "RINGING",
    "UNAVAILABLE",
)


class DeviceStates:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.cache: dict[str, str] = {}
        self.providers: dict[str, StateProvider] = {"Local": self._local_state}
        self.cached_techs: set[str] = set()  # technologies whose states are cachable
        self._pending: list[str] = []
        self._scheduled = False

    def trigger(self, device: str) -> None:
        """Ask for ``device`` to be computed and published soon."""
        self._pending.append(device)
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self._drain)

    def publish(self, device: str, state: str, only_on_change: bool = True) -> None:
        """A state set explicitly (``Queue:hotline_avail``, an endpoint going unreachable)."""
        if only_on_change and self.cache.get(device) == state:
            return
        self.cache[device] = state
        self._emit(device, state)

    def state_of(self, device: str) -> str:
        tech, _, resource = device.partition("/")
        provider = self.providers.get(tech)
        if provider is None:
            return self.cache.get(device, "UNKNOWN")
        return provider(resource)

    def reset(self) -> None:
        self.cache.clear()
        self._pending.clear()

    def _drain(self) -> None:
        self._scheduled = False
        pending, self._pending = self._pending, []
        for device in pending:
            state = self.state_of(device)
            cachable = device.partition("/")[0] in self.cached_techs
            if cachable and self.cache.get(device) == state:
                continue
            self.cache[device] = state
            self._emit(device, state)
            self.engine.queues.device_changed(device, state, self)

    def _emit(self, device: str, state: str) -> None:
        self.engine.bus.emit("DeviceStateChange", "call", [("Device", device), ("State", state)])

    def _local_state(self, resource: str) -> str:
        # chan_local: in use while a pair for exten@context has both halves and a
        # dialplan started on its ;2 half.
        for channel in self.engine.channels.all():
            other = channel.other_half
            if (
                channel.tech == "Local"
                and channel.local_leg == 1
                and channel.resource == resource
                and other is not None
                and not other.gone
                and other.pbx_running
            ):
                return INUSE
        return NOT_INUSE
