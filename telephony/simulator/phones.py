"""The simulated people behind PJSIP endpoints: seat softphones, callers, called citizens.

A seat's softphone rings, answers after its delay or never, or refuses (486
busy, 480 unavailable). A caller on the trunk may choose at the menu, waits
with some patience (or presses 9 on hold to be called back), talks, then either
hangs up or lets the seat end the call and presses a survey key.
A citizen called back over the trunk answers after a few seconds, or lets it
ring, or is busy (``CitizenBehaviour``, per number). Phones act only through
control frames and SIP-like hangups, never on events directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from telephony.clock import Timer
from telephony.simulator import legs
from telephony.simulator.channels import DOWN, Channel
from telephony.simulator.channels import RINGING as RINGING_STATE
from telephony.simulator.config import CallerScript, CitizenBehaviour, SeatBehaviour
from telephony.simulator.devstate import BUSY, INUSE, NOT_INUSE, RINGING, UNAVAILABLE

if TYPE_CHECKING:
    from telephony.simulator.engine import Engine

DEFAULT_CITIZEN = CitizenBehaviour()  # a number nobody configured: answers after 3 s
SURVEY_KEY_DELAY = 2.0  # seconds into the survey prompt before the caller presses a key
MENU_PROMPT = "hotline/menu"  # the deploy dialplan's line menu (hotline/menu-<line>)
MENU_KEY_DELAY = 1.0  # seconds into the menu prompt before a caller who chooses presses
KEEP_PLACE_KEY = "9"  # on hold: hang up and be called back in turn


class Phone(Protocol):
    def incoming(self, engine: Engine, channel: Channel) -> None: ...

    def answered(self, engine: Engine, channel: Channel) -> None: ...

    def bridged(self, engine: Engine, channel: Channel) -> None: ...

    def read_digits(self, channel: Channel, prompt: str) -> tuple[str | None, float]: ...

    def gone(self, channel: Channel) -> None: ...


@dataclass
class _Timers:
    timers: list[Timer] = field(default_factory=list)

    def add(self, timer: Timer) -> None:
        self.timers.append(timer)

    def cancel(self) -> None:
        for timer in self.timers:
            timer.cancel()
        self.timers.clear()


class SeatPhone:
    """A seat's softphone for one call."""

    def __init__(self, behaviour: SeatBehaviour) -> None:
        self.behaviour = behaviour
        self._timers = _Timers()

    def incoming(self, engine: Engine, channel: Channel) -> None:
        mode = self.behaviour.mode
        clock = engine.clock
        if mode == "busy":
            self._timers.add(clock.call_later(0, lambda: legs.indicate(engine, channel, "busy")))
            return
        if mode == "unavail":
            self._timers.add(
                clock.call_later(0, lambda: legs.indicate(engine, channel, "unavailable"))
            )
            return
        self._timers.add(clock.call_later(0, lambda: legs.indicate(engine, channel, "ringing")))
        if mode == "answer":
            delay = self.behaviour.answer_delay
            self._timers.add(
                clock.call_later(delay, lambda: legs.indicate(engine, channel, "answer"))
            )

    def answered(self, engine: Engine, channel: Channel) -> None:
        return None

    def bridged(self, engine: Engine, channel: Channel) -> None:
        return None

    def read_digits(self, channel: Channel, prompt: str) -> tuple[str | None, float]:
        return None, 0.0

    def gone(self, channel: Channel) -> None:
        self._timers.cancel()


class CallerPhone:
    """A citizen calling in over the trunk, following a ``CallerScript``."""

    def __init__(self, script: CallerScript) -> None:
        self.script = script
        self.talking = False  # a seat answered
        self._timers = _Timers()

    def start(self, engine: Engine, channel: Channel) -> None:
        clock, script = engine.clock, self.script
        if script.patience is not None:
            give_up = clock.call_later(script.patience, lambda: self._give_up(engine, channel))
            self._timers.add(give_up)
        if script.keep_place_after is not None:
            self._timers.add(
                clock.call_later(script.keep_place_after, lambda: self._keep_place(engine, channel))
            )

    def _keep_place(self, engine: Engine, channel: Channel) -> None:
        from telephony.simulator.prompts import press

        if not self.talking:
            press(engine, channel, KEEP_PLACE_KEY)

    def _give_up(self, engine: Engine, channel: Channel) -> None:
        if not self.talking:
            legs.remote_hangup(engine, channel)

    def incoming(self, engine: Engine, channel: Channel) -> None:
        return None

    def answered(self, engine: Engine, channel: Channel) -> None:
        """Asterisk answered (200 OK): a test phone starts its countdown to BYE."""
        after = self.script.hangs_up_after_answer
        if after is not None:
            self._timers.add(
                engine.clock.call_later(after, lambda: legs.remote_hangup(engine, channel))
            )

    def bridged(self, engine: Engine, channel: Channel) -> None:
        if self.talking or self.script.hangs_up_after_answer is not None:
            return
        self.talking = True
        self._timers.cancel()
        self._timers.add(
            engine.clock.call_later(
                self.script.talk_seconds, lambda: self._end_talk(engine, channel)
            )
        )

    def _end_talk(self, engine: Engine, channel: Channel) -> None:
        if self.script.hangs_up_first or channel.bridge is None:
            legs.remote_hangup(engine, channel)
            return
        peer = channel.bridge.peer_of(channel)
        if peer is not None:
            end_by_far_end(engine, peer)

    def read_digits(self, channel: Channel, prompt: str) -> tuple[str | None, float]:
        if prompt.startswith(MENU_PROMPT):
            return self.script.menu_key, MENU_KEY_DELAY
        return self.script.survey_key, SURVEY_KEY_DELAY

    def gone(self, channel: Channel) -> None:
        self._timers.cancel()


class CalleePhone:
    """A citizen called back through the trunk: answers, talks, and the seat ends the call;
    or lets it ring until the Dial gives up; or answers busy."""

    def __init__(self, behaviour: CitizenBehaviour) -> None:
        self.behaviour = behaviour
        self._timers = _Timers()

    def incoming(self, engine: Engine, channel: Channel) -> None:
        clock, behaviour = engine.clock, self.behaviour
        if behaviour.mode == "busy":
            self._timers.add(clock.call_later(0, lambda: legs.indicate(engine, channel, "busy")))
            return
        self._timers.add(clock.call_later(0, lambda: legs.indicate(engine, channel, "ringing")))
        if behaviour.mode == "answer":
            self._timers.add(
                clock.call_later(
                    behaviour.answer_delay, lambda: legs.indicate(engine, channel, "answer")
                )
            )

    def answered(self, engine: Engine, channel: Channel) -> None:
        return None

    def bridged(self, engine: Engine, channel: Channel) -> None:
        self._timers.cancel()
        self._timers.add(
            engine.clock.call_later(self.behaviour.talk_seconds, lambda: self._end(engine, channel))
        )

    def _end(self, engine: Engine, channel: Channel) -> None:
        if channel.bridge is None:
            legs.remote_hangup(engine, channel)
        elif (peer := channel.bridge.peer_of(channel)) is not None:
            end_by_far_end(engine, peer)

    def read_digits(self, channel: Channel, prompt: str) -> tuple[str | None, float]:
        return None, 0.0

    def gone(self, channel: Channel) -> None:
        self._timers.cancel()


def end_by_far_end(engine: Engine, channel: Channel) -> None:
    """The person on ``channel`` ends the call: a BYE from a phone, a hangup for Local."""
    if channel.tech == "PJSIP":
        legs.remote_hangup(engine, channel)
    else:
        engine.soft_hangup(channel, 16)


@dataclass
class Endpoint:
    """A PJSIP endpoint: a seat (with its softphone's behaviour) or the carrier trunk."""

    name: str
    context: str
    is_trunk: bool = False
    behaviour: SeatBehaviour = field(default_factory=SeatBehaviour)
    reachable: bool = True
    # the trunk: citizens' phones by number (shared with ``Endpoints``, kept over a restart)
    citizens: dict[str, CitizenBehaviour] = field(default_factory=dict)

    def phone_for(self, number: str, in_call: bool) -> Phone:
        """The phone that takes this call; a seat already in a call answers 486 Busy."""
        if self.is_trunk:
            return CalleePhone(self.citizens.get(number, DEFAULT_CITIZEN))
        if in_call:
            return SeatPhone(SeatBehaviour(mode="busy"))
        return SeatPhone(self.behaviour)


class Endpoints:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.by_name: dict[str, Endpoint] = {}
        self.citizens: dict[str, CitizenBehaviour] = {}
        engine.devstate.providers["PJSIP"] = self.state
        engine.devstate.cached_techs.add("PJSIP")

    def get(self, name: str) -> Endpoint | None:
        return self.by_name.get(name)

    def add_seat(self, name: str, behaviour: SeatBehaviour | None = None) -> Endpoint:
        endpoint = self.by_name.get(name)
        if endpoint is None:
            endpoint = Endpoint(name, self.engine.config.seat_context)
            self.by_name[name] = endpoint
        if behaviour is not None:
            endpoint.behaviour = behaviour
        return endpoint

    def add_trunk(self, name: str) -> Endpoint:
        config = self.engine.config
        endpoint = Endpoint(name, config.trunk_context, is_trunk=True, citizens=self.citizens)
        endpoint.reachable = config.trunk_registered
        self.by_name[name] = endpoint
        return endpoint

    def in_call(self, name: str) -> bool:
        return any(c.tech == "PJSIP" and c.resource == name for c in self.engine.channels.all())

    def state(self, name: str) -> str:
        endpoint = self.by_name.get(name)
        channels = [
            c for c in self.engine.channels.all() if c.tech == "PJSIP" and c.resource == name
        ]
        if endpoint is None or (not endpoint.reachable and not channels):
            return UNAVAILABLE
        in_use = [c for c in channels if c.state not in (DOWN, RINGING_STATE)]
        if in_use:
            busy_at = self.engine.config.seat_busy_at
            if not endpoint.is_trunk and busy_at and len(in_use) >= busy_at:
                return BUSY  # pjsip.conf device_state_busy_at
            return INUSE
        if any(c.state == RINGING_STATE for c in channels):
            return RINGING
        return NOT_INUSE
