"""The simulated Asterisk: an AMI server that behaves like the captured Asterisk 22.

It plays the deploy dialplan (or the lab's, with app_queue's Queue() and the
queues of a queues.conf) with simulated callers on the trunk and simulated
softphones on the seats; used by the end-to-end tests, ``hotline demo`` and
the benchmarks.
"""

from telephony.simulator.asterisk import LiveChannel, SimulatedAsterisk
from telephony.simulator.config import (
    CallerScript,
    CitizenBehaviour,
    ReceivedAction,
    SeatBehaviour,
    SimulatorConfig,
)
from telephony.simulator.faults import Faults
from telephony.simulator.traffic import TrafficGenerator, TrafficProfile

__all__ = [
    "CallerScript",
    "CitizenBehaviour",
    "Faults",
    "LiveChannel",
    "ReceivedAction",
    "SeatBehaviour",
    "SimulatedAsterisk",
    "SimulatorConfig",
    "TrafficGenerator",
    "TrafficProfile",
]
