"""Calls through the deploy dialplan: a caller on the trunk, the backend's Redirect, a survey."""

from __future__ import annotations

import asyncio
import wave
from pathlib import Path

from telephony.clock import FakeClock, utc_from_epoch
from telephony.fact_maker import FactMaker
from telephony.facts import (
    CallAnswered,
    CallEnded,
    CallerWaiting,
    RecordingStarted,
    RecordingStopped,
    SeatRinging,
    SurveyScored,
    TalkEnded,
)
from telephony.simulator import (
    CallerScript,
    SeatBehaviour,
    SimulatedAsterisk,
    TrafficGenerator,
    TrafficProfile,
)
from tests.integration.sim_calls import config, route, waiting_caller
from tests.integration.sim_client import EventTimes, client, run_clock, running


async def test_an_answered_call_rings_the_seat_bridges_and_ends_with_the_survey(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    sim = SimulatedAsterisk(config(tmp_path), clock)
    sim.set_seat("8001", SeatBehaviour(answer_delay=3.0))
    await sim.start()
    try:
        async with client(sim) as ami:
            waiting = await waiting_caller(
                sim, ami, clock, CallerScript(talk_seconds=20.0, survey_key="2")
            )
            call = waiting["Uniqueid"]
            assert (waiting["Line"], waiting["Reason"]) == ("12345", "new")
            await route(ami, clock, waiting, "8001")
            ringing = await ami.wait_for(lambda m: m.event == "DialState", clock)
            assert (ringing["DestChannel"].startswith("PJSIP/8001-"), ringing["DialStatus"]) == (
                True,
                "RINGING",
            )
            answered = await ami.wait_for(lambda m: m.event == "DialEnd", clock)
            assert answered["DialStatus"] == "ANSWER"
            survey = await ami.wait_for(lambda m: m.get("UserEvent") == "HotlineSurvey", clock)
            assert (survey["Line"], survey["Seat"], survey["Score"]) == ("12345", "8001", "2")
            ended = await ami.wait_for(
                lambda m: m.event == "Hangup" and m["Uniqueid"] == call, clock
            )
            assert (ended["Cause"], ended["Cause-txt"]) == ("16", "Normal Clearing")
            assert [m["BridgeNumChannels"] for m in ami.events("BridgeEnter")] == ["1", "2"]
            assert sim.live_channels() == []
    finally:
        await sim.stop()


async def test_the_service_parser_reads_a_whole_call_into_facts(tmp_path: Path) -> None:
    clock = FakeClock()
    async with running(config(tmp_path), clock) as sim, client(sim) as ami:
        waiting = await waiting_caller(
            sim, ami, clock, CallerScript(talk_seconds=10.0, survey_key="1")
        )
        await route(ami, clock, waiting, "8001")
        await ami.wait_for(
            lambda m: m.event == "Hangup" and m["Uniqueid"] == waiting["Uniqueid"], clock
        )
        maker = FactMaker("pbx1")
        facts = [f for m in ami.frames for f in maker.feed(m, utc_from_epoch(clock.time()))]
        facts = [f for f in facts if not type(f).__name__.startswith("Device")]
        kinds = [type(f) for f in facts]
        assert kinds == [
            CallerWaiting,
            RecordingStarted,
            SeatRinging,
            CallAnswered,
            TalkEnded,
            SurveyScored,
            RecordingStopped,
            CallEnded,
        ]
        first = facts[0]
        assert isinstance(first, CallerWaiting)
        assert (first.caller_number, first.caller_name, first.line) == (
            "13800138000",
            "王秀英",
            "12345",
        )
        assert next(f for f in facts if isinstance(f, SurveyScored)).score == 1


async def test_a_caller_out_of_patience_hangs_up_on_hold(tmp_path: Path) -> None:
    clock = FakeClock()
    async with running(config(tmp_path), clock) as sim, client(sim) as ami:
        waiting = await waiting_caller(sim, ami, clock, CallerScript(patience=12.0))
        call = waiting["Uniqueid"]
        request = await ami.wait_for(
            lambda m: m.event == "HangupRequest" and m["Uniqueid"] == call, clock
        )
        assert "Cause" not in request  # a SIP BYE carries no cause
        ended = await ami.wait_for(lambda m: m.event == "Hangup" and m["Uniqueid"] == call, clock)
        assert ended["Cause"] == "16"
        assert 12.0 <= clock.time() - float(call.split(".")[0]) < 13.0
        assert ami.user_events("HotlineSurvey") == []


async def test_a_caller_who_hangs_up_first_takes_no_survey(tmp_path: Path) -> None:
    clock = FakeClock()
    async with running(config(tmp_path), clock) as sim, client(sim) as ami:
        waiting = await waiting_caller(
            sim, ami, clock, CallerScript(talk_seconds=8.0, hangs_up_first=True)
        )
        await route(ami, clock, waiting, "8001")
        await ami.wait_for(
            lambda m: m.event == "Hangup" and m["Uniqueid"] == waiting["Uniqueid"], clock
        )
        seat = await ami.wait_for(
            lambda m: m.event == "Hangup" and m["Channel"].startswith("PJSIP/8001-"), clock
        )
        assert seat["Cause"] == "16"
        assert ami.user_events("HotlineSurvey") == []


async def test_a_caller_who_presses_nothing_gives_an_empty_score(tmp_path: Path) -> None:
    clock = FakeClock()
    async with running(config(tmp_path), clock) as sim, client(sim) as ami:
        waiting = await waiting_caller(
            sim, ami, clock, CallerScript(talk_seconds=5.0, survey_key=None)
        )
        await route(ami, clock, waiting, "8002")
        survey = await ami.wait_for(lambda m: m.get("UserEvent") == "HotlineSurvey", clock)
        assert survey["Score"] == ""


async def test_chinese_caller_names_arrive_as_utf8(tmp_path: Path) -> None:
    clock = FakeClock()
    async with running(config(tmp_path), clock) as sim, client(sim) as ami:
        await waiting_caller(sim, ami, clock, CallerScript(), name="李建国", line="962121")
        new = ami.events("Newchannel")[0]
        assert (new["CallerIDName"], new["Exten"], new["Context"]) == (
            "李建国",
            "962121",
            "from-trunk",
        )
        assert "李建国".encode() in bytes(ami.raw)


async def test_a_number_that_is_no_hotline_line_is_hung_up_with_cause_1(tmp_path: Path) -> None:
    clock = FakeClock()
    async with running(config(tmp_path), clock) as sim, client(sim) as ami:
        call = await sim.place_call("110", "13800138000")
        ended = await ami.wait_for(lambda m: m.event == "Hangup" and m["Uniqueid"] == call, clock)
        assert (ended["Cause"], ended["Context"]) == ("1", "from-trunk")


async def test_the_recording_is_a_wav_of_the_whole_call(tmp_path: Path) -> None:
    clock = FakeClock()
    async with running(config(tmp_path), clock) as sim, client(sim) as ami:
        times = EventTimes(sim, clock)
        waiting = await waiting_caller(
            sim, ami, clock, CallerScript(talk_seconds=10.0, survey_key="1")
        )
        await route(ami, clock, waiting, "8001")
        await ami.wait_for(
            lambda m: m.event == "Hangup" and m["Uniqueid"] == waiting["Uniqueid"], clock
        )
        await sim.recordings_flushed()
        call = waiting["Uniqueid"]
        recorded = times.time_of(lambda m: m.event == "Hangup" and m["Uniqueid"] == call)
        recorded -= times.time_of(lambda m: m.event == "MixMonitorStart")
        path = Path(waiting["Recording"])
        assert path.parent == tmp_path
        with wave.open(str(path)) as recording:
            assert (
                recording.getnchannels(),
                recording.getsampwidth(),
                recording.getframerate(),
            ) == (1, 2, 8000)
            seconds = recording.getnframes() / 8000
        assert recorded - 0.02 < seconds <= recorded  # whole 20 ms frames of the recorded time


async def test_a_callback_rings_the_seat_then_dials_the_citizen_through_the_trunk(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    async with running(config(tmp_path), clock) as sim, client(sim) as ami:
        queued = await ami.action(
            "Originate",
            clock,
            Channel="PJSIP/8002",
            Context="hotline-callback",
            Exten="13912345678",
            Priority="1",
            Variable="HOTLINE_LINE=962121,HOTLINE_ORDER=WO-42",
            Async="true",
        )
        assert queued["Message"] == "Originate successfully queued"
        response = await ami.wait_for(lambda m: m.event == "OriginateResponse", clock)
        assert (response["Response"], response["Reason"], response["ActionID"]) == (
            "Success",
            "4",
            queued["ActionID"],
        )
        callback = await ami.wait_for(lambda m: m.get("UserEvent") == "HotlineCallback", clock)
        assert (callback["Line"], callback["Number"], callback["Order"]) == (
            "962121",
            "13912345678",
            "WO-42",
        )
        dialled = await ami.wait_for(lambda m: m.event == "DialEnd" and m.get("Channel"), clock)
        assert (dialled["DestChannel"].startswith("PJSIP/trunk-"), dialled["DialStatus"]) == (
            True,
            "ANSWER",
        )


async def test_live_channels_show_a_waiting_caller(tmp_path: Path) -> None:
    clock = FakeClock()
    async with running(config(tmp_path), clock) as sim, client(sim) as ami:
        waiting = await waiting_caller(sim, ami, clock, CallerScript(), name="")
        (channel,) = sim.live_channels()
        assert (channel.uniqueid, channel.context, channel.application) == (
            waiting["Uniqueid"],
            "hotline-hold",
            "Background",  # the hold prompt (press 9 to be called back), then hold music
        )
        assert channel.variables["HOTLINE_LINE"] == "12345"


async def test_generated_traffic_reaches_the_dialplan_as_waiting_callers(tmp_path: Path) -> None:
    clock = FakeClock()
    async with running(config(tmp_path), clock) as sim, client(sim) as ami:
        traffic = TrafficGenerator(sim, clock, TrafficProfile(calls_per_minute=20.0), seed=4)
        run = asyncio.create_task(traffic.run(60.0))
        await run_clock(clock, 61.0, step=1.0)
        await run
        await run_clock(clock, 10.0, step=1.0)  # the last callers go through the menu
        calls = {m["Uniqueid"]: m for m in ami.user_events("HotlineWaiting")}
        quit_at_menu = {m["Uniqueid"] for m in ami.events("Hangup")} - set(calls)
        assert set(traffic.placed) == set(calls) | quit_at_menu
        assert len(quit_at_menu) < len(calls) / 4
        assert {calls[u]["Line"] for u in calls} <= {"12345", "962121"}
        assert {calls[u]["Skill"] for u in calls} <= {"", "dialect", "enterprise"}
        assert len(traffic.placed) > 5
