"""Calls, seats and work orders read back as they were written, on SQLite and PostgreSQL;
what the ACD remembers at start (recent callers, open orders by caller)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta, timezone

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.db_kit import at, call, migrated_engine
from tickets.calls import callers_since, calls_queued_between, get_call, list_calls
from tickets.db import session_factory
from tickets.models import CallRow, WorkOrderRow
from tickets.orders import (
    CLOSED,
    get_order,
    get_order_for_call,
    list_orders,
    make_order_number,
    open_orders_by_caller,
    orders_of_caller,
)
from tickets.records import CallRecord, SeatAttempt, SeatStateInterval, WorkOrderDraft
from tickets.seats import list_seats, retire_seat, seat_states_between, upsert_seat
from tickets.store import write_batch


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    async with migrated_engine(database_url) as engine:
        yield engine


async def store(
    engine: AsyncEngine, *items: CallRecord | SeatStateInterval | WorkOrderDraft
) -> None:
    async with engine.begin() as conn:
        await write_batch(conn, items)


def answered_call() -> CallRecord:
    beijing = timezone(timedelta(hours=8))
    return call(
        "1732345678.42",
        version=1_795_458_400_000_000,
        caller="13912345678",
        queued=0.0,
        caller_name="张三",
        channel="PJSIP/trunk-00000007",
        answered_at=at(12.5).astimezone(beijing),
        talk_ended_at=at(200.25),
        ended_at=at(201.0),
        seat="seat02",
        outcome="answered",
        end_cause=16,
        end_cause_text="Normal Clearing",
        recording_path="/var/spool/asterisk/monitor/1732345678.42.wav",
        recording_started_at=at(0.1),
        recording_stopped_at=at(201.0),
        survey_score=3,
        agent="1001",
        skill="方言",
        priority=2,
        emergency=True,
        attempts=(
            SeatAttempt(seat="seat01", rang_at=at(1), ended_at=at(6), result="NOANSWER"),
            SeatAttempt(seat="seat02", rang_at=at(6.5), ended_at=at(12.5), result="ANSWER"),
        ),
    )


async def test_a_call_reads_back_equal_to_what_was_written(engine: AsyncEngine) -> None:
    record = answered_call()
    await store(engine, record)
    async with session_factory(engine)() as session:
        stored = await get_call(session, record.server, record.call_id)
    assert stored == record
    assert stored is not None
    assert stored.queued_at.tzinfo is not None
    assert stored.answered_at is not None
    assert stored.answered_at.utcoffset() == timedelta(0)


async def test_a_callback_call_reads_back_with_the_call_it_returns(engine: AsyncEngine) -> None:
    callback = call(
        "1732345999.7",
        direction="callback",
        callback_of="1732345678.42",
        outcome="kept_place",
        agent="1002",
    )
    await store(engine, callback)
    async with session_factory(engine)() as session:
        assert await get_call(session, "pbx1", "1732345999.7") == callback


async def test_an_unknown_call_is_none(engine: AsyncEngine) -> None:
    async with session_factory(engine)() as session:
        assert await get_call(session, "pbx1", "nope") is None


async def test_wait_and_talk_seconds_are_stored_for_reports(engine: AsyncEngine) -> None:
    await store(engine, answered_call())
    async with session_factory(engine)() as session:
        wait, talk = (
            await session.execute(select(CallRow.wait_seconds, CallRow.talk_seconds))
        ).one()
    assert (wait, talk) == (12.5, 187.75)


async def test_call_list_filters_pages_and_counts_newest_first(engine: AsyncEngine) -> None:
    records = [
        call(
            f"c{n}",
            queued=n * 60.0,
            line="12345" if n % 2 else "962121",
            caller="13800000001" if n < 5 else "13800000002",
            seat=f"seat{n % 3}",
            agent=f"100{n % 3}",
            outcome="answered" if n % 3 else "abandoned",
        )
        for n in range(10)
    ]
    await store(engine, *records)
    async with session_factory(engine)() as session:
        page, total = await list_calls(session, limit=3, offset=1)
        assert total == 10
        assert [r.call_id for r in page] == ["c8", "c7", "c6"]
        odd, total = await list_calls(session, line="12345")
        assert total == 5
        assert all(r.line == "12345" for r in odd)
        window, total = await list_calls(session, start=at(120), end=at(300))
        assert [r.call_id for r in window] == ["c4", "c3", "c2"]
        assert total == 3
        mine, total = await list_calls(session, caller_number="13800000002", outcome="abandoned")
        assert [r.call_id for r in mine] == ["c9", "c6"]
        assert total == 2
        by_seat, total = await list_calls(session, seat="seat1")
        assert {r.call_id for r in by_seat} == {"c1", "c4", "c7"}
        assert total == 3
        by_agent, total = await list_calls(session, agent="1000")
        assert ([r.call_id for r in by_agent], total) == (["c9", "c6", "c3", "c0"], 4)


async def test_calls_of_a_period_come_oldest_first_with_their_attempts(engine: AsyncEngine) -> None:
    await store(engine, answered_call(), call("early", queued=-3600), call("late", queued=86_400))
    async with session_factory(engine)() as session:
        period = await calls_queued_between(session, at(-1), at(3600))
    assert [r.call_id for r in period] == ["1732345678.42"]
    assert [a.result for a in period[0].attempts] == ["NOANSWER", "ANSWER"]


async def test_seats_are_created_updated_and_retired(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        await upsert_seat(session, "seat01", "王芳", ["12345", "962121"], False, at=at(0))
        await upsert_seat(session, "temp01", "临时一号", ["12345"], True, at=at(10))
    async with sessions() as session, session.begin():
        await upsert_seat(session, "seat01", "王芳", ["12345"], False, at=at(99))
        assert await retire_seat(session, "temp01", at(3600))
        assert not await retire_seat(session, "ghost", at(3600))
    async with sessions() as session:
        active = await list_seats(session)
        everyone = await list_seats(session, include_retired=True)
    assert [(s.seat_id, s.lines, s.created_at) for s in active] == [("seat01", ("12345",), at(0))]
    assert active[0].skills == ()
    assert [(s.seat_id, s.temporary, s.retired_at) for s in everyone] == [
        ("seat01", False, None),
        ("temp01", True, at(3600)),
    ]


async def test_seat_states_overlapping_a_period_include_open_ones(engine: AsyncEngine) -> None:
    before = SeatStateInterval("seat01", "ready", at(-100), at(-50))
    across = SeatStateInterval("seat01", "talking", at(-50), at(30))
    inside = SeatStateInterval("seat02", "paused", at(10), at(20), reason="lunch", agent="1001")
    still_open = SeatStateInterval("seat02", "ready", at(20))
    after = SeatStateInterval("seat03", "ready", at(100))
    await store(engine, before, across, inside, still_open, after)
    async with session_factory(engine)() as session:
        found = await seat_states_between(session, at(0), at(60))
        seat2 = await seat_states_between(session, at(0), at(60), seat="seat02")
    assert found == [across, inside, still_open]
    assert seat2 == [inside, still_open]


async def test_work_orders_are_found_by_call_and_by_caller(engine: AsyncEngine) -> None:
    drafts = [
        WorkOrderDraft(
            number=make_order_number("12345", at(n * 60), "pbx1", f"c{n}"),
            server="pbx1",
            call_id=f"c{n}",
            line="12345",
            caller_number="13800000001" if n < 2 else "13800000002",
            created_at=at(n * 60),
            seat="seat01",
        )
        for n in range(3)
    ]
    await store(engine, *drafts)
    async with session_factory(engine)() as session:
        order = await get_order_for_call(session, "pbx1", "c1")
        newest = await list_orders(session, limit=2)
        of_caller = await orders_of_caller(session, "13800000001")
        missing = await get_order_for_call(session, "pbx1", "c9")
    assert order is not None
    assert (order.number, order.status, order.seat) == (drafts[1].number, "draft", "seat01")
    assert order.created_at == order.updated_at == at(60)
    assert [o.call_id for o in newest] == ["c2", "c1"]
    assert [o.call_id for o in of_caller] == ["c1", "c0"]
    assert missing is None


async def test_a_seat_keeps_its_skills_until_they_change(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        await upsert_seat(session, "seat01", "王芳", ["12345"], False, skills=["方言", "涉企"])
        await upsert_seat(session, "seat02", "李强", ["12345"], False)
    async with sessions() as session:
        before = {seat.seat_id: seat.skills for seat in await list_seats(session)}
        await upsert_seat(session, "seat01", "王芳", ["12345"], False, skills=["涉企"])
        await session.commit()
        after = {seat.seat_id: seat.skills for seat in await list_seats(session)}
    assert before == {"seat01": ("方言", "涉企"), "seat02": ()}
    assert after == {"seat01": ("涉企",), "seat02": ()}


async def test_a_skill_holding_a_comma_is_refused(engine: AsyncEngine) -> None:
    async with session_factory(engine)() as session:
        with pytest.raises(ValueError, match="comma"):
            await upsert_seat(session, "seat01", "王芳", ["12345"], False, skills=["方言,粤语"])


async def test_callers_since_gives_the_last_inbound_call_of_each_caller(
    engine: AsyncEngine,
) -> None:
    await store(
        engine,
        call("old", caller="13800000001", queued=-7_200),
        call("first", caller="13800000001", queued=60),
        call("again", caller="13800000001", queued=600),
        call("other", caller="13800000002", queued=300),
        call("returned", caller="13800000002", queued=900, direction="callback"),
        call("before", caller="13800000003", queued=-60),
        call("withheld", caller="", queued=60),
    )
    async with session_factory(engine)() as session:
        callers = await callers_since(session, at(0))
    assert callers == {"13800000001": at(600), "13800000002": at(300)}
    assert all(when.tzinfo is not None for when in callers.values())


def order_draft(n: int, caller: str, agent: str | None) -> WorkOrderDraft:
    return WorkOrderDraft(
        number=make_order_number("12345", at(n * 60), "pbx1", f"c{n}"),
        server="pbx1",
        call_id=f"c{n}",
        line="12345",
        caller_number=caller,
        created_at=at(n * 60),
        seat="seat01",
        agent=agent,
    )


async def test_open_orders_by_caller_name_the_newest_open_order_and_its_agent(
    engine: AsyncEngine,
) -> None:
    drafts = [
        order_draft(0, "13800000001", "1001"),
        order_draft(1, "13800000001", "1002"),
        order_draft(2, "13800000001", "1003"),  # closed below: the older open one counts
        order_draft(3, "13800000002", None),
        order_draft(4, "13800000003", "1001"),  # closed below: the caller has no open order
        order_draft(5, "", "1001"),  # no number to know the caller by
    ]
    await store(engine, *drafts)
    async with engine.begin() as conn:
        await conn.execute(
            update(WorkOrderRow).where(WorkOrderRow.call_id.in_(["c2", "c4"])).values(status=CLOSED)
        )
        await conn.execute(
            update(WorkOrderRow).where(WorkOrderRow.call_id == "c3").values(status="dispatched")
        )
    async with session_factory(engine)() as session:
        found = await open_orders_by_caller(session)
        order = await get_order(session, drafts[1].number)
    assert found == {
        "13800000001": ("1002", drafts[1].number),
        "13800000002": (None, drafts[3].number),
    }
    assert order is not None
    assert order.agent == "1002"
