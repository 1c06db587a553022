"""The core of the simulated Asterisk: channel life cycle and the events each step sends.

Everything that changes a channel goes through here so that the AMI events
come with the captured names, headers and order: Newchannel, Newstate,
NewCallerid, NewConnectedLine, Newexten, VarSet, SoftHangupRequest,
HangupRequest, Hangup. Background work runs in tasks the engine owns; a task
that fails is logged, never lost.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Iterable
from typing import Any

from telephony.clock import Clock
from telephony.simulator.audio import Recorder
from telephony.simulator.channels import (
    NORMAL_CLEARING,
    UP,
    Channel,
    ChannelNames,
    ChannelTable,
    Headers,
    Waker,
    cause_text,
    clean,
)
from telephony.simulator.config import SimulatorConfig
from telephony.simulator.devstate import DeviceStates
from telephony.simulator.dialplan import Dialplan
from telephony.simulator.events import EventBus
from telephony.simulator.legs import send_rtp_stats
from telephony.simulator.phones import Endpoints
from telephony.simulator.queueconf import load_queues
from telephony.simulator.queues import QueueSet

log = logging.getLogger(__name__)

# SoftHangupRequest carries the soft-hangup reason, not the Q.850 cause: every
# capture shows 16 whatever the channel's hangup cause.
SOFT_HANGUP_REASON = "16"
RECORDING_GLOBALS = ("HOTLINE_RECDIR", "RECDIR")
TRUNK_GLOBAL = "HOTLINE_TRUNK"  # the deploy dialplan dials callbacks through this endpoint


class Engine:
    def __init__(self, config: SimulatorConfig, clock: Clock, dialplan: Dialplan) -> None:
        self.config = config
        self.clock = clock
        self.dialplan = dialplan
        self.bus = EventBus(clock, config.event_timestamps)
        self.names = ChannelNames()
        self.channels = ChannelTable()
        self.globals: dict[str, str] = {}
        self.queues = load_queues(config.queues, clock.time()) if config.queues else QueueSet()
        self.devstate = DeviceStates(self)
        self.endpoints = Endpoints(self)
        self.recorder = Recorder(clock, config.write_recordings)
        self.tasks: set[asyncio.Task[Any]] = set()
        self.started_at = clock.time()
        self.reloaded_at = self.started_at
        self.processed_calls = 0
        self.reset_globals()

    def kill_all(self) -> None:
        """The process died: every channel is gone at once, without a Hangup."""
        for channel in self.channels.all():
            channel.gone = True
            if channel.phone is not None:
                channel.phone.gone(channel)
        self.channels.clear()

    def reset(self) -> None:
        """After a restart: no channels, counters from 0, configuration read again."""
        self.channels.clear()
        self.names = ChannelNames()
        self.devstate.reset()
        config = self.config
        self.queues = load_queues(config.queues, self.clock.time()) if config.queues else QueueSet()
        self.started_at = self.reloaded_at = self.clock.time()
        self.processed_calls = 0
        self.reset_globals()

    def reset_globals(self) -> None:
        self.globals = dict(self.dialplan.globals)
        if self.config.recordings_dir is not None:
            for name in RECORDING_GLOBALS:
                self.globals[name] = str(self.config.recordings_dir)
        if TRUNK_GLOBAL in self.globals:
            self.globals[TRUNK_GLOBAL] = self.config.trunk

    # -- tasks ---------------------------------------------------------------------

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self.tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("simulator task %s failed", task.get_name(), exc_info=task.exception())

    async def cancel_tasks(self) -> None:
        tasks = [t for t in self.tasks if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # -- events --------------------------------------------------------------------

    def channel_event(
        self, event: str, event_class: str, channel: Channel, extra: Iterable[tuple[str, str]] = ()
    ) -> None:
        self.bus.emit(event, event_class, [*channel.headers(), *extra])

    # -- channel life cycle ----------------------------------------------------------

    def new_channel(
        self,
        tech: str,
        resource: str,
        *,
        state: int,
        context: str,
        exten: str,
        linkedid: str | None = None,
        caller: tuple[str, str] = ("", ""),
        suffix: str | None = None,
        leg: int = 0,
    ) -> Channel:
        """Create, register and announce (Newchannel) a channel; Local halves share a suffix."""
        now = self.clock.time()
        uniqueid = self.names.next_uniqueid(now)
        suffix = suffix or self.names.next_suffix(tech)
        channel = Channel(
            name=f"{tech}/{resource}-{suffix}" + (f";{leg}" if leg else ""),
            uniqueid=uniqueid,
            linkedid=linkedid or uniqueid,
            tech=tech,
            resource=resource,
            created_at=now,
            waker=Waker(self.clock),
            context=context,
            exten=exten,
            state=state,
            caller_num=clean(caller[0]),
            caller_name=clean(caller[1]),
            local_leg=leg,
        )
        self.channels.add(channel)
        self.channel_event("Newchannel", "call", channel)
        return channel

    def set_state(self, channel: Channel, state: int) -> None:
        if channel.state == state or channel.gone:
            return
        channel.state = state
        if state == UP and channel.answered_at is None:
            channel.answered_at = self.clock.time()
        self.channel_event("Newstate", "call", channel)
        self.devstate.trigger(channel.device)

    def set_caller(self, channel: Channel, number: str, name: str) -> None:
        channel.caller_num, channel.caller_name = clean(number), clean(name)
        self.channel_event(
            "NewCallerid",
            "call",
            channel,
            [("CID-CallingPres", "0 (Presentation Allowed, Not Screened)")],
        )

    def set_connected(self, channel: Channel, number: str, name: str) -> None:
        channel.connected_num, channel.connected_name = clean(number), clean(name)
        self.channel_event("NewConnectedLine", "call", channel)

    def set_var(self, channel: Channel | None, name: str, value: str) -> None:
        """Set a channel variable (a global when ``channel`` is None) and send VarSet."""
        value = clean(value)
        if channel is None:
            self.globals[name] = value
            self.bus.emit(
                "VarSet",
                "dialplan",
                [("Channel", "none"), ("Uniqueid", "none"), ("Variable", name), ("Value", value)],
            )
            return
        channel.variables[name] = value
        self.channel_event("VarSet", "dialplan", channel, [("Variable", name), ("Value", value)])

    def newexten(self, channel: Channel, app: str, data: str) -> None:
        channel.app, channel.appdata = app, data
        self.channel_event(
            "Newexten",
            "dialplan",
            channel,
            [("Extension", channel.exten), ("Application", app), ("AppData", data)],
        )

    def soft_hangup(self, channel: Channel, cause: int | None = None) -> None:
        """The channel's owner acts on a hangup (AMI Hangup, Hangup(), a hangup it noticed)."""
        if channel.gone or channel.soft_hungup:
            return
        if cause is not None:
            channel.hangupcause = cause
        channel.soft_hungup = True
        self.channel_event("SoftHangupRequest", "call", channel, [("Cause", SOFT_HANGUP_REASON)])
        channel.waker.poke()

    def queue_hangup(
        self, channel: Channel, cause: int | None, announce_cause: bool = True
    ) -> None:
        """A hangup reaches the channel from outside (the other Local half, a SIP BYE)."""
        if channel.gone or channel.hangup_queued:
            return
        channel.hangup_queued = True
        channel.hangupcause = NORMAL_CLEARING if cause is None else cause
        extra: Headers = [("Cause", str(cause))] if announce_cause and cause is not None else []
        self.channel_event("HangupRequest", "call", channel, extra)
        channel.waker.poke()

    def destroy(self, channel: Channel) -> None:
        """Hang the channel up for good: the other Local half hears of it, then Hangup."""
        if channel.gone:
            return
        send_rtp_stats(self, channel)
        other = channel.other_half
        if other is not None and not other.gone:
            self.queue_hangup(other, channel.hangupcause)
        channel.gone = True
        self.channel_event(
            "Hangup",
            "call",
            channel,
            [("Cause", str(channel.hangupcause)), ("Cause-txt", cause_text(channel.hangupcause))],
        )
        self.channels.remove(channel)
        channel.audio_changed()
        if channel.phone is not None:
            channel.phone.gone(channel)
        self.devstate.trigger(channel.device)
