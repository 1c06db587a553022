"""List actions: ``Response: Success`` + ``EventList: start``, items carrying the ActionID,
then ``...Complete`` with ``EventList: Complete`` and ``ListItems: N``.

Where the ActionID sits in an item, and which items have a ``Privilege`` header,
is as in the captures: CoreShowChannel/ListDialplan/DeviceStateChange items
have it second and no Privilege; Status items have ``Privilege: Call`` and it
last. app_queue's lists are in ``queue_manager``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from telephony.simulator.channels import Channel, Headers
from telephony.simulator.dialplan import Extension
from telephony.simulator.server import ActionResult, Session, response
from telephony.wire import AmiMessage, encode_headers

if TYPE_CHECKING:
    from telephony.simulator.asterisk import SimulatedAsterisk
    from telephony.simulator.engine import Engine


CHANNEL_BUCKETS = 1567


def active_calls(engine: Engine) -> int:
    return sum(1 for channel in engine.channels.all() if channel.pbx_running)


def _action_id(message: AmiMessage) -> Headers:
    action_id = message.get("ActionID")
    return [("ActionID", action_id)] if action_id is not None else []


def listing(
    message: AmiMessage, what: str, items: list[bytes], complete: str, extra: Headers | None = None
) -> ActionResult:
    start = response(message, "Success", ("EventList", "start"), ("Message", what))
    end = encode_headers(
        [
            ("Event", complete),
            *_action_id(message),
            ("EventList", "Complete"),
            ("ListItems", str(len(items))),
            *(extra or []),
        ]
    )
    return ActionResult([start, *items, end])


def _duration(seconds: float) -> str:
    whole = max(0, int(seconds))
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def _listed_channels(engine: Engine) -> list[Channel]:
    """Asterisk's channel container order: hash buckets by name (the captures' lists
    of agent_pause and reconnect follow it), creation order within a bucket."""
    channels = engine.channels.all()
    return sorted(channels, key=lambda channel: channel_bucket(channel.name))


def channel_bucket(name: str) -> int:
    """ast_str_case_hash (djb2 with xor, on the lower-cased name, as an unsigned
    32-bit number) modulo AST_NUM_CHANNEL_BUCKETS (1567)."""
    value = 5381
    for byte in name.lower().encode():
        value = (value * 33 ^ byte) & 0xFFFFFFFF
    return value % CHANNEL_BUCKETS


async def core_show_channels(
    sim: SimulatedAsterisk, session: Session, message: AmiMessage
) -> ActionResult:
    engine = sim.engine
    now = sim.clock.time()
    items = [
        encode_headers(
            [
                ("Event", "CoreShowChannel"),
                *_action_id(message),
                *channel.headers(),
                ("Application", channel.app),
                ("ApplicationData", channel.appdata),
                ("Duration", _duration(now - channel.created_at)),
                ("BridgeId", channel.bridge.uniqueid if channel.bridge else ""),
            ]
        )
        for channel in _listed_channels(engine)
    ]
    return listing(message, "Channels will follow", items, "CoreShowChannelsComplete")


async def status(sim: SimulatedAsterisk, session: Session, message: AmiMessage) -> ActionResult:
    engine = sim.engine
    wanted = (message.get("Channel") or "").strip()
    channels = _listed_channels(engine)
    if wanted:
        found = engine.channels.by_name(wanted)
        if found is None:
            return ActionResult([response(message, "Error", ("Message", "No such channel"))])
        channels = [found]
    now = sim.clock.time()
    items = [
        encode_headers([*_status_item(channel, now), *_action_id(message)]) for channel in channels
    ]
    result = listing(
        message, "Channel status will follow", items, "StatusComplete", [("Items", str(len(items)))]
    )
    return result


def _status_item(channel: Channel, now: float) -> Headers:
    return [
        ("Event", "Status"),
        ("Privilege", "Call"),
        *channel.headers(),
        ("Type", channel.tech),
        ("DNID", ""),
        ("EffectiveConnectedLineNum", channel.connected_num or "<unknown>"),
        ("EffectiveConnectedLineName", channel.connected_name or "<unknown>"),
        ("TimeToHangup", "0"),
        ("BridgeID", channel.bridge.uniqueid if channel.bridge else ""),
        ("Application", channel.app),
        ("Data", channel.appdata),
        ("Nativeformats", "(slin)" if channel.tech == "Local" else "(alaw)"),
        ("Readformat", "slin" if channel.tech == "Local" else "alaw"),
        ("Readtrans", ""),
        ("Writeformat", "slin" if channel.tech == "Local" else "alaw"),
        ("Writetrans", ""),
        ("Callgroup", "0"),
        ("Pickupgroup", "0"),
        ("Seconds", str(int(now - channel.created_at))),
    ]


async def show_dialplan(
    sim: SimulatedAsterisk, session: Session, message: AmiMessage
) -> ActionResult:
    plan = sim.engine.dialplan
    wanted = (message.get("Context") or "").strip()
    wanted_exten = (message.get("Extension") or "").strip()
    if wanted and wanted not in plan.contexts:
        text = f"Did not find context {wanted}"
        return ActionResult([response(message, "Error", ("Message", text))])
    contexts = [plan.contexts[wanted]] if wanted else list(plan.contexts.values())
    items: list[bytes] = []
    extensions = 0
    for context in contexts:
        for extension in context.sorted_extensions():
            if not wanted_exten or extension.name == wanted_exten:
                extensions += 1
                items += _dialplan_items(message, context.name, extension)
    totals = [
        ("ListExtensions", str(extensions)),
        ("ListPriorities", str(len(items))),
        ("ListContexts", str(len(contexts))),
    ]
    return listing(message, "DialPlan list will follow", items, "ShowDialPlanComplete", totals)


def _dialplan_items(message: AmiMessage, context: str, extension: Extension) -> list[bytes]:
    items = []
    for priority in sorted(extension.steps):
        step = extension.steps[priority]
        label = [("ExtensionLabel", step.label)] if step.label else []
        items.append(
            encode_headers(
                [
                    ("Event", "ListDialplan"),
                    *_action_id(message),
                    ("Context", context),
                    ("Extension", extension.name),
                    *label,
                    ("Priority", str(priority)),
                    ("Application", step.app),
                    ("AppData", step.data),
                    ("Registrar", "pbx_config"),
                ]
            )
        )
    return items


async def device_state_list(
    sim: SimulatedAsterisk, session: Session, message: AmiMessage
) -> ActionResult:
    items = [
        encode_headers(
            [
                ("Event", "DeviceStateChange"),
                *_action_id(message),
                ("Device", device),
                ("State", state),
            ]
        )
        for device, state in sim.engine.devstate.cache.items()
    ]
    return listing(message, "Device State Changes will follow", items, "DeviceStateListComplete")


LIST_ACTIONS: dict[
    str, Callable[[SimulatedAsterisk, Session, AmiMessage], Awaitable[ActionResult]]
] = {
    "coreshowchannels": core_show_channels,
    "status": status,
    "showdialplan": show_dialplan,
    "devicestatelist": device_state_list,
}
