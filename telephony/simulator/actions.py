"""AMI actions of the simulated Asterisk: login and session control, call control, variables.

Responses, error texts and header orders are those of Asterisk 22 in the
captures (misc_actions, login_ok, login_bad_secret). List actions live in
``lists``, CLI commands in ``commands``, Originate in ``originate``.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from telephony.simulator import lists, originate, pbx, queue_manager
from telephony.simulator.apps import MONITOR_DIR
from telephony.simulator.catalogue import catalogue
from telephony.simulator.channels import Channel
from telephony.simulator.commands import run_command
from telephony.simulator.events import parse_event_mask
from telephony.simulator.server import ActionResult, Session, response
from telephony.wire import AmiMessage, encode_headers

if TYPE_CHECKING:
    from telephony.simulator.asterisk import SimulatedAsterisk

Action = Callable[["SimulatedAsterisk", Session, AmiMessage], Awaitable[ActionResult]]

FAILED_LOGIN_DELAY = 1.0  # seconds Asterisk waits before "Authentication failed"
UNAUTHENTICATED_ACTIONS = ("login", "challenge", "logoff")


def ok(message: AmiMessage, *headers: tuple[str, str]) -> ActionResult:
    return ActionResult([response(message, "Success", *headers)])


def error(message: AmiMessage, text: str, executed: bool = True) -> ActionResult:
    return ActionResult([response(message, "Error", ("Message", text))], executed=executed)


def event_tv(seconds: float) -> str:
    stamp = datetime.fromtimestamp(seconds, tz=UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}+0000"


def security_addresses(sim: SimulatedAsterisk, session: Session) -> list[tuple[str, str]]:
    return [
        ("SessionID", session.session_id),
        ("LocalAddress", f"IPV4/TCP/{sim.config.host}/{session.local_port}"),
        ("RemoteAddress", f"IPV4/TCP/{session.remote_host}/{session.remote_port}"),
    ]


async def handle(sim: SimulatedAsterisk, session: Session, message: AmiMessage) -> ActionResult:
    name = message.get("Action")
    if name is None:
        return error(message, "Missing action in request", executed=False)
    lowered = name.lower()
    if not session.authenticated and lowered not in UNAUTHENTICATED_ACTIONS:
        return error(message, "Permission denied", executed=False)
    action = ACTIONS.get(lowered)
    if action is None:
        sim.engine.bus.emit(
            "RequestBadFormat",
            "security",
            [
                ("EventTV", event_tv(sim.clock.time())),
                ("Severity", "Error"),
                ("Service", "AMI"),
                ("EventVersion", "1"),
                *security_addresses(sim, session),
                ("RequestType", f"Action: {name}"),
                ("SessionTV", event_tv(session.started)),
                ("AccountID", session.username),
            ],
        )
        text = (
            f"Invalid/unknown command: {name}. Use Action: ListCommands to show available commands."
        )
        return error(message, text, executed=False)
    return await action(sim, session, message)


async def login(sim: SimulatedAsterisk, session: Session, message: AmiMessage) -> ActionResult:
    username = message.get("Username") or ""
    if (message.get("AuthType") or "").lower() == "md5":
        expected = hashlib.md5(f"{session.challenge}{sim.config.secret}".encode()).hexdigest()
        accepted = session.challenge is not None and (message.get("Key") or "").lower() == expected
    else:
        accepted = message.get("Secret") == sim.config.secret
    if not accepted or username != sim.config.username:
        await sim.clock.sleep(FAILED_LOGIN_DELAY)
        result = error(message, "Authentication failed", executed=False)
        result.then_close = True
        return result
    session.authenticated = True
    session.username = username
    session.mask = parse_event_mask(message.get("Events"))
    if session.wants("system"):
        session.deliver_event(_fully_booted(sim))
    sim.engine.bus.emit(
        "SuccessfulAuth",
        "security",
        [
            ("EventTV", event_tv(sim.clock.time())),
            ("Severity", "Informational"),
            ("Service", "AMI"),
            ("EventVersion", "1"),
            ("AccountID", username),
            *security_addresses(sim, session),
            ("UsingPassword", "0"),
            ("SessionTV", event_tv(session.started)),
        ],
    )
    return ok(message, ("Message", "Authentication accepted"))


def _fully_booted(sim: SimulatedAsterisk) -> bytes:
    """Sent to the new session only, so never with a Timestamp (queue_latency_20)."""
    now = sim.clock.time()
    return encode_headers(
        [
            ("Event", "FullyBooted"),
            ("Privilege", "system,all"),
            ("Uptime", str(int(now - sim.engine.started_at))),
            ("LastReload", str(int(now - sim.engine.reloaded_at))),
            ("Status", "Fully Booted"),
        ]
    )


async def challenge(sim: SimulatedAsterisk, session: Session, message: AmiMessage) -> ActionResult:
    if (message.get("AuthType") or "").lower() != "md5":
        return error(message, "Must specify AuthType")
    session.challenge = str(100_000_000 + secrets.randbelow(900_000_000))
    return ok(message, ("Challenge", session.challenge))


async def logoff(sim: SimulatedAsterisk, session: Session, message: AmiMessage) -> ActionResult:
    return ActionResult(
        [response(message, "Goodbye", ("Message", "Thanks for all the fish."))], then_close=True
    )


async def ping(sim: SimulatedAsterisk, session: Session, message: AmiMessage) -> ActionResult:
    return ok(message, ("Ping", "Pong"), ("Timestamp", f"{sim.clock.time():.6f}"))


async def events(sim: SimulatedAsterisk, session: Session, message: AmiMessage) -> ActionResult:
    session.mask = parse_event_mask(message.get("EventMask"))
    return ok(message, ("Events", "Off" if session.mask == frozenset() else "On"))


def find_channel(sim: SimulatedAsterisk, name: str) -> Channel | None:
    return sim.engine.channels.by_name(name.strip())


async def setvar(sim: SimulatedAsterisk, session: Session, message: AmiMessage) -> ActionResult:
    variable = message.get("Variable") or ""
    if not variable:
        return error(message, "No variable specified")
    name = message.get("Channel") or ""
    channel: Channel | None = None
    if name:
        channel = find_channel(sim, name)
        if channel is None:
            return error(message, "No such channel")
    sim.engine.set_var(channel, variable, message.get("Value") or "")
    return ok(message, ("Message", "Variable Set"))


async def getvar(sim: SimulatedAsterisk, session: Session, message: AmiMessage) -> ActionResult:
    variable = message.get("Variable") or ""
    if not variable:
        return error(message, "No variable specified")
    name = message.get("Channel") or ""
    channel: Channel | None = None
    if name:
        channel = find_channel(sim, name)
        if channel is None:
            return error(message, "No such channel")
    value = pbx.expand(sim.engine, channel, "${" + variable + "}")
    return ok(message, ("Variable", variable), ("Value", value))


async def hangup(sim: SimulatedAsterisk, session: Session, message: AmiMessage) -> ActionResult:
    name = (message.get("Channel") or "").strip()
    if not name:
        return error(message, "No channel specified")
    cause_text = (message.get("Cause") or "").strip()
    cause = int(cause_text) if cause_text.isdigit() else 16
    if len(name) > 2 and name.startswith("/") and name.endswith("/"):
        pattern = re.compile(name[1:-1])
        matched = [c for c in sim.engine.channels.all() if pattern.search(c.name)]
        for each in matched:
            sim.engine.soft_hangup(each, cause)
        return ok(message, ("Message", f"Channels hungup: {len(matched)}"))
    channel = find_channel(sim, name)
    if channel is None:
        return error(message, "No such channel")
    sim.engine.soft_hangup(channel, cause)
    return ok(message, ("Message", "Channel Hungup"))


async def redirect(sim: SimulatedAsterisk, session: Session, message: AmiMessage) -> ActionResult:
    name = (message.get("Channel") or "").strip()
    if not name:
        return error(message, "Channel not specified")
    channel = find_channel(sim, name)
    context = message.get("Context") or (channel.context if channel else "")
    exten = message.get("Exten") or (channel.exten if channel else "")
    priority = (message.get("Priority") or "1").strip()
    if (
        not priority.isdigit()
        and sim.engine.dialplan.resolve_priority(context, exten, priority) is None
    ):
        return error(message, "Invalid priority")
    if channel is None:
        return error(message, f"Channel does not exist: {name}")
    if channel.hung_up:
        return error(message, "Redirect failed, channel not up.")
    extra_name = (message.get("ExtraChannel") or "").strip()
    extra = find_channel(sim, extra_name) if extra_name else None
    if extra is not None and extra.hung_up:
        return error(message, "Redirect failed, extra channel not up.")
    pbx.redirect(sim.engine, channel, context, exten, priority)
    if extra_name:
        if extra is None:
            return error(message, "Secondary redirect failed")
        pbx.redirect(
            sim.engine,
            extra,
            message.get("ExtraContext") or context,
            message.get("ExtraExten") or exten,
            message.get("ExtraPriority") or priority,
        )
        return ok(message, ("Message", "Dual Redirect successful"))
    return ok(message, ("Message", "Redirect successful"))


async def originate_action(
    sim: SimulatedAsterisk, session: Session, message: AmiMessage
) -> ActionResult:
    text = await originate.originate_action(sim.engine, message)
    return (
        ok(message, ("Message", text))
        if text.startswith("Originate successfully")
        else error(message, text)
    )


async def mixmonitor(sim: SimulatedAsterisk, session: Session, message: AmiMessage) -> ActionResult:
    name = (message.get("Channel") or "").strip()
    if not name:
        return error(message, "No channel specified")
    channel = find_channel(sim, name)
    if channel is None:
        return error(message, "No such channel")
    filename = (message.get("File") or "").strip() or f"{channel.uniqueid}.wav"
    if not filename.startswith("/"):
        filename = f"{sim.config.recordings_dir or MONITOR_DIR}/{filename}"
    sim.engine.set_var(channel, "MIXMONITOR_FILENAME", filename)
    sim.engine.channel_event("MixMonitorStart", "call", channel)
    sim.engine.recorder.start(channel, filename)
    return ok(message)


async def stopmixmonitor(
    sim: SimulatedAsterisk, session: Session, message: AmiMessage
) -> ActionResult:
    name = (message.get("Channel") or "").strip()
    if not name:
        return error(message, "No channel specified")
    channel = find_channel(sim, name)
    if channel is None:
        return error(message, "No such channel")
    if not sim.engine.recorder.stop(channel):
        return error(message, "Could not stop MixMonitor")
    sim.engine.channel_event("MixMonitorStop", "call", channel)
    return ok(message)


async def command(sim: SimulatedAsterisk, session: Session, message: AmiMessage) -> ActionResult:
    text = (message.get("Command") or "").strip()
    if not text:
        return error(message, "No command provided")
    found, lines = run_command(sim, text)
    status = "Success" if found else "Error"
    headers = [("Message", "Command output follows"), *[("Output", line) for line in lines]]
    return ActionResult([response(message, status, *headers)])


async def core_settings(
    sim: SimulatedAsterisk, session: Session, message: AmiMessage
) -> ActionResult:
    return ok(
        message,
        ("AMIversion", "11.0.0"),
        ("AsteriskVersion", "22.10.1"),
        ("SystemName", ""),
        ("CoreMaxCalls", "500"),
        ("CoreMaxLoadAvg", "0.000000"),
        ("CoreRunUser", ""),
        ("CoreRunGroup", ""),
        ("CoreMaxFilehandles", "0"),
        ("CoreRealTimeEnabled", "No"),
        ("CoreCDRenabled", "Yes"),
        ("CoreHTTPenabled", "No"),
        ("SoundsSearchCustomDir", "No"),
    )


async def core_status(
    sim: SimulatedAsterisk, session: Session, message: AmiMessage
) -> ActionResult:
    started = datetime.fromtimestamp(sim.engine.started_at, tz=UTC)
    reloaded = datetime.fromtimestamp(sim.engine.reloaded_at, tz=UTC)
    return ok(
        message,
        ("CoreStartupDate", started.strftime("%Y-%m-%d")),
        ("CoreStartupTime", started.strftime("%H:%M:%S")),
        ("CoreReloadDate", reloaded.strftime("%Y-%m-%d")),
        ("CoreReloadTime", reloaded.strftime("%H:%M:%S")),
        ("CoreCurrentCalls", str(lists.active_calls(sim.engine))),
        ("CoreProcessedCalls", str(sim.engine.processed_calls)),
    )


async def list_commands(
    sim: SimulatedAsterisk, session: Session, message: AmiMessage
) -> ActionResult:
    return ok(message, *catalogue())


ACTIONS: dict[str, Action] = {
    "login": login,
    "challenge": challenge,
    "logoff": logoff,
    "ping": ping,
    "events": events,
    "setvar": setvar,
    "getvar": getvar,
    "hangup": hangup,
    "redirect": redirect,
    "originate": originate_action,
    "mixmonitor": mixmonitor,
    "stopmixmonitor": stopmixmonitor,
    "command": command,
    "coresettings": core_settings,
    "corestatus": core_status,
    "listcommands": list_commands,
    **lists.LIST_ACTIONS,
    **queue_manager.QUEUE_ACTIONS,
}
