"""Facts from the dialplan contract of deploy/asterisk (PJSIP seats, no dialplan event class),
and the resync after a reconnect."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from acd.ledger import CallLedger
from telephony.fact_handlers import seat_from_channel
from telephony.fact_maker import FactMaker
from telephony.facts import (
    CHANNEL_GONE,
    CallAnswered,
    CallEnded,
    CallerWaiting,
    RecordingStarted,
    RecordingStopped,
    SeatRinging,
    SurveyScored,
    TalkEnded,
)
from telephony.wire import AmiMessage

AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
CALLER = "PJSIP/trunk-00000001"
UID = "1795458352.7"


def channel(
    uid: str = UID, name: str = CALLER, context: str = "hotline-inbound", exten: str = "12345"
) -> dict[str, str]:
    return {
        "Channel": name,
        "ChannelState": "6",
        "ChannelStateDesc": "Up",
        "CallerIDNum": "13912345678",
        "CallerIDName": "李建国",
        "Context": context,
        "Exten": exten,
        "Uniqueid": uid,
        "Linkedid": UID,
    }


def event(name: str, **headers: str) -> AmiMessage:
    return AmiMessage.of({"Event": name, **headers})


def user_event(kind: str, base: dict[str, str], **headers: str) -> AmiMessage:
    return AmiMessage.of({"Event": "UserEvent", **base, "UserEvent": kind, **headers})


def test_waiting_caller_with_the_recording_in_the_user_event() -> None:
    maker = FactMaker("pbx1")
    path = "/var/spool/hotline/recordings/1795458352.7.wav"
    facts = maker.feed(
        user_event("HotlineWaiting", channel(), Line="12345", Reason="new", Recording=path), AT
    )
    waiting, recording = facts
    assert isinstance(waiting, CallerWaiting)
    assert (waiting.call_id, waiting.line, waiting.caller_number, waiting.caller_name) == (
        UID,
        "12345",
        "13912345678",
        "李建国",
    )
    assert isinstance(recording, RecordingStarted)
    assert recording.path == path


def test_a_whole_routed_call_with_survey() -> None:
    maker, ledger = FactMaker("pbx1"), CallLedger()
    connect = channel(context="hotline-connect", exten="8002")
    seat_leg = "PJSIP/8002-00000002"
    steps = [
        (
            0,
            user_event(
                "HotlineWaiting", channel(), Line="12345", Reason="new", Recording="/r/x.wav"
            ),
        ),
        (4, user_event("HotlineConnecting", connect, Line="12345", Seat="8002")),
        (4, event("DialBegin", **connect, DestChannel=seat_leg, DestUniqueid="1795458356.9")),
        (
            6,
            event(
                "DialEnd",
                **connect,
                DestChannel=seat_leg,
                DestUniqueid="1795458356.9",
                DialStatus="ANSWER",
            ),
        ),
        (66, event("BridgeLeave", **connect)),
        (70, user_event("HotlineSurvey", channel(context="hotline-survey", exten="s"), Score="2")),
        (71, event("Hangup", **channel(context="hotline-survey", exten="s"), Cause="16")),
    ]
    facts = []
    for seconds, message in steps:
        facts += maker.feed(message, AT + timedelta(seconds=seconds))
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
    (call,) = [r for r in ledger.apply_all(facts) if r.ended_at is not None]
    assert (call.seat, call.outcome, call.survey_score) == ("8002", "answered", 2)
    assert (call.wait_seconds, call.talk_seconds) == (6, 60)


def test_no_key_in_the_survey_is_not_rated() -> None:
    maker = FactMaker("pbx1")
    maker.feed(user_event("HotlineWaiting", channel(), Line="12345", Reason="new"), AT)
    (fact,) = maker.feed(user_event("HotlineSurvey", channel(), Score=""), AT)
    assert isinstance(fact, SurveyScored)
    assert fact.score is None


def test_events_of_channels_that_are_not_calls_make_no_facts() -> None:
    maker = FactMaker("pbx1")
    other = channel(uid="9.9", name="PJSIP/8001-00000003", context="hotline-seats", exten="*43")
    assert maker.feed(event("Newchannel", **other), AT) == []
    assert maker.feed(event("Hangup", **other, Cause="16"), AT) == []
    originate_dial = AmiMessage.of({"Event": "DialBegin", "DestChannel": "Local/x@y-1;1"})
    assert maker.feed(originate_dial, AT) == []


def test_seat_names_from_channels_and_queue_interfaces() -> None:
    assert seat_from_channel("PJSIP/8001-0000000a") == "8001"
    assert seat_from_channel("Local/8001@agents-00000001;1") == "8001"
    assert seat_from_channel("Local/8001@agents/n") == "8001"
    assert seat_from_channel("PJSIP/sipagent") == "sipagent"
    assert seat_from_channel("SIP/8003-00000abc") == "8003"


def core_show_channel(
    uid: str, context: str, exten: str, application: str, bridge: str = "", name: str = CALLER
) -> AmiMessage:
    return AmiMessage.of(
        {
            "Event": "CoreShowChannel",
            "ActionID": "a-1",
            **channel(uid=uid, name=name, context=context, exten=exten),
            "Application": application,
            "Duration": "00:01:05",
            "BridgeId": bridge,
        }
    )


def test_resync_closes_calls_that_vanished_and_adopts_calls_it_missed() -> None:
    maker = FactMaker("pbx1")
    maker.feed(user_event("HotlineWaiting", channel(uid="1.1"), Line="12345", Reason="new"), AT)
    later = AT + timedelta(minutes=5)
    facts = maker.reconcile(
        [
            core_show_channel("2.2", "hotline-inbound", "962121", "MusicOnHold"),
            core_show_channel("3.3", "hotline-connect", "8001", "Dial", bridge="b1"),
            core_show_channel(
                "3.4", "hotline-seats", "8001", "AppDial", bridge="b1", name="PJSIP/8001-00000009"
            ),
        ],
        later,
    )
    ended = [f for f in facts if isinstance(f, CallEnded)]
    assert [(f.call_id, f.cause_text) for f in ended] == [("1.1", CHANNEL_GONE)]
    waiting = {f.call_id: f for f in facts if isinstance(f, CallerWaiting)}
    assert set(waiting) == {"2.2", "3.3"}
    assert waiting["2.2"].line == "962121"
    assert waiting["2.2"].reason == "resync"
    assert waiting["2.2"].at == later - timedelta(seconds=65)
    answered = [f for f in facts if isinstance(f, CallAnswered)]
    assert [(f.call_id, f.seat) for f in answered] == [("3.3", "8001")]
    assert sorted(maker.live_calls()) == ["2.2", "3.3"]


def test_a_lost_call_is_recorded_as_lost() -> None:
    maker, ledger = FactMaker("pbx1"), CallLedger()
    ledger.apply_all(
        maker.feed(user_event("HotlineWaiting", channel(), Line="12345", Reason="new"), AT)
    )
    (record,) = ledger.apply_all(maker.reconcile([], AT + timedelta(seconds=30)))
    assert record.outcome == "lost"


def test_event_timestamp_wins_over_receive_time() -> None:
    maker = FactMaker("pbx1")
    message = user_event(
        "HotlineWaiting", channel(), Line="12345", Reason="new", Timestamp="1795458352.250000"
    )
    (fact,) = maker.feed(message, AT)
    assert fact.at.timestamp() == 1795458352.25
