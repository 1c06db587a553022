"""The named tolerances of the fidelity test, each for something Asterisk's threads decide.

Each function takes the compared items of one session (the capture's and the
simulator's) and returns them with exactly that freedom applied, on both
sides; ``test_simulator_fidelity`` says why each one exists.
"""

from __future__ import annotations

import re
from dataclasses import replace

from telephony.simulator.channels import CHANNEL_FIELDS
from tests.integration.sim_compare import Item, bursts

THREAD_BURST_SECONDS = 0.005
LOCAL_LAUNCH_RACE = {"routed_agent_noanswer": "Local/8002@agents", "burst_50": "Local/8004@agents"}
DIAL_BEGIN_RACE = {"DestChannelState": ("0", "5"), "DestChannelStateDesc": ("Down", "Ringing")}
LOCAL_NUMBERING_RACE = frozenset({"queue_two_agents_three_callers"})
INSTANT_ANSWER_RACE = frozenset({"queue_latency_20"})
LOADED_BURST_SECONDS = {"burst_50": 0.010}
LOCAL_NAME = re.compile(r"Local/(?P<resource>[^\s;,/]+@[^\s;,/-]+)-[0-9a-f]{8}")
EITHER_STATE = "|".join(DIAL_BEGIN_RACE["DestChannelState"])
EITHER_DESC = "|".join(DIAL_BEGIN_RACE["DestChannelStateDesc"])
DEST_FIELDS = tuple("Dest" + name for name in CHANNEL_FIELDS)

Items = list[Item]
Block = tuple[tuple[str, str], ...]  # a channel block: (field, value) without prefix


def burst_seconds(scenario: str) -> float:
    """The gap that separates two bursts of the capture (THREAD_BURST / LOADED_BURST)."""
    return LOADED_BURST_SECONDS.get(scenario, THREAD_BURST_SECONDS)


def tolerate(scenario: str, session: int, expected: Items, actual: Items) -> tuple[Items, Items]:
    """Every tolerance that applies to this scenario's session, on both sides."""
    expected, actual = dial_begin_race(expected), dial_begin_race(actual)
    expected, actual = agent_complete_race(expected, actual)
    if session == 0:
        return expected, actual
    if scenario in LOCAL_LAUNCH_RACE:
        expected, actual = without_launch_race(expected, actual, LOCAL_LAUNCH_RACE[scenario])
    if scenario in LOCAL_NUMBERING_RACE:
        expected, actual = renumbered(expected), renumbered(actual)
    if scenario in INSTANT_ANSWER_RACE:
        expected, actual = instant_answer_race(expected, actual, burst_seconds(scenario))
    return expected, actual


# -- DIAL_BEGIN_RACE ----------------------------------------------------------------------


def _block(item: Item, prefix: str) -> Block:
    names = {prefix + name for name in CHANNEL_FIELDS}
    return tuple((k.removeprefix(prefix), v) for k, v in item.values if k in names)


def dial_begin_race(items: Items) -> Items:
    """DialBegin shows the called channel's snapshot from before or after it rang;
    AgentCalled (a fresh snapshot) its state before or after."""
    down: dict[str, Block] = {}  # channel -> its last snapshot while Down
    latest: dict[str, Block] = {}
    out: Items = []
    for item in items:
        values = dict(item.values)
        if item.name == "DialBegin" and "DestChannel" in values:
            item = _either_snapshot(item, down, latest)
        elif item.name == "AgentCalled":
            item = _either_state(item)
        channel = values.get("Channel")
        if channel and item.name not in ("DialBegin", "AgentCalled"):
            block = _block(item, "")
            latest[channel] = block
            if values.get("ChannelState") == "0":
                down[channel] = block
        out.append(item)
    return out


def _either_snapshot(item: Item, down: dict[str, Block], latest: dict[str, Block]) -> Item:
    dest = dict(item.values)["DestChannel"]
    block = _block(item, "Dest")
    before = down.get(dest)
    if before is None or block not in (before, latest.get(dest)):
        return _either_state(item)  # a routed Dial's peer: only the state races
    shown = dict(before)
    values = tuple(
        (k, shown[k.removeprefix("Dest")] if k in DEST_FIELDS else v) for k, v in item.values
    )
    return _either_state(replace(item, values=values))


def _either_state(item: Item) -> Item:
    values = tuple(
        (name, "|".join(DIAL_BEGIN_RACE[name]) if value in DIAL_BEGIN_RACE.get(name, ()) else value)
        for name, value in item.values
    )
    return replace(item, values=values)


# -- AGENT_COMPLETE_RACE ------------------------------------------------------------------


def agent_complete_race(expected: Items, actual: Items) -> tuple[Items, Items]:
    """Each AgentComplete without the channel blocks the capture's lacks, and in its
    caller's frames just before that caller's Hangup."""
    lacking = [_lacks(item) for item in expected if item.name == "AgentComplete"]
    stripped: Items = []
    for item in actual:
        if item.name == "AgentComplete" and lacking:
            item = _stripped(item, *lacking.pop(0))
        stripped.append(item)
    return _before_hangup(expected), _before_hangup(stripped)


def _lacks(item: Item) -> tuple[bool, bool]:
    names = set(item.headers)
    return "Channel" not in names, "DestChannel" not in names


def _stripped(item: Item, no_caller: bool, no_member: bool) -> Item:
    def dropped(name: str) -> bool:
        if name.startswith("Dest"):
            return no_member and name.removeprefix("Dest") in CHANNEL_FIELDS
        return no_caller and name in CHANNEL_FIELDS

    kept = [(k, v) for k, v in item.values if not dropped(k)]
    stream = "session" if no_caller else item.stream
    return replace(item, headers=tuple(k for k, _ in kept), values=tuple(kept), stream=stream)


def _before_hangup(items: Items) -> Items:
    out = list(items)
    for item in items:
        if item.name != "AgentComplete" or not item.stream.startswith("channel "):
            continue
        out.remove(item)
        at = next(
            (
                i
                for i, other in enumerate(out)
                if other.stream == item.stream and other.name == "Hangup"
            ),
            None,
        )
        if at is None:
            out.append(item)
        else:
            out.insert(at, replace(item, t=out[at].t))
    return out


# -- LOCAL_LAUNCH_RACE ---------------------------------------------------------------------


def _without_first(items: Items, stream: str) -> Items:
    first = next(index for index, item in enumerate(items) if item.stream == stream)
    return items[:first] + items[first + 1 :]


def without_launch_race(expected: Items, actual: Items, device: str) -> tuple[Items, Items]:
    made_expected, made_actual = _avail_change(expected, device), _avail_change(actual, device)
    if made_expected is not None and made_actual is not None:
        expected = expected[:made_expected] + expected[made_expected + 1 :]
        actual = actual[:made_actual] + actual[made_actual + 1 :]
    for stream in (f"device {device}", f"member {device}/n"):
        expected, actual = _without_first(expected, stream), _without_first(actual, stream)
    return expected, actual


def _avail_change(items: Items, device: str) -> int | None:
    """Where a ``Queue:<name>_avail`` change follows the member's first status report."""
    member = f"member {device}/n"
    first = next((i for i, item in enumerate(items) if item.stream == member), None)
    if first is None:
        return None
    for index in range(first + 1, len(items)):
        item = items[index]
        if item.t - items[first].t > THREAD_BURST_SECONDS:
            return None
        if item.stream.startswith("device Queue:") and item.stream.endswith("_avail"):
            return index
    return None


# -- LOCAL_NUMBERING_RACE ------------------------------------------------------------------


def renumbered(items: Items) -> Items:
    """Local channels named by their place among the pairs of the same exten@context."""
    labels: dict[str, str] = {}
    counts: dict[str, int] = {}

    def label(match: re.Match[str]) -> str:
        name = match.group(0)
        if name not in labels:
            counts[match["resource"]] = counts.get(match["resource"], 0) + 1
            labels[name] = f"Local/{match['resource']}-#{counts[match['resource']]}"
        return labels[name]

    def rename(text: str) -> str:
        return LOCAL_NAME.sub(label, text)

    return [
        replace(
            item,
            values=tuple((name, rename(value)) for name, value in item.values),
            stream=rename(item.stream),
        )
        for item in items
    ]


# -- INSTANT_ANSWER_RACE -------------------------------------------------------------------


def instant_answer_race(expected: Items, actual: Items, gap: float) -> tuple[Items, Items]:
    """In a burst where a member was called: its device may read NOT_INUSE or INUSE,
    its status report may say InCall 0 or 1."""
    numbers = bursts(expected, gap)
    called: set[tuple[int, str]] = set()  # (burst, stream of the called member)
    for item, number in zip(expected, numbers, strict=True):
        interface = dict(item.values).get("Interface", "")
        if item.name == "AgentCalled":
            called.add((number, f"member {interface}"))
            called.add((number, f"device {interface.removesuffix('/n')}"))
    racing: set[tuple[str, int]] = set()
    seen: dict[str, int] = {}
    for item, number in zip(expected, numbers, strict=True):
        index = seen.get(item.stream, 0)
        seen[item.stream] = index + 1
        if (number, item.stream) in called:
            racing.add((item.stream, index))
    return _loosened(expected, racing), _loosened(actual, racing)


def _loosened(items: Items, racing: set[tuple[str, int]]) -> Items:
    out: Items = []
    seen: dict[str, int] = {}
    for item in items:
        index = seen.get(item.stream, 0)
        seen[item.stream] = index + 1
        if (item.stream, index) in racing:
            item = replace(item, values=tuple(_either(item.name, k, v) for k, v in item.values))
        out.append(item)
    return out


def _either(event: str, name: str, value: str) -> tuple[str, str]:
    if event == "DeviceStateChange" and name == "State" and value in ("NOT_INUSE", "INUSE"):
        return name, "NOT_INUSE|INUSE"
    if event == "QueueMemberStatus" and name == "InCall":
        return name, "0|1"
    return name, value
