"""Helpers of the report tests: a month (November 2026, Shanghai) of calls, work orders,
callbacks and QA reviews written as the service stores them, small enough that every
expected deduction of the example contracts can be worked out by hand. No tests here.

The month, as the tests count it:

* line 962121, every day: 10 calls answered after 10 s by agent 1001 at seat 8001; on
  the 3rd, 10th and 17th two more answered after 20 s (15-second rate 10/12); on the 5th a
  short abandon after 3 s, on the 24th an abandon after 30 s (connection 10/11 both days);
  20 of the answered calls rated: 18 satisfied, 1 basically satisfied, 1 unsatisfied.
* line 12345: on the 1st and 2nd, 10 calls abandoned after 40 s each.
* 20 counted orders (12345), order k accepted on day k+1 at 10:00; dispatched after 20 min,
  orders 1–3 after 40 min (late); the main unit of order 4 returned it as wrongly assigned;
  all responded after 1 h except order 5 (after 3 h) and order 6 (never).
  Orders 11–20 replied one day after acceptance: 9 called back the next day (7 satisfied,
  1 unsatisfied, 1 unreachable), order 20's callback missing, order 19's callback 10 days
  late.
* order 21, not counted (涉法涉诉): dispatched late, never responded.
* 5 QA reviews: 0, 0, 90, 90, 90.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from qa.forms import DEFAULT_FORM
from qa.models import QaFormRow, QaPlanRow, QaReviewRow, QaSampleRow
from tickets.models import WorkOrderRow
from tickets.order_models import (
    OrderAssignmentRow,
    OrderEventRow,
    OrderReplyRow,
    OrderRevisitRow,
)
from tickets.records import CallRecord
from tickets.store import write_batch

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONTH = "2026-11"
AFTER_THE_MONTH = datetime(2026, 12, 15, 12, 0, tzinfo=SHANGHAI)
SHORT_15S_DAYS = (3, 10, 17)
SHORT_CONNECTION_DAYS = (5, 24)
CALLS_12345_DAYS = (1, 2)


def local(day: int, hour: int = 9, minute: int = 0, second: float = 0.0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI) + timedelta(seconds=second)


def _call(
    call_id: str,
    queued: datetime,
    *,
    line: str = "962121",
    wait: float,
    answered: bool,
    **kw: object,
) -> CallRecord:
    end = queued + timedelta(seconds=wait)
    values: dict[str, object] = {
        "answered_at": end if answered else None,
        "talk_ended_at": end + timedelta(seconds=120) if answered else None,
        "ended_at": end + timedelta(seconds=120) if answered else end,
        "seat": "8001" if answered else None,
        "agent": "1001" if answered else None,
        "outcome": "answered" if answered else "abandoned",
        "recording_path": f"/rec/{call_id}.wav",
        **kw,
    }
    return CallRecord(
        server="pbx1",
        call_id=call_id,
        linked_id=call_id,
        line=line,
        caller_number="13812341234",
        queued_at=queued,
        **values,  # type: ignore[arg-type]
    )


def month_calls() -> list[CallRecord]:
    calls: list[CallRecord] = []
    rated = 0
    for day in range(1, 31):
        for n in range(10):
            score = None
            if rated < 20 and n == 0:
                score = 3 if rated == 19 else (2 if rated == 18 else 1)
                rated += 1
            calls.append(
                _call(f"d{day}-{n}", local(day, 9, n), wait=10, answered=True, survey_score=score)
            )
        if day in SHORT_15S_DAYS:
            calls += [
                _call(f"d{day}-late{n}", local(day, 11, n), wait=20, answered=True)
                for n in range(2)
            ]
        if day == SHORT_CONNECTION_DAYS[0]:
            calls.append(_call(f"d{day}-short", local(day, 12), wait=3, answered=False))
        if day == SHORT_CONNECTION_DAYS[1]:
            calls.append(_call(f"d{day}-gone", local(day, 12), wait=30, answered=False))
        if day in CALLS_12345_DAYS:
            calls += [
                _call(f"c{day}-{n}", local(day, 14, n), line="12345", wait=40, answered=False)
                for n in range(10)
            ]
    return calls


def _order(k: int) -> WorkOrderRow:
    accepted = local(k + 1, 10)
    not_counted = k == 21
    responded = None if k in (6, 21) else accepted + timedelta(hours=3 if k == 5 else 1)
    return WorkOrderRow(
        number=f"12345-T-{k:03d}",
        line="12345",
        caller_number="13900000000",
        channel="phone" if k % 3 else "wechat",
        status="handling",
        created_at=accepted,
        updated_at=accepted,
        accepted_at=accepted,
        category="utilities.water" if k % 2 else "complaint",
        address=f"梅陇镇莲花路{k}弄{k}号",
        content="小区停水三天，自来水管道破裂" if k % 2 else "夜间施工噪音扰民",
        urgency="normal",
        main_unit="utility.water",
        dispatched_at=accepted + timedelta(minutes=40 if k in (1, 2, 3, 21) else 20),
        dispatch_due=accepted + timedelta(minutes=30),
        responded_at=responded,
        response_due=accepted + timedelta(hours=2),
        not_counted="litigation" if not_counted else None,
        not_counted_note="已进入诉讼程序" if not_counted else None,
    )


def _steps(order: WorkOrderRow, k: int) -> list[object]:
    assert order.accepted_at is not None
    assert order.dispatched_at is not None
    rows: list[object] = [
        OrderEventRow(
            order_id=order.id,
            at=order.dispatched_at,
            actor="2001",
            step="dispatch",
            from_status="accepted",
            to_status="dispatched",
            details={"main_unit": "utility.water", "on_time": k not in (1, 2, 3, 21)},
        ),
        OrderAssignmentRow(
            order_id=order.id,
            unit="utility.water",
            role="main",
            state="returned" if k == 4 else "signed",
            dispatched_at=order.dispatched_at,
            dispatched_by="2001",
            wrongly_assigned=k == 4,
            return_reason="非本单位职责" if k == 4 else None,
        ),
    ]
    if 11 <= k <= 20:
        rows += _reply_and_callback(order, k)
    return rows


CALLBACK_RESULTS = {
    11: "satisfied",
    12: "satisfied",
    13: "satisfied",
    14: "satisfied",
    15: "satisfied",
    16: "satisfied",
    17: "satisfied",
    18: "unsatisfied",
    19: "unreachable",
}


def _reply_and_callback(order: WorkOrderRow, k: int) -> list[object]:
    assert order.accepted_at is not None
    replied = order.accepted_at + timedelta(days=1)
    rows: list[object] = [
        OrderReplyRow(
            order_id=order.id,
            unit="utility.water",
            at=replied,
            by="u1",
            handled_at="当日",
            place="莲花路",
            person="维修工",
            matter="管道",
            result="已修复",
            resolved=True,
        )
    ]
    if k in CALLBACK_RESULTS:
        called = replied + timedelta(days=10 if k == 19 else 1)
        rows.append(
            OrderRevisitRow(
                order_id=order.id,
                attempt=1,
                placed_at=called,
                agent="3001",
                seat="8002",
                server="pbx1",
                call_id=f"rv-{k}",
                result=CALLBACK_RESULTS[k],
                resolved=True,
                recorded_at=called,
            )
        )
    return rows


async def _qa(session: AsyncSession) -> None:
    form = QaFormRow(
        name="reports-kit",
        version=1,
        title=DEFAULT_FORM.title,
        definition=DEFAULT_FORM.as_json(),
        active=True,
        created_at=local(1),
        created_by="qa",
    )
    plan = QaPlanRow(
        day=local(1).date(), seed=1, rules={}, created_at=local(1), created_by="nightly"
    )
    session.add_all([form, plan])
    await session.flush()
    for n, score in enumerate((0.0, 0.0, 90.0, 90.0, 90.0)):
        sample = QaSampleRow(
            plan_id=plan.id,
            server="pbx1",
            call_id=f"d{n + 1}-1",
            agent="1001",
            seat="8001",
            line="962121",
            order_number=None,
            reasons=["random"],
            state="reviewed",
        )
        session.add(sample)
        await session.flush()
        session.add(
            QaReviewRow(
                sample_id=sample.id,
                form_id=form.id,
                reviewer="qa1",
                agent="1001",
                answers={},
                score=score,
                red_lines=["leak"] if score == 0 else [],
                submitted_at=local(n + 6, 15),
            )
        )


async def write_month(sessions: async_sessionmaker[AsyncSession]) -> None:
    """The month above, in one transaction."""
    async with sessions() as session, session.begin():
        await write_batch(await session.connection(), month_calls())
        for k in range(1, 22):
            order = _order(k)
            session.add(order)
            await session.flush()
            session.add_all(_steps(order, k))  # type: ignore[arg-type]
        await _qa(session)
