"""The work-order API end to end, through the real app over the simulated Asterisk: a call
answered at a seat becomes an order that goes to the wrong unit, back, to the right one,
is replied to with a photo and closed after two recorded callbacks placed from a seat."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from telephony.simulator import CitizenBehaviour
from tests.integration.acd_kit import api, audit_log, seat_state
from tests.integration.order_api_kit import (
    CALLER,
    PNG,
    WATER,
    order_service,
    recorded_revisit,
    web_order,
)
from tests.integration.order_api_kit import upload as upload_photo
from tests.integration.service_kit import ClientFactory, Service, script, valid_wav_seconds
from tickets.orders import make_order_number

REPLY = {
    "actor": "u-water",
    "handled_at": "2026-11-24 15:00",
    "place": "锦梅苑3号楼",
    "person": "维修班组 张师傅",
    "matter": "更换破裂的供水总阀",
    "result": "已恢复供水",
    "resolved": True,
}


async def _call_answered_at_8001(svc: Service) -> dict[str, Any]:
    await api(svc, "POST", "/api/seats/8002/pause", {"reason": "小休"})
    await svc.sim.place_call("12345", CALLER, "", script(talk=20, hangs_up_first=True))
    await svc.until(lambda: seat_state(svc, "8001") == "talking", 30, "8001 talking")
    pop = await svc.get("/api/seats/8001/screen-pop")
    await api(svc, "POST", "/api/seats/8002/ready")
    return pop


async def _callback_from_8002(svc: Service, number: str) -> dict[str, Any]:
    await svc.until(lambda: seat_state(svc, "8002") == "ready", 30, "8002 ready")
    placed = await api(
        svc, "POST", f"/api/orders/{number}/revisits", {"seat": "8002", "actor": "3001"}, 202
    )
    revisit = await recorded_revisit(svc, number)
    assert placed == {"revisit": revisit["id"], "seat": "8002"}
    return revisit


async def test_a_call_becomes_an_order_that_is_redispatched_replied_and_closed_after_two_callbacks(
    aiohttp_client: ClientFactory, tmp_path: Path, database_url: str
) -> None:
    async with order_service(aiohttp_client, tmp_path, database_url) as svc:
        svc.sim.set_citizen(CALLER, CitizenBehaviour(answer_delay=1.0, talk_seconds=3.0))
        earlier = await api(svc, "POST", "/api/orders", web_order(category="complaint"), 201)
        pop = await _call_answered_at_8001(svc)
        call, number, history = pop["call"], pop["order"], pop["history"]
        assert re.fullmatch(r"12345-20261124-[A-Z2-7]{8}", number)
        assert (pop["seat"], call["line"], call["caller_number"]) == ("8001", "12345", CALLER)
        assert [o["number"] for o in history["orders"]] == [earlier["number"]]
        assert history["orders"][0]["caller_number"] == CALLER  # the agent on the call sees it

        accepted = await api(
            svc, "POST", f"/api/orders/{number}/accept", {"actor": "1001", **WATER}
        )
        assert (accepted["number"], accepted["status"]) == (number, "accepted")
        assert accepted["caller_number"] == "138****5678"
        steps = f"/api/orders/{number}"
        await api(svc, "POST", f"{steps}/dispatch", {"actor": "2001", "main_unit": "town.meilong"})
        unit = "/api/units/town.meilong/orders"
        assert [o["number"] for o in (await svc.get(unit))["orders"]] == [number]
        returned = await api(
            svc, "POST", f"{unit}/{number}/return", {"actor": "u-ml", "reason": "供水属自来水公司"}
        )
        assert returned["status"] == "unit_returned"
        again = await api(
            svc,
            "POST",
            f"{steps}/redispatch",
            {"actor": "2001", "main_unit": "utility.water", "wrongly_assigned": True},
        )
        assert (again["status"], again["main_unit"]) == ("dispatched", "utility.water")
        water = f"/api/units/utility.water/orders/{number}"
        signed = await api(svc, "POST", f"{water}/sign", {"actor": "u-water"})
        assert signed["status"] == "handling"
        status, photo = await upload_photo(svc, number, PNG)
        assert (status, photo["size"], photo["name"]) == (201, len(PNG), "现场照片.png")
        replied = await api(svc, "POST", f"{water}/reply", {**REPLY, "attachments": [photo["id"]]})
        assert replied["status"] == "replied"
        shown = await svc.client.get(f"{steps}/attachments/{photo['id']}")
        assert (shown.status, shown.content_type, await shown.read()) == (200, "image/png", PNG)

        first = await _callback_from_8002(svc, number)
        unsatisfied = await api(
            svc,
            "POST",
            f"{steps}/revisits/result",
            {
                "actor": "3001",
                "result": "unsatisfied",
                "resolved": False,
                "note": "水压仍然很低",
                "revisit": first["id"],
            },
        )
        assert (unsatisfied["status"], unsatisfied["satisfaction"]) == ("handling", "unsatisfied")
        await api(svc, "POST", f"{water}/reply", {**REPLY, "result": "已更换加压泵"})
        second = await _callback_from_8002(svc, number)
        closed = await api(
            svc,
            "POST",
            f"{steps}/revisits/result",
            {
                "actor": "3001",
                "result": "satisfied",
                "resolved": True,
                "note": "已正常",
                "revisit": second["id"],
            },
        )
        detail = await svc.get(steps)
        figures = (await svc.get("/api/orders/figures"))["figures"]
        audited = await audit_log(svc)
        files = [Path(r["recording_path"]) for r in detail["revisits"] if r["recording_path"]]
    entries = [(e.actor, e.action) for e in audited if e.target == f"order:{number}"]
    assert (closed["status"], closed["satisfaction"]) == ("closed", "satisfied")
    # today: the earlier web order and this one accepted; two dispatches, one wrongly assigned
    assert (figures["accepted"], figures["dispatches"], figures["wrongly_assigned"]) == (2, 2, 1)
    assert (figures["dispatch_accuracy"], figures["revisits"], figures["satisfied"]) == (0.5, 2, 1)
    assert [(e["step"], e["to"]) for e in detail["timeline"]] == [
        ("accept", "accepted"),
        ("dispatch", "dispatched"),
        ("unit_return", "unit_returned"),
        ("redispatch", "dispatched"),
        ("unit_sign", "handling"),
        ("reply", "replied"),
        ("revisit", "handling"),
        ("reply", "replied"),
        ("revisit", "closed"),
    ]
    assert [(a["unit"], a["state"], a["wrongly_assigned"]) for a in detail["assignments"]] == [
        ("town.meilong", "returned", True),
        ("utility.water", "replied", False),
    ]
    revisits = detail["revisits"]
    assert [(r["seat"], r["agent"], r["result"]) for r in revisits] == [
        ("8002", "3001", "unsatisfied"),
        ("8002", "3001", "satisfied"),
    ]
    assert [r["call_id"] for r in revisits] == [first["call_id"], second["call_id"]]
    assert len(files) == 2
    assert all(valid_wav_seconds(path) > 2.0 for path in files)
    assert revisits[0]["call_id"] != revisits[1]["call_id"]
    assert detail["attachments"][0]["reply_id"] == detail["replies"][0]["id"]
    assert (detail["call"]["server"], detail["call"]["call_id"]) == ("pbx1", call["call_id"])
    assert detail["call"]["survey_score"] is None  # the caller hung up first: no survey
    assert entries == [
        ("1001", "order.accept"),
        ("2001", "order.dispatch"),
        ("u-ml", "order.unit_return"),
        ("2001", "order.redispatch"),
        ("u-water", "order.unit_sign"),
        ("u-water", "order.attach"),
        ("u-water", "order.reply"),
        ("3001", "order.revisit_call"),
        ("3001", "order.revisit"),
        ("u-water", "order.reply"),
        ("3001", "order.revisit_call"),
        ("3001", "order.revisit"),
    ]
    answered_at = datetime.fromisoformat(call["answered_at"])
    assert number == make_order_number("12345", answered_at, "pbx1", call["call_id"])
