"""What the OpenAPI document says of each API route beyond its path: query parameters,
the JSON body, the answer's status and the errors particular to it.

One line per (method, route template), as ``web.access`` has for the roles; a route of
the application with no line here is reported by ``web.openapi.undescribed_routes`` (and
fails the tests), a line with no route by ``web.openapi.stale_operations``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from acd.callbacks import MANUAL_RESULTS
from acd.links import SPY_OPTIONS
from tickets.lifecycle import Status
from tickets.order_forms import CHANNELS, NOT_COUNTED_REASONS, REVISIT_RESULTS, URGENCIES
from tickets.records import OUTCOMES
from tickets.users import ROLES

Schema = dict[str, Any]


@dataclass(frozen=True)
class Query:
    name: str
    schema: Schema
    description: str = ""
    required: bool = False


@dataclass(frozen=True)
class Operation:
    """``summary`` is used when the handler has no docstring, ``note`` is added to its
    description; ``body`` is the JSON body's schema (``multipart`` for a file upload);
    ``errors`` are statuses besides the common ones (400, 401, 403, 404, 409)."""

    summary: str = ""
    note: str = ""
    query: tuple[Query, ...] = ()
    body: Schema | None = None
    multipart: bool = False
    status: int = 200
    answer: str = "application/json"
    errors: tuple[int, ...] = ()
    path: dict[str, Schema] = field(default_factory=dict)


def text(limit: int, description: str = "") -> Schema:
    schema: Schema = {"type": "string", "minLength": 1, "maxLength": limit}
    return schema | {"description": description} if description else schema


def closed(schema: Schema) -> Schema:
    """An object whose handler refuses fields it does not know (a 400 naming them)."""
    return schema | {"additionalProperties": False}


def example(schema: Schema, *values: Any) -> Schema:
    return schema | {"examples": list(values)}


def pattern(regex: str, description: str = "") -> Schema:
    schema: Schema = {"type": "string", "pattern": regex}
    return schema | {"description": description} if description else schema


def choice(values: Any) -> Schema:
    return {"type": "string", "enum": sorted(str(value) for value in values)}


def whole(low: int, high: int) -> Schema:
    return {"type": "integer", "minimum": low, "maximum": high}


def body(required: tuple[str, ...] = (), /, **properties: Schema) -> Schema:
    schema: Schema = {"type": "object", "properties": properties}
    return schema | {"required": list(required)} if required else schema


NAME = pattern(r"^[A-Za-z0-9_.\-]{1,40}$", "letters, digits, . _ -")
CODE = pattern(r"^[A-Za-z0-9_.\-]{1,60}$", "an order number or a unit code")
STAFF_NUMBER = pattern(r"^[A-Za-z0-9_.\-]{1,32}$", "a staff number")
DIGITS = pattern(r"^\+?[0-9]{3,20}$", "3 to 20 digits")
MOMENT = {
    "anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}],
    "description": "a date (2026-11-23) or an ISO 8601 time",
}
DAY = {"type": "string", "format": "date", "description": "2026-11-23"}
FLAG = {"type": "boolean"}
NOTE = text(4000)
OPTIONAL_NOTE = {"type": "string", "maxLength": 4000}
ID = whole(1, 2**62)
SECONDS = pattern(r"^[0-9]{1,6}(\.[0-9]{1,3})?$", "seconds, e.g. 30")

PAGE = (Query("limit", whole(1, 500)), Query("offset", whole(0, 1_000_000)))
PERIOD = (Query("from", MOMENT), Query("to", MOMENT, "after from"))
ROLE_LIST = {"type": "array", "minItems": 1, "items": choice(ROLES)}
LINE = example(text(20, "a line of the centre"), "12345", "962121")
UNIT_CODE = example(CODE, "town.meilong", "utility.water")
SEAT = example(NAME, "8001", "8002")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORT_QUERY = (
    Query("from", DAY, "first day", required=True),
    Query("to", DAY, "last day, included (at most 400 days after from)", required=True),
    Query("line", LINE),
    Query("seat", NAME),
    Query("agent", NAME),
    Query("category", CODE, "a category code; covers its children"),
)
ASSESS_QUERY = (
    Query("contract", CODE, "a contract file of the contracts directory", required=True),
    Query("month", pattern(r"^[0-9]{4}-[0-9]{2}$", "2026-11"), required=True),
)
ASSESS_NOTE = (
    "The contract's own inputs (figures the system cannot count, such as complaints "
    "verified) are further query parameters: <input id>=<number>."
)
ORDER_FORM: dict[str, Schema] = {
    "category": example(
        text(200, "a category code of the order's line"), "utilities.water", "utilities"
    ),
    "content": example(text(4000), "梅陇镇锦梅苑3号楼停水两天，无人通知"),
    "address": example({"type": "string", "maxLength": 500}, "上海市闵行区梅陇镇锦梅苑3号楼"),
    "urgency": choice(URGENCIES),
    "confidential": FLAG,
    "caller_name": {"type": "string", "maxLength": 100},
}
RULES: dict[str, Schema] = {
    name: {"type": "number", "minimum": 0}
    for name in (
        "wrapup_seconds",
        "wrapup_extension",
        "first_contact_window",
        "overflow_wait_seconds",
        "overflow_rate_target",
        "callback_deadline_minutes",
    )
} | {
    name: {"type": "integer", "minimum": 0}
    for name in ("max_consecutive_misses", "emergency_priority", "repeat_caller_priority")
}
ANSWERS = {
    "type": "object",
    "description": "item code -> {score, failed, comment}",
    "additionalProperties": {
        "type": "object",
        "properties": {
            "score": {"type": ["number", "null"]},
            "failed": FLAG,
            "comment": {"type": "string"},
        },
    },
}
SAMPLING_RULES = closed(
    body(
        share={"type": "number", "minimum": 0, "maximum": 1},
        minimum_per_agent={"type": "integer", "minimum": 0},
        short_seconds={"type": "number", "minimum": 0},
        long_seconds={"type": "number", "minimum": 0},
        include_unsatisfied=FLAG,
        include_complaints=FLAG,
        include_overdue=FLAG,
        include_returned=FLAG,
        complaint_categories={"type": "array", "items": {"type": "string"}},
        calibration_per_day={"type": "integer", "minimum": 0},
    )
)
FORM_ITEM = body(
    ("code", "label"),
    code=text(60),
    label=text(200),
    weight={"type": "number", "minimum": 0},
    red_line=FLAG,
    hint={"type": "string"},
)
FORM = body(
    ("name", "title", "sections"),
    name=text(60),
    title=text(200),
    sections={
        "type": "array",
        "minItems": 1,
        "items": body(
            ("code", "label", "items"),
            code=text(60),
            label=text(200),
            items={"type": "array", "minItems": 1, "items": FORM_ITEM},
        ),
    },
)

ROUTING = (503,)  # a web-only instance has no call centre to command

OPERATIONS: dict[tuple[str, str], Operation] = {
    # sign-in, users, tokens, audit
    ("POST", "/api/session"): Operation(
        "Sign in: sets the session and CSRF cookies (登录)",
        body=body(("user", "password"), user=text(40), password=text(200)),
        errors=(429,),
    ),
    ("GET", "/api/session"): Operation("Who is signed in, the CSRF token and the pages"),
    ("DELETE", "/api/session"): Operation("Sign out (退出)", status=204, answer=""),
    ("POST", "/api/session/password"): Operation(
        body=body(("current", "new"), current=text(200), new=text(200))
    ),
    ("GET", "/api/users"): Operation("The users and their roles"),
    ("POST", "/api/users"): Operation(
        "Add a user",
        body=body(
            ("id", "name", "roles", "password"),
            id=text(40),
            name=text(100),
            roles=ROLE_LIST,
            unit={"type": ["string", "null"]},
            password=text(200),
        ),
        status=201,
    ),
    ("PUT", "/api/users/{user}"): Operation(
        "Change a user's name, roles, unit or disabled flag (ends their sessions)",
        body=closed(
            body(
                name={"type": "string", "maxLength": 100},
                roles=ROLE_LIST,
                unit={"type": ["string", "null"]},
                disabled=FLAG,
            )
        ),
    ),
    ("POST", "/api/users/{user}/password"): Operation(
        "Reset a user's password (ends their sessions)",
        body=body(("password",), password=text(200)),
    ),
    ("GET", "/api/tokens"): Operation("The integrations' API tokens (without the secrets)"),
    ("POST", "/api/tokens"): Operation(
        body=body(("name", "roles"), name=text(40), roles=ROLE_LIST), status=201
    ),
    ("DELETE", "/api/tokens/{name}"): Operation(
        "Revoke an API token", status=204, answer="", path={"name": text(40)}
    ),
    ("GET", "/api/audit"): Operation(
        "The audit log, newest first",
        query=(
            Query("start", MOMENT),
            Query("end", MOMENT),
            Query("actor", text(40)),
            Query("action", text(60)),
            Query("target", text(100)),
            Query("limit", whole(1, 500)),
            Query("offset", whole(0, 10_000_000)),
        ),
    ),
    ("GET", "/api/health"): Operation(
        "ok or degraded, with the AMI links, the database writer and recordings; always 200"
    ),
    ("GET", "/api/openapi.json"): Operation(),
    # calls, seats, the queue, today's figures
    ("GET", "/api/calls"): Operation(
        "Stored calls, newest first, with the total",
        query=(
            *PERIOD,
            Query("line", LINE),
            Query("seat", NAME),
            Query("caller", DIGITS),
            Query("outcome", choice(OUTCOMES)),
            *PAGE,
        ),
    ),
    ("GET", "/api/calls/{server}/{call_id}"): Operation("One call with its seat attempts"),
    ("POST", "/api/calls/{server}/{call_id}/reveal"): Operation(
        "The caller's whole number, for the agent who took the call (audited with the reason)",
        body=body(("reason",), reason=text(200)),
    ),
    ("GET", "/api/seats"): Operation("Live seats: state, since, reason, answered today"),
    ("GET", "/api/queue"): Operation("Callers waiting now"),
    ("GET", "/api/stats/today"): Operation(
        "Today's and the last 30 minutes' figures, waiting now, AMI links, writer health"
    ),
    ("POST", "/api/seats/{seat}/login"): Operation(
        "An agent signs in to the seat",
        body=body(agent=STAFF_NUMBER, name={"type": "string", "maxLength": 40}),
        errors=ROUTING,
    ),
    ("POST", "/api/seats/{seat}/logout"): Operation(
        "The agent signs out (after wrap-up if on a call)", body=body(), errors=ROUTING
    ),
    ("POST", "/api/seats/{seat}/pause"): Operation(
        "Pause with a configured reason (after wrap-up if on a call)",
        body=body(("reason",), reason=text(40)),
        errors=ROUTING,
    ),
    ("POST", "/api/seats/{seat}/ready"): Operation("Ready for calls", body=body(), errors=ROUTING),
    ("POST", "/api/seats/{seat}/wrapup/end"): Operation(
        "End wrap-up early", body=body(), errors=ROUTING
    ),
    ("POST", "/api/seats/{seat}/wrapup/extend"): Operation(
        "Extend wrap-up once", body=body(), errors=ROUTING
    ),
    ("POST", "/api/seats"): Operation(
        body=body(
            ("seat",),
            seat=example(NAME, "8101"),
            lines={"type": "array", "items": NAME},
            skills={"type": "array", "items": NAME},
            server={"type": "string"},
            name={"type": "string", "maxLength": 40},
        ),
        status=201,
        errors=ROUTING,
    ),
    ("DELETE", "/api/seats/{seat}"): Operation(
        "Close a temporary seat (after its call if busy)", errors=ROUTING
    ),
    ("POST", "/api/supervise"): Operation(
        body=body(
            ("supervisor_seat", "seat", "mode"),
            supervisor_seat=SEAT,
            seat=SEAT,
            mode=choice(SPY_OPTIONS),
        ),
        status=202,
        errors=ROUTING,
    ),
    ("GET", "/api/routing/rules"): Operation("The routing rules in force", errors=ROUTING),
    ("PUT", "/api/routing/rules"): Operation(
        body=closed(
            body(
                line_priority={"type": "object", "additionalProperties": {"type": "integer"}},
                pause_reasons={"type": "array", "minItems": 1, "items": text(40)},
                **RULES,
            )
        ),
        errors=ROUTING,
    ),
    ("GET", "/api/seats/{seat}/screen-pop"): Operation(errors=ROUTING),
    # callbacks of missed calls (漏接回拨)
    ("GET", "/api/callbacks"): Operation(
        query=(Query("line", LINE), Query("agent", STAFF_NUMBER)), errors=ROUTING
    ),
    ("POST", "/api/callbacks/{server}/{call_id}/dial"): Operation(
        body=body(("seat",), seat=SEAT), status=202, errors=ROUTING
    ),
    ("POST", "/api/callbacks/{server}/{call_id}/result"): Operation(
        "Close a callback task by hand",
        body=body(("status",), status=choice(MANUAL_RESULTS), note=text(500)),
        errors=ROUTING,
    ),
    # work orders: reads
    ("GET", "/api/orders/config"): Operation(
        "The order form's lists: categories, units, channels, urgencies, labels"
    ),
    ("GET", "/api/orders"): Operation(
        query=(
            Query("status", choice(Status)),
            Query("line", LINE),
            Query("unit", CODE),
            Query("caller", DIGITS),
            *PERIOD,
            *PAGE,
        )
    ),
    ("GET", "/api/orders/board"): Operation("The dispatcher's board"),
    ("GET", "/api/orders/revisits"): Operation("Orders due a callback (回访)"),
    ("GET", "/api/orders/revisit-ledger"): Operation(query=(Query("date", DAY),)),
    ("GET", "/api/orders/notices"): Operation(),
    ("GET", "/api/orders/hanging"): Operation(),
    ("GET", "/api/orders/figures"): Operation(query=PERIOD),
    ("GET", "/api/orders/{number}"): Operation("One order with its timeline (callers masked)"),
    ("GET", "/api/orders/{number}/suggestions"): Operation(),
    ("GET", "/api/orders/{number}/attachments/{id}"): Operation(
        "A file of the order", answer="application/octet-stream", path={"id": ID}
    ),
    ("GET", "/api/units/{code}/orders"): Operation("A unit's orders"),
    # work orders: the hotline's steps
    ("POST", "/api/orders"): Operation(
        body=body(
            ("line", "channel", "caller_number", "category", "content"),
            line=LINE,
            channel=choice(key for key in CHANNELS if key != "phone"),
            caller_number=example(DIGITS, "13812345678", "02164881234"),
            source_ref={"type": "string", "maxLength": 100},
            **ORDER_FORM,
        ),
        status=201,
    ),
    ("POST", "/api/orders/{number}/accept"): Operation(
        body=body(("category", "content"), **ORDER_FORM)
    ),
    ("POST", "/api/orders/{number}/answer"): Operation(
        body=body(("category", "content", "answer"), answer=NOTE, **ORDER_FORM)
    ),
    ("POST", "/api/orders/{number}/edit"): Operation(
        "Change the form of an accepted order", body=body(("category", "content"), **ORDER_FORM)
    ),
    ("POST", "/api/orders/{number}/sign"): Operation(
        "签收: an order sent down by the platform is ours", body=body(note=OPTIONAL_NOTE)
    ),
    ("POST", "/api/orders/{number}/return-up"): Operation(
        "退回: an order sent down by the platform is not ours", body=body(("reason",), reason=NOTE)
    ),
    ("POST", "/api/orders/{number}/dispatch"): Operation(
        "派单 to a main unit and assisting ones",
        body=body(
            ("main_unit",),
            main_unit=UNIT_CODE,
            assisting={"type": "array", "items": CODE},
            note=OPTIONAL_NOTE,
        ),
    ),
    ("POST", "/api/orders/{number}/redispatch"): Operation(
        "改派 after a unit's return",
        body=body(
            ("main_unit", "wrongly_assigned"),
            main_unit=UNIT_CODE,
            assisting={"type": "array", "items": CODE},
            wrongly_assigned=FLAG,
            note=OPTIONAL_NOTE,
        ),
    ),
    ("POST", "/api/orders/{number}/reject-return"): Operation(
        "The unit's return is refused: the order goes back to it", body=body(("note",), note=NOTE)
    ),
    ("POST", "/api/orders/{number}/respond"): Operation(
        "响应: the citizen was contacted", body=body(note=OPTIONAL_NOTE)
    ),
    ("POST", "/api/orders/{number}/merge"): Operation(
        "并单 into another order", body=body(("into",), into=CODE, note=OPTIONAL_NOTE)
    ),
    ("POST", "/api/orders/{number}/not-counted"): Operation(
        "不纳入考核, with its reason and justification",
        body=body(
            ("reason", "justification"), reason=choice(NOT_COUNTED_REASONS), justification=NOTE
        ),
    ),
    ("POST", "/api/orders/{number}/{step}"): Operation(
        body=body(("note",), note=NOTE),
        path={"step": choice(("follow-up", "urge", "supervise", "hanging-progress"))},
    ),
    ("POST", "/api/orders/{number}/hang"): Operation(
        "挂账: cannot be solved now", body=body(("reason",), reason=NOTE)
    ),
    ("POST", "/api/orders/{number}/resume"): Operation(
        "A hanging order is handled again", body=body(note=OPTIONAL_NOTE)
    ),
    ("POST", "/api/orders/{number}/extension/decide"): Operation(
        "Approve or refuse a unit's request for more time",
        body=body(("approve",), approve=FLAG, note=OPTIONAL_NOTE),
    ),
    ("POST", "/api/orders/notices/{id}/ack"): Operation(body=body(), path={"id": ID}),
    ("POST", "/api/orders/{number}/attachments"): Operation(
        multipart=True, status=201, errors=(413,)
    ),
    # work orders: the unit's steps
    ("POST", "/api/units/{code}/orders/{number}/sign"): Operation(
        "The unit signs for the order (签收)", body=body()
    ),
    ("POST", "/api/units/{code}/orders/{number}/return"): Operation(
        "The unit returns the order as not theirs", body=body(("reason",), reason=NOTE)
    ),
    ("POST", "/api/units/{code}/orders/{number}/reply"): Operation(
        body=body(
            ("handled_at", "place", "person", "matter", "result"),
            handled_at=text(100),
            place=text(500),
            person=text(500),
            matter=NOTE,
            result=NOTE,
            resolved=FLAG,
            attachments={"type": "array", "items": {"type": "integer"}},
        )
    ),
    ("POST", "/api/units/{code}/orders/{number}/extension"): Operation(
        "The unit asks for more time",
        body=body(("until", "reason"), until=MOMENT, reason=NOTE),
    ),
    # callbacks (回访)
    ("POST", "/api/orders/{number}/revisits"): Operation(
        body=body(("seat",), seat=SEAT), status=202, errors=ROUTING
    ),
    ("POST", "/api/orders/{number}/revisits/result"): Operation(
        body=body(
            ("result", "resolved"),
            result=choice(REVISIT_RESULTS),
            resolved=FLAG,
            note=OPTIONAL_NOTE,
            revisit=ID,
        )
    ),
    ("POST", "/api/orders/{number}/reveal"): Operation(
        "The caller's whole number, for the agent who accepted the order or the callback "
        "agent (audited with the reason)",
        body=body(("reason",), reason=text(200)),
    ),
    # recordings
    ("GET", "/api/recordings"): Operation(
        query=(
            Query("caller", DIGITS),
            Query("agent", STAFF_NUMBER),
            Query("seat", NAME),
            Query("line", CODE),
            *PERIOD,
            Query("min_seconds", SECONDS),
            Query("max_seconds", SECONDS),
            Query("order", CODE),
            Query("outcome", choice(OUTCOMES)),
            *PAGE,
        )
    ),
    ("GET", "/api/recordings/{id}"): Operation(
        "One recording with its waveform and access log", path={"id": ID}
    ),
    ("GET", "/api/recordings/{id}/audio"): Operation(
        query=(Query("reason", text(200), "why it is played (logged)", required=True),),
        answer="audio/ogg",
        path={"id": ID},
    ),
    ("GET", "/api/recordings/{id}/download"): Operation(
        "The stored file as a download (logged with its reason)",
        query=(Query("reason", text(200), "why it is downloaded (logged)", required=True),),
        answer="audio/ogg",
        path={"id": ID},
    ),
    ("POST", "/api/recordings/{id}/hold"): Operation(
        body=body(("reason",), reason=text(200)), path={"id": ID}
    ),
    ("POST", "/api/recordings/{id}/release"): Operation(
        "Release a legal hold", body=body(("reason",), reason=text(200)), path={"id": ID}
    ),
    # quality assurance
    ("GET", "/api/qa/forms"): Operation(),
    ("GET", "/api/qa/forms/{id}"): Operation("One form version", path={"id": ID}),
    ("POST", "/api/qa/forms"): Operation(body=body(("definition",), definition=FORM), status=201),
    ("GET", "/api/qa/plans/{day}"): Operation("The sampling plan of a day", path={"day": DAY}),
    ("POST", "/api/qa/plans"): Operation(
        body=body(("day",), day=DAY, seed=whole(0, 2**62 - 1), rules=SAMPLING_RULES)
    ),
    ("GET", "/api/qa/queue"): Operation(
        "Samples waiting for a reviewer", query=(Query("reviewer", STAFF_NUMBER),)
    ),
    ("POST", "/api/qa/samples/{id}/claim"): Operation(
        "The reviewer takes a sample", body=body(), path={"id": ID}
    ),
    ("GET", "/api/qa/samples/{id}"): Operation("One sample and its reviews", path={"id": ID}),
    ("POST", "/api/qa/samples/{id}/marks"): Operation(
        "A mark at a moment of the recording",
        body=body(
            ("at_seconds", "comment"),
            at_seconds={"type": "number", "minimum": 0, "exclusiveMaximum": 86400},
            comment=text(500),
            item={"type": "string", "maxLength": 60},
        ),
        status=201,
        path={"id": ID},
    ),
    ("POST", "/api/qa/samples/{id}/reviews"): Operation(
        body=body(
            ("form_id", "answers"),
            form_id=ID,
            answers=ANSWERS,
            comment={"type": "string", "maxLength": 2000},
        ),
        status=201,
        path={"id": ID},
    ),
    ("POST", "/api/qa/reviews/{id}/amend"): Operation(
        "A new grade that replaces the review, with a reason",
        body=body(
            ("answers", "reason"),
            answers=ANSWERS,
            comment={"type": "string", "maxLength": 2000},
            reason=text(500),
        ),
        status=201,
        path={"id": ID},
    ),
    ("POST", "/api/qa/reviews/{id}/appeal"): Operation(
        body=body(("reason",), reason=text(1000)), status=201, path={"id": ID}
    ),
    ("GET", "/api/qa/appeals"): Operation("Appeals waiting for a decision"),
    ("POST", "/api/qa/appeals/{id}/decide"): Operation(
        body=body(
            ("upheld",), upheld=FLAG, note={"type": "string", "maxLength": 1000}, answers=ANSWERS
        ),
        path={"id": ID},
    ),
    ("GET", "/api/qa/agents/{agent}/results"): Operation(
        "An agent's grades of a period (the last 30 days by default)",
        query=PERIOD,
        path={"agent": STAFF_NUMBER},
    ),
    ("GET", "/api/qa/samples/{id}/calibration"): Operation(
        "How far the reviewers' grades of a calibration sample spread", path={"id": ID}
    ),
    ("GET", "/api/qa/figures"): Operation("QA figures of a period", query=PERIOD),
    ("GET", "/api/qa/satisfaction"): Operation("Satisfaction figures of a period", query=PERIOD),
    # reports and the contract assessment
    ("GET", "/api/reports/stats"): Operation(query=REPORT_QUERY),
    ("GET", "/api/reports/stats.xlsx"): Operation(query=REPORT_QUERY, answer=XLSX),
    ("GET", "/api/reports/contracts"): Operation(),
    ("GET", "/api/reports/assess"): Operation(query=ASSESS_QUERY, note=ASSESS_NOTE),
    ("GET", "/api/reports/assess.xlsx"): Operation(
        query=ASSESS_QUERY, note=ASSESS_NOTE, answer=XLSX
    ),
}

# path parameters by name, where an operation does not say otherwise
PATH_PARAMETERS: dict[str, Schema] = {
    "seat": NAME,
    "number": CODE,
    "code": CODE,
    "user": pattern(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$", "a staff number"),
    "server": text(40, "the Asterisk server's name"),
    "call_id": text(64, "Asterisk's uniqueid of the call, e.g. 1700000000.12"),
}
