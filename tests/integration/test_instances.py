"""Two whole service instances on one simulated Asterisk, one Redis and one database:
exactly one routes; when it is cut off from Redis or stopped, the other takes over,
and no caller is offered twice and no seat is given two calls."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import timedelta
from pathlib import Path

from telephony.simulator import ReceivedAction, SeatBehaviour
from telephony.wire import AmiMessage
from tests.integration.instances_kit import (
    REAL,
    SERVER,
    Pair,
    check_offers,
    two_instances,
)
from tests.integration.service_kit import ClientFactory, script, until
from tickets.calls import calls_queued_between
from web.keys import SESSIONS, WRITER

TAKEOVER_BOUND = 10.0  # real seconds: the promise to the operators
_numbers = itertools.count(1)


async def _place(pair: Pair, *talks: float) -> list[str]:
    """Callers who never hang up first; the seats end each call after its talk."""
    ids = []
    for talk in talks:
        number = f"1391234{next(_numbers):04d}"
        ids.append(await pair.sim.place_call("12345", number, "", script(talk=talk, patience=None)))
    return ids


async def _stored_once(pair: Pair, call_ids: list[str], answered_by: dict[str, str]) -> None:
    """Every call is one row, answered by the seat Asterisk says answered it."""
    app = pair.b.app
    await app[WRITER].flush()
    day = pair.b.centre.today.day_start
    async with app[SESSIONS]() as session:
        stored = await calls_queued_between(session, day, day + timedelta(days=1))
    assert Counter(call.call_id for call in stored) == Counter(call_ids)
    for call in stored:
        assert call.outcome == "answered", call
        assert call.seat == answered_by[call.call_id], call


def _all_over(pair: Pair, call_ids: list[str]) -> bool:
    """Asterisk has hung every call up, and the leader has seen it."""
    live = {channel.uniqueid for channel in pair.sim.live_channels()}
    ended = {r.call_id for r in pair.b.centre.today.records() if r.ended_at is not None}
    return not live & set(call_ids) and ended >= set(call_ids)


def _redirects_from(pair: Pair, sessions: set[int]) -> list[ReceivedAction]:
    return [
        action
        for action in check_offers(pair.timeline.entries()).redirects
        if action.session in sessions
    ]


async def test_an_instance_cut_off_from_redis_hands_routing_over_without_double_offers(
    aiohttp_client: ClientFactory,
    tmp_path: Path,
    postgres_url: str,
    redis_url: str,
    redis_prefix: str,
) -> None:
    seats = ("8001", "8002", "8003")
    async with two_instances(
        aiohttp_client, tmp_path, postgres_url, redis_url, redis_prefix, seats=seats
    ) as pair:
        a, b = pair.a, pair.b
        assert a.leads()
        assert not b.leads()
        calls = await _place(pair, 8, 14, 20)
        await pair.clock.sleep(3)
        calls += await _place(pair, 15, 15, 15, 15, 15)  # the seats are busy: these wait
        await until(pair.clock, lambda: len(b.centre.router.waiting) == 5, 30, "five wait")
        token = a.gate.token(SERVER)
        assert token is not None
        # Cut off as a seat starts its wrap-up: A still believes it leads when the
        # seat is free again, and tries to offer it a caller.
        await until(pair.clock, lambda: _wrapping_up(pair), 60, "a seat wraps up")
        cut_at = len(pair.sim.actions_log)
        await pair.proxy.cut()
        await until(REAL, lambda: not a.leads(), TAKEOVER_BOUND, "A stops leading")
        await until(REAL, b.leads, TAKEOVER_BOUND, "B takes over")
        assert (b.gate.token(SERVER) or 0) > token
        await pair.proxy.restore()

        await until(pair.clock, lambda: _all_over(pair, calls), 600, "every call over")
        assert b.leads()
        assert not a.leads()  # healed, it stands by
        offers = check_offers(pair.timeline.entries())
        assert offers.violations == []
        assert offers.answered == Counter(dict.fromkeys(calls, 1))  # each answered once
        b_sessions = pair.sessions_of_b()
        assert _redirects_from(pair, b_sessions)  # B routed the waiting callers
        late = [a for a in pair.sim.actions_log[cut_at:] if a.session not in b_sessions]
        assert [a for a in late if a.message["Action"] == "Redirect"] == []  # none from A
        await _stored_once(pair, calls, offers.answered_by)


def _wrapping_up(pair: Pair) -> bool:
    return any(seat.state == "wrapup" for seat in pair.a.centre.board.all())


async def test_when_the_routing_instance_stops_the_other_routes_with_its_seats_as_they_were(
    aiohttp_client: ClientFactory,
    tmp_path: Path,
    postgres_url: str,
    redis_url: str,
    redis_prefix: str,
) -> None:
    seats = ("8001", "8002", "8003")
    async with two_instances(
        aiohttp_client, tmp_path, postgres_url, redis_url, redis_prefix, seats=seats
    ) as pair:
        a, b = pair.a, pair.b
        pair.sim.set_seat("8009", SeatBehaviour(answer_delay=2.0))
        for path, body, status in (
            ("/api/seats/8003/pause", {"reason": "用餐"}, 200),
            ("/api/seats", {"seat": "8009", "name": "临时"}, 201),
            ("/api/seats/8009/login", {"agent": "T9009", "name": "王芳"}, 200),
        ):
            response = await a.client.post(path, json=body)
            assert response.status == status, await response.text()
        calls = await _place(pair, 20, 20, 20)
        await until(pair.clock, lambda: not b.centre.router.waiting, 30, "three routed")
        calls += await _place(pair, 10, 10, 10)
        await until(pair.clock, lambda: len(b.centre.router.waiting) == 3, 30, "three wait")

        await a.client.close()
        await until(REAL, b.leads, TAKEOVER_BOUND, "B takes over")
        paused, temporary = b.centre.board.get("8003"), b.centre.board.get("8009")
        assert (paused.state, paused.reason) == ("paused", "用餐")
        assert (temporary.agent, temporary.agent_name) == ("T9009", "王芳")

        await until(pair.clock, lambda: _all_over(pair, calls), 600, "every call over")
        offers = check_offers(pair.timeline.entries())
        assert offers.violations == []
        assert offers.answered == Counter(dict.fromkeys(calls, 1))
        offered_seats = Counter(action.message["Exten"] for action in offers.redirects)
        assert "8003" not in offered_seats
        b_sessions = pair.sessions_of_b()
        assert "8009" in {r.message["Exten"] for r in _redirects_from(pair, b_sessions)}
        await _stored_once(pair, calls, offers.answered_by)


def _redirect(session: int, channel: str, seat: str) -> ReceivedAction:
    message = AmiMessage.of(
        {"Action": "Redirect", "Channel": channel, "Context": "hotline-connect", "Exten": seat}
    )
    return ReceivedAction(session, message, 0.0, True)


def _user_event(name: str, channel: str, **headers: str) -> AmiMessage:
    return AmiMessage.of({"Event": "UserEvent", "UserEvent": name, "Channel": channel, **headers})


def test_the_offer_check_finds_a_caller_or_a_seat_offered_twice() -> None:
    caller, other = "PJSIP/trunk-00000001", "PJSIP/trunk-00000002"
    twice = check_offers(iter([_redirect(1, caller, "8001"), _redirect(2, caller, "8002")]))
    assert twice.violations == [f"{caller} offered to 8002 while offered to 8001"]
    seat_twice = check_offers(iter([_redirect(1, caller, "8001"), _redirect(2, other, "8001")]))
    assert seat_twice.violations == [f"seat 8001 offered {other} while busy with {caller}"]
    back_on_hold = check_offers(
        iter(
            [
                _redirect(1, caller, "8001"),
                _user_event("HotlineDialFailed", caller, Seat="8001", DialStatus="NOANSWER"),
                _user_event("HotlineWaiting", caller, Reason="NOANSWER"),
                _redirect(2, caller, "8002"),
                _redirect(2, other, "8001"),
            ]
        )
    )
    assert back_on_hold.violations == []
