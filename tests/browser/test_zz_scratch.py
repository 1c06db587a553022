from playwright.async_api import ConsoleMessage
from tests.browser.browser_kit import SUPERVISOR, LiveService, People, PageProblems


async def test_scratch(people: People, hotline: LiveService, problems: PageProblems) -> None:
    context = await people.context()
    seen = []
    context.on("console", lambda m: seen.append((m.type, m.text, m.location)))
    context.on("requestfinished", lambda r: seen.append(("req", r.url)))
    page = await context.new_page()
    from tests.browser.browser_kit import sign_in
    await sign_in(page, SUPERVISOR, "/qa/supervise")
    await page.wait_for_timeout(2000)
    for s in seen:
        print(s)
    print(problems.seen)
    await page.goto("/api/qa/plans/2020-01-01")
    await page.wait_for_timeout(500)
    print(seen[-3:])
