"""The simulated Asterisk against real Asterisk 22 captures: the same frames, in the same order.

For each scenario the capture's own actions (the harness's and the backend's)
are replayed at their captured times against the simulator running the lab
dialplan and queues.conf, and every session's received stream is compared with
the capture's: the same frames with the same header names in the same order and
equal values for everything deterministic (Uniqueids, bridge ids, session ids,
ports, clock readings, SIP Call-IDs and RTP SSRCs are mapped, see
``sim_compare``).

How the replay runs (``sim_replay``): on a ``VirtualClock`` that jumps from
timer to timer once the event loop is idle, so a run takes seconds (burst_50's
73 s: about 2) and its order never depends on the machine's load; on Asterisk's
own time (the recorder's clock ran a few ms ahead in burst_50: its Uniqueids and
LastCalls, whole seconds of Asterisk's clock, pin the lead down); with the lab
machine's speed (``SimulatorConfig.step_seconds`` per dialplan step and
``originate_seconds`` per Originate), which decides the races between
overlapping calls; the harness's channel names follow the call they meant when
chan_local numbered the simulator's pairs otherwise; the PJSIP capture's sipp
phones are simulated PJSIP endpoints.

Named tolerances (``sim_tolerances``), each for something real Asterisk's
threads make non-deterministic (nothing else may differ):

* ``THREAD_BURST_SECONDS``: Asterisk runs each channel's dialplan, the Dial,
  Queue or Originate that owns a channel, the device-state taskprocessor and
  app_queue's device-state callback in different threads that publish into one
  stasis topic. Frames about *different* channels/devices/queue members that the
  capture received within one burst (no gap longer than this) may interleave in
  any order; each stream (one channel, one device, one member, one bridge, the
  session itself) must still be exactly the captured sequence, and no frame may
  move into another burst.
* ``LOADED_BURST_SECONDS``: with fifty calls at once (burst_50) those threads
  ran up to 10 ms late (a device-state report, a Local channel's thread waking
  to a hangup), so a burst there ends only after 10 ms of silence.
* ``LOCAL_LAUNCH_RACE``: chan_local reports a Local device in use only once
  ``local_call`` has set LOCAL_LAUNCHED_PBX, which it does *after* starting the
  ``;2`` dialplan; when the device-state thread runs in between, the ringing
  seat reads NOT_INUSE and app_queue's member status and ``Queue:hotline_avail``
  only change at the answer. routed_agent_noanswer saw that race for seat 8002,
  burst_50 for 8004's first call; the simulator never loses it. For the listed
  device, its first device-state report (the one whose state the race decides),
  its queue member's first status report and the ``Queue:<name>_avail`` change
  that report made (which the race moves from the ringing burst to the answer
  burst) are left out on both sides.
* ``DIAL_BEGIN_RACE``: app_dial and app_queue publish DialBegin after
  ``ast_call`` returned, with the called channel's cached snapshot; a Local
  ``;2`` half that ran Ringing() in between makes it the snapshot after ringing
  (``5 Ringing``, for a queue member also its new exten and connected line)
  instead of the one before (``0 Down``). DialBegin's Dest block may be either
  snapshot of that channel; AgentCalled's (a fresh snapshot) either state.
* ``AGENT_COMPLETE_RACE``: app_queue publishes AgentComplete from a stasis
  subscriber when it sees the hangup request, looking the two channels up at
  that moment: it may come anywhere in the caller's frames before its Hangup,
  and without the block of a channel already gone (in
  queue_two_agents_three_callers both, so it is a session frame there). It is
  compared just before the caller's Hangup, without the blocks the capture's
  lacks.
* ``LOCAL_NUMBERING_RACE``: chan_local numbers pairs in the order threads ask;
  in queue_two_agents_three_callers a caller's Originate thread ran 4 ms late
  and took its number after the first caller's queue rang seat 8001. Local
  channels there are named by their place among the pairs of the same
  exten@context.
* ``INSTANT_ANSWER_RACE``: in queue_latency_20 seats answer at once, so in the
  burst where a member is called the launch race above and app_queue's device
  callback race the answer: there the member's device may read NOT_INUSE or
  INUSE and its QueueMemberStatus say InCall 0 or 1.
"""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

from tests.integration.sim_compare import Item, Normalizer, order_differences, stream_differences
from tests.integration.sim_replay import CAPTURES, Received, captured, replay
from tests.integration.sim_tolerances import burst_seconds, tolerate

SCENARIOS = (
    "login_ok",
    "login_bad_secret",
    "misc_actions",
    "shutdown",
    "routed_answered",
    "routed_agent_noanswer",
    "routed_abandon",
    "queue_answered",
    "queue_abandon",
    "queue_ringnoanswer",
    "queue_two_agents_three_callers",
    "agent_pause",
    "reconnect",
    "pjsip_queue_sip_agent",
    "queue_latency_20",
    "burst_50",
)


def test_every_capture_is_compared() -> None:
    assert set(SCENARIOS) == {path.stem for path in CAPTURES.glob("*.amitrace")}


def items(frames: list[Received], recordings: Path | None = None) -> list[Item]:
    normalizer = Normalizer(str(recordings)) if recordings is not None else Normalizer()
    return normalizer.items((f.t, f.message) for f in frames)


@pytest.mark.parametrize("scenario", SCENARIOS)
async def test_simulator_sends_the_frames_asterisk_sent(scenario: str, tmp_path: Path) -> None:
    run = await replay(scenario, tmp_path)
    transcript, received = run.transcript, run.received
    sessions = sorted({r.session for r in transcript.records if r.direction == "<"})
    assert sorted(received) == sessions
    for session in sessions:
        expected = items(captured(transcript, session))
        actual = items(received[session], tmp_path)
        expected, actual = tolerate(scenario, session, expected, actual)
        problems = stream_differences(expected, actual)
        problems += order_differences(expected, actual, burst_seconds(scenario))
        assert not problems, f"session {session}:\n" + "\n".join(problems[:10])


def wav_format(path: Path) -> tuple[int, int, int, float]:
    with wave.open(str(path)) as recording:
        rate = recording.getframerate()
        seconds = recording.getnframes() / rate
        return recording.getnchannels(), recording.getsampwidth(), rate, seconds


@pytest.mark.parametrize("scenario", ["routed_answered", "routed_abandon"])
async def test_a_replayed_call_is_recorded_as_8khz_mono_pcm(scenario: str, tmp_path: Path) -> None:
    run = await replay(scenario, tmp_path)
    (path,) = run.recordings
    channels, width, rate, seconds = wav_format(path)
    assert (channels, width, rate) == (1, 2, 8000)
    assert seconds > 4.0  # both calls were recorded for five seconds or more
