"""One source of truth: the live wallboard, the daily report and the contract assessment of
the same period agree to the call — the same counts, and the assessment's evidence is
exactly the calls the stored rows show as not answered within 15 seconds."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from acd.figures import Figures
from acd.views import figures_view
from tests.integration.service_kit import ClientFactory, running_service, script
from tickets.reports.assess import assess
from tickets.reports.compute import ReportRules
from tickets.reports.contract import parse_contract
from tickets.reports.period import Period
from tickets.reports.stats import statistics
from web.keys import CENTRE, SESSIONS

CONTRACT = """\
name: 一致性
metrics:
  - {id: m_offered, formula: offered}
  - {id: m_answered, formula: answered}
  - {id: m_abandoned, formula: abandoned}
  - {id: m_in_target, formula: answered_in_target}
  - id: rate
    formula: answered_in_target / offered
    target: ">= 100%"
    deduct: {per_point: 1}
"""


async def test_wallboard_daily_report_and_assessment_agree_to_the_call(
    aiohttp_client: ClientFactory, tmp_path: Path, database_url: str
) -> None:
    async with running_service(aiohttp_client, tmp_path, database_url, seats=("8001",)) as service:
        # one seat: the second caller waits out the first call, the third hangs up waiting
        await service.sim.place_call("12345", "13900000001", "", script(talk=30))
        await service.sim.place_call("12345", "13900000002", "", script(talk=5))
        await service.sim.place_call("962121", "13900000003", "", script(talk=10, patience=8))
        await service.until(lambda: len(service.ended()) == 3, 240, "three calls ended")
        live = (await service.get("/api/stats/today"))["today"]
        stored = await service.stored_calls()
        start = service.app[CENTRE].today.day_start
        period = Period(start, start + timedelta(days=1), service.settings.zone)
        now = service.clock.now()
        rules = ReportRules(figures=service.settings.figures)
        async with service.app[SESSIONS]() as session:
            daily = await statistics(session, period, now=now, rules=rules)
            assessment = await assess(session, parse_contract(CONTRACT), period, now=now)

    late = sorted(
        f"{c.server}/{c.call_id}"
        for c in stored
        if c.direction == "in" and (c.answered_at is None or (c.wait_seconds or 0) > 15)
    )
    assert late, "the test needs a call answered late or not at all"
    assert live["offered"] == 3
    assert live["abandoned"] == 1
    keys = figures_view(Figures()).keys()  # every figure of the wallboard
    assert {k: daily["calls"][k] for k in keys} == {k: live[k] for k in keys}
    values = {r.metric.id: r.value for r in assessment.results}
    assert values == {
        "m_offered": live["offered"],
        "m_answered": live["answered"],
        "m_abandoned": live["abandoned"],
        "m_in_target": live["answered_in_target"],
        "rate": live["answered_in_target"] / live["offered"],
    }
    rate = assessment.results[-1]
    assert sorted(item.ref for item in rate.evidence) == late
