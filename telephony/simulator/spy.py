"""ChanSpy(): a supervisor listens to, whispers to or barges into another channel's call.

``ChanSpy(<chanprefix>,<options>)`` spies on the first live channel whose name
starts with the prefix (``PJSIP/8001`` matches ``PJSIP/8001-0000000a``), as
app_chanspy does, and publishes ``ChanSpyStart`` and ``ChanSpyStop`` with a
``Spyer`` and a ``Spyee`` channel block (main/manager_channels.c). Options
``q`` (no beep), ``w`` (whisper) and ``B`` (barge) change only what is heard,
so no event tells them apart. The spy ends when either side hangs up, as with
options ``E`` and ``S`` (Asterisk 22 without them goes on looking for another
channel until the supervisor hangs up); with nothing to spy on it returns at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from telephony.simulator.apps import answer_channel
from telephony.simulator.channels import UP, Channel
from telephony.simulator.expressions import split_arguments
from telephony.simulator.pbx import Outcome

if TYPE_CHECKING:
    from telephony.simulator.engine import Engine


def find_spyee(engine: Engine, spyer: Channel, prefix: str) -> Channel | None:
    """The oldest live channel named ``prefix…`` other than the spyer itself."""
    wanted = prefix.strip().lower()
    if not wanted:
        return None
    for channel in engine.channels.all():
        if channel is spyer or channel.hung_up:
            continue
        if channel.name.lower().startswith(wanted):
            return channel
    return None


async def chan_spy_app(engine: Engine, spyer: Channel, data: str) -> Outcome:
    prefix = split_arguments(data)[0]
    if spyer.state != UP:
        answer_channel(engine, spyer)
    spyee = find_spyee(engine, spyer, prefix)
    if spyee is None:
        return Outcome.NEXT
    engine.bus.emit("ChanSpyStart", "call", [*spyer.headers("Spyer"), *spyee.headers("Spyee")])

    def spyee_changed(channel: Channel) -> None:
        spyer.waker.poke()  # a bridge change or the Hangup of the spied-on channel

    spyee.audio_listeners.append(spyee_changed)
    try:
        while not (spyer.hung_up or spyer.async_goto is not None or spyee.hung_up):
            await spyer.waker.sleep(None)
    finally:
        if spyee_changed in spyee.audio_listeners:
            spyee.audio_listeners.remove(spyee_changed)
    _announce_stop(engine, spyer, spyee)
    return Outcome.HANGUP if spyer.hung_up else Outcome.NEXT


def _announce_stop(engine: Engine, spyer: Channel, spyee: Channel) -> None:
    # the spyee's snapshot leaves Asterisk's cache with its Hangup: then only the spyer
    spyee_block = spyee.headers("Spyee") if not spyee.gone else []
    engine.bus.emit("ChanSpyStop", "call", [*spyer.headers("Spyer"), *spyee_block])
