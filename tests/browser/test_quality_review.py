"""Quality assurance and recordings in a real browser, on calls that went through the
simulated Asterisk and whose WAVs were converted to Opus: a supervisor makes the day's
sampling plan on /qa/supervise, a QA reviewer claims a sample on /qa, hears it, marks a
moment and grades it, and amends a grade with a reason; the graded agent appeals on
/qa/mine and the supervisor decides; a reviewer plays a recording on /recordings with a
reason the access log keeps, while an agent who was not on the call is refused. No page
has a JavaScript or console error."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Browser, BrowserContext, Locator, Page, expect

from recordings.models import RecordingRow
from tests.browser.browser_kit import (
    AGENT,
    OTHER_AGENT,
    QA_REVIEWER,
    SUPERVISOR,
    LiveService,
    PageProblems,
    People,
    api_as,
    live_service,
    ready_at_seat,
    sign_in_by_api,
)
from tickets.models import CallRow
from web.recording_settings import RecordingSettings

CENTRE_ZONE = "Asia/Shanghai"
# (number, name, survey key): the first caller is not satisfied, the second is
UNHAPPY = ("13912340001", "陈桂兰", "3")
HAPPY = ("13912340002", "周建国", "1")
TALK_SECONDS = 4.0
CALLS_WITHIN = 60.0  # clock seconds for both calls to end and their recordings to be stored
# the waveform's colours as qa.js and recordings.js draw them: bars (played, not yet
# played) and a reviewer's mark
BARS = ((0x1F, 0x5F, 0xBF), (0x9F, 0xB3, 0xC8))
MARK = ((0xB2, 0x6A, 0x00),)


@pytest.fixture
async def hotline(tmp_path: Path, chromium: Path) -> AsyncIterator[LiveService]:
    """The service converting recordings (one worker), with two agents, a supervisor and a
    QA reviewer who may sign in."""
    async with live_service(tmp_path, recordings=RecordingSettings(workers=1)) as service:
        for person in (AGENT, OTHER_AGENT, SUPERVISOR, QA_REVIEWER):
            await service.add_person(person)
        yield service


@pytest.fixture
def people(browser: Browser, hotline: LiveService, problems: PageProblems) -> People:
    """Browsers in the centre's time zone, as its staff's are."""
    return People(browser, hotline, problems, timezone_id=CENTRE_ZONE)


def centre_today(hotline: LiveService) -> date:
    return hotline.clock.now().astimezone(ZoneInfo(CENTRE_ZONE)).date()


async def recorded_calls(people: People, hotline: LiveService) -> dict[str, CallRow]:
    """AGENT at 8001 answers the unhappy caller, OTHER_AGENT at 8002 the happy one; both
    callers press their survey key after the seat hangs up; returns each agent's call once
    both recordings are stored."""
    await ready_at_seat(people, AGENT, "8001")
    await hotline.call(UNHAPPY[0], UNHAPPY[1], talk=TALK_SECONDS, survey_key=UNHAPPY[2])
    await hotline.until(lambda: hotline.seat_state("8001") == "talking", 20, "8001 talking")
    await ready_at_seat(people, OTHER_AGENT, "8002")
    await hotline.call(HAPPY[0], HAPPY[1], talk=TALK_SECONDS, survey_key=HAPPY[2])
    await hotline.until_recordings_stored(2, CALLS_WITHIN)
    calls = {call.agent or "": call for call in await hotline.stored_calls()}
    assert {agent: (c.caller_number, c.survey_score) for agent, c in calls.items()} == {
        AGENT.user_id: (UNHAPPY[0], 3),
        OTHER_AGENT.user_id: (HAPPY[0], 1),
    }
    return calls


async def recording_of(hotline: LiveService, call: CallRow) -> RecordingRow:
    (found,) = [row for row in await hotline.recordings() if row.call_id == call.call_id]
    assert (found.state, found.format) == ("stored", "opus")
    assert found.duration_seconds is not None
    assert found.duration_seconds > TALK_SECONDS
    return found


async def plan_by_api(people: People, day: date) -> BrowserContext:
    context = await people.context()
    await sign_in_by_api(context, SUPERVISOR)
    await api_as(context, "POST", "/api/qa/plans", {"day": day.isoformat()})
    return context


# -- the player -----------------------------------------------------------------------


async def player_waits_for_play(page: Page) -> None:
    """The player has the recording's address and has fetched nothing of it: opening a
    sample is not listening to it (each fetch from the start is logged as a play)."""
    await page.wait_for_function(
        "() => document.getElementById('audio').networkState === HTMLMediaElement.NETWORK_IDLE"
    )
    loaded = await page.locator("#audio").evaluate("audio => audio.readyState")
    assert loaded == 0  # HAVE_NOTHING


async def play_and_wait_for_duration(page: Page) -> float:
    """Press play on the page's <audio> (a user's click) and wait until the browser has
    read the recording far enough to know its duration."""
    audio = page.locator("#audio")
    box = await audio.bounding_box()
    assert box is not None
    await page.mouse.click(box["x"] + 18, box["y"] + box["height"] / 2)  # the play button
    handle = await page.wait_for_function(
        """() => {
          const audio = document.getElementById("audio");
          return Number.isFinite(audio.duration) && audio.duration > 0 ? audio.duration : null;
        }"""
    )
    duration = await handle.json_value()
    assert isinstance(duration, float | int)
    return float(duration)


async def click_wave_at(page: Page, share: float) -> None:
    wave = page.locator("#wave")
    box = await wave.bounding_box()
    assert box is not None
    await wave.click(position={"x": box["width"] * share, "y": box["height"] / 2})


async def audio_time(page: Page) -> float:
    return float(await page.locator("#audio").evaluate("audio => audio.currentTime"))


async def wave_columns(page: Page, colours: tuple[tuple[int, int, int], ...]) -> list[float]:
    """Where on the waveform canvas (0 to 1 of its width) a pixel has one of ``colours``."""
    found = await page.locator("#wave").evaluate(
        """(canvas, colours) => {
          const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
          const columns = new Set();
          for (let at = 0; at < data.length; at += 4) {
            const [r, g, b] = [data[at], data[at + 1], data[at + 2]];
            if (colours.some((c) => c[0] === r && c[1] === g && c[2] === b)) {
              columns.add(((at / 4) % canvas.width) / canvas.width);
            }
          }
          return [...columns].sort((a, b) => a - b);
        }""",
        [list(colour) for colour in colours],
    )
    assert isinstance(found, list)
    return [float(x) for x in found]


async def waveform_drawn(page: Page) -> None:
    """Bars of the stored peaks across the whole canvas."""
    columns = await wave_columns(page, BARS)
    assert columns, "no bars drawn"
    assert (columns[0] < 0.05, columns[-1] > 0.95) == (True, True), columns[:3] + columns[-3:]


# -- 1 and 2: the plan, the review ----------------------------------------------------


async def make_plan_on_page(page: Page, day: date) -> None:
    await page.locator("#plan-day").fill(day.isoformat())
    await page.get_by_role("button", name="生成计划").click()
    await expect(page.locator("#plan-error")).to_have_text("已保存")


def plan_row(page: Page, agent: str) -> Locator:
    return page.locator("#plan tr", has=page.locator("td:nth-child(3)", has_text=agent))


async def score_shown(page: Page) -> float:
    text = await page.locator("#live-score").inner_text()
    found = re.match(r"^(\d+\.\d\d) \(", text)
    assert found, text
    return float(found.group(1))


async def test_a_reviewer_claims_a_sampled_call_hears_it_marks_a_moment_and_grades_it(
    people: People, hotline: LiveService, problems: PageProblems
) -> None:
    calls = await recorded_calls(people, hotline)
    graded = calls[AGENT.user_id]
    recording = await recording_of(hotline, graded)
    length = recording.duration_seconds
    assert length is not None

    supervise = await people.signed_in(SUPERVISOR, "/qa/supervise")
    await make_plan_on_page(supervise, centre_today(hotline))
    # both calls are sampled, each short; the unhappy caller's for the rating as well
    await expect(supervise.locator("#plan tr.order-row")).to_have_count(2)
    await expect(plan_row(supervise, AGENT.user_id)).to_contain_text("不满意评价通话过短")
    await expect(plan_row(supervise, OTHER_AGENT.user_id)).to_contain_text("通话过短")
    await expect(plan_row(supervise, OTHER_AGENT.user_id)).not_to_contain_text("不满意评价")

    qa = await people.signed_in(QA_REVIEWER, "/qa")
    queued = qa.locator("#queue tr", has_text=AGENT.user_id)
    await queued.get_by_role("button", name="领取").click()
    await expect(qa.locator("#sample-title")).to_contain_text(graded.call_id)
    await expect(queued).to_contain_text("评分中")
    await expect(qa.locator("#audio")).to_have_attribute(
        "src", re.compile(rf"/api/recordings/{recording.id}/audio\?reason=")
    )
    await waveform_drawn(qa)  # from the stored peaks, before anything is heard
    await player_waits_for_play(qa)
    assert await hotline.recording_access(recording.id) == []
    duration = await play_and_wait_for_duration(qa)
    assert abs(duration - length) < 0.5
    plays = [(a.actor, a.action, a.reason) for a in await hotline.recording_access(recording.id)]
    assert plays == [(QA_REVIEWER.user_id, "play", "质检")]

    # paused, a click at a quarter of the waveform goes there and marks that moment
    await qa.locator("#audio").evaluate("audio => audio.pause()")
    await click_wave_at(qa, 0.25)
    at_text = await qa.locator("#mark-at").input_value()
    assert abs(float(at_text) - length / 4) < 0.2
    assert abs(await audio_time(qa) - float(at_text)) < 0.1
    await qa.locator("#mark-item").select_option("greeting")
    await qa.locator("#mark-comment").fill("开场未报工号")
    await qa.get_by_role("button", name="添加标记").click()
    await expect(qa.locator("#marks")).to_contain_text("开场未报工号")
    # the mark on the waveform once the playhead has left it; its row goes back to it
    await click_wave_at(qa, 0.75)
    await qa.wait_for_function(
        "at => Math.abs(document.getElementById('audio').currentTime - at) < 0.2",
        arg=length * 0.75,
    )
    marked = await wave_columns(qa, MARK)
    assert marked, "no mark drawn"
    assert abs(marked[0] - 0.25) < 0.01, marked
    await qa.locator("#marks tr", has_text="开场未报工号").click()
    assert abs(await audio_time(qa) - float(at_text)) < 0.1

    # the form: 3 of the greeting's 5 points lost
    greeting = qa.locator('.qa-item[data-item="greeting"]')
    await greeting.locator('input[type="number"]').fill("2")
    await greeting.locator(".qa-comment").fill("未报工号")
    await expect(qa.locator("#live-score")).to_have_text("97.00 (97 / 100)")
    # switching to English and back keeps what the reviewer has given
    for title in ("QA review", "质检评分"):
        await qa.locator("#lang").click()
        await expect(qa.locator("h1")).to_have_text(title)
        await expect(greeting.locator('input[type="number"]')).to_have_value("2")
    shown = await score_shown(qa)
    assert shown == 97.0
    await qa.locator("#review-comment").fill("整体规范，开场需改进")
    await qa.get_by_role("button", name="提交评分").click()
    await expect(qa.locator("#review-error")).to_have_text(f"已提交 · {shown:.2f}")
    await expect(qa.locator("#reviews")).to_contain_text(QA_REVIEWER.user_id)
    await expect(qa.get_by_role("button", name="提交评分")).to_be_disabled()  # graded once

    # the supervisor's plan shows it graded; its row opens the sample with the grade
    await supervise.get_by_role("button", name="查看").click()
    await expect(plan_row(supervise, AGENT.user_id)).to_contain_text("已评分")
    await plan_row(supervise, AGENT.user_id).locator("td").first.click()
    await supervise.wait_for_url(re.compile(r"/qa\?sample=\d+$"))
    graded_row = supervise.locator("#reviews tr", has_text=QA_REVIEWER.user_id)
    await expect(graded_row).to_contain_text(f"{shown:.2f}")
    await expect(supervise.locator("#marks")).to_contain_text("开场未报工号")
    await expect(supervise.get_by_role("button", name="提交评分")).to_be_disabled()
    await player_waits_for_play(supervise)

    (review,) = await hotline.qa_reviews()
    assert (review.reviewer, review.agent, review.score, review.current) == (
        QA_REVIEWER.user_id,
        AGENT.user_id,
        shown,
        True,
    )
    assert review.answers["greeting"] == {"score": 2, "comment": "未报工号"}
    (mark,) = await hotline.qa_marks()
    assert (mark.reviewer, mark.item, mark.comment) == (
        QA_REVIEWER.user_id,
        "greeting",
        "开场未报工号",
    )
    assert mark.at_seconds == pytest.approx(float(at_text))
    # still the one play: neither the seeks since nor the supervisor's look at the sample
    heard = [(a.actor, a.action, a.reason) for a in await hotline.recording_access(recording.id)]
    assert heard == plays
    problems.assert_none()


# -- 3: the appeal --------------------------------------------------------------------


def full_marks(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every item of the form at its weight, no red line failed."""
    return {
        item["code"]: {"failed": False} if item["red_line"] else {"score": item["weight"]}
        for section in definition["sections"]
        for item in section["items"]
    }


async def graded_by_api(people: People, call: CallRow) -> dict[str, Any]:
    """The reviewer claims the sample of ``call`` and grades it: courtesy 4 of 10."""
    context = await people.context()
    await sign_in_by_api(context, QA_REVIEWER)
    queue = await api_as(context, "GET", f"/api/qa/queue?reviewer={QA_REVIEWER.user_id}")
    (sample,) = [s for s in queue["samples"] if s["call_id"] == call.call_id]
    await api_as(context, "POST", f"/api/qa/samples/{sample['id']}/claim", {})
    (listed,) = (await api_as(context, "GET", "/api/qa/forms"))["forms"]
    form = await api_as(context, "GET", f"/api/qa/forms/{listed['id']}")
    answers = full_marks(form["definition"])
    answers["courtesy"] = {"score": 4, "comment": "语气生硬"}
    body = {"form_id": form["id"], "answers": answers}
    review: dict[str, Any] = await api_as(
        context, "POST", f"/api/qa/samples/{sample['id']}/reviews", body
    )
    await context.close()
    return review


def agent_average(page: Page, agent: str) -> Locator:
    """The agent's average score in the supervisor's figures."""
    row = page.locator("#by-agent tr", has=page.locator("td:first-child", has_text=agent))
    return row.locator("td:nth-child(3)")


async def test_the_graded_agent_appeals_and_the_supervisor_overturns_the_grade(
    people: People, hotline: LiveService, problems: PageProblems
) -> None:
    calls = await recorded_calls(people, hotline)
    today = centre_today(hotline)
    supervisor_api = await plan_by_api(people, today)
    review = await graded_by_api(people, calls[AGENT.user_id])
    assert review["score"] == 94.0

    mine = await people.signed_in(AGENT, "/qa/mine")
    result = mine.locator("#results tr", has_text="94.00")
    await expect(result).to_contain_text("未申诉")
    await expect(mine.locator("#average")).to_have_text("94.00")
    await result.get_by_role("button", name="打开").click()
    await expect(mine.locator("#detail")).to_contain_text("语气生硬")
    await mine.locator("#appeal-reason").fill("来电人情绪激动，本人已多次安抚，语气并无不当")
    await mine.get_by_role("button", name="申诉").click()
    await expect(mine.locator("#appeal-error")).to_have_text("已提交")
    await expect(result).to_contain_text("待处理")
    await expect(mine.locator("#appeal-form")).to_be_hidden()

    figures = f"/api/qa/figures?from={today}&to={today}"
    before = await api_as(supervisor_api, "GET", figures)
    assert [(a["agent"], a["average"]) for a in before["agents"]] == [(AGENT.user_id, 94.0)]
    supervise = await people.signed_in(SUPERVISOR, "/qa/supervise")
    await expect(supervise.locator("#appeal-count")).to_have_text("1")
    await expect(agent_average(supervise, AGENT.user_id)).to_have_text("94")
    appeal_row = supervise.locator("#appeals tr", has_text="本人已多次安抚")
    await appeal_row.get_by_role("button", name="处理申诉").click()
    await supervise.get_by_label("改判（重新评分）").check()
    courtesy = supervise.locator('#decide-form .qa-item[data-item="courtesy"]')
    await expect(courtesy.locator('input[type="number"]')).to_have_value("4")
    await courtesy.locator('input[type="number"]').fill("10")
    await expect(supervise.locator("#decide-score")).to_have_text("100.00 (100 / 100)")
    await supervise.locator("#decide-note").fill("复听录音，语气正常，改判")
    await supervise.locator("#decide").click()
    await expect(supervise.locator("#decide-error")).to_have_text("已保存")
    await expect(supervise.locator("#appeal-count")).to_have_text("0")
    await expect(agent_average(supervise, AGENT.user_id)).to_have_text("100")

    after = await api_as(supervisor_api, "GET", figures)
    assert [(a["agent"], a["average"]) for a in after["agents"]] == [(AGENT.user_id, 100.0)]
    (appeal,) = await hotline.qa_appeals()
    assert (appeal.agent, appeal.decided_by, appeal.upheld) == (
        AGENT.user_id,
        SUPERVISOR.user_id,
        False,
    )
    current = [r for r in await hotline.qa_reviews() if r.current]
    assert [(r.id, r.score, r.reviewer) for r in current] == [
        (appeal.amended_review_id, 100.0, SUPERVISOR.user_id)
    ]
    await mine.reload()
    await expect(mine.locator("#results tr", has_text="100.00")).to_contain_text("已改判")
    problems.assert_none()


# -- 4: an amendment ------------------------------------------------------------------


async def test_a_reviewer_amends_a_submitted_grade_with_a_reason_and_the_first_version_is_kept(
    people: People, hotline: LiveService, problems: PageProblems
) -> None:
    calls = await recorded_calls(people, hotline)
    await (await plan_by_api(people, centre_today(hotline))).close()
    review = await graded_by_api(people, calls[AGENT.user_id])
    assert review["score"] == 94.0

    qa = await people.signed_in(QA_REVIEWER, f"/qa?sample={review['sample_id']}")
    courtesy = qa.locator('.qa-item[data-item="courtesy"]').locator('input[type="number"]')
    # the grade as submitted, which cannot be changed but by an amendment
    await expect(courtesy).to_have_value("4")
    await expect(courtesy).to_be_disabled()
    await expect(qa.locator("#amend-reason")).to_be_hidden()
    await qa.get_by_role("button", name="修改评分").click()
    await expect(courtesy).to_be_enabled()
    await courtesy.fill("8")
    await expect(qa.locator("#live-score")).to_have_text("98.00 (98 / 100)")
    # no reason, nothing sent
    await qa.get_by_role("button", name="提交修改").click()
    await expect(qa.locator("#review-error")).to_have_text("请填写修改原因")
    assert [r.id for r in await hotline.qa_reviews()] == [review["id"]]
    reason = "复听录音，语气基本礼貌"
    await qa.locator("#amend-reason").fill(reason)
    await qa.get_by_role("button", name="提交修改").click()
    await expect(qa.locator("#review-error")).to_have_text("已保存 · 98.00")

    # the new version shown, locked again, and both versions in the history
    await expect(courtesy).to_have_value("8")
    await expect(courtesy).to_be_disabled()
    await expect(qa.locator("#amend-reason")).to_be_hidden()
    versions = qa.locator("#reviews tbody tr")
    await expect(versions).to_have_count(2)
    await expect(versions.nth(0)).to_contain_text("94.00")
    await expect(versions.nth(0)).to_have_class("muted")
    await expect(versions.nth(1)).to_contain_text("v2")
    await expect(versions.nth(1)).to_contain_text("98.00")
    await expect(versions.nth(1)).to_contain_text(reason)

    first, amended = sorted(await hotline.qa_reviews(), key=lambda r: r.id)
    assert (first.id, first.score, first.current, first.amend_reason) == (
        review["id"],
        94.0,
        False,
        "",
    )
    assert first.answers["courtesy"] == {"score": 4, "comment": "语气生硬"}
    assert (amended.amends, amended.reviewer, amended.score, amended.current) == (
        first.id,
        QA_REVIEWER.user_id,
        98.0,
        True,
    )
    assert amended.amend_reason == reason
    assert amended.answers["courtesy"] == {"score": 8, "comment": "语气生硬"}
    problems.assert_none()


# -- 5: recordings --------------------------------------------------------------------


async def test_a_reviewer_plays_a_recording_with_a_reason_and_an_agent_not_on_the_call_is_refused(
    people: People, hotline: LiveService, problems: PageProblems
) -> None:
    calls = await recorded_calls(people, hotline)
    recording = await recording_of(hotline, calls[AGENT.user_id])

    page = await people.signed_in(QA_REVIEWER, "/recordings")
    await page.locator("#q-agent").fill(AGENT.user_id)
    await page.get_by_role("button", name="查询").click()
    await expect(page.locator("#total")).to_have_text("1")
    await page.locator(f'#results tr[data-id="{recording.id}"]').click()
    await expect(page.locator("#picked")).to_contain_text(calls[AGENT.user_id].call_id)
    await waveform_drawn(page)
    await page.locator("#why").select_option("投诉核查")
    await page.locator("#why-note").fill("市民来电投诉服务态度")
    await page.get_by_role("button", name="播放").click()
    await page.wait_for_function(
        """() => {
          const audio = document.getElementById("audio");
          return Number.isFinite(audio.duration) && audio.duration > 0;
        }"""
    )
    reason = "投诉核查：市民来电投诉服务态度"
    await expect(page.locator("#access tr", has_text=QA_REVIEWER.user_id)).to_contain_text(reason)
    await expect(page.locator("#player-error")).to_have_text("")
    plays = [(a.actor, a.action, a.reason) for a in await hotline.recording_access(recording.id)]
    assert plays == [(QA_REVIEWER.user_id, "play", reason)]

    # the agent of the other call may not hear this one, nor open the recordings page
    other = await people.context()
    await sign_in_by_api(other, OTHER_AGENT)
    audio_url = f"/api/recordings/{recording.id}/audio?reason={quote('核对')}"
    refused = await other.request.get(audio_url)
    assert refused.status == 403, await refused.text()
    problems.expect_failed_request(403, "/recordings")
    other_page = await other.new_page()
    response = await other_page.goto("/recordings")
    assert response is not None
    assert response.status == 403
    await expect(other_page.locator("h1")).to_have_text("无权访问")
    await expect(other_page.locator("#results")).to_have_count(0)
    # the agent who took the call may hear it
    own = await people.context()
    await sign_in_by_api(own, AGENT)
    heard = await own.request.get(audio_url)
    assert (heard.status, heard.headers["content-type"]) == (200, "audio/ogg")
    actors = [(a.actor, a.reason) for a in await hotline.recording_access(recording.id)]
    assert actors == [(QA_REVIEWER.user_id, reason), (AGENT.user_id, "核对")]
    problems.assert_none()
