"""The simulator's extensions.conf parser and its dialplan expressions."""

from __future__ import annotations

from pathlib import Path

import pytest

from telephony.clock import FakeClock
from telephony.simulator.channels import RING
from telephony.simulator.config import DEPLOY_DIALPLAN, SimulatorConfig
from telephony.simulator.dialplan import Dialplan, DialplanError, parse_dialplan, split_application
from telephony.simulator.engine import Engine
from telephony.simulator.expressions import Resolver, evaluate, split_arguments, substitute
from telephony.simulator.pbx import expand

LAB = Path(__file__).resolve().parents[1] / "fixtures" / "ami-lab" / "extensions.conf"


def resolver(values: dict[str, str]) -> Resolver:
    def function(name: str, args: str) -> str:
        return {
            "CALLERID": {"num": "13800138000", "name": "王秀英"}.get(args, ""),
            "LEN": str(len(args)),
        }[name]

    return Resolver(values.get, function)


def test_the_deploy_and_lab_dialplans_parse() -> None:
    deploy = Dialplan.load(DEPLOY_DIALPLAN)
    lab = Dialplan.load(LAB)
    assert {"from-trunk", "hotline-inbound", "hotline-connect", "hotline-survey"} <= set(
        deploy.contexts
    )
    assert {"callers", "agents", "hotline-inbound", "hotline-connect"} <= set(lab.contexts)
    assert lab.globals["AGENT_RING_TIMEOUT"] == "20"
    assert "general" not in lab.contexts


def test_same_and_n_number_priorities_and_labels_name_them() -> None:
    plan = parse_dialplan(
        "[c]\nexten => 100,1,NoOp(first)\n same => n,Answer()\n"
        " same => n(hold),MusicOnHold(default)\n same => n,Goto(hold)\n"
    )
    extension = plan.contexts["c"].extensions["100"]
    assert sorted(extension.steps) == [1, 2, 3, 4]
    assert extension.labels == {"hold": 3}
    assert (extension.steps[3].app, extension.steps[3].data, extension.steps[3].line) == (
        "MusicOnHold",
        "default",
        4,
    )
    assert plan.resolve_priority("c", "100", "hold") == 3


def test_patterns_match_as_asterisk_matches_them() -> None:
    plan = Dialplan.load(LAB)
    assert plan.extension("hotline-connect", "8001") is not None
    assert plan.extension("hotline-connect", "9001") is None  # _80XX
    assert plan.extension("hotline-queue", "12345") is not None  # _X.
    assert plan.extension("from-sip", "q12345").name == "_qX."
    assert plan.extension("from-sip", "12345").name == "12345"  # an exact match wins


def test_the_lab_priorities_are_where_asterisk_has_them() -> None:
    plan = Dialplan.load(LAB)
    agents = plan.contexts["agents"].extensions["_80XX"]
    assert agents.labels == {"noanswer": 16, "busy": 19, "unavail": 20}
    assert agents.steps[13].app == "Playtones"
    assert plan.step("hotline-connect", "8001", 1).line == 68


def test_a_same_without_an_extension_is_an_error() -> None:
    with pytest.raises(DialplanError):
        parse_dialplan("[c]\n same => n,NoOp()\n")


def test_comments_are_stripped_but_escaped_semicolons_kept() -> None:
    plan = parse_dialplan("[c]\nexten => s,1,NoOp(a\\;b) ; a comment\n")
    assert plan.step("c", "s", 1).data == "a;b"


def test_application_and_arguments_split() -> None:
    assert split_application("Dial(PJSIP/8001,15,gm(default))") == (
        "Dial",
        "PJSIP/8001,15,gm(default)",
    )
    assert split_application("Answer()") == ("Answer", "")
    assert split_arguments("HotlineWaiting,Line: 12345,Reason: new") == [
        "HotlineWaiting",
        "Line: 12345",
        "Reason: new",
    ]
    assert split_arguments("a,IF($[1]?b:c),d") == ["a", "IF($[1]?b:c)", "d"]


def test_substitution_works_inside_out() -> None:
    values = {"EXTEN": "8001", "AGENT_MODE_8001": "noanswer", "LINE": "12345"}
    assert substitute("${AGENT_MODE_${EXTEN}}", resolver(values)) == "noanswer"
    assert substitute("${LINE:1}|${LINE:0:3}|${LINE:-2}", resolver(values)) == "2345|123|45"
    assert (
        substitute("Route ${CALLERID(num)} on ${LINE}", resolver(values))
        == "Route 13800138000 on 12345"
    )
    assert substitute("${UNSET}x", resolver(values)) == "x"


def test_expressions_in_the_dialplans() -> None:
    values = {"MODE": "", "SURVEY": "4", "CALLER_HANGUP_AFTER": "120"}
    text = '$["${MODE}" = ""]/$["${CALLER_HANGUP_AFTER}" = ""]'
    assert substitute(text, resolver(values)) == "1/0"
    survey = '$["${SURVEY}" != "1" & "${SURVEY}" != "2" & "${SURVEY}" != "3"]'
    assert substitute(survey, resolver(values)) == "1"
    assert substitute(survey, resolver({"SURVEY": "2"})) == "0"


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("1 + 2 * 3", "7"),
        ("(1 + 2) * 3", "9"),
        ("7 / 2", "3.5"),
        ("10 > 9", "1"),
        ('"10" > "9"', "1"),
        ("abc < abd", "1"),
        ("0 | fallback", "fallback"),
        ("x & 0", "0"),
        ("!0", "1"),
        ("1 ? yes :: no", "yes"),
        ("0 ? yes :: no", "no"),
        ("8001 =~ 80", "2"),
        ("", ""),
    ],
)
def test_expression_operators(expression: str, value: str) -> None:
    assert evaluate(expression) == value


def test_a_channel_expands_its_own_variables_and_the_dialplan_functions() -> None:
    clock = FakeClock(start=1_795_458_352.5)
    engine = Engine(
        SimulatorConfig(recordings_dir=Path("/rec")), clock, Dialplan.load(DEPLOY_DIALPLAN)
    )
    channel = engine.new_channel(
        "PJSIP",
        "trunk",
        state=RING,
        context="from-trunk",
        exten="12345",
        caller=("13800138000", "王秀英"),
    )
    channel.variables["SEAT"] = "8001"
    text = "${EXTEN:1}|${LEN(${CALLERID(num)})}|${IF($[${SEAT} = 8001]?mine:theirs)}|${EPOCH}"
    assert expand(engine, channel, text) == "2345|11|mine|1795458352"
    assert expand(engine, channel, "${HOTLINE_RECDIR}/${UNIQUEID}.wav") == "/rec/1795458352.0.wav"
    assert expand(engine, channel, "${CALLERID(all)}") == '"王秀英" <13800138000>'
