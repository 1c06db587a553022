"""The QA API: evaluation forms and their versions, the daily sampling plan, the reviewer's
queue, claims, marks on the recording, grades and their amendments, appeals and their
decisions, an agent's results, calibration spread, figures and satisfaction.

Every write is audited (``qa.<what>``). The rules themselves are in ``qa``; this module
reads requests, calls one use case in one transaction and answers with JSON.
"""

from __future__ import annotations

from aiohttp import web

from qa import figures, results, reviews, sampling, satisfaction
from qa.forms import ensure_default_form, parse_form, save_form_version
from web import qa_reads
from web.access import OVERSEERS, QA
from web.auth import signed_in
from web.errors import Forbidden, InvalidParameter
from web.keys import CLOCK, SESSIONS, SETTINGS
from web.order_requests import audit, field_flag, field_text
from web.qa_requests import (
    answers_of,
    day_of,
    form_id_of,
    item_code,
    mark_at,
    optional_answers,
    path_id,
    period_of,
    rules_of,
    seed_of,
)
from web.qa_views import appeal_view, mark_view, review_view, sample_view
from web.requests import AGENT_ID, actor, check_query, json_object

routes = web.RouteTableDef()


# -- forms ----------------------------------------------------------------------------


@routes.get("/api/qa/forms")
async def list_forms(request: web.Request) -> web.Response:
    """Every form version; the default form is stored first when there is none yet."""
    check_query(request, ())
    async with request.app[SESSIONS]() as session:
        found = await qa_reads.forms(session)
        if not found:
            await ensure_default_form(session, request.app[CLOCK].now())
            await session.commit()
            found = await qa_reads.forms(session)
    return web.json_response({"forms": found})


@routes.get("/api/qa/forms/{id}")
async def one_form(request: web.Request) -> web.Response:
    check_query(request, ())
    form_id = path_id(request, "form")
    async with request.app[SESSIONS]() as session:
        return web.json_response(await qa_reads.one_form(session, form_id))


@routes.post("/api/qa/forms")
async def new_form_version(request: web.Request) -> web.Response:
    """A new version of a form (its name says which); 400 with the path of the error."""
    body = await json_object(request)
    who = actor(request, body)
    definition = body.get("definition")
    if not isinstance(definition, dict):
        raise InvalidParameter("definition: required, the form as an object")
    form = parse_form(definition)
    async with request.app[SESSIONS]() as session, session.begin():
        row = await save_form_version(session, form, who, request.app[CLOCK].now())
    audit(request, who, "qa.form", f"qa-form:{row.id}", name=row.name, version=str(row.version))
    async with request.app[SESSIONS]() as session:
        return web.json_response(await qa_reads.one_form(session, row.id), status=201)


# -- plans ----------------------------------------------------------------------------


@routes.get("/api/qa/plans/{day}")
async def plan_of_day(request: web.Request) -> web.Response:
    check_query(request, ())
    day = day_of(request.match_info["day"])
    async with request.app[SESSIONS]() as session:
        return web.json_response(await qa_reads.plan_of_day(session, day))


@routes.post("/api/qa/plans")
async def make_plan(request: web.Request) -> web.Response:
    """A supervisor makes a day's plan, or is shown the one that exists."""
    body = await json_object(request)
    who = actor(request, body)
    day = day_of(body.get("day"))
    settings = request.app[SETTINGS]
    rules = rules_of(body, settings.qa.sampling)
    seed = seed_of(body, day)
    async with request.app[SESSIONS]() as session, session.begin():
        plan = await sampling.make_plan(
            session, day, rules, seed, who, request.app[CLOCK].now(), settings.zone
        )
    audit(request, who, "qa.plan", f"qa-plan:{plan.id}", day=day.isoformat(), seed=str(seed))
    async with request.app[SESSIONS]() as session:
        return web.json_response(await qa_reads.plan_with_samples(session, plan))


# -- the reviewer's work --------------------------------------------------------------


@routes.get("/api/qa/queue")
async def queue(request: web.Request) -> web.Response:
    check_query(request, ("reviewer",))
    reviewer = request.query.get("reviewer")
    if reviewer is not None and not AGENT_ID.match(reviewer):
        raise InvalidParameter("reviewer: a staff number (letters, digits, . _ -)")
    async with request.app[SESSIONS]() as session:
        samples = await reviews.queue(session, reviewer)
    return web.json_response({"samples": [sample_view(sample) for sample in samples]})


@routes.post("/api/qa/samples/{id}/claim")
async def claim(request: web.Request) -> web.Response:
    sample_id = path_id(request, "sample")
    who = actor(request, await json_object(request))
    async with request.app[SESSIONS]() as session, session.begin():
        sample = await reviews.claim(session, sample_id, who, request.app[CLOCK].now())
    audit(request, who, "qa.claim", f"qa-sample:{sample_id}")
    return web.json_response(sample_view(sample))


@routes.get("/api/qa/samples/{id}")
async def one_sample(request: web.Request) -> web.Response:
    check_query(request, ())
    sample_id = path_id(request, "sample")
    async with request.app[SESSIONS]() as session:
        return web.json_response(await qa_reads.sample_detail(session, sample_id))


@routes.post("/api/qa/samples/{id}/marks")
async def add_mark(request: web.Request) -> web.Response:
    sample_id = path_id(request, "sample")
    body = await json_object(request)
    who, at_seconds, item = actor(request, body), mark_at(body), item_code(body)
    comment = field_text(body, "comment", limit=500)
    async with request.app[SESSIONS]() as session, session.begin():
        mark = await reviews.add_mark(
            session, sample_id, who, at_seconds, comment, item, request.app[CLOCK].now()
        )
    audit(request, who, "qa.mark", f"qa-sample:{sample_id}", at_seconds=f"{at_seconds:g}")
    return web.json_response(mark_view(mark), status=201)


@routes.post("/api/qa/samples/{id}/reviews")
async def submit(request: web.Request) -> web.Response:
    """A grade: 201 with the score, the red lines failed and the points."""
    sample_id = path_id(request, "sample")
    body = await json_object(request)
    who, form_id, answers = actor(request, body), form_id_of(body), answers_of(body)
    comment = field_text(body, "comment", required=False, limit=2000)
    async with request.app[SESSIONS]() as session, session.begin():
        review = await reviews.submit(
            session, sample_id, who, form_id, answers, comment, request.app[CLOCK].now()
        )
    audit(request, who, "qa.review", f"qa-sample:{sample_id}", score=f"{review.score:g}")
    return web.json_response(review_view(review), status=201)


# -- amendments and appeals -----------------------------------------------------------


@routes.post("/api/qa/reviews/{id}/amend")
async def amend(request: web.Request) -> web.Response:
    review_id = path_id(request, "review")
    body = await json_object(request)
    who, answers = actor(request, body), answers_of(body)
    comment = field_text(body, "comment", required=False, limit=2000)
    reason = field_text(body, "reason", limit=500)
    async with request.app[SESSIONS]() as session, session.begin():
        review = await reviews.amend(
            session, review_id, who, answers, comment, reason, request.app[CLOCK].now()
        )
    audit(request, who, "qa.amend", f"qa-review:{review_id}", reason=reason)
    return web.json_response(review_view(review), status=201)


@routes.post("/api/qa/reviews/{id}/appeal")
async def appeal(request: web.Request) -> web.Response:
    """The graded agent appeals, once."""
    review_id = path_id(request, "review")
    body = await json_object(request)
    who, reason = actor(request, body), field_text(body, "reason", limit=1000)
    async with request.app[SESSIONS]() as session, session.begin():
        filed = await reviews.appeal(session, review_id, who, reason, request.app[CLOCK].now())
    audit(request, who, "qa.appeal", f"qa-review:{review_id}")
    return web.json_response(appeal_view(filed), status=201)


@routes.get("/api/qa/appeals")
async def appeals_to_decide(request: web.Request) -> web.Response:
    check_query(request, ())
    async with request.app[SESSIONS]() as session:
        return web.json_response({"appeals": await qa_reads.open_appeals(session)})


@routes.post("/api/qa/appeals/{id}/decide")
async def decide(request: web.Request) -> web.Response:
    """Upheld: the grade stands. Not upheld: the supervisor's answers amend it."""
    appeal_id = path_id(request, "appeal")
    body = await json_object(request)
    who, upheld = actor(request, body), field_flag(body, "upheld")
    note = field_text(body, "note", required=False, limit=1000)
    answers = optional_answers(body)
    async with request.app[SESSIONS]() as session, session.begin():
        decided = await reviews.decide(
            session, appeal_id, who, upheld, note, request.app[CLOCK].now(), answers=answers
        )
    audit(request, who, "qa.decide", f"qa-appeal:{appeal_id}", upheld=str(upheld).lower())
    return web.json_response(appeal_view(decided))


# -- results and figures --------------------------------------------------------------


@routes.get("/api/qa/agents/{agent}/results")
async def agent_results(request: web.Request) -> web.Response:
    agent = request.match_info["agent"]
    if not AGENT_ID.match(agent):
        raise InvalidParameter("agent: a staff number (letters, digits, . _ -)")
    user = signed_in(request)
    if not user.roles & (OVERSEERS | {QA}) and agent != user.user_id:
        raise Forbidden(f"{user.user_id} sees their own QA results only")
    start, end = period_of(request)
    async with request.app[SESSIONS]() as session:
        found = await results.results_of_agent(session, agent, start, end)
    return web.json_response({"agent": agent, "results": found})


@routes.get("/api/qa/samples/{id}/calibration")
async def calibration(request: web.Request) -> web.Response:
    check_query(request, ())
    sample_id = path_id(request, "sample")
    async with request.app[SESSIONS]() as session:
        return web.json_response(await results.calibration(session, sample_id))


@routes.get("/api/qa/figures")
async def qa_figures(request: web.Request) -> web.Response:
    start, end = period_of(request)
    settings = request.app[SETTINGS]
    async with request.app[SESSIONS]() as session:
        found = await figures.qa_figures(
            session, start, end, team=settings.qa.teams, zone=settings.zone
        )
    return web.json_response(found)


@routes.get("/api/qa/satisfaction")
async def satisfaction_figures(request: web.Request) -> web.Response:
    start, end = period_of(request)
    rules = request.app[SETTINGS].qa.satisfaction
    async with request.app[SESSIONS]() as session:
        return web.json_response(await satisfaction.satisfaction(session, start, end, rules))
