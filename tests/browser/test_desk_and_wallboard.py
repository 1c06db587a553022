"""An agent's shift in a real browser: sign in, take a seat, get ready, answer a caller who
wrote in before (the screen-pop shows it), save the order; the supervisor's wallboard shows
the call and counts it. No page has a JavaScript or console error on the way."""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import Page, expect

from tests.browser.browser_kit import (
    AGENT,
    DISPATCHER,
    SUPERVISOR,
    LiveService,
    PageProblems,
    People,
    api_as,
    sign_in_by_api,
)

CALLER, CALLER_NAME = "13812345678", "王秀英"
SEAT = "8001"
EARLIER = {
    "line": "12345",
    "channel": "web",
    "caller_number": CALLER,
    "category": "utilities.water",
    "content": "梅陇镇锦梅苑3号楼停水两天，无人通知",
    "address": "上海市闵行区梅陇镇锦梅苑3号楼",
}
COMPLAINT = "锦梅苑3号楼又停水了，上次反映的问题还没有解决"
ADDRESS = "上海市闵行区梅陇镇锦梅苑3号楼2单元"


async def earlier_order(people: People) -> dict[str, Any]:
    """The caller wrote in on the web before phoning: a dispatcher entered it (the API)."""
    context = await people.context()
    await sign_in_by_api(context, DISPATCHER)
    order: dict[str, Any] = await api_as(context, "POST", "/api/orders", EARLIER)
    await context.close()
    return order


async def answered_today(board: Page) -> int:
    """The wallboard's answered figure, once the page has drawn its first snapshot."""
    figure = board.locator("#k-answered")
    await expect(figure).to_have_text(re.compile(r"^\d+$"))
    return int(await figure.inner_text())


async def take_seat_and_get_ready(desk: Page, seat: str) -> None:
    """What the agent does on /desk: choose the seat, sign in to it, press 就绪."""
    await desk.locator("#seat").fill(seat)
    await desk.get_by_role("button", name="签入座席").click()
    await expect(desk.get_by_role("button", name="就绪")).to_be_enabled()
    await desk.get_by_role("button", name="就绪").click()
    await expect(desk.locator("#seat-state")).to_have_text("空闲")


async def test_an_agent_takes_a_call_with_history_and_saves_the_order_the_wallboard_counts_it(
    people: People, hotline: LiveService, problems: PageProblems
) -> None:
    earlier = await earlier_order(people)
    board = await people.signed_in(SUPERVISOR, "/")
    before = await answered_today(board)
    desk = await people.signed_in(AGENT, "/desk")
    await take_seat_and_get_ready(desk, SEAT)
    assert hotline.seat_state(SEAT) == "ready"

    await hotline.call(CALLER, CALLER_NAME)

    # the screen-pop: the caller and the order the caller made on the web before
    await expect(desk.locator("#call")).to_contain_text(CALLER)
    await expect(desk.locator("#history-orders")).to_contain_text(earlier["number"])
    # the wallboard: seat 8001 talking, the call listed, one more answered
    seat_card = board.locator(f'#seats [data-seat="{SEAT}"]')
    await expect(seat_card).to_contain_text("通话中")
    await expect(seat_card).to_contain_text(AGENT.user_id)
    await expect(board.locator("#calls tr", has_text=SEAT)).to_contain_text(CALLER[-4:])
    await expect(board.locator("#k-answered")).to_have_text(str(before + 1))

    # 受理: the agent fills the form while talking and saves it
    draft = desk.locator("#draft-number")
    await expect(draft).to_have_text(re.compile(r"^12345-\d{8}-"))
    number = (await draft.inner_text()).strip()
    await desk.locator("#of-category").select_option("utilities.water")
    await desk.locator("#of-address").fill(ADDRESS)
    await desk.locator("#of-content").fill(COMPLAINT)
    await desk.locator("#accept").click()
    await expect(desk.locator("#form-error")).to_contain_text("已保存")

    stored = await hotline.stored_order(number)
    assert stored is not None
    assert (stored.status, stored.agent, stored.seat) == ("accepted", AGENT.user_id, SEAT)
    assert (stored.category, stored.address, stored.content) == (
        "utilities.water",
        ADDRESS,
        COMPLAINT,
    )
    assert stored.caller_number == CALLER
    assert ("accept", AGENT.user_id) in await hotline.order_steps(number)
    problems.assert_none()
