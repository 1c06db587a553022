"""What a report reads of a period, read as plain columns, is what the rows hold: the
calls of a period are the very records the ORM reads of the same rows (attempts in order,
each call's own), and every order with a step in the period comes once, by whichever of
its moments placed it there."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.db_kit import at, call, call_version, migrated_engine
from tickets.calls import calls_queued_between, get_call
from tickets.db import session_factory
from tickets.models import WorkOrderRow
from tickets.order_models import OrderEventRow
from tickets.records import CallRecord, SeatAttempt
from tickets.reports.data import Order, load_snapshot
from tickets.reports.period import Period
from tickets.store import write_batch

HOUR = 3_600.0


def _rings(*results: str, queued: float) -> tuple[SeatAttempt, ...]:
    return tuple(
        SeatAttempt(f"800{n}", at(queued + 2 * n), at(queued + 2 * n + 1), result)
        for n, result in enumerate(results)
    )


def _period_calls() -> list[CallRecord]:
    """Calls of the hour [0, 1 h) and around it, with every field a report reads."""
    full = call(
        "full",
        queued=60,
        caller_name="张伟",
        channel="PJSIP/trunk-0001",
        answered_at=at(75),
        talk_ended_at=at(300),
        ended_at=at(310),
        seat="8002",
        outcome="answered",
        end_cause=16,
        end_cause_text="Normal Clearing",
        queue_result="ANSWERED",
        recording_path="/var/spool/hotline/recordings/full.wav",
        recording_started_at=at(75),
        recording_stopped_at=at(300),
        survey_score=1,
        agent="1002",
        skill="方言",
        priority=2,
        emergency=True,
        attempts=_rings("NOANSWER", "BUSY", "ANSWER", queued=60),
    )
    return [
        call("before", queued=-1),
        full,
        # the same call id on another Asterisk: its attempts are its own
        call("full", server="pbx2", queued=60, attempts=_rings("CANCEL", queued=61)),
        call("abandoned", queued=90, ended_at=at(130), outcome="abandoned"),
        call_version("versioned", 4, queued=200),
        call(
            "back",
            queued=1_000,
            direction="callback",
            callback_of="abandoned",
            attempts=_rings("ANSWER", queued=1_000),
        ),
        call("last", queued=HOUR - 0.001),
        call("after", queued=HOUR),
    ]


async def test_the_calls_of_a_period_are_the_records_of_their_rows(database_url: str) -> None:
    stored = _period_calls()
    async with migrated_engine(database_url) as engine:
        async with engine.begin() as conn:
            # older versions first: the stored attempts are those of the newest
            for older in (1, 2):
                await write_batch(conn, [call_version("versioned", older, queued=200)])
            await write_batch(conn, stored)
        async with session_factory(engine)() as session:
            period = await calls_queued_between(session, at(0), at(HOUR))
            one_by_one = [await get_call(session, r.server, r.call_id) for r in period]
    expected = [r for r in stored if r.call_id not in ("before", "after")]
    assert period == expected
    assert period == one_by_one
    assert [a.result for a in period[0].attempts] == ["NOANSWER", "BUSY", "ANSWER"]
    assert [a.result for a in period[1].attempts] == ["CANCEL"]
    assert len(period[3].attempts) == 3  # version 4 of "versioned": three missed rings


async def _orders(engine: AsyncEngine, rows: Sequence[WorkOrderRow]) -> None:
    async with session_factory(engine)() as session, session.begin():
        session.add_all(rows)
        await session.flush()
        dispatched = next(row for row in rows if row.number == "dispatched")
        session.add(
            OrderEventRow(
                order_id=dispatched.id,
                at=at(HOUR / 2),
                actor="2001",
                step="dispatch",
                from_status="accepted",
                to_status="dispatched",
                details={"main_unit": "utility.water", "on_time": True},
            )
        )


def _order_row(number: str, **moments: float) -> WorkOrderRow:
    return WorkOrderRow(
        number=number,
        line="12345",
        caller_number="13900000000",
        status="handling",
        created_at=at(-10 * HOUR),
        updated_at=at(-10 * HOUR),
        **{name: at(seconds) for name, seconds in moments.items()},
    )


async def test_every_order_of_a_period_comes_once_whichever_moment_placed_it(
    database_url: str,
) -> None:
    rows = [
        _order_row("accepted", accepted_at=60),
        _order_row("response", accepted_at=-2 * HOUR, response_due=120),
        _order_row("closure", accepted_at=-2 * HOUR, close_due=180),
        # in the period three ways over
        _order_row("everything", accepted_at=10, response_due=20, close_due=30),
        _order_row("dispatched", accepted_at=-2 * HOUR),
        _order_row("outside", accepted_at=-2 * HOUR, response_due=HOUR, close_due=2 * HOUR),
    ]
    async with migrated_engine(database_url) as engine:
        await _orders(engine, rows)
        period = Period(at(0), at(HOUR), UTC)
        async with session_factory(engine)() as session:
            snapshot = await load_snapshot(session, period, now=at(HOUR) + timedelta(days=1))

    def numbers(orders: Sequence[Order]) -> list[str]:
        return [order.number for order in orders]

    assert numbers(snapshot.accepted.between(period.start, period.end)) == [
        "everything",
        "accepted",
    ]
    assert numbers(snapshot.responses_due.between(period.start, period.end)) == [
        "everything",
        "response",
    ]
    assert numbers(snapshot.closures_due.between(period.start, period.end)) == [
        "everything",
        "closure",
    ]
    assert [d.order.number for d in snapshot.dispatches.between(period.start, period.end)] == [
        "dispatched"
    ]
    dispatched = snapshot.dispatches.between(period.start, period.end)[0].order
    assert (dispatched.accepted_at, dispatched.line, dispatched.counted) == (
        at(-2 * HOUR),
        "12345",
        True,
    )
