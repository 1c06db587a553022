"""The post-call survey end to end: two callers rate their calls through the simulated
Asterisk's hotline-survey, the day's plan samples the unsatisfied one for that reason,
and the satisfaction figures count both."""

from __future__ import annotations

from pathlib import Path

from qa.sampling import SamplingRules, day_bounds, make_plan, samples_of_plan
from qa.satisfaction import SatisfactionRules, satisfaction
from tests.integration.acd_kit import acd_service, desk
from tests.integration.service_kit import ClientFactory, script
from web.keys import SESSIONS

SATISFIED_CALLER, UNSATISFIED_CALLER = "13800000061", "13800000062"


async def test_survey_keys_reach_the_plan_and_the_satisfaction_figures(
    aiohttp_client: ClientFactory, tmp_path: Path, database_url: str
) -> None:
    desks = (desk("8001", "1001"), desk("8002", "1002"))
    async with acd_service(aiohttp_client, tmp_path, database_url, desks) as service:
        await service.sim.place_call("12345", SATISFIED_CALLER, "", script(30, survey_key="1"))
        await service.sim.place_call("12345", UNSATISFIED_CALLER, "", script(30, survey_key="3"))
        await service.until(lambda: len(service.ended()) == 2, 120, "both calls ended")
        calls = {c.caller_number: c for c in await service.stored_calls()}
        assert {n: (c.outcome, c.survey_score) for n, c in calls.items()} == {
            SATISFIED_CALLER: ("answered", 1),
            UNSATISFIED_CALLER: ("answered", 3),
        }
        day = service.clock.now().astimezone(service.settings.zone).date()
        async with service.app[SESSIONS]() as session, session.begin():
            plan = await make_plan(
                session,
                day,
                SamplingRules(),
                7,
                "nightly",
                service.clock.now(),
                service.settings.zone,
            )
            samples = await samples_of_plan(session, plan.id)
        start, end = day_bounds(day, service.settings.zone)
        async with service.app[SESSIONS]() as session:
            figures = await satisfaction(session, start, end, SatisfactionRules())
        # the score is shown with the call's work order too
        (draft,) = (await service.get("/api/orders", caller=UNSATISFIED_CALLER, status="draft"))[
            "orders"
        ]
        order = await service.get(f"/api/orders/{draft['number']}")
    # each agent took one call: the unsatisfied one for its rating, the other as the minimum
    assert {(s.call_id, s.agent, tuple(s.reasons)) for s in samples} == {
        (calls[UNSATISFIED_CALLER].call_id, calls[UNSATISFIED_CALLER].agent, ("unsatisfied",)),
        (calls[SATISFIED_CALLER].call_id, calls[SATISFIED_CALLER].agent, ("minimum",)),
    }
    assert order["call"]["survey_score"] == 3
    assert figures["survey"] == {
        "rated": 2,
        "satisfied": 1,
        "basically_satisfied": 0,
        "unsatisfied": 1,
        "rate": 0.5,
    }
