"""``SimulatedAsterisk``: an AMI server over TCP that behaves like the Asterisk 22 of the captures.

It plays a dialplan (the deploy extensions.conf by default, the lab's for the
fidelity tests) with simulated callers arriving on the trunk and simulated
softphones on the seats. Tests, ``hotline demo`` and the benchmarks drive it
through this class: callers with ``place_call``, seats with ``set_seat``,
the citizens a callback dials with ``set_citizen``, trouble with ``faults`` /
``drop_connections`` / ``restart`` / ``shutdown``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from telephony.clock import Clock
from telephony.simulator import actions, pbx
from telephony.simulator.channels import RING, STATE_DESC
from telephony.simulator.config import (
    CallerScript,
    CitizenBehaviour,
    ReceivedAction,
    SeatBehaviour,
    SimulatorConfig,
)
from telephony.simulator.dialplan import Dialplan
from telephony.simulator.engine import Engine
from telephony.simulator.faults import Faults
from telephony.simulator.phones import CallerPhone
from telephony.simulator.server import ActionResult, AmiServer, Session
from telephony.wire import AmiMessage

DEFAULT_CALLER = CallerScript()
SHUTDOWN_CLOSE_DELAY = 0.17  # seconds between Event: Shutdown and EOF (shutdown.amitrace)


@dataclass(frozen=True)
class LiveChannel:
    """A snapshot of one live channel, for tests."""

    name: str
    uniqueid: str
    linkedid: str
    state: str
    context: str
    exten: str
    priority: int
    caller_num: str
    caller_name: str
    application: str
    bridged_with: str | None
    variables: dict[str, str] = field(default_factory=dict)


class SimulatedAsterisk:
    def __init__(self, config: SimulatorConfig, clock: Clock) -> None:
        self.config = config
        self.clock = clock
        self.faults = Faults()
        self.engine = Engine(config, clock, Dialplan.load(config.dialplan))
        self.server = AmiServer(clock, self.engine.bus, self.faults, self._handle)
        self.actions_log: list[ReceivedAction] = self.server.actions_log
        self.port = 0
        self._seats: dict[str, SeatBehaviour] = {seat: SeatBehaviour() for seat in config.seats}
        self._reachable: dict[str, bool] = {}
        self._configure()

    def _configure(self) -> None:
        engine = self.engine
        engine.endpoints.add_trunk(self.config.trunk)
        for seat, behaviour in self._seats.items():
            engine.endpoints.add_seat(seat, behaviour).reachable = self._reachable.get(seat, True)
        for device, state in engine.queues.initial_devices():
            engine.devstate.cache[device] = state
        for seat in self._seats:  # registered softphones; the trunk shows up with its first call
            device = f"PJSIP/{seat}"
            engine.devstate.cache[device] = engine.devstate.state_of(device)

    async def _handle(self, session: Session, message: AmiMessage) -> ActionResult:
        return await actions.handle(self, session, message)

    # -- life cycle -------------------------------------------------------------------

    async def start(self) -> None:
        await self.server.start(self.config.host, self.config.port)
        self.port = self.server.port

    async def stop(self) -> None:
        self.engine.bus.muted = True
        await self.engine.cancel_tasks()
        self.engine.kill_all()
        await self.server.stop()
        await self.engine.recorder.flushed()
        self.engine.bus.muted = False

    async def drop_connections(self) -> None:
        """Abort every AMI connection (no Logoff); Asterisk itself goes on."""
        self.server.abort_all()

    async def restart(self) -> None:
        """``core restart now``: Shutdown (Restart: True) to every session, connections
        closed, every channel gone without a Hangup, Uptime from 0 again."""
        self._announce_shutdown(restart=True)
        self.server.close_all()
        self.engine.bus.muted = True
        await self.engine.cancel_tasks()
        self.engine.kill_all()
        self.engine.recorder.discard_all()
        self.engine.reset()
        self._configure()
        self.engine.bus.muted = False

    async def shutdown(self) -> None:
        """``core stop now`` as in shutdown.amitrace: Shutdown, EOF shortly after, stopped."""
        self._announce_shutdown(restart=False)
        await self.clock.sleep(SHUTDOWN_CLOSE_DELAY)
        self.server.close_all()
        await self.stop()

    def _announce_shutdown(self, restart: bool) -> None:
        self.engine.bus.emit(
            "Shutdown",
            "system",
            [("Shutdown", "Cleanly"), ("Restart", "True" if restart else "False")],
        )

    async def recordings_flushed(self) -> None:
        """Wait until every WAV of the recordings that ended is written."""
        await self.engine.recorder.flushed()

    # -- seats and callers ----------------------------------------------------------------

    def set_seat(self, seat: str, behaviour: SeatBehaviour) -> None:
        """How seat ``seat``'s softphone answers (adds the PJSIP endpoint if new)."""
        known = seat in self.engine.endpoints.by_name
        self._seats[seat] = behaviour
        self.engine.endpoints.add_seat(seat, behaviour)
        if not known:
            self._publish_endpoint(seat)

    def set_seat_reachable(self, seat: str, reachable: bool) -> None:
        """An unregistered softphone: device state UNAVAILABLE, Dial gives CHANUNAVAIL."""
        if seat not in self.engine.endpoints.by_name:
            self.set_seat(seat, SeatBehaviour())
        self._reachable[seat] = reachable
        self.engine.endpoints.add_seat(seat).reachable = reachable
        self._publish_endpoint(seat)

    def set_citizen(self, number: str, behaviour: CitizenBehaviour) -> None:
        """How the citizen at ``number`` takes a call dialled to them over the trunk
        (numbers not set answer after 3 s and talk for 30 s)."""
        self.engine.endpoints.citizens[number] = behaviour

    def _publish_endpoint(self, seat: str) -> None:
        device = f"PJSIP/{seat}"
        self.engine.devstate.publish(device, self.engine.devstate.state_of(device))

    async def place_call(
        self,
        line: str,
        caller_number: str,
        caller_name: str = "",
        script: CallerScript = DEFAULT_CALLER,
    ) -> str:
        """A caller on the trunk dials ``line``; returns the Uniqueid of the inbound channel
        (``PJSIP/<trunk>-xxxxxxxx`` entering the trunk's context, ``from-trunk``/<line>),
        which is the call."""
        engine = self.engine
        context = self.config.trunk_context
        channel = engine.new_channel(
            "PJSIP",
            self.config.trunk,
            state=RING,
            context=context,
            exten=line,
            caller=(caller_number, caller_name),
        )
        channel.sip_call_id = str(uuid.uuid4())
        channel.dialed = line
        phone = CallerPhone(script)
        channel.phone = phone
        engine.set_var(channel, "SIPDOMAIN", self.config.host)
        pbx.start(engine, channel, context, line, 1)
        phone.start(engine, channel)
        return channel.uniqueid

    # -- introspection ----------------------------------------------------------------------

    def live_channels(self) -> list[LiveChannel]:
        views = []
        for channel in self.engine.channels.all():
            peer = channel.bridge.peer_of(channel) if channel.bridge is not None else None
            views.append(
                LiveChannel(
                    name=channel.name,
                    uniqueid=channel.uniqueid,
                    linkedid=channel.linkedid,
                    state=STATE_DESC.get(channel.state, "Unknown"),
                    context=channel.context,
                    exten=channel.exten,
                    priority=channel.priority,
                    caller_num=channel.caller_num,
                    caller_name=channel.caller_name,
                    application=channel.app,
                    bridged_with=peer.name if peer is not None else None,
                    variables=dict(channel.variables),
                )
            )
        return views
