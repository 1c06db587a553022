"""The work order's whole life on both databases: accept while talking, dispatch, a
unit's return, re-dispatch, reply, an unsatisfied callback, re-handling, a satisfied
callback, closed; every step in the history; illegal steps refused and nothing changed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from tests.integration.orders_kit import local, orders_kit
from tickets.errors import InvalidOrder
from tickets.lifecycle import IllegalStep, Step
from tickets.order_figures import order_figures
from tickets.order_forms import OrderForm, ReplyForm
from tickets.order_models import OrderAssignmentRow, OrderEventRow
from tickets.order_steps import load_order
from tickets.order_views import hanging_list, order_detail
from tickets.supervision import scan

WATER = OrderForm(
    category="utilities.water",
    content="梅陇镇锦梅苑3号楼停水两天",
    address="上海市闵行区梅陇镇锦梅苑3号楼",
)
REPLY = ReplyForm(
    handled_at="2026-09-29 15:00",
    place="锦梅苑3号楼",
    person="维修班组 张师傅",
    matter="更换破裂的供水总阀",
    result="已恢复供水",
    resolved=True,
)


async def test_an_order_goes_from_the_call_to_closed_through_a_return_and_an_unsatisfied_callback(
    database_url: str,
) -> None:
    async with orders_kit(database_url, local("2026-09-28 10:00")) as kit:
        desk, clock = kit.desk, kit.clock
        number = await kit.draft("1790000001.1")
        order = await desk.accept(number, "1001", WATER)
        assert (order.status, order.accepted_at) == ("accepted", local("2026-09-28 10:00"))
        assert order.dispatch_due == local("2026-09-28 10:30")
        assert order.response_due == local("2026-09-28 12:00")
        # 7 working days from Mon 28 Sep: 29, 30 Sep, (1–7 Oct off), 8, 9, 10 (make-up Sat), 12, 13
        assert order.close_due == local("2026-10-13 10:00")

        clock.advance(minutes=10)
        await desk.dispatch(number, "2001", "town.meilong", note="停水 → 属地")
        clock.advance(minutes=20)
        order = await desk.unit_return(
            number, "town.meilong", "u-ml", "供水属自来水公司，非本单位职责"
        )
        assert order.status == "unit_returned"
        clock.advance(minutes=5)
        order = await desk.redispatch(
            number, "2001", "utility.water", wrongly_assigned=True, note="改派自来水"
        )
        assert (order.status, order.main_unit) == ("dispatched", "utility.water")

        clock.advance(minutes=30)
        await desk.unit_sign(number, "utility.water", "u-water")
        await desk.respond(number, "u-water", "已电话联系市民")
        clock.advance(hours=24)
        order = await desk.reply(number, "utility.water", "u-water", REPLY)
        assert order.status == "replied"
        assert order.callback_due is not None

        clock.advance(hours=3)
        order = await desk.record_revisit(
            number, "3001", result="unsatisfied", resolved=False, note="水压仍然很低"
        )
        assert (order.status, order.satisfaction) == ("handling", "unsatisfied")
        # re-handle within 2 working days of Tue 29 Sep 14:05: 30 Sep, (1–7 Oct off), 8 Oct
        assert order.reply_due == local("2026-10-08 14:05")

        clock.advance(hours=20)
        await desk.reply(number, "utility.water", "u-water", REPLY)
        clock.advance(hours=2)
        order = await desk.record_revisit(
            number, "3001", result="satisfied", resolved=True, note="已正常"
        )
        assert (order.status, order.open, order.satisfaction) == ("closed", False, "satisfied")

        async with kit.sessions() as session:
            detail = await order_detail(session, number, kit.desk.rules, clock(), reveal=False)
            steps = [event["step"] for event in detail["timeline"]]
            wrong = await session.scalar(
                select(func.count())
                .select_from(OrderAssignmentRow)
                .where(OrderAssignmentRow.wrongly_assigned)
            )
            figures = await order_figures(
                session, local("2026-09-28 00:00"), local("2026-10-01 00:00")
            )
    assert steps == [
        "accept",
        "dispatch",
        "unit_return",
        "redispatch",
        "unit_sign",
        "respond",
        "reply",
        "revisit",
        "reply",
        "revisit",
    ]
    assert [event["to"] for event in detail["timeline"]][-3:] == ["handling", "replied", "closed"]
    assert wrong == 1
    assert (figures.accepted, figures.dispatched, figures.dispatched_on_time) == (1, 1, 1)
    # two dispatches of which one was wrongly assigned: 派单准确率 50 %
    assert (figures.dispatches, figures.wrongly_assigned, figures.dispatch_accuracy) == (2, 1, 0.5)
    assert (figures.responded, figures.responded_on_time) == (1, 1)
    assert (figures.revisits, figures.satisfied, figures.unsatisfied) == (2, 1, 1)
    assert detail["caller_number"] == "138****1234"


async def test_a_step_the_status_does_not_allow_is_refused_and_changes_nothing(
    database_url: str,
) -> None:
    async with orders_kit(database_url, local("2026-11-23 09:00")) as kit:
        number = await kit.draft("1790000002.1")
        with pytest.raises(IllegalStep, match="dispatch"):
            await kit.desk.dispatch(number, "2001", "town.meilong")
        with pytest.raises(InvalidOrder, match="category"):
            await kit.desk.accept(number, "1001", OrderForm(category="nonsense", content="x"))
        async with kit.sessions() as session:
            order = await load_order(session, number)
            events = await session.scalar(select(func.count()).select_from(OrderEventRow))
    assert (order.status, order.category, events) == ("draft", None, 0)


async def test_a_question_answered_on_the_spot_is_closed_at_once(database_url: str) -> None:
    async with orders_kit(database_url, local("2026-11-23 09:00")) as kit:
        number = await kit.draft("1790000003.1")
        order = await kit.desk.answer_directly(
            number,
            "1001",
            OrderForm(category="consultation", content="问公积金提取"),
            "告知办理地点与材料",
        )
    assert (order.status, order.handled_directly, order.result) == (
        "closed",
        True,
        "告知办理地点与材料",
    )


async def test_two_dispatchers_cannot_both_dispatch_one_order(database_url: str) -> None:
    async with orders_kit(database_url, local("2026-11-23 09:00")) as kit:
        number = await kit.draft("1790000004.1")
        await kit.desk.accept(number, "1001", WATER)
        async with kit.sessions() as stale_session:
            stale = await load_order(stale_session, number)
            await kit.desk.dispatch(number, "2001", "utility.water")
            stale.status = "dispatched"
            stale.main_unit = "town.meilong"
            with pytest.raises(StaleDataError):
                await stale_session.commit()
        async with kit.sessions() as session:
            order = await load_order(session, number)
    assert order.main_unit == "utility.water"


async def test_an_undispatched_order_is_urged_then_supervised_once_each(database_url: str) -> None:
    async with orders_kit(database_url, local("2026-11-23 10:00")) as kit:
        number = await kit.draft("1790000005.1")
        await kit.desk.accept(number, "1001", WATER)  # dispatch due 10:30

        async def scan_at(moment: str) -> list[tuple[str, str]]:
            kit.clock.at = local(moment)
            async with kit.sessions() as session, session.begin():
                return [
                    (n.kind, n.deadline) for n in await scan(session, kit.desk.rules, kit.clock())
                ]

        # due soon: less than max(20% of 30 min, 10 min) left
        assert await scan_at("2026-11-23 10:19") == []
        assert await scan_at("2026-11-23 10:21") == [("urge", "dispatch")]
        assert await scan_at("2026-11-23 10:25") == []
        assert await scan_at("2026-11-23 10:31") == [("supervise", "dispatch")]
        # the 2 h follow-up checkpoint; the response (due 12:00) is overdue too
        assert await scan_at("2026-11-23 12:01") == [
            ("supervise", "response"),
            ("follow_up", "follow_up"),
        ]
        async with kit.sessions() as session:
            detail = await order_detail(session, number, kit.desk.rules, kit.clock(), reveal=False)
    assert [e["step"] for e in detail["timeline"]] == ["accept", "urge", "supervise", "supervise"]
    assert detail["escalation"] == "supervise"


async def test_a_hanging_order_asks_for_this_months_progress_and_can_resume(
    database_url: str,
) -> None:
    async with orders_kit(database_url, local("2026-10-20 09:00")) as kit:
        desk = kit.desk
        number = await kit.draft("1790000006.1")
        await desk.accept(number, "1001", WATER)
        await desk.dispatch(number, "2001", "utility.water")
        await desk.unit_sign(number, "utility.water", "u-water")
        await desk.hang(number, "2001", "管网改造需市级立项")
        kit.clock.at = local("2026-11-23 09:00")
        async with kit.sessions() as session:
            (before,) = await hanging_list(session, local("2026-11-01 00:00"))
        await desk.note(number, Step.HANGING_PROGRESS, "2001", "已列入明年改造计划")
        async with kit.sessions() as session:
            (after,) = await hanging_list(session, local("2026-11-01 00:00"))
        with pytest.raises(IllegalStep):
            await desk.reply(number, "utility.water", "u-water", REPLY)
        order = await desk.resume(number, "2001", "立项获批")
    assert (before["progress_this_month"], before["last_progress"]) == (False, "管网改造需市级立项")
    assert (after["progress_this_month"], after["last_progress"]) == (True, "已列入明年改造计划")
    # back to the unit: re-handle within 2 working days of Mon 23 Nov
    assert (order.status, order.reply_due) == ("handling", local("2026-11-25 09:00"))
