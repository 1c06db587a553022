"""Reading QA requests: ids in paths, who asks, answers, days and periods, marks, seeds
and sampling rules a supervisor overrides. The errors of ``qa`` reach the client through
the error middleware (a bad form or answer is a 400 that names the path or item)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from aiohttp import web

from qa.sampling import SamplingRules, sampling_rules
from web.errors import InvalidParameter, NotFound
from web.keys import CLOCK, SETTINGS
from web.qa_root import plan_seed
from web.requests import check_query, moment, supported_day

MAX_ID = 2**62
MAX_SEED = 2**62
PERIOD_DAYS = 30  # figures and results without from/to: the last 30 days


def path_id(request: web.Request, what: str) -> int:
    raw = request.match_info["id"]
    if not raw.isdigit() or not 0 < int(raw) < MAX_ID:
        raise NotFound(f"no {what} {raw!r}")
    return int(raw)


def answers_of(body: dict[str, Any]) -> dict[str, Any]:
    value = body.get("answers")
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise InvalidParameter("answers: an object of item code -> {score, comment}")
    return value


def optional_answers(body: dict[str, Any]) -> dict[str, Any] | None:
    return None if body.get("answers") is None else answers_of(body)


def day_of(raw: object, name: str = "day") -> date:
    try:
        if isinstance(raw, str) and len(raw) == 10:
            return supported_day(name, date.fromisoformat(raw))
    except ValueError:
        pass
    raise InvalidParameter(f"{name}: a date such as 2026-11-24")


def period_of(request: web.Request) -> tuple[datetime, datetime]:
    """``from`` and ``to`` (dates or ISO times); by default the last 30 days to today's end."""
    check_query(request, ("from", "to"))
    zone, query = request.app[SETTINGS].zone, request.query
    today = request.app[CLOCK].now().astimezone(zone).date().isoformat()
    end = moment("to", query.get("to", today), zone, True)
    default_start = (end - timedelta(days=PERIOD_DAYS)).date().isoformat()
    start = moment("from", query.get("from", default_start), zone, False)
    if end <= start:
        raise InvalidParameter("to: must be after from")
    return start, end


def mark_at(body: dict[str, Any]) -> float:
    value = body.get("at_seconds")
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 86400:
        raise InvalidParameter("at_seconds: required, seconds from the start of the recording")
    return float(value)


def item_code(body: dict[str, Any]) -> str | None:
    value = body.get("item")
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not 0 < len(value) <= 60:
        raise InvalidParameter("item: the code of a form item")
    return value


def form_id_of(body: dict[str, Any]) -> int:
    value = body.get("form_id")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < MAX_ID:
        raise InvalidParameter("form_id: required, the id of a form version")
    return value


def seed_of(body: dict[str, Any], day: date) -> int:
    """The given seed, else one from the date (20261124): the same plan when drawn again."""
    value = body.get("seed")
    if value is None:
        return plan_seed(day)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < MAX_SEED:
        raise InvalidParameter("seed: a whole number")
    return value


def rules_of(body: dict[str, Any], base: SamplingRules) -> SamplingRules:
    """The configured rules with the fields the supervisor gives overridden."""
    given = body.get("rules")
    if given is None:
        return base
    if not isinstance(given, dict):
        raise InvalidParameter("rules: an object of sampling rules")
    try:
        return sampling_rules({**base.as_json(), **given})
    except ValueError as exc:
        raise InvalidParameter(f"rules.{exc}") from exc
