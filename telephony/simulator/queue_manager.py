"""app_queue's AMI actions (QueueAdd, QueueRemove, QueuePause, QueueStatus, QueueSummary)
and its ``queue show`` CLI output, with Asterisk 22's texts and header orders.

QueueStatus and QueueSummary items carry the ActionID last and no Privilege
(captures: misc_actions, agent_pause, reconnect).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from telephony.simulator.channels import Headers
from telephony.simulator.lists import listing
from telephony.simulator.queue_members import Change, add_member, remove_member, set_paused
from telephony.simulator.queues import NOT_INUSE, STATUS_TEXT, UNKNOWN, Queue, QueueCaller
from telephony.simulator.server import ActionResult, Session, response
from telephony.wire import AmiMessage, encode_headers

if TYPE_CHECKING:
    from telephony.simulator.asterisk import SimulatedAsterisk

Action = Callable[["SimulatedAsterisk", Session, AmiMessage], Awaitable[ActionResult]]
TRUE_WORDS = ("yes", "true", "y", "t", "1", "on")
ADD_ERRORS = {
    Change.EXISTS: "Unable to add interface: Already there",
    Change.NO_SUCH_QUEUE: "Unable to add interface to queue: No such queue",
}
REMOVE_ERRORS = {
    Change.EXISTS: "Unable to remove interface: Not there",
    Change.NO_SUCH_QUEUE: "Unable to remove interface from queue: No such queue",
    Change.NOT_DYNAMIC: "Member not dynamic",
}


def _answer(message: AmiMessage, status: str, text: str) -> ActionResult:
    return ActionResult([response(message, status, ("Message", text))])


def _number(text: str | None) -> int:
    try:
        return max(0, int((text or "0").strip() or "0"))
    except ValueError:
        return 0


def _header(message: AmiMessage, name: str) -> str:
    return (message.get(name) or "").strip()


async def queue_add(sim: SimulatedAsterisk, session: Session, message: AmiMessage) -> ActionResult:
    queue, interface = _header(message, "Queue"), _header(message, "Interface")
    if not queue:
        return _answer(message, "Error", "'Queue' not specified.")
    if not interface:
        return _answer(message, "Error", "'Interface' not specified.")
    result = add_member(
        sim.engine,
        queue,
        interface,
        name=(message.get("MemberName") or "").strip(),
        penalty=_number(message.get("Penalty")),
        paused=(message.get("Paused") or "").strip().lower() in TRUE_WORDS,
        state_interface=(message.get("StateInterface") or "").strip(),
        wrapuptime=_number(message.get("Wrapuptime")),
    )
    if result is Change.OKAY:
        return _answer(message, "Success", "Added interface to queue")
    return _answer(message, "Error", ADD_ERRORS.get(result, "Out of memory"))


async def queue_remove(
    sim: SimulatedAsterisk, session: Session, message: AmiMessage
) -> ActionResult:
    queue, interface = _header(message, "Queue"), _header(message, "Interface")
    if not queue or not interface:
        return _answer(message, "Error", "Need 'Queue' and 'Interface' parameters.")
    result = remove_member(sim.engine, queue, interface)
    if result is Change.OKAY:
        return _answer(message, "Success", "Removed interface from queue")
    return _answer(message, "Error", REMOVE_ERRORS.get(result, "Out of memory"))


async def queue_pause(
    sim: SimulatedAsterisk, session: Session, message: AmiMessage
) -> ActionResult:
    interface = (message.get("Interface") or "").strip()
    paused_text = (message.get("Paused") or "").strip()
    if not interface or not paused_text:
        return _answer(message, "Error", "Need 'Interface' and 'Paused' parameters.")
    paused = paused_text.lower() in TRUE_WORDS
    queue = (message.get("Queue") or "").strip() or None
    if not set_paused(sim.engine, queue, interface, paused, (message.get("Reason") or "")):
        return _answer(message, "Error", "Interface not found")
    text = "Interface paused successfully" if paused else "Interface unpaused successfully"
    return _answer(message, "Success", text)


def _action_id(message: AmiMessage) -> Headers:
    action_id = message.get("ActionID")
    return [("ActionID", action_id)] if action_id is not None else []


def params_headers(queue: Queue) -> Headers:
    perf, perf2 = queue.service_level_perf()
    return [
        ("Queue", queue.name),
        ("Max", str(queue.maxlen)),
        ("Strategy", queue.strategy),
        ("Calls", str(len(queue.callers))),
        ("Holdtime", str(queue.holdtime)),
        ("TalkTime", str(queue.talktime)),
        ("Completed", str(queue.completed)),
        ("Abandoned", str(queue.abandoned)),
        ("ServiceLevel", str(queue.servicelevel)),
        ("ServicelevelPerf", perf),
        ("ServicelevelPerf2", perf2),
        ("Weight", str(queue.weight)),
    ]


def entry_headers(queue: Queue, caller: QueueCaller, now: int) -> Headers:
    channel = caller.channel
    return [
        ("Queue", queue.name),
        ("Position", str(queue.position(caller))),
        ("Channel", channel.name),
        ("Uniqueid", channel.uniqueid),
        ("CallerIDNum", channel.caller_num or "unknown"),
        ("CallerIDName", channel.caller_name or "unknown"),
        ("ConnectedLineNum", channel.connected_num or "unknown"),
        ("ConnectedLineName", channel.connected_name or "unknown"),
        ("Wait", str(now - int(caller.start))),
        ("Priority", "0"),
    ]


def summary_headers(queue: Queue, now: int) -> Headers:
    logged_in = [m for m in queue.members if m.status not in (4, 5)]
    free = [m for m in logged_in if m.status in (NOT_INUSE, UNKNOWN) and not m.paused]
    longest = now - int(queue.callers[0].start) if queue.callers else 0
    return [
        ("Queue", queue.name),
        ("LoggedIn", str(len(logged_in))),
        ("Available", str(len(free))),
        ("Callers", str(len(queue.callers))),
        ("HoldTime", str(queue.holdtime)),
        ("TalkTime", str(queue.talktime)),
        ("LongestHoldTime", str(longest)),
    ]


async def queue_status(
    sim: SimulatedAsterisk, session: Session, message: AmiMessage
) -> ActionResult:
    wanted = (message.get("Queue") or "").strip()
    member_filter = (message.get("Member") or "").strip()
    now = int(sim.clock.time())
    tail = _action_id(message)
    items: list[bytes] = []
    for queue in sim.engine.queues.queues.values():
        if wanted and queue.name != wanted:
            continue
        items.append(encode_headers([("Event", "QueueParams"), *params_headers(queue), *tail]))
        for member in queue.members:
            if not member_filter or member.interface == member_filter:
                listed = member.list_headers()
                items.append(encode_headers([("Event", "QueueMember"), *listed, *tail]))
        for caller in queue.callers:
            entry = entry_headers(queue, caller, now)
            items.append(encode_headers([("Event", "QueueEntry"), *entry, *tail]))
    return listing(message, "Queue status will follow", items, "QueueStatusComplete")


async def queue_summary(
    sim: SimulatedAsterisk, session: Session, message: AmiMessage
) -> ActionResult:
    wanted = (message.get("Queue") or "").strip()
    now = int(sim.clock.time())
    items = [
        encode_headers(
            [("Event", "QueueSummary"), *summary_headers(queue, now), *_action_id(message)]
        )
        for queue in sim.engine.queues.queues.values()
        if not wanted or queue.name == wanted
    ]
    return listing(message, "Queue summary will follow", items, "QueueSummaryComplete")


def show_lines(queue: Queue, now: int) -> list[str]:
    """``queue show <name>`` output lines."""
    maxlen = "unlimited" if queue.maxlen == 0 else str(queue.maxlen)
    perf, perf2 = queue.service_level_perf()
    lines = [
        f"{queue.name} has {len(queue.callers)} calls (max {maxlen}) in '{queue.strategy}' "
        f"strategy ({queue.holdtime}s holdtime, {queue.talktime}s talktime), W:{queue.weight}, "
        f"C:{queue.completed}, A:{queue.abandoned}, SL:{perf}%, SL2:{perf2}% "
        f"within {queue.servicelevel}s",
        "   Members: " if queue.members else "   No Members",
    ]
    lines += [_member_line(queue, index, now) for index in range(len(queue.members))]
    if not queue.callers:
        return [*lines, "   No Callers", ""]
    lines.append("   Callers: ")
    for position, caller in enumerate(queue.callers, start=1):
        waited = now - int(caller.start)
        wait = f"{waited // 60}:{waited % 60:02d}"
        lines.append(f"      {position}. {caller.channel.name} (wait: {wait}, prio: 0)")
    return [*lines, ""]


def _member_line(queue: Queue, index: int, now: int) -> str:
    member = queue.members[index]
    text = f"      {member.name}"
    if member.name.lower() != member.interface.lower():
        source = member.state_interface
        origin = f" from {source}" if source and source != member.interface else ""
        text += f" ({member.interface}{origin})"
    if member.penalty:
        text += f" with penalty {member.penalty}"
    text += f" (ringinuse {'enabled' if member.ringinuse else 'disabled'})"
    text += " (dynamic)" if member.membership == "dynamic" else ""
    text += " (in call)" if member.started else ""
    if member.paused:
        reason = f":{member.paused_reason}" if member.paused_reason else ""
        text += f" (paused{reason} was {now - member.last_pause} secs ago)"
    text += f" ({STATUS_TEXT.get(member.status, 'Unknown')})"
    if member.calls_taken:
        since = now - member.last_call
        text += f" has taken {member.calls_taken} calls (last was {since} secs ago)"
    else:
        text += " has taken no calls yet"
    return text + f" (login was {now - member.login_time} secs ago)"


QUEUE_ACTIONS: dict[str, Action] = {
    "queueadd": queue_add,
    "queueremove": queue_remove,
    "queuepause": queue_pause,
    "queuestatus": queue_status,
    "queuesummary": queue_summary,
}
