"""app_queue's configuration and its rules, without a running simulator: queues.conf,
the strategies' choice of member, wrap-up in whole seconds, whose turn it is."""

from __future__ import annotations

import random

import pytest

from telephony.clock import FakeClock
from telephony.simulator.channels import Channel, Waker
from telephony.simulator.queueconf import QueueConfigError, parse_empty, parse_queues
from telephony.simulator.queues import (
    EMPTY_INVALID,
    EMPTY_PAUSED,
    EMPTY_PENALTY,
    EMPTY_UNAVAILABLE,
    Queue,
    QueueCaller,
)
from telephony.simulator.strategies import find_best, remember_next, round_of

LOGIN = 1_795_458_400
CONF = """
[general]
autofill = no
shared_lastcall = yes

[sales]
strategy = leastrecent   ; comment
timeout = 20
retry = 0
wrapuptime = 5
ringinuse = no
joinempty = paused,unavailable
leavewhenempty = strict
maxlen = 3
servicelevel = 30
weight = 2
member => PJSIP/8001,1,Li Lei
member => Local/8002@agents/n,,,Custom/8002
"""


def test_queues_conf_settings_and_static_members() -> None:
    queues = parse_queues(CONF, LOGIN)
    sales = queues.queues["sales"]
    assert queues.shared_lastcall
    assert (sales.strategy, sales.timeout, sales.retry, sales.wrapuptime) == (
        "leastrecent",
        20,
        5,
        5,
    )
    assert (sales.maxlen, sales.servicelevel, sales.weight, sales.autofill) == (3, 30, 2, False)
    assert sales.joinempty == EMPTY_PAUSED | EMPTY_UNAVAILABLE
    assert sales.leavewhenempty == EMPTY_PENALTY | EMPTY_INVALID | EMPTY_PAUSED | EMPTY_UNAVAILABLE
    first, second = sales.members
    assert (first.name, first.penalty, first.interface, first.ringinuse) == (
        "Li Lei",
        1,
        "PJSIP/8001",
        False,
    )
    assert (second.name, second.state_interface, second.device) == (
        "Local/8002@agents/n",
        "Custom/8002",
        "Custom/8002",
    )


def test_yes_and_no_mean_opposite_things_for_joining_and_leaving() -> None:
    assert parse_empty("yes", joining=True) == 0
    assert parse_empty("no", joining=True) == EMPTY_PENALTY | EMPTY_INVALID | EMPTY_PAUSED
    assert parse_empty("yes", joining=False) == EMPTY_PENALTY | EMPTY_INVALID | EMPTY_PAUSED
    assert parse_empty("loose", joining=False) == EMPTY_PENALTY | EMPTY_INVALID


def test_an_unknown_strategy_is_refused() -> None:
    with pytest.raises(QueueConfigError):
        parse_queues("[q]\nstrategy = cleverest\n", LOGIN)


def queue(strategy: str, seats: int = 3) -> Queue:
    text = f"[q]\nstrategy = {strategy}\nwrapuptime = 2\nringinuse = no\n" + "".join(
        f"member => Local/80{n:02d}@agents/n,0,Agent {n}\n" for n in range(1, seats + 1)
    )
    return parse_queues(text, LOGIN).queues["q"]


def caller() -> QueueCaller:
    clock = FakeClock()
    channel = Channel("Local/c-1;1", "1.0", "1.0", "Local", "c@callers", 0.0, Waker(clock))
    return QueueCaller(channel, float(LOGIN), 1)


def best_name(q: Queue, entry: QueueCaller, now: int = LOGIN) -> str:
    attempts = round_of(q, entry, now, random.Random(1))
    best = find_best(attempts)
    assert best is not None
    best.channel = entry.channel  # rung
    remember_next(q, entry, attempts)
    return best.member.name


def test_rrmemory_takes_turns_and_wraps_around() -> None:
    q, entry = queue("rrmemory"), caller()
    assert [best_name(q, entry) for _ in range(4)] == ["Agent 1", "Agent 2", "Agent 3", "Agent 1"]


def test_a_penalty_puts_a_member_behind_every_member_without_one() -> None:
    q, entry = queue("rrmemory"), caller()
    q.members[0].penalty = 1
    assert [best_name(q, entry) for _ in range(3)] == ["Agent 2", "Agent 3", "Agent 2"]


def test_leastrecent_prefers_the_member_idle_longest() -> None:
    q, entry = queue("leastrecent"), caller()
    for member, ended in zip(q.members, (LOGIN - 10, LOGIN - 300, LOGIN - 60), strict=True):
        member.last_call = ended
    assert best_name(q, entry) == "Agent 2"


def test_fewestcalls_prefers_the_member_with_fewest_calls() -> None:
    q, entry = queue("fewestcalls"), caller()
    for member, calls in zip(q.members, (4, 2, 3), strict=True):
        member.calls_taken = calls
    assert best_name(q, entry) == "Agent 2"


def test_wrap_up_ends_on_a_whole_second_of_asterisks_clock() -> None:
    q = queue("ringall")
    member = q.members[0]
    member.last_call = LOGIN  # the call ended at LOGIN.xxx
    assert not q.is_available(member, LOGIN + 1)
    assert q.is_available(member, LOGIN + 2)  # wrapuptime 2: free from the second second on


def test_callers_ringing_members_do_not_count_ahead_of_others() -> None:
    q = queue("rrmemory", seats=1)
    first, second = caller(), caller()
    q.callers += [first, second]
    assert q.is_turn_of(first, LOGIN)
    assert not q.is_turn_of(second, LOGIN)
    first.pending = True
    assert q.is_turn_of(second, LOGIN)


def test_a_queue_is_empty_for_joining_when_every_member_is_paused() -> None:
    q = queue("rrmemory")
    for member in q.members:
        member.paused = True
    assert q.empty_for(EMPTY_PAUSED, LOGIN)
    assert not q.empty_for(EMPTY_UNAVAILABLE, LOGIN)
