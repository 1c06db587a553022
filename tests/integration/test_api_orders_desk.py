"""The work-order API on orders from other channels: web orders and repeated deliveries,
platform orders returned up, duplicates merged, supervision of an undispatched order, the
lists the pages read, and bad input answered with a 4xx that names what is wrong."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tests.integration.acd_kit import Wallboard, api
from tests.integration.order_api_kit import CALLER, PNG, order_service, upload, web_order
from tests.integration.service_kit import ClientFactory, Service
from tickets.handling import MAX_ATTACHMENT_BYTES
from web.keys import ORDERS
from web.orders_root import scan_once


async def _post(svc: Service, path: str, body: Any) -> tuple[int, dict[str, Any]]:
    response = await svc.client.post(path, json=body)
    return response.status, await response.json()


async def test_a_web_order_is_created_once_and_a_platform_order_is_returned_up(
    aiohttp_client: ClientFactory, tmp_path: Path, database_url: str
) -> None:
    async with (
        order_service(aiohttp_client, tmp_path, database_url) as svc,
        Wallboard(svc) as wallboard,
    ):
        first = await api(svc, "POST", "/api/orders", web_order("web-7781"), 201)
        again = await api(svc, "POST", "/api/orders", web_order("web-7781"), 200)
        platform = await api(
            svc,
            "POST",
            "/api/orders",
            web_order("city-2026-0042", channel="platform", category="complaint"),
            201,
        )
        returned = await api(
            svc,
            "POST",
            f"/api/orders/{platform['number']}/return-up",
            {"actor": "2001", "reason": "不属本区管辖，属徐汇区"},
        )
        await svc.until(lambda: len(_order_events(wallboard)) == 3, 30, "order events")
        detail = await svc.get(f"/api/orders/{platform['number']}")
        listed = await svc.get("/api/orders", line="12345")
    assert first["number"].startswith("12345-20261124-W")
    assert (first["status"], first["channel_label"]) == ("accepted", "网站")
    assert again["number"] == first["number"]
    assert platform["status"] == "pending_sign"
    assert (returned["status"], returned["status_label"]) == ("returned_up", "已退回上级")
    assert detail["result"] == "退回上级: 不属本区管辖，属徐汇区"
    assert [e["step"] for e in detail["timeline"]] == ["receive", "return_up"]
    assert _order_events(wallboard) == [
        {"type": "order", "number": first["number"], "status": "accepted", "step": "receive"},
        {
            "type": "order",
            "number": platform["number"],
            "status": "pending_sign",
            "step": "receive",
        },
        {
            "type": "order",
            "number": platform["number"],
            "status": "returned_up",
            "step": "return_up",
        },
    ]
    assert listed["total"] == 2
    assert [o["number"] for o in listed["orders"]] == [platform["number"], first["number"]]


def _order_events(wallboard: Wallboard) -> list[dict[str, Any]]:
    return [e for e in wallboard.events if e.get("type") == "order"]


async def test_bad_input_gets_a_4xx_that_names_what_is_wrong(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str
) -> None:
    async with order_service(aiohttp_client, tmp_path, sqlite_url) as svc:
        order = await api(svc, "POST", "/api/orders", web_order(), 201)
        steps = f"/api/orders/{order['number']}"
        unknown_category = await _post(svc, "/api/orders", web_order(category="nonsense"))
        wrong_line = await _post(svc, "/api/orders", web_order(category="property_repair.lift"))
        incomplete = await _post(
            svc, f"/api/units/utility.water/orders/{order['number']}/reply", {"matter": "x"}
        )
        sign_accepted = await _post(svc, f"{steps}/sign", {})
        missing = await svc.client.get("/api/orders/12345-20261124-NOPE")
        malformed = await svc.client.post(
            f"{steps}/dispatch", data="{not json", headers={"Content-Type": "application/json"}
        )
        bad_path = await svc.client.get("/api/orders/bad%20number%21")
        bad_query = await svc.client.get("/api/orders", params={"colour": "red"})
        bad_types = [
            await _post(svc, f"{steps}/dispatch", {"main_unit": "town.meilong", "assisting": "x"}),
            await _post(svc, f"{steps}/not-counted", {"reason": ["x"], "justification": "y"}),
            await _post(svc, f"{steps}/urge", {"note": 42}),
            await _post(svc, f"{steps}/dispatch", {"main_unit": "no.such.unit"}),
        ]
        too_big, _ = await upload(svc, order["number"], b"\x89PNG" + b"0" * MAX_ATTACHMENT_BYTES)
        not_a_photo, _ = await upload(svc, order["number"], b"MZ...", "application/x-msdownload")
        photo_status, photo = await upload(svc, order["number"], PNG)
        other = await api(svc, "POST", "/api/orders", web_order(category="complaint"), 201)
        foreign = await svc.client.get(f"/api/orders/{other['number']}/attachments/{photo['id']}")
        no_unit = await svc.client.get("/api/units/no.such.unit/orders")
        not_on_call = await svc.client.get("/api/seats/8001/screen-pop")
        unchanged = await svc.get(steps)
    assert unknown_category[0] == 400
    assert unknown_category[1]["message"].startswith("category:")
    assert wrong_line[0] == 400
    assert wrong_line[1]["message"].startswith("category:")
    assert "property_repair.lift" in wrong_line[1]["message"]
    assert (incomplete[0], incomplete[1]["message"]) == (400, "handled_at: required")
    assert sign_accepted[0] == 409
    assert sign_accepted[1]["error"] == "illegal-step"
    assert "is accepted (待派单)" in sign_accepted[1]["message"]
    assert (missing.status, (await missing.json())["error"]) == (404, "no-such-order")
    assert (malformed.status, (await malformed.json())["message"]) == (400, "body: not valid JSON")
    assert bad_path.status == 400
    assert bad_query.status == 400
    assert "colour" in (await bad_query.json())["message"]
    assert [(status, body["message"].split(":")[0]) for status, body in bad_types] == [
        (400, "assisting"),
        (400, "reason"),
        (400, "note"),
        (400, "unit"),
    ]
    assert (too_big, not_a_photo, photo_status) == (413, 400, 201)
    assert foreign.status == 404
    assert no_unit.status == 404
    assert (not_on_call.status, (await not_on_call.json())["message"]) == (
        404,
        "seat 8001 is not on a call",
    )
    assert [e["step"] for e in unchanged["timeline"]] == ["receive"]
    assert (unchanged["status"], unchanged["main_unit"]) == ("accepted", None)


async def test_a_second_order_of_the_same_caller_is_flagged_and_merged_into_the_first(
    aiohttp_client: ClientFactory, tmp_path: Path, database_url: str
) -> None:
    async with order_service(aiohttp_client, tmp_path, database_url) as svc:
        first = await api(svc, "POST", "/api/orders", web_order(), 201)
        second = await api(
            svc, "POST", "/api/orders", web_order(content="锦梅苑3号楼还是停水，已经两天了"), 201
        )
        merged = await api(
            svc,
            "POST",
            f"/api/orders/{second['number']}/merge",
            {"actor": "2001", "into": first["number"], "note": "同人同诉"},
        )
        target = await svc.get(f"/api/orders/{first['number']}")
        open_orders = await svc.get("/api/orders", status="accepted")
    assert first["duplicate_of"] is None
    assert second["duplicate_of"] == first["number"]
    assert second["caller_number"] == "138****5678"
    assert (merged["status"], merged["merged_into"]) == ("merged", first["number"])
    assert [(e["step"], e["actor"], e["note"]) for e in target["timeline"]] == [
        ("receive", "2001", ""),
        ("merge", "2001", f"{second['number']} 并入本单"),
    ]
    assert [o["number"] for o in open_orders["orders"]] == [first["number"]]


async def test_an_undispatched_order_is_urged_then_supervised_once_each_and_shows_overdue(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str
) -> None:
    async with order_service(aiohttp_client, tmp_path, sqlite_url) as svc:
        order = await api(svc, "POST", "/api/orders", web_order(), 201)
        number = order["number"]
        desk = svc.app[ORDERS]
        accepted_at = datetime.fromisoformat((await svc.get(f"/api/orders/{number}"))["created_at"])
        # dispatch is due 30 min after acceptance; 催办 when less than 10 min are left
        desk.now = lambda: accepted_at + timedelta(minutes=25)
        urged = [(n.order, n.kind, n.deadline) for n in await scan_once(desk)]
        urged_again = await scan_once(desk)
        board_soon = await svc.get("/api/orders/board")
        desk.now = lambda: accepted_at + timedelta(minutes=31)
        supervised = [(n.order, n.kind, n.deadline) for n in await scan_once(desk)]
        supervised_again = await scan_once(desk)
        board_late = await svc.get("/api/orders/board")
        detail = await svc.get(f"/api/orders/{number}")
        notices = (await svc.get("/api/orders/notices"))["notices"]
        acked = await api(
            svc, "POST", f"/api/orders/notices/{notices[0]['id']}/ack", {"actor": "2001"}
        )
        acked_twice, _ = await _post(svc, f"/api/orders/notices/{notices[0]['id']}/ack", {})
        still_open = (await svc.get("/api/orders/notices"))["notices"]
    assert urged == [(number, "urge", "dispatch")]
    assert [(n["order"], n["label"], n["deadline_label"]) for n in notices] == [
        (number, "督办", "派单时限"),
        (number, "催办", "派单时限"),
    ]
    assert (acked["acknowledged_by"], acked_twice) == ("2001", 404)
    assert [n["id"] for n in still_open] == [notices[1]["id"]]
    assert urged_again == []
    assert [o["number"] for o in board_soon["due_soon"]] == [number]
    assert supervised == [(number, "supervise", "dispatch")]
    assert supervised_again == []
    assert [o["number"] for o in board_late["overdue"]] == [number]
    assert board_late["due_soon"] == []
    assert [o["number"] for o in board_late["new"]] == [number]
    assert [(e["step"], e["actor"], e["note"]) for e in detail["timeline"]] == [
        ("receive", "2001", ""),
        ("urge", "system", "催办: 派单时限"),
        ("supervise", "system", "督办: 派单时限"),
    ]
    assert (detail["escalation"], detail["urgency_state"]) == ("supervise", "overdue")
    assert detail["caller_number"] == CALLER[:3] + "****" + CALLER[-4:]


async def test_the_form_lists_suggestions_and_the_callback_ledger_are_read(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str
) -> None:
    async with order_service(aiohttp_client, tmp_path, sqlite_url) as svc:
        config = await svc.get("/api/orders/config")
        order = await api(svc, "POST", "/api/orders", web_order(), 201)
        suggested = await svc.get(f"/api/orders/{order['number']}/suggestions")
        ledger = await svc.get("/api/orders/revisit-ledger", date="2026-11-24")
        bad_day = await svc.client.get("/api/orders/revisit-ledger", params={"date": "24.11.2026"})
        due = await svc.get("/api/orders/revisits")
    assert [c["code"] for c in config["categories"]["962121"]] == [
        "property_repair",
        "policy_consultation",
        "service_complaint",
        "major_incident",
    ]
    water = next(u for u in config["units"] if u["code"] == "utility.water")
    assert water == {
        "code": "utility.water",
        "name": "闵城自来水有限公司",
        "kind": "utility",
        "kind_label": "公用事业",
        "lines": [],
        "categories": ["utilities.water"],
        "areas": [],
        "active": True,
    }
    assert config["status_labels"]["replied"] == "待回访"
    assert config["step_labels"]["redispatch"] == "改派"
    assert config["revisit_results"]["basically_satisfied"] == "基本满意"
    # 供水 in 梅陇镇: the water company by its exact category (1), the town by its
    # 3-character area (3/4); the other towns and streets are of other areas
    assert [(s["unit"]["code"], s["score"], s["reasons"]) for s in suggested["suggestions"]] == [
        ("utility.water", 1.0, ["分类匹配: 供水"]),
        ("town.meilong", 0.75, ["区域匹配: 梅陇镇"]),
    ]
    assert ledger == {"date": "2026-11-24", "revisits": []}
    assert bad_day.status == 400
    assert due == {"orders": []}


async def test_no_malformed_request_gets_a_500(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str
) -> None:
    async with order_service(aiohttp_client, tmp_path, sqlite_url) as svc:
        number = (await api(svc, "POST", "/api/orders", web_order(), 201))["number"]
        steps, unit = f"/api/orders/{number}", f"/api/units/town.meilong/orders/{number}"
        requests: list[tuple[str, str, Any]] = [
            ("GET", "/api/orders?status=bogus", None),
            ("GET", "/api/orders?limit=0", None),
            ("GET", "/api/orders?from=yesterday", None),
            ("GET", "/api/orders?caller=abc", None),
            ("GET", f"{steps}/attachments/x1", None),
            ("GET", f"{steps}?full=1", None),
            ("POST", "/api/orders/12345-20261124-NOPE/accept", {"category": "complaint"}),
            ("POST", f"{steps}/accept", {"category": "complaint", "content": "x"}),
            ("POST", f"{steps}/edit", {"category": "complaint", "content": "x", "urgency": []}),
            ("POST", f"{steps}/edit", {"category": {"a": 1}, "content": "x"}),
            ("POST", f"{steps}/redispatch", {"main_unit": "utility.water"}),
            ("POST", f"{steps}/extension/decide", {"approve": "yes"}),
            ("POST", f"{steps}/revisits", {"seat": "8001"}),
            ("POST", f"{steps}/revisits", {"seat": "no such seat"}),
            ("POST", f"{steps}/revisits/result", {"result": "satisfied", "resolved": True}),
            ("POST", f"{steps}/revisits/result", {"result": "happy", "resolved": True}),
            ("POST", f"{steps}/revisits/result", {"result": "satisfied", "revisit": "1"}),
            ("POST", f"{steps}/merge", {"into": number}),
            ("POST", f"{steps}/merge", {"into": "../x"}),
            ("POST", f"{steps}/attachments", {"file": "x"}),
            ("POST", f"{unit}/extension", {"until": "next week", "reason": "施工"}),
            ("POST", f"{unit}/sign", ["not", "an", "object"]),
            ("POST", f"{unit}/reply", {**REPLY_FIELDS, "attachments": [True]}),
            ("POST", "/api/orders", {**web_order(), "channel": "phone"}),
            ("POST", "/api/orders", {**web_order(), "line": "110"}),
            # the asker is the signed-in user: a body naming one is refused
            ("POST", "/api/orders", {**web_order(), "actor": "2001"}),
        ]
        answers = []
        for i, (method, path, body) in enumerate(requests):
            # the kit takes "actor" out of a body and signs in as that user; not the last time
            sent_as = {"as_user": "2001"} if i == len(requests) - 1 else {}
            response = await svc.client.request(method, path, json=body, **sent_as)
            answers.append((path, response.status, (await response.json())["error"]))
        for content_type in ("multipart/form-data", "multipart/form-data; boundary=zz"):
            response = await svc.client.post(
                f"{steps}/attachments",
                data=b"--zz\r\ngarbage",
                headers={"Content-Type": content_type},
            )
            answers.append((steps, response.status, (await response.json())["error"]))
    bad, order, illegal = "invalid-parameter", "invalid-order", "illegal-step"
    assert [answer[1:] for answer in answers] == [
        *[(400, bad)] * 6,
        (404, "no-such-order"),
        (409, illegal),  # accepted already: no draft to accept
        (400, bad),
        (400, order),  # a category that is not text
        (400, bad),
        (400, bad),
        (409, illegal),  # a callback follows the unit's reply
        (400, bad),
        (409, illegal),
        (400, bad),
        (400, bad),
        (400, order),  # not into itself
        (400, bad),
        (400, bad),
        (400, bad),
        (400, bad),
        (400, order),
        *[(400, bad)] * 5,
    ]


REPLY_FIELDS = {
    "handled_at": "2026-11-24 15:00",
    "place": "锦梅苑",
    "person": "张师傅",
    "matter": "更换阀门",
    "result": "已恢复供水",
}
