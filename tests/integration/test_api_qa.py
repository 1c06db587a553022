"""The QA API over the real app and database (a web-only instance, calls stored by hand):
the whole workflow (plan, queue, claim, mark, grade, the agent's result, appeal, decision,
figures), calibration, the refusals (bad answers name the item, a second appeal, unknown
ids) and every write in the audit log."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from recordings.models import RecordingRow
from telephony.clock import ScaledClock
from tests.integration.service_kit import ClientFactory, service_settings
from tests.integration.staff_kit import staff_client
from tickets.models import AuditRow, CallRow
from web.app import create_app
from web.keys import SESSIONS, WRITER
from web.qa_settings import QaSettings

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = "2026-11-24"
# no random share, no minimum, no calibration: only the rules pick, so the plan is known
ONLY_RULES = {"share": 0, "minimum_per_agent": 0, "calibration_per_day": 0}
RED_LINES_KEPT = {code: {"failed": False} for code in ("shirking", "quarrel", "leak")}


def full_marks(**changes: Any) -> dict[str, Any]:
    """Answers of the default form: full marks, 规范结束语 N/A, red lines kept."""
    weights = {
        "greeting": 5,
        "courtesy": 10,
        "patience": 10,
        "knowledge": 10,
        "accuracy": 15,
        "completeness": 6,
        "fluency": 3,
        "wording": 3,
        "classification": 3,
        "dispatch": 20,
        "privacy": 10,
    }
    answers: dict[str, Any] = {code: {"score": w, "comment": ""} for code, w in weights.items()}
    answers["closing"] = {"score": None, "comment": "来电人先挂机"}
    answers.update(RED_LINES_KEPT)
    for code, score in changes.items():
        answers[code] = {"score": score, "comment": "扣分"}
    return answers


def _call(call_id: str, agent: str, hour: int, talk: float, survey: int | None) -> CallRow:
    queued = datetime(2026, 11, 24, hour, 0, tzinfo=SHANGHAI)
    return CallRow(
        server="pbx1",
        call_id=call_id,
        linked_id=call_id,
        line="12345",
        caller_number="13812345678",
        queued_at=queued,
        answered_at=queued,
        seat=f"80{agent[-2:]}",
        agent=agent,
        outcome="answered",
        talk_seconds=talk,
        survey_score=survey,
        version=1,
    )


@pytest.fixture
async def client(
    aiohttp_client: ClientFactory,
    tmp_path: Path,
    database_url: str,
    redis_url: str,
    redis_prefix: str,
) -> TestClient[Any, Any]:
    settings = service_settings(
        tmp_path,
        database_url,
        None,
        (),
        redis_url=redis_url,
        redis_prefix=redis_prefix,
        qa=QaSettings(teams={"1001": "一组", "1002": "二组"}),
    )
    # before the nightly plan's hour: the plan due at start is the 23rd's, not the 24th's
    clock = ScaledClock(1.0, datetime(2026, 11, 25, 1, 0, tzinfo=SHANGHAI).timestamp())
    found = await staff_client(aiohttp_client, create_app(settings, clock))
    rows: list[Any] = [
        _call("1795485600.1", "1001", 10, 185.0, 3),  # unsatisfied
        _call("1795485600.2", "1001", 11, 12.0, None),  # very short
        _call("1795485600.3", "1002", 12, 120.0, 1),  # nothing to see
        RecordingRow(
            server="pbx1",
            call_id="1795485600.1",
            line="12345",
            kind="call",
            started_at=datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI),
            source_path="/var/spool/asterisk/monitor/1795485600.1.wav",
            state="stored",
            format="opus",
            duration_seconds=185.0,
            waveform=[0.2, 0.9, 0.4],
        ),
    ]
    async with found.app[SESSIONS]() as session, session.begin():
        session.add_all(rows)
    return found


async def ok(response: Any, status: int = 200) -> Any:
    assert response.status == status, await response.text()
    return await response.json()


async def refused(response: Any, status: int) -> str:
    assert response.status == status, await response.text()
    message: str = (await response.json())["message"]
    return message


async def make_plan(client: TestClient[Any, Any], **rules: Any) -> dict[str, Any]:
    body = {"day": DAY, "seed": 7, "rules": {**ONLY_RULES, **rules}, "actor": "3001"}
    plan: dict[str, Any] = await ok(await client.post("/api/qa/plans", json=body))
    return plan


def by_call(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {sample["call_id"]: sample for sample in plan["samples"]}


async def default_form_id(client: TestClient[Any, Any]) -> int:
    forms = (await ok(await client.get("/api/qa/forms")))["forms"]
    assert [(f["name"], f["version"], f["active"]) for f in forms] == [("standard", 1, True)]
    form_id: int = forms[0]["id"]
    return form_id


async def audited(client: TestClient[Any, Any]) -> list[tuple[str, str]]:
    await client.app[WRITER].flush()
    async with client.app[SESSIONS]() as session:
        rows = await session.scalars(
            select(AuditRow).where(AuditRow.action.like("qa.%")).order_by(AuditRow.at)
        )
        return sorted((row.actor, row.action) for row in rows)


# -- the workflow ---------------------------------------------------------------------


async def test_a_plan_samples_the_day_with_reasons_and_is_shown_again_unchanged(
    client: TestClient[Any, Any],
) -> None:
    plan = await make_plan(client)
    samples = by_call(plan)
    assert sorted(samples) == ["1795485600.1", "1795485600.2"]
    assert samples["1795485600.1"]["reasons"] == [{"code": "unsatisfied", "label": "不满意评价"}]
    assert samples["1795485600.2"]["reasons"] == [{"code": "short", "label": "通话过短"}]
    assert (plan["day"], plan["seed"], plan["created_by"]) == (DAY, 7, "3001")
    assert plan["rules"]["share"] == 0
    again = await make_plan(client, short_seconds=5)
    assert again == plan
    assert await ok(await client.get(f"/api/qa/plans/{DAY}")) == plan


async def test_a_sample_is_reviewed_appealed_and_decided_and_the_figures_move(
    client: TestClient[Any, Any],
) -> None:
    samples = by_call(await make_plan(client))
    unsatisfied = samples["1795485600.1"]["id"]
    form_id = await default_form_id(client)
    queue = await ok(await client.get("/api/qa/queue", params={"reviewer": "2001"}))
    assert [s["call_id"] for s in queue["samples"]] == ["1795485600.1", "1795485600.2"]

    claimed = await ok(
        await client.post(f"/api/qa/samples/{unsatisfied}/claim", json={"actor": "2001"})
    )
    assert (claimed["state"], claimed["claimed_by"]) == ("claimed", "2001")
    taken = client.post(f"/api/qa/samples/{unsatisfied}/claim", json={"actor": "2002"})
    assert "claimed by 2001" in await refused(await taken, 409)
    mark = {"at_seconds": 1.5, "comment": "未报工号", "item": "greeting", "actor": "2001"}
    await ok(await client.post(f"/api/qa/samples/{unsatisfied}/marks", json=mark), 201)

    # greeting 3 of 5, completeness 3 of 6, closing N/A: 90 of 95 points
    graded = {"form_id": form_id, "answers": full_marks(greeting=3, completeness=3)}
    review = await ok(
        await client.post(
            f"/api/qa/samples/{unsatisfied}/reviews",
            json={**graded, "comment": "开场不规范", "actor": "2001"},
        ),
        201,
    )
    assert (review["score"], review["red_lines"], review["agent"]) == (94.74, [], "1001")

    shown = await ok(await client.get(f"/api/qa/samples/{unsatisfied}"))
    assert shown["state"] == "reviewed"
    assert shown["recording"]["waveform"] == [0.2, 0.9, 0.4]
    assert shown["call"]["caller"] == "138****5678"
    assert [(m["at_seconds"], m["item"], m["comment"]) for m in shown["marks"]] == [
        (1.5, "greeting", "未报工号")
    ]
    assert [r["score"] for r in shown["reviews"]] == [94.74]
    queue = await ok(await client.get("/api/qa/queue", params={"reviewer": "2001"}))
    assert [s["call_id"] for s in queue["samples"]] == ["1795485600.2"]

    period = {"from": DAY, "to": "2026-11-25"}
    before = await ok(await client.get("/api/qa/figures", params=period))
    assert (before["reviews"], before["average"], before["work_order_quality"]) == (1, 94.74, 12.0)
    assert [(e["item"], e["lost"]) for e in before["errors"]] == [
        ("completeness", 3.0),
        ("greeting", 2.0),
    ]
    assert [(t["team"], t["average"]) for t in before["teams"]] == [("一组", 94.74)]

    results = await ok(await client.get("/api/qa/agents/1001/results", params=period))
    (result,) = results["results"]
    assert (result["review_id"], result["score"], result["can_appeal"]) == (
        review["id"],
        94.74,
        True,
    )

    url = f"/api/qa/reviews/{review['id']}/appeal"
    appeal = await ok(await client.post(url, json={"reason": "已报工号", "actor": "1001"}), 201)
    assert "already been appealed" in await refused(
        await client.post(url, json={"reason": "再次申诉", "actor": "1001"}), 409
    )
    await refused(await client.post(url, json={"reason": "代申诉", "actor": "1002"}), 403)
    pending = (await ok(await client.get("/api/qa/appeals")))["appeals"]
    assert [(a["id"], a["review"]["score"]) for a in pending] == [(appeal["id"], 94.74)]

    decided = await ok(
        await client.post(
            f"/api/qa/appeals/{appeal['id']}/decide",
            json={
                "upheld": False,
                "note": "录音可听到工号",
                "answers": full_marks(),
                "actor": "3001",
            },
        )
    )
    assert (decided["upheld"], decided["decided_by"]) == (False, "3001")
    assert (await ok(await client.get("/api/qa/appeals")))["appeals"] == []

    (result,) = (await ok(await client.get("/api/qa/agents/1001/results", params=period)))[
        "results"
    ]
    assert (result["score"], result["amends"], result["appeal"]["state"]) == (
        100.0,
        review["id"],
        "overturned",
    )
    after = await ok(await client.get("/api/qa/figures", params=period))
    assert (after["reviews"], after["average"], after["work_order_quality"]) == (1, 100.0, 15.0)
    assert after["errors"] == []

    assert await audited(client) == [
        ("1001", "qa.appeal"),
        ("2001", "qa.claim"),
        ("2001", "qa.mark"),
        ("2001", "qa.review"),
        ("3001", "qa.decide"),
        ("3001", "qa.plan"),
    ]


async def test_an_amendment_keeps_the_old_grade_and_says_who_and_why(
    client: TestClient[Any, Any],
) -> None:
    sample = by_call(await make_plan(client))["1795485600.2"]["id"]
    form_id = await default_form_id(client)
    first = await ok(
        await client.post(
            f"/api/qa/samples/{sample}/reviews",
            json={"form_id": form_id, "answers": full_marks(dispatch=0), "actor": "2001"},
        ),
        201,
    )
    assert first["score"] == 78.95  # 75 of 95
    url = f"/api/qa/reviews/{first['id']}/amend"
    no_reason = await client.post(url, json={"answers": full_marks(), "actor": "2002"})
    assert "reason" in await refused(no_reason, 400)
    amended = await ok(
        await client.post(
            url, json={"answers": full_marks(), "reason": "派单无误", "actor": "2002"}
        ),
        201,
    )
    assert (amended["score"], amended["amends"], amended["amend_reason"]) == (
        100.0,
        first["id"],
        "派单无误",
    )
    shown = await ok(await client.get(f"/api/qa/samples/{sample}"))
    assert [(r["score"], r["current"], r["reviewer"]) for r in shown["reviews"]] == [
        (78.95, False, "2001"),
        (100.0, True, "2002"),
    ]


async def test_a_calibration_sample_shows_the_spread_of_its_reviewers(
    client: TestClient[Any, Any],
) -> None:
    plan = await make_plan(client, calibration_per_day=1)
    (calibration,) = [s for s in plan["samples"] if s["calibration"]]
    assert calibration["reasons"] == [{"code": "calibration", "label": "校准"}]
    form_id = await default_form_id(client)
    url = f"/api/qa/samples/{calibration['id']}"
    for reviewer, answers in (("2001", full_marks()), ("2002", full_marks(accuracy=5))):
        claimed = await client.post(f"{url}/claim", json={"actor": reviewer})
        assert (await ok(claimed))["state"] == "open"
        body = {"form_id": form_id, "answers": answers, "actor": reviewer}
        await ok(await client.post(f"{url}/reviews", json=body), 201)
    spread = await ok(await client.get(f"{url}/calibration"))
    assert [(r["reviewer"], r["score"]) for r in spread["reviews"]] == [
        ("2001", 100.0),
        ("2002", 89.47),  # 85 of 95
    ]
    assert (spread["min"], spread["max"], spread["spread"]) == (89.47, 100.0, 10.53)
    assert spread["items"]["accuracy"]["spread"] == 10.0
    assert spread["items"]["greeting"]["spread"] == 0.0


async def test_satisfaction_counts_the_post_call_surveys(client: TestClient[Any, Any]) -> None:
    found = await ok(
        await client.get("/api/qa/satisfaction", params={"from": DAY, "to": "2026-11-25"})
    )
    assert found["survey"] == {
        "rated": 2,
        "satisfied": 1,
        "basically_satisfied": 0,
        "unsatisfied": 1,
        "rate": 0.5,
    }


# -- refusals -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "named"),
    [
        ({**full_marks(), "bogus": {"score": 1, "comment": ""}}, "bogus"),
        (full_marks(greeting=None), "greeting.score: this item cannot be N/A"),
        (full_marks(accuracy=16), "accuracy.score: must be from 0 to 15"),
        ({k: v for k, v in full_marks().items() if k != "privacy"}, "privacy: not answered"),
    ],
)
async def test_a_bad_grade_is_refused_naming_the_item(
    client: TestClient[Any, Any], answers: dict[str, Any], named: str
) -> None:
    sample = by_call(await make_plan(client))["1795485600.1"]["id"]
    body = {"form_id": await default_form_id(client), "answers": answers, "actor": "2001"}
    message = await refused(await client.post(f"/api/qa/samples/{sample}/reviews", json=body), 400)
    assert named in message
    assert (await ok(await client.get(f"/api/qa/samples/{sample}")))["reviews"] == []


async def test_a_form_version_is_added_and_a_bad_definition_names_its_path(
    client: TestClient[Any, Any],
) -> None:
    await default_form_id(client)
    definition: dict[str, Any] = {
        "name": "standard",
        "title": "简表",
        "sections": [
            {"code": "all", "label": "综合", "items": [{"code": "a", "label": "服务", "weight": 0}]}
        ],
    }
    bad = await client.post("/api/qa/forms", json={"definition": definition, "actor": "3001"})
    assert (await refused(bad, 400)).startswith("sections[0].items[0].weight: must be > 0")
    definition["sections"][0]["items"][0]["weight"] = 100
    made = await ok(
        await client.post("/api/qa/forms", json={"definition": definition, "actor": "3001"}), 201
    )
    assert (made["name"], made["version"], made["title"]) == ("standard", 2, "简表")
    assert made["definition"]["sections"][0]["items"][0]["weight"] == 100
    forms = (await ok(await client.get("/api/qa/forms")))["forms"]
    assert [(f["version"], f["active"]) for f in forms] == [(2, True), (1, False)]
    assert await audited(client) == [("3001", "qa.form")]


async def test_unknown_ids_are_not_found(client: TestClient[Any, Any]) -> None:
    missing = [
        client.get("/api/qa/samples/999999"),
        client.get("/api/qa/samples/abc"),
        client.get("/api/qa/forms/999999"),
        client.get(f"/api/qa/plans/{DAY}"),
        client.get("/api/qa/samples/999999/calibration"),
        client.post("/api/qa/samples/999999/claim", json={"actor": "2001"}),
        client.post(
            "/api/qa/reviews/999999/amend",
            json={"answers": full_marks(), "reason": "x", "actor": "2001"},
        ),
        client.post("/api/qa/reviews/999999/appeal", json={"reason": "x", "actor": "1001"}),
        client.post("/api/qa/appeals/999999/decide", json={"upheld": True, "actor": "3001"}),
    ]
    for request in missing:
        assert (await request).status == 404


@pytest.mark.parametrize(
    ("path", "body", "named"),
    [
        ("/api/qa/plans", {"day": "24/11/2026", "actor": "3001"}, "day"),
        ("/api/qa/plans", {"day": DAY, "rules": {"colour": 1}, "actor": "3001"}, "rules.colour"),
        ("/api/qa/plans", {"day": DAY, "rules": {"share": -1}, "actor": "3001"}, "rules.share"),
        # the asker is the signed-in user: a body naming one is refused
        ("/api/qa/plans", {"day": DAY, "actor": "3002", "as": "3001"}, "actor"),
        ("/api/qa/forms", {"definition": "x", "actor": "3001"}, "definition"),
    ],
)
async def test_bad_input_is_refused_naming_the_field(
    client: TestClient[Any, Any], path: str, body: dict[str, Any], named: str
) -> None:
    sent_as = {"as_user": body["as"]} if "as" in body else {}
    body = {key: value for key, value in body.items() if key != "as"}
    assert named in await refused(await client.post(path, json=body, **sent_as), 400)


async def test_bad_periods_and_parameters_are_refused(client: TestClient[Any, Any]) -> None:
    bad = [
        client.get("/api/qa/figures", params={"from": "2026-11-25", "to": DAY}),
        client.get("/api/qa/figures", params={"colour": "red"}),
        client.get("/api/qa/queue", params={"reviewer": "a b"}),
        client.get("/api/qa/agents/1001/results", params={"from": "yesterday"}),
    ]
    for request in bad:
        assert (await request).status == 400
