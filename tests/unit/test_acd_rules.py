"""The 12345 centre's routing rules: skills, priorities, first-contact responsibility, wrap-up,
agents signing in and out, temporary seats, callers who keep their place, overflow alerts."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import pytest

from acd.alerts import OverflowWatch
from acd.desk import SeatSpec
from acd.figures import Figures
from acd.rules import RoutingRules
from acd.seats import SeatError
from telephony.facts import CallAnswered, CallbackPlaced, CallerKeptPlace, CallerWaiting, TalkEnded
from tests.unit.test_router import SERVER, Centre


class History:
    def __init__(
        self, calls: dict[str, datetime] | None = None, orders: dict[str, str] | None = None
    ) -> None:
        self.calls = calls or {}
        self.orders = orders or {}

    def last_call(self, number: str, before: datetime) -> datetime | None:
        at = self.calls.get(number)
        return at if at is not None and at < before else None

    def open_order_agent(self, number: str) -> str | None:
        return self.orders.get(number)


def waiting(centre: Centre, call_id: str, number: str = "13800138000", **fields: object) -> None:
    fact = CallerWaiting(
        server=SERVER,
        call_id=call_id,
        linked_id=call_id,
        channel=f"PJSIP/trunk-{call_id}",
        line=str(fields.pop("line", "12345")),
        caller_number=number,
        caller_name="",
        at=centre.clock.now(),
        reason="new",
        style="routed",
        **fields,  # type: ignore[arg-type]
    )
    centre.router.caller_waiting(fact)


def skilled(centre: Centre, seat: str, *skills: str) -> None:
    centre.seat(seat).skills = frozenset(skills)


async def test_a_dialect_caller_goes_to_the_dialect_desk_only() -> None:
    centre = Centre({"8001": ("12345",), "8002": ("12345",)})
    skilled(centre, "8002", "dialect")
    waiting(centre, "c1", skill="dialect")
    await centre.settle()
    assert centre.offered() == ["8002"]


async def test_a_skill_nobody_free_has_falls_back_to_any_seat_of_the_line_after_the_limit() -> None:
    centre = Centre({"8001": ("12345",)}, RoutingRules(skill_fallback_after=60))
    waiting(centre, "c1", skill="enterprise")
    await centre.settle()
    assert centre.offered() == []
    await centre.clock.advance(60)
    await centre.settle()
    assert centre.offered() == ["8001"]


async def test_emergency_and_repeat_callers_go_before_longer_waiting_ones() -> None:
    centre = Centre({"8001": ("12345",)})
    repeat_number = "13911112222"
    centre.router.history = History(calls={repeat_number: centre.clock.now() - timedelta(hours=3)})
    centre.desk.pause("8001", "会议")
    waiting(centre, "plain")
    centre.clock._now += 5
    waiting(centre, "repeat", number=repeat_number)
    centre.clock._now += 5
    waiting(centre, "urgent", emergency=True)
    order = [c.call_id for c in centre.router.queue_view()]
    assert order == ["urgent", "repeat", "plain"]
    centre.desk.make_ready("8001")
    await centre.settle()
    assert centre.dialer.sent[0][1] == "PJSIP/trunk-urgent"


async def test_a_call_from_yesterday_is_not_a_repeat_call() -> None:
    centre = Centre({"8001": ("12345",)})
    centre.router.history = History(calls={"139": centre.clock.now() - timedelta(hours=25)})
    waiting(centre, "c1", number="139")
    assert centre.router.waiting[(SERVER, "c1")].repeat is False


async def test_a_priority_change_applies_to_callers_already_waiting() -> None:
    centre = Centre({"8001": ("12345", "962121")})
    centre.desk.pause("8001", "会议")
    waiting(centre, "a", line="12345")
    centre.clock._now += 5
    waiting(centre, "b", line="962121")
    assert [c.call_id for c in centre.router.queue_view()] == ["a", "b"]
    centre.router.update_rules(
        dataclasses.replace(centre.router.rules, line_priority=(("962121", 5),))
    )
    assert [c.call_id for c in centre.router.queue_view()] == ["b", "a"]


async def test_first_contact_waits_for_the_agent_of_the_open_order_then_goes_to_everyone() -> None:
    centre = Centre({"8001": ("12345",), "8002": ("12345",)}, RoutingRules(first_contact_window=10))
    centre.router.history = History(orders={"13800138000": "A8002"})
    centre.desk.pause("8002", "小休")
    waiting(centre, "c1")
    await centre.settle()
    assert centre.offered() == []  # 8001 is free, but the caller waits for agent A8002
    await centre.clock.advance(10)
    await centre.settle()
    assert centre.offered() == ["8001"]


async def test_first_contact_agent_becoming_ready_within_the_window_gets_the_caller() -> None:
    centre = Centre({"8001": ("12345",), "8002": ("12345",)}, RoutingRules(first_contact_window=10))
    centre.router.history = History(orders={"13800138000": "A8002"})
    centre.desk.pause("8002", "小休")
    waiting(centre, "c1")
    await centre.clock.advance(4)
    centre.desk.make_ready("8002")
    await centre.settle()
    assert centre.offered() == ["8002"]


async def answered_call(centre: Centre, seat: str = "8001", call_id: str = "c1") -> None:
    waiting(centre, call_id)
    await centre.settle()
    centre.ring(call_id, seat)
    centre.router.call_answered(CallAnswered(SERVER, call_id, seat, centre.clock.now()))
    centre.router.talk_ended(TalkEnded(SERVER, call_id, centre.clock.now()))


async def test_an_agent_ends_wrapup_early() -> None:
    centre = Centre({"8001": ("12345",)}, RoutingRules(wrapup_seconds=30))
    await answered_call(centre)
    assert centre.seat("8001").state == "wrapup"
    centre.desk.end_wrapup("8001")
    assert centre.seat("8001").state == "ready"


async def test_wrapup_can_be_extended_once() -> None:
    centre = Centre({"8001": ("12345",)}, RoutingRules(wrapup_seconds=30, wrapup_extension=20))
    await answered_call(centre)
    await centre.clock.advance(25)
    centre.desk.extend_wrapup("8001")
    with pytest.raises(SeatError, match="once"):
        centre.desk.extend_wrapup("8001")
    await centre.clock.advance(24)
    assert centre.seat("8001").state == "wrapup"  # 5 s left + 20 s more
    await centre.clock.advance(1)
    assert centre.seat("8001").state == "ready"


async def test_signing_out_during_a_call_happens_after_wrapup_and_sessions_are_kept() -> None:
    centre = Centre({"8001": ("12345",)}, RoutingRules(wrapup_seconds=10))
    sessions = []
    centre.board.subscribe_sessions(lambda seat, session: sessions.append(session))
    centre.seat("8001").agent = None
    centre.desk.sign_in("8001", "1001", "王芳")
    await answered_call(centre)
    centre.desk.sign_out("8001", by="supervisor-7")
    assert centre.seat("8001").agent == "1001"
    await centre.clock.advance(10)
    seat = centre.seat("8001")
    assert (seat.state, seat.agent) == ("offline", None)
    assert [(s.agent, s.ended_by, s.ended_at is not None) for s in sessions] == [
        ("1001", "", False),
        ("1001", "supervisor-7", True),
    ]


async def test_an_agent_cannot_sit_at_two_seats() -> None:
    centre = Centre({"8001": ("12345",), "8002": ("12345",)})
    centre.seat("8002").agent = None
    with pytest.raises(SeatError, match="8001"):
        centre.desk.sign_in("8002", "A8001")


async def test_a_seat_without_an_agent_is_not_offered() -> None:
    centre = Centre({"8001": ("12345",), "8002": ("12345",)})
    centre.desk.sign_out("8001")
    waiting(centre, "c1")
    await centre.settle()
    assert centre.offered() == ["8002"]


async def test_temporary_seats_open_take_calls_and_close_after_their_call() -> None:
    centre = Centre({"8001": ("12345",)})
    centre.desk.pause("8001", "培训")
    centre.desk.open_seat(
        SeatSpec("8101", SERVER, frozenset({"12345"}), temporary=True, name="临时1")
    )
    centre.desk.sign_in("8101", "2001")
    await answered_call(centre, seat="8101")
    centre.desk.close_seat("8101")
    assert centre.board.find("8101") is not None  # still in wrap-up
    centre.desk.end_wrapup("8101")
    assert centre.board.find("8101") is None
    with pytest.raises(SeatError, match="permanent"):
        centre.desk.close_seat("8001")


async def test_a_caller_who_keeps_their_place_is_called_back_in_turn() -> None:
    centre = Centre({"8001": ("12345",)})
    centre.desk.pause("8001", "会议")
    waiting(centre, "kept")
    centre.clock._now += 5
    waiting(centre, "later")
    centre.router.caller_kept_place(CallerKeptPlace(SERVER, "kept", centre.clock.now()))
    centre.end("kept")  # the caller hangs up; the place stays
    assert [c.call_id for c in centre.router.queue_view()] == ["kept", "later"]
    centre.desk.make_ready("8001")
    await centre.settle()
    assert centre.dialer.sent == [(SERVER, "callback:13800138000:pbx1/kept", "8001")]
    assert centre.seat("8001").state == "reserved"
    placed = CallbackPlaced(
        SERVER,
        "out1",
        "out1",
        "PJSIP/8001-1",
        "8001",
        "12345",
        "13800138000",
        "kept",
        "pbx1/kept",
        centre.clock.now(),
    )
    centre.router.callback_placed(placed)
    assert centre.seat("8001").state == "talking"
    assert [c.call_id for c in centre.router.queue_view()] == ["later"]


async def test_overflow_alerts_are_raised_once_and_cleared_once() -> None:
    watch, rules = OverflowWatch(), RoutingRules(overflow_wait_seconds=60, overflow_min_calls=10)
    centre = Centre({"8001": ("12345",)})
    waiting(centre, "old")
    now = centre.clock.now()
    callers = list(centre.router.waiting.values())
    callers[0].queued_at = now - timedelta(seconds=61)
    poor = Figures(offered=20, answered=15, answered_in_target=12)
    first = watch.check(now, callers, poor, rules)
    assert sorted((a["kind"], a["state"]) for a in first) == [
        ("overflow_rate", "raised"),
        ("overflow_wait", "raised"),
    ]
    assert watch.check(now, callers, poor, rules) == []
    good = Figures(offered=20, answered=20, answered_in_target=19)
    cleared = watch.check(now, [], good, rules)
    assert sorted((a["kind"], a["state"]) for a in cleared) == [
        ("overflow_rate", "cleared"),
        ("overflow_wait", "cleared"),
    ]


def test_too_few_calls_raise_no_rate_alert() -> None:
    watch = OverflowWatch()
    few = Figures(offered=3, answered=1, answered_in_target=1)
    assert watch.check(datetime(2026, 11, 23), [], few, RoutingRules(overflow_min_calls=10)) == []
