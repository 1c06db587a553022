"""The ACD's decisions, with a fake dialer and a fake clock (no sockets, no sleeping)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from acd.desk import Desk
from acd.ports import DialResult
from acd.router import Router
from acd.rules import RoutingRules
from acd.seats import PAUSE_NO_ANSWER, Seat, SeatBoard
from telephony.clock import FakeClock
from telephony.facts import (
    CallAnswered,
    CallEnded,
    CallerWaiting,
    DeviceStateChanged,
    SeatMissed,
    SeatRinging,
    TalkEnded,
)

SERVER = "pbx1"


class FakeDialer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []
        self.result = DialResult.SENT

    async def send_to_seat(self, server: str, channel: str, seat: str) -> DialResult:
        self.sent.append((server, channel, seat))
        return self.result

    async def call_back(
        self,
        server: str,
        seat: str,
        number: str,
        line: str,
        callback_of: str,
        task: str,
        order: str = "",
    ) -> DialResult:
        self.sent.append((server, f"callback:{number}:{task}", seat))
        return self.result


class Centre:
    """Router + board + fakes, with helpers that speak in facts."""

    def __init__(
        self, seats: dict[str, tuple[str, ...]], rules: RoutingRules = RoutingRules()
    ) -> None:
        self.clock = FakeClock()
        self.dialer = FakeDialer()
        self.events: list[dict[str, Any]] = []
        self.board = SeatBoard(self.clock)
        self.router = Router(
            self.board, self.dialer, self.clock, rules, [SERVER], self.events.append
        )
        self.desk = Desk(self.board, self.router)
        for seat_id, lines in seats.items():
            seat = Seat(seat_id=seat_id, server=SERVER, lines=frozenset(lines), agent=f"A{seat_id}")
            self.board.add(seat)
            self.clock._now += 1  # seats became ready one after the other: 8001 idles longest
        self.router.link_up(SERVER)

    def seat(self, seat_id: str) -> Seat:
        return self.board.get(seat_id)

    async def settle(self) -> None:
        await self.clock.advance(0)
        await self.router.drain()

    def waiting(
        self, call_id: str, line: str = "12345", reason: str = "new", server: str = SERVER
    ) -> None:
        self.router.caller_waiting(
            CallerWaiting(
                server=server,
                call_id=call_id,
                linked_id=call_id,
                channel=f"PJSIP/trunk-{call_id}",
                line=line,
                caller_number="13800138000",
                caller_name="王秀英",
                at=self.clock.now(),
                reason=reason,
                style="routed",
            )
        )

    def ring(self, call_id: str, seat: str) -> None:
        self.router.seat_ringing(
            SeatRinging(SERVER, call_id, seat, f"PJSIP/{seat}-1", self.clock.now())
        )

    def answer(self, call_id: str, seat: str) -> None:
        self.router.call_answered(CallAnswered(SERVER, call_id, seat, self.clock.now()))

    def miss(self, call_id: str, seat: str, status: str = "NOANSWER") -> None:
        self.router.seat_missed(SeatMissed(SERVER, call_id, seat, status, self.clock.now()))

    def end(self, call_id: str) -> None:
        self.router.call_ended(CallEnded(SERVER, call_id, self.clock.now(), 16, "Normal Clearing"))

    def offered(self) -> list[str]:
        return [seat for _, _, seat in self.dialer.sent]


async def test_longest_idle_ready_seat_gets_the_caller() -> None:
    centre = Centre({"8001": ("12345",), "8002": ("12345",)})
    centre.waiting("c1")
    await centre.settle()
    assert centre.offered() == ["8001"]
    assert centre.seat("8001").state == "reserved"
    assert centre.router.waiting[(SERVER, "c1")].offered_to == "8001"


async def test_seat_that_finished_last_call_longest_ago_comes_first() -> None:
    centre = Centre({"8001": ("12345",), "8002": ("12345",)})
    centre.desk.pause("8001", "小休")
    centre.clock._now += 5
    centre.desk.make_ready("8001")  # 8001 is ready again, but only just: 8002 idles longer
    centre.waiting("c1")
    await centre.settle()
    assert centre.offered() == ["8002"]


async def test_paused_seat_is_not_offered_a_call() -> None:
    centre = Centre({"8001": ("12345",), "8002": ("12345",)})
    centre.desk.pause("8001", "用餐")
    centre.waiting("c1")
    await centre.settle()
    assert centre.offered() == ["8002"]
    assert centre.seat("8001").reason == "用餐"


async def test_seat_serving_another_line_is_not_offered() -> None:
    centre = Centre({"8001": ("962121",), "8002": ("12345",)})
    centre.waiting("c1", line="12345")
    await centre.settle()
    assert centre.offered() == ["8002"]


async def test_nobody_is_offered_when_no_seat_serves_the_line() -> None:
    centre = Centre({"8001": ("962121",)})
    centre.waiting("c1", line="12345")
    await centre.settle()
    assert centre.offered() == []
    assert centre.seat("8001").state == "ready"


async def test_oldest_caller_is_offered_first() -> None:
    centre = Centre({"8001": ("12345",)})
    centre.desk.pause("8001", "会议")
    centre.waiting("older")
    centre.clock._now += 3
    centre.waiting("newer")
    centre.desk.make_ready("8001")
    await centre.settle()
    assert centre.dialer.sent[0][1] == "PJSIP/trunk-older"


async def test_a_missed_ring_goes_to_the_next_seat_and_the_caller_keeps_its_place() -> None:
    centre = Centre({"8001": ("12345",), "8002": ("12345",)})
    centre.waiting("c1")
    await centre.settle()
    centre.ring("c1", "8001")
    centre.clock._now += 15
    centre.miss("c1", "8001")
    centre.waiting("c1", reason="NOANSWER")  # the dialplan puts the caller back on hold
    await centre.settle()
    assert centre.offered() == ["8001", "8002"]
    assert centre.seat("8001").state == "ready"
    assert centre.seat("8001").consecutive_misses == 1


async def test_after_a_miss_the_caller_is_not_moved_before_it_is_back_on_hold() -> None:
    centre = Centre({"8001": ("12345",), "8002": ("12345",)})
    centre.waiting("c1")
    await centre.settle()
    centre.ring("c1", "8001")
    centre.miss("c1", "8001")
    await centre.settle()
    assert centre.offered() == ["8001"]  # still running hotline-connect: no Redirect yet
    centre.waiting("c1", reason="NOANSWER")
    await centre.settle()
    assert centre.offered() == ["8001", "8002"]


async def test_two_misses_in_a_row_pause_the_seat_with_no_answer_and_alert_the_supervisor() -> None:
    centre = Centre({"8001": ("12345",)}, RoutingRules(max_consecutive_misses=2))
    for call in ("c1", "c2"):
        centre.waiting(call)
        await centre.settle()
        centre.ring(call, "8001")
        centre.miss(call, "8001")
        centre.end(call)
        await centre.settle()
    seat = centre.seat("8001")
    assert (seat.state, seat.reason) == ("paused", PAUSE_NO_ANSWER)
    alerts = [e for e in centre.events if e["type"] == "alert"]
    assert alerts
    assert alerts[0]["seat"] == "8001"
    assert alerts[0]["kind"] == "seat_no_answer"


async def test_an_answer_resets_the_miss_count() -> None:
    centre = Centre({"8001": ("12345",)})
    centre.waiting("c1")
    await centre.settle()
    centre.ring("c1", "8001")
    centre.miss("c1", "8001")
    centre.waiting("c1", reason="NOANSWER")
    await centre.settle()
    centre.ring("c1", "8001")
    centre.answer("c1", "8001")
    assert centre.seat("8001").consecutive_misses == 0
    assert centre.seat("8001").state == "talking"


async def test_wrapup_lasts_the_configured_time_then_the_seat_takes_the_next_caller() -> None:
    centre = Centre({"8001": ("12345",)}, RoutingRules(wrapup_seconds=30))
    centre.waiting("c1")
    await centre.settle()
    centre.ring("c1", "8001")
    centre.answer("c1", "8001")
    centre.waiting("c2")
    centre.router.talk_ended(TalkEnded(SERVER, "c1", centre.clock.now()))
    assert centre.seat("8001").state == "wrapup"
    await centre.clock.advance(29)
    assert centre.seat("8001").state == "wrapup"
    assert centre.offered() == ["8001"]
    await centre.clock.advance(1)
    await centre.settle()
    assert centre.offered() == ["8001", "8001"]
    assert centre.dialer.sent[1][1] == "PJSIP/trunk-c2"


async def test_a_pause_asked_for_during_a_call_starts_after_wrapup() -> None:
    centre = Centre({"8001": ("12345",)}, RoutingRules(wrapup_seconds=10))
    centre.waiting("c1")
    await centre.settle()
    centre.ring("c1", "8001")
    centre.answer("c1", "8001")
    centre.desk.pause("8001", "培训")
    assert centre.seat("8001").state == "talking"
    centre.end("c1")
    await centre.clock.advance(10)
    assert (centre.seat("8001").state, centre.seat("8001").reason) == ("paused", "培训")


async def test_a_refused_redirect_frees_the_seat_at_once_and_retries_the_caller_later() -> None:
    centre = Centre({"8001": ("12345",)}, RoutingRules(back_on_hold=5))
    centre.dialer.result = DialResult.REJECTED
    centre.waiting("c1")
    await centre.settle()
    assert centre.seat("8001").state == "ready"
    assert centre.offered() == ["8001"]
    centre.dialer.result = DialResult.SENT
    await centre.clock.advance(5)
    await centre.settle()
    assert centre.offered() == ["8001", "8001"]
    assert centre.seat("8001").state == "reserved"


async def test_an_offer_never_confirmed_by_a_ring_is_freed_after_the_reserve_timeout() -> None:
    centre = Centre({"8001": ("12345",), "8002": ("12345",)}, RoutingRules(reserve_timeout=10))
    centre.dialer.result = DialResult.UNKNOWN
    centre.waiting("c1")
    await centre.settle()
    assert centre.seat("8001").state == "reserved"
    await centre.clock.advance(10)
    await centre.settle()
    assert centre.seat("8001").state in ("ready", "reserved")
    assert centre.offered()[:2] == ["8001", "8002"]


async def test_caller_hanging_up_while_the_seat_rings_does_not_count_as_a_miss() -> None:
    centre = Centre({"8001": ("12345",)})
    centre.waiting("c1")
    await centre.settle()
    centre.ring("c1", "8001")
    centre.miss("c1", "8001", status="CANCEL")
    centre.end("c1")
    seat = centre.seat("8001")
    assert (seat.state, seat.consecutive_misses) == ("ready", 0)
    assert not centre.router.waiting


async def test_calls_of_an_observed_asterisk_are_queued_for_display_but_never_offered() -> None:
    centre = Centre({"8001": ("12345",)})
    centre.waiting("q1", server="pbx2")
    await centre.settle()
    assert centre.offered() == []
    assert (("pbx2", "q1")) in centre.router.waiting


async def test_an_unreachable_softphone_is_not_offered_until_it_is_back() -> None:
    centre = Centre({"8001": ("12345",), "8002": ("12345",)})
    now = centre.clock.now()
    centre.router.device_state(DeviceStateChanged(SERVER, "PJSIP/8001", "UNAVAILABLE", now))
    centre.waiting("c1")
    await centre.settle()
    assert centre.offered() == ["8002"]
    centre.router.device_state(DeviceStateChanged(SERVER, "PJSIP/8001", "NOT_INUSE", now))
    assert centre.seat("8001").state == "ready"


async def test_no_offers_while_the_link_is_down() -> None:
    centre = Centre({"8001": ("12345",)})
    centre.router.link_down(SERVER)
    centre.waiting("c1")
    await centre.settle()
    assert centre.offered() == []
    centre.router.link_up(SERVER)
    await centre.settle()
    assert centre.offered() == ["8001"]


async def test_a_pause_needs_a_reason_from_the_list() -> None:
    centre = Centre({"8001": ("12345",)})
    with pytest.raises(ValueError, match="reason"):
        centre.desk.pause("8001", "  ")
    with pytest.raises(ValueError, match="reason"):
        centre.desk.pause("8001", "回家")


async def test_state_changes_are_kept_as_intervals() -> None:
    intervals = []
    centre = Centre({"8001": ("12345",)})
    centre.board.subscribe(lambda seat, closed, opened: intervals.append((closed, opened)))
    centre.desk.pause("8001", "小休")
    centre.clock._now += 300
    centre.desk.make_ready("8001")
    closed, opened = intervals[-1]
    assert closed is not None
    assert closed.state == "paused"
    assert closed.reason == "小休"
    assert closed.ended_at is not None
    assert closed.ended_at - closed.started_at == timedelta(seconds=300)
    assert opened.state == "ready"
    assert opened.ended_at is None
