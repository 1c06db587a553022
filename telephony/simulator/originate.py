"""Action: Originate - call a channel, and when it answers run the dialplan or an application on it.

Asynchronous (``Async: true``): "Originate successfully queued" at once, an
``OriginateResponse`` to every session later (with the ActionID of the
originating session). Synchronous: the response waits for the outcome. The
dialling emits DialBegin/DialEnd with only ``Dest*`` headers, as captured.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from telephony.simulator import legs, pbx
from telephony.simulator.apps import CANONICAL, run_app
from telephony.simulator.channels import UP, Channel, Waker
from telephony.simulator.dial import Leg, dial_event, hang_up_legs, wait_for_answer
from telephony.wire import AmiMessage

if TYPE_CHECKING:
    from telephony.simulator.engine import Engine

DEFAULT_TIMEOUT_MS = 30000
QUEUED = "Originate successfully queued"
# OriginateResponse Reason: the last control frame the outgoing channel saw
REASONS = {
    "ANSWER": "4",
    "NOANSWER": "3",
    "BUSY": "5",
    "CONGESTION": "8",
    "CHANUNAVAIL": "0",
    "CANCEL": "1",
}
_CALLER_ID = re.compile(r'^\s*(?:"(?P<quoted>[^"]*)"|(?P<plain>[^<]*?))\s*<(?P<number>[^>]*)>\s*$')


@dataclass(frozen=True)
class OriginateRequest:
    channel: str
    context: str
    exten: str
    priority: str
    application: str
    data: str
    caller: tuple[str, str] | None
    variables: tuple[tuple[str, str], ...]
    timeout: float
    action_id: str | None


def parse_caller_id(text: str) -> tuple[str, str]:
    """``"Caller" <13800138000>`` -> (number, name); a bare number has no name."""
    match = _CALLER_ID.match(text)
    if match is None:
        return text.strip(), ""
    name = match["quoted"] if match["quoted"] is not None else (match["plain"] or "").strip()
    return match["number"].strip(), name


def parse_variables(message: AmiMessage) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []
    for header in message.get_all("Variable"):
        for item in header.split(","):
            name, sep, value = item.partition("=")
            if sep and name.strip():
                pairs.append((name.strip(), value))
    return tuple(pairs)


async def originate_action(engine: Engine, message: AmiMessage) -> str:
    """Run the action; the returned text is the response Message (an error unless queued)."""
    request = parse_request(engine, message)
    if isinstance(request, str):
        return request
    if (message.get("Async") or "").strip().lower() in ("true", "yes", "1", "on"):
        engine.spawn(originate(engine, request, announce=True), f"originate {request.channel}")
        return QUEUED
    status = await originate(engine, request, announce=False)
    return QUEUED if status == "ANSWER" else "Originate failed"


def parse_request(engine: Engine, message: AmiMessage) -> OriginateRequest | str:
    """The request, or the error text Asterisk answers a bad one with."""
    channel = (message.get("Channel") or "").strip()
    if not channel:
        return "Channel not specified"
    application = (message.get("Application") or "").strip()
    context = (message.get("Context") or "").strip()
    exten = (message.get("Exten") or "").strip()
    priority = (message.get("Priority") or "").strip()
    if not application and not (context and exten and priority):
        return "Originate with 'Exten' requires 'Context' and 'Priority'"
    plan = engine.dialplan
    if (
        priority
        and not priority.isdigit()
        and plan.resolve_priority(context, exten, priority) is None
    ):
        return "Invalid priority"
    timeout_text = (message.get("Timeout") or str(DEFAULT_TIMEOUT_MS)).strip()
    if not timeout_text.isdigit():
        return "Invalid timeout"
    if legs.parse_target(channel) is None:
        return "Invalid channel"
    caller_text = message.get("CallerID")
    return OriginateRequest(
        channel=channel,
        context=context,
        exten=exten,
        priority=priority or "1",
        application=application,
        data=message.get("Data") or "",
        caller=parse_caller_id(caller_text) if caller_text else None,
        variables=parse_variables(message),
        timeout=int(timeout_text) / 1000.0,
        action_id=message.get("ActionID"),
    )


async def originate(engine: Engine, request: OriginateRequest, announce: bool) -> str:
    """Dial the channel; on answer start its dialplan (or application). Returns the DialStatus."""
    if engine.config.originate_seconds:
        await engine.clock.sleep(engine.config.originate_seconds)
    target = legs.parse_target(request.channel)
    peer = legs.request(engine, target, None) if target is not None else None
    if target is None or peer is None:
        if announce:
            _response(engine, request, None, "CHANUNAVAIL")
        return "CHANUNAVAIL"
    engine.newexten(peer, "AppDial2", "(Outgoing Line)")
    for name, value in request.variables:
        engine.set_var(peer, name, value)
    if request.caller is not None:
        engine.set_caller(peer, *request.caller)
        engine.set_connected(peer, *request.caller)
    legs.call(engine, peer, target.optimize)
    dial_event(engine, "DialBegin", None, peer, [("DialString", target.dialstring)])
    result = await wait_for_answer(
        engine, None, [Leg(peer, target.dialstring, engine.clock.monotonic())], request.timeout
    )
    hang_up_legs(engine, result)
    if result.answered is None:
        if announce:
            _response(engine, request, peer, result.status)
        return result.status
    _answered(engine, request, peer)
    if announce:
        # the new dialplan thread runs first; the originate thread reports after it
        await asyncio.sleep(0)
        _response(engine, request, peer, "ANSWER")
    return "ANSWER"


def _answered(engine: Engine, request: OriginateRequest, peer: Channel) -> None:
    engine.set_state(peer, UP)
    dial_event(engine, "DialEnd", None, peer, [("DialStatus", "ANSWER")])
    peer.waker = Waker(engine.clock)
    if request.application:
        peer.pbx_running = True
        engine.spawn(
            _run_application(engine, peer, request.application, request.data), f"app {peer.name}"
        )
        return
    priority = (
        engine.dialplan.resolve_priority(request.context, request.exten, request.priority) or 1
    )
    pbx.start(engine, peer, request.context, request.exten, priority)


async def _run_application(engine: Engine, channel: Channel, application: str, data: str) -> None:
    name = CANONICAL.get(application.lower(), application)
    try:
        engine.newexten(channel, name, data)
        await run_app(engine, channel, name, data)
    finally:
        channel.pbx_running = False
        pbx.end_channel(engine, channel)


def _response(engine: Engine, request: OriginateRequest, peer: Channel | None, status: str) -> None:
    number, name = request.caller or ("", "")
    headers = [("ActionID", request.action_id)] if request.action_id is not None else []
    headers += [
        ("Response", "Success" if status == "ANSWER" else "Failure"),
        ("Channel", peer.name if peer is not None else request.channel),
    ]
    if request.application:
        headers += [("Application", request.application), ("Data", request.data)]
    else:
        headers += [("Context", request.context), ("Exten", request.exten)]
    headers += [
        ("Reason", REASONS.get(status, "0")),
        ("Uniqueid", peer.uniqueid if peer is not None else "<null>"),
        ("CallerIDNum", number or "<unknown>"),
        ("CallerIDName", name or "<unknown>"),
    ]
    engine.bus.emit("OriginateResponse", "call", headers)
