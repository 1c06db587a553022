"""Sessions in a real browser: signing out ends the session for good, and an agent who
opens a supervisor's page gets the 403 page, not the page."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.browser_kit import AGENT, SUPERVISOR, LiveService, PageProblems, People


async def test_signing_out_ends_the_session_and_the_old_cookie_is_refused(
    people: People, hotline: LiveService, problems: PageProblems
) -> None:
    page = await people.signed_in(SUPERVISOR, "/")
    cookie = next(c for c in await page.context.cookies() if c["name"] == "hotline_session")
    signed_in = await page.context.request.get("/api/session")
    assert signed_in.status == 200
    assert (await signed_in.json())["user"]["id"] == SUPERVISOR.user_id

    await page.get_by_role("button", name="退出").click()
    await page.wait_for_url("**/signin**")
    await expect(page.locator("#signin")).to_be_visible()

    assert not [c for c in await page.context.cookies() if c["name"] == "hotline_session"]
    elsewhere = await people.context()  # another browser that kept a copy of the cookie
    await elsewhere.add_cookies(
        [{"name": cookie["name"], "value": cookie["value"], "url": hotline.base_url}]
    )
    refused = await elsewhere.request.get("/api/session")
    assert refused.status == 401
    page_after = await elsewhere.new_page()
    await page_after.goto("/")
    assert page_after.url.endswith("/signin?next=/")
    problems.assert_none()


async def test_an_agent_gets_the_403_page_for_the_supervisors_wallboard(
    people: People, hotline: LiveService, problems: PageProblems
) -> None:
    page = await people.signed_in(AGENT, "/desk")
    problems.expect_failed_request(403, "/")
    response = await page.goto("/")
    assert response is not None
    assert response.status == 403
    await expect(page.locator("h1")).to_have_text("无权访问")
    await expect(page.locator("#k-answered")).to_have_count(0)
    problems.assert_none()
