"""What a simulated Asterisk is configured with, and how its simulated people behave.

``SimulatorConfig`` is the Asterisk side (dialplan, queues, AMI account, seats,
trunk); ``SeatBehaviour`` is one seat's softphone; ``CallerScript`` is one caller;
``CitizenBehaviour`` is a citizen's phone when a callback dials it over the trunk.
All durations are seconds of the injected clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from telephony.wire import AmiMessage

REPO = Path(__file__).resolve().parents[2]
DEPLOY_DIALPLAN = REPO / "deploy" / "asterisk" / "extensions.conf"

SeatMode = Literal["answer", "noanswer", "busy", "unavail"]
CitizenMode = Literal["answer", "noanswer", "busy"]


@dataclass(frozen=True)
class SimulatorConfig:
    dialplan: Path = DEPLOY_DIALPLAN
    queues: Path | None = None  # queues.conf (app_queue members), optional
    host: str = "127.0.0.1"
    port: int = 0  # 0 = ephemeral; SimulatedAsterisk.port tells the real one
    username: str = "hotline"
    secret: str = "hotline-secret"
    # overrides the dialplan globals HOTLINE_RECDIR (deploy) and RECDIR (lab)
    recordings_dir: Path | None = None
    seats: tuple[str, ...] = ()  # PJSIP endpoints of the seats' softphones, e.g. ("8001", "8002")
    seat_context: str = "hotline-seats"  # pjsip.conf context of the seat endpoints
    # pjsip.conf device_state_busy_at of the seats: BUSY from this many calls up (0: never)
    seat_busy_at: int = 1
    trunk: str = "trunk"  # PJSIP endpoint of the carrier trunk (inbound callers)
    trunk_context: str = "from-trunk"  # where the trunk's inbound calls enter the dialplan
    # False: the trunk is matched by its IP and has no contact, so without a call
    # its device state is UNAVAILABLE (the lab's sipcaller)
    trunk_registered: bool = True
    write_recordings: bool = True  # write real WAV files for MixMonitor
    event_timestamps: bool = False  # manager.conf timestampevents (adds a Timestamp: header)
    # seconds of CPU Asterisk spends on each dialplan step before running it (0: none);
    # the captures' machine took about 0.1 ms, which decides races between calls
    step_seconds: float = 0.0
    # seconds an Originate's thread takes before it requests the channel (0: none)
    originate_seconds: float = 0.0


@dataclass(frozen=True)
class SeatBehaviour:
    """How a simulated softphone answers a call offered to it."""

    mode: SeatMode = "answer"
    answer_delay: float = 2.0  # seconds of ringing before it answers


@dataclass(frozen=True)
class CitizenBehaviour:
    """How a citizen's phone takes a call the hotline places over the trunk (a callback)."""

    mode: CitizenMode = "answer"  # noanswer: rings until the Dial times out; busy: 486
    answer_delay: float = 3.0  # seconds of ringing before the citizen answers
    talk_seconds: float = 30.0  # then the agent ends the call


@dataclass(frozen=True)
class CallerScript:
    """What one simulated caller does."""

    # hangs up after this many seconds without a seat answering (None: never)
    patience: float | None = 60.0
    talk_seconds: float = 60.0  # conversation length once a seat answered
    # False: the seat ends the call after talk_seconds and the caller goes on to
    # hotline-survey; True: the caller hangs up (no survey)
    hangs_up_first: bool = False
    survey_key: str | None = "1"  # DTMF pressed in hotline-survey (None: presses nothing)
    menu_key: str | None = None  # DTMF pressed at the line's menu (None: waits it out)
    # presses 9 on hold this many seconds after calling, to be called back in turn (None: never)
    keep_place_after: float | None = None
    # a test phone (sipp) that hangs up this many seconds after Asterisk answered it,
    # whatever happens meanwhile (None: patience and talk_seconds decide)
    hangs_up_after_answer: float | None = None


@dataclass(frozen=True)
class ReceivedAction:
    """One action as the simulator received it (``executed``: it took effect)."""

    session: int
    message: AmiMessage
    at: float  # clock time (epoch seconds)
    executed: bool
