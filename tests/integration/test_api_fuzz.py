"""Every API operation, fed generated input (valid and invalid per the OpenAPI document),
never answers with a server error.

The service is the real one (``create_app``, the simulated Asterisk over TCP, SQLite),
served on a TCP port; schemathesis sends each case over HTTP with the bearer token of an
integration holding every role a token may hold, so that each case reaches its handler
rather than stopping at the access check. Each operation is sent valid cases, cases built
on the document's examples and invalid ones, first on generated paths, then on the paths
of a call, an order, a unit and a QA form the service has. The cases are drawn from a
fixed seed: a run sends the same requests as the last one, and a server error it finds is
one to fix.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy
from schemathesis import APIOperation, Case, GenerationMode

from tests.integration.acd_kit import api, until_ended
from tests.integration.order_api_kit import CALLER, order_service, web_order
from tests.integration.service_kit import ClientFactory, Service, script
from tickets.signin import create_token
from tickets.users import ROLES
from web.keys import CLOCK, SESSIONS
from web.openapi import openapi_document

# per operation, mode and path: ~1,800 requests in well under a minute; a deeper run:
# HOTLINE_FUZZ_EXAMPLES=100 pytest tests/integration/test_api_fuzz.py
EXAMPLES = int(os.environ.get("HOTLINE_FUZZ_EXAMPLES", "12"))
REQUEST_TIMEOUT = 10.0
UNIT = "town.meilong"
# how the handlers refuse a query parameter or a body field they do not know
UNKNOWN_NAME = (
    "unknown parameter",
    "unknown field",
    "not a rule that can be changed",
    "not a sampling rule",
)


@dataclass(frozen=True)
class Target:
    base_url: str
    token: str
    known: dict[str, str]  # path parameter -> the id of something the service has
    http: requests.Session = field(default_factory=requests.Session)  # one keep-alive connection


@dataclass
class Findings:
    sent: int = 0
    server_errors: dict[str, str] = field(default_factory=dict)
    drift: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))


async def _fuzz_token(service: Service) -> str:
    app = service.app
    async with app[SESSIONS]() as session:
        token = await create_token(
            session,
            name="fuzz",
            roles=sorted(set(ROLES) - {"unit"}),
            at=app[CLOCK].now(),
            created_by="tests",
        )
        await session.commit()
    return token


def _refuses_a_documented_name(case: Case, response: schemathesis.Response) -> bool:
    """A valid case (only documented parameters and fields) refused for an unknown name:
    the document and the handler disagree."""
    if case.meta is None or case.meta.generation.mode.is_negative or response.status_code != 400:
        return False
    try:
        message = response.json().get("message", "")
    except ValueError:  # not a JSON error: not one of the handlers' refusals
        return False
    return isinstance(message, str) and any(refusal in message for refusal in UNKNOWN_NAME)


def _cases(operation: APIOperation, path: dict[str, str] | None) -> SearchStrategy[Case]:
    """Valid cases, cases built on the document's examples (real lines, categories and
    units, which take a step further than random text) and invalid cases; an operation
    without parameters or body has no invalid ones."""
    valid = operation.as_strategy(GenerationMode.POSITIVE, path_parameters=path)
    examples = operation.get_strategies_from_examples(path_parameters=path)
    if not (operation.query or operation.body or operation.path_parameters):
        return valid
    invalid = operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=path)
    return st.one_of(valid, *examples, invalid)


def _fuzz_operation(
    operation: APIOperation, path: dict[str, str] | None, target: Target, found: Findings
) -> None:
    headers = {"Authorization": f"Bearer {target.token}"}

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_cases(operation, path))
    def send(case: Case) -> None:
        response = case.call(
            base_url=target.base_url, session=target.http, headers=headers, timeout=REQUEST_TIMEOUT
        )
        found.sent += 1
        found.statuses[operation.label][response.status_code] += 1
        label, curl = operation.label, case.as_curl_command(headers=headers)
        if response.status_code >= 500:
            found.server_errors.setdefault(label, f"{response.text[:300]}\n{curl}")
        elif _refuses_a_documented_name(case, response):
            found.drift.setdefault(label, f"{response.text[:300]}\n{curl}")

    send()


def _fuzz_all(document: dict[str, Any], target: Target) -> Findings:
    """Each operation with generated paths (mostly unknown things), then with the paths
    of the things the service has, so that bodies and queries reach the steps."""
    found = Findings()
    schema = schemathesis.openapi.from_dict(document)
    for result in schema.get_all_operations():
        operation = result.ok()
        names = [parameter.name for parameter in operation.path_parameters]
        known = {name: target.known[name] for name in names if name in target.known}
        for path in (None, known) if known else (None,):
            _fuzz_operation(operation, path, target, found)
    return found


async def _things(service: Service) -> dict[str, str]:
    """A call taken and ended, a web order dispatched to a unit, the default QA form."""
    await service.sim.place_call("12345", CALLER, "", script(talk=3))
    call = await until_ended(service, CALLER)
    order = await api(service, "POST", "/api/orders", web_order(), status=201)
    number = order["number"]
    await api(service, "POST", f"/api/orders/{number}/dispatch", {"main_unit": UNIT})
    forms = await api(service, "GET", "/api/qa/forms")
    today = service.clock.now().astimezone(service.settings.zone).date()
    return {
        "seat": "8001",
        "agent": "1001",
        "user": "1001",
        "server": call.server,
        "call_id": call.call_id,
        "number": number,
        "code": UNIT,
        "id": str(forms["forms"][0]["id"]),
        "day": today.isoformat(),
    }


async def test_no_operation_answers_a_server_error(
    aiohttp_client: ClientFactory, tmp_path: Path, sqlite_url: str
) -> None:
    async with order_service(aiohttp_client, tmp_path, sqlite_url) as service:
        known = await _things(service)
        base_url = str(service.client.make_url("")).rstrip("/")
        target = Target(base_url, await _fuzz_token(service), known)
        document = openapi_document(service.app)
        started = time.monotonic()
        # schemathesis sends with a blocking client: off the loop that serves the requests
        found = await asyncio.to_thread(_fuzz_all, document, target)
        took = time.monotonic() - started
    operations = sum(len(methods) for methods in document["paths"].values())
    assert len(found.statuses) == operations, f"{len(found.statuses)} of {operations} sent"
    # the token is taken everywhere (a wrong password is the only 401): the cases reached
    # the handlers, or this test could not fail
    refused = [label for label, seen in found.statuses.items() if seen[401]]
    assert set(refused) <= {"POST /api/session"}, refused
    assert not found.server_errors, (
        f"{len(found.server_errors)} operations answered 5xx ({found.sent} requests, "
        f"{took:.0f} s):\n\n" + "\n\n".join(f"{k}: {v}" for k, v in found.server_errors.items())
    )
    assert not found.drift, "valid cases refused for a name the document gives:\n\n" + "\n\n".join(
        f"{k}: {v}" for k, v in found.drift.items()
    )
