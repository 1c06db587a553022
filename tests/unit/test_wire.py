"""The AMI wire format: framing, decoding and encoding, on real captures and bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telephony.transcript import read_transcript
from telephony.wire import (
    FROM_CLIENT,
    AmiMessage,
    MessageReader,
    UnsafeHeader,
    decode_message,
    encode_headers,
)

CAPTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ami-captures"
BANNER = b"Asterisk Call Manager/11.0.0\r\n"
CALLER = (
    "Event: Newchannel\r\nChannel: Local/caller@callers-00000000;1\r\n"
    "CallerIDNum: 13800138000\r\nCallerIDName: 王秀英\r\nUniqueid: 1795458352.0\r\n\r\n"
).encode()


def reader() -> MessageReader:
    return MessageReader(expect_banner=False)


# -- framing of real captures -----------------------------------------------------------


@pytest.mark.parametrize("path", sorted(CAPTURES.glob("*.amitrace")), ids=lambda p: p.stem)
def test_every_frame_of_every_capture_decodes_to_one_message(path: Path) -> None:
    transcript = read_transcript(path)
    for session in transcript.sessions():
        frames = [
            r.payload for r in transcript.records if r.session == session and r.direction == "<"
        ]
        framer = MessageReader()
        messages = framer.feed(transcript.received(session))
        assert framer.banner == "Asterisk Call Manager/11.0.0"
        assert len(messages) == len(frames) - 1  # the banner is no message
        assert framer.stats.skipped_garbage == framer.stats.skipped_oversized == 0
        assert framer.pending_bytes == 0


def test_a_capture_fed_one_byte_at_a_time_gives_the_same_messages() -> None:
    stream = read_transcript(CAPTURES / "misc_actions.amitrace").received(1)
    whole = MessageReader().feed(stream)
    framer = MessageReader()
    bytewise = [message for i in range(len(stream)) for message in framer.feed(stream[i : i + 1])]
    assert bytewise == whole


def test_list_items_repeated_headers_and_empty_values_survive() -> None:
    stream = read_transcript(CAPTURES / "misc_actions.amitrace").received(1)
    messages = MessageReader().feed(stream)
    queue_show = next(m for m in messages if m.action_id == "backend-6")
    assert len(queue_show.get_all("Output")) > 1
    assert any(m.get("EventList") == "Complete" for m in messages)


# -- Chinese text split across reads ------------------------------------------------------


@pytest.mark.parametrize("cut", range(1, len(CALLER)))
def test_a_chinese_caller_name_split_anywhere_keeps_every_character(cut: int) -> None:
    framer = reader()
    messages = framer.feed(CALLER[:cut]) + framer.feed(CALLER[cut:])
    assert [m["CallerIDName"] for m in messages] == ["王秀英"]


@given(st.lists(st.integers(min_value=1, max_value=len(CALLER) * 3), max_size=12))
def test_any_chunking_of_a_stream_gives_the_same_messages(cuts: list[int]) -> None:
    stream = BANNER + CALLER * 3
    framer = MessageReader()
    got: list[AmiMessage] = []
    start = 0
    for cut in sorted(set(cuts)):
        got += framer.feed(stream[start:cut])
        start = max(start, cut)
    got += framer.feed(stream[start:])
    assert [m["CallerIDName"] for m in got] == ["王秀英"] * 3


def test_a_gb18030_encoded_name_from_a_legacy_pbx_is_read() -> None:
    raw = "Event: Newchannel\r\nCallerIDName: 王秀英\r\n\r\n".encode("gb18030")
    assert reader().feed(raw)[0]["CallerIDName"] == "王秀英"


# -- bad input ----------------------------------------------------------------------------


def test_garbage_between_messages_is_skipped_and_counted() -> None:
    framer = reader()
    messages = framer.feed(b"hello there\r\nnot ami\r\n\r\n" + CALLER)
    assert [m.event for m in messages] == ["Newchannel"]
    assert framer.stats.skipped_garbage == 1


def test_binary_noise_is_skipped_and_the_next_message_is_read() -> None:
    framer = reader()
    noise = bytes(range(256)) * 4 + b"\r\n\r\n"
    messages = framer.feed(noise + CALLER)
    assert [m.event for m in messages] == ["Newchannel"]
    assert framer.stats.skipped_garbage == 1


def test_a_message_without_event_or_response_is_garbage() -> None:
    framer = reader()
    assert framer.feed(b"Foo: bar\r\nBaz: 1\r\n\r\n") == []
    assert framer.stats.skipped_garbage == 1


def test_an_oversized_message_is_skipped_once_and_the_next_one_is_read() -> None:
    framer = MessageReader(max_message_bytes=200, expect_banner=False)
    framer.feed(b"Event: Big\r\nData: " + b"x" * 300)
    framer.feed(b"y" * 300)
    messages = framer.feed(b"\r\n\r\n" + CALLER)
    assert [m.event for m in messages] == ["Newchannel"]
    assert framer.stats.skipped_oversized == 1


def test_the_end_of_an_oversized_message_may_straddle_two_reads() -> None:
    framer = MessageReader(max_message_bytes=200, expect_banner=False)
    messages = framer.feed(b"Event: Big\r\nData: " + b"x" * 300 + b"\r\n\r")
    messages += framer.feed(b"\n" + CALLER)
    assert [m.event for m in messages] == ["Newchannel"]


def test_an_oversized_message_read_in_one_piece_is_skipped() -> None:
    framer = MessageReader(max_message_bytes=200, expect_banner=False)
    messages = framer.feed(b"Event: Big\r\nData: " + b"x" * 300 + b"\r\n\r\n" + CALLER)
    assert [m.event for m in messages] == ["Newchannel"]
    assert framer.stats.skipped_oversized == 1


def test_a_truncated_frame_does_not_swallow_the_next_event() -> None:
    framer = reader()
    messages = framer.feed(b"Event: VarSet\r\nChannel: Local/x-00000001;1\r\n" + CALLER)
    assert [m.event for m in messages] == ["VarSet", "Newchannel"]
    assert messages[1]["CallerIDName"] == "王秀英"


def test_a_response_that_lost_its_end_does_not_swallow_the_next_event() -> None:
    messages = reader().feed(b"Response: Success\r\nActionID: 9\r\n" + CALLER)
    assert [(m.response, m.event) for m in messages] == [("Success", None), (None, "Newchannel")]


def test_an_originate_response_event_with_a_response_header_stays_one_event() -> None:
    raw = b"Event: OriginateResponse\r\nActionID: harness-2\r\nResponse: Success\r\n\r\n"
    (message,) = reader().feed(raw)
    assert message.event == "OriginateResponse"
    assert message.response == "Success"


def test_lf_only_line_ends_are_accepted() -> None:
    messages = reader().feed(b"Event: A\nX: 1\n\nResponse: Success\nActionID: 7\n\n")
    assert [(m.event, m.response) for m in messages] == [("A", None), (None, "Success")]


def test_the_banner_may_arrive_in_pieces() -> None:
    framer = MessageReader()
    assert framer.feed(BANNER[:5]) == []
    assert framer.feed(BANNER[5:20]) == []
    assert framer.feed(BANNER[20:] + CALLER)[0].event == "Newchannel"
    assert framer.banner == "Asterisk Call Manager/11.0.0"


def test_a_server_reads_actions_not_events() -> None:
    framer = MessageReader(expect_banner=False, kinds=FROM_CLIENT)
    got = framer.feed(b"Action: Ping\r\nActionID: 1\r\n\r\n" + CALLER)
    assert [m.get("Action") for m in got] == ["Ping"]
    assert framer.stats.skipped_garbage == 1


def test_a_server_reads_a_clients_headers_in_any_order_as_one_action() -> None:
    framer = MessageReader(expect_banner=False, kinds=FROM_CLIENT)
    (action,) = framer.feed(b"ActionID: 7\r\nAction: Ping\r\nEvent: x\r\n\r\n")
    assert action["Action"] == "Ping"
    assert action["ActionID"] == "7"


# -- messages ------------------------------------------------------------------------------


def test_headers_are_case_insensitive_and_a_missing_one_raises() -> None:
    message = decode_message(CALLER)
    assert message is not None
    assert message["uniqueid"] == message["Uniqueid"] == "1795458352.0"
    assert "UNIQUEID" in message
    with pytest.raises(KeyError):
        message["Linkedid"]
    assert message.get("Linkedid") is None


def test_repeated_headers_are_all_kept() -> None:
    message = decode_message(b"Response: Success\r\nOutput: a\r\nOutput: \r\nOutput: c\r\n")
    assert message is not None
    assert message.get_all("Output") == ["a", "", "c"]
    assert message.as_dict()["Output"] == ["a", "", "c"]


def test_a_value_keeps_its_colons_and_inner_spaces() -> None:
    message = decode_message(b"Event: X\r\nAppData: (Outgoing Line): a  b\r\n")
    assert message is not None
    assert message["AppData"] == "(Outgoing Line): a  b"


# -- encoding --------------------------------------------------------------------------------


def test_encoding_lists_become_repeated_headers() -> None:
    raw = encode_headers({"Action": "Originate", "Variable": ["A=1", "B=2"]})
    assert raw == b"Action: Originate\r\nVariable: A=1\r\nVariable: B=2\r\n\r\n"


def test_an_encoded_message_reads_back_the_same() -> None:
    message = AmiMessage.of([("Event", "UserEvent"), ("CallerIDName", "王秀英"), ("X", "")])
    assert reader().feed(message.encode()) == [message]


@pytest.mark.parametrize("bad", ["8001\r\n\r\nAction: Originate", "a\nb", "a\rb", "a\x00b"])
def test_a_value_with_cr_lf_or_nul_is_refused(bad: str) -> None:
    with pytest.raises(UnsafeHeader):
        encode_headers({"Action": "Redirect", "Exten": bad})


@pytest.mark.parametrize("bad", ["Exten: x", "Ex ten", "", "Exten\r\n"])
def test_a_bad_header_name_is_refused(bad: str) -> None:
    with pytest.raises(UnsafeHeader):
        encode_headers({"Action": "Redirect", bad: "1"})


def test_a_bad_value_inside_a_list_is_refused() -> None:
    with pytest.raises(UnsafeHeader):
        encode_headers({"Action": "Originate", "Variable": ["A=1", "B=2\r\nAction: Hangup"]})
