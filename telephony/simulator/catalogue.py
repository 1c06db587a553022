"""What ``Action: ListCommands`` lists: each action with its synopsis and privilege."""

from __future__ import annotations

SORTED = sorted(
    (
        "Login",
        "Challenge",
        "Logoff",
        "Ping",
        "Events",
        "Setvar",
        "Getvar",
        "Hangup",
        "Redirect",
        "Originate",
        "MixMonitor",
        "StopMixMonitor",
        "Command",
        "CoreSettings",
        "CoreStatus",
        "ListCommands",
        "CoreShowChannels",
        "Status",
        "ShowDialPlan",
        "DeviceStateList",
        "QueueStatus",
        "QueueSummary",
        "QueueAdd",
        "QueueRemove",
        "QueuePause",
    ),
)
SYNOPSIS = {
    "Login": "Login Manager",
    "Challenge": "Generate Challenge for MD5 Auth",
    "Logoff": "Logoff Manager",
    "Ping": "Keepalive command",
    "Events": "Control Event Flow",
    "Setvar": "Sets a channel variable or function value",
    "Getvar": "Gets a channel variable or function value",
    "Hangup": "Hangup channel",
    "Redirect": "Redirect (transfer) a call",
    "Originate": "Originate a call",
    "MixMonitor": "Record a call and mix the audio during the recording",
    "StopMixMonitor": "Stop recording a call through MixMonitor, and free the recording's "
    "file handle",
    "Command": "Execute Asterisk CLI Command",
    "CoreSettings": "Show PBX core settings (version etc)",
    "CoreStatus": "Show PBX core status variables",
    "ListCommands": "List available manager commands",
    "CoreShowChannels": "List currently active channels",
    "Status": "List channel status",
    "ShowDialPlan": "Show dialplan contexts and extensions",
    "DeviceStateList": "List the current known device states",
    "QueueStatus": "Show queue status",
    "QueueSummary": "Show queue summary",
    "QueueAdd": "Add interface to queue",
    "QueueRemove": "Remove interface from queue",
    "QueuePause": "Makes a queue member temporarily unavailable",
}
PRIVILEGE = {
    "Login": "<none>",
    "Challenge": "<none>",
    "Logoff": "<none>",
    "Ping": "<none>",
    "Events": "<none>",
    "Setvar": "call,all",
    "Getvar": "call,reporting,all",
    "Hangup": "system,call,all",
    "Redirect": "call,all",
    "Originate": "originate,all",
    "MixMonitor": "system,all",
    "StopMixMonitor": "system,call,all",
    "Command": "command,all",
    "CoreSettings": "system,reporting,all",
    "CoreStatus": "system,reporting,all",
    "ListCommands": "<none>",
    "CoreShowChannels": "system,reporting,all",
    "Status": "system,call,reporting,all",
    "ShowDialPlan": "config,reporting,all",
    "DeviceStateList": "call,reporting,all",
    "QueueStatus": "<none>",
    "QueueSummary": "<none>",
    "QueueAdd": "agent,all",
    "QueueRemove": "agent,all",
    "QueuePause": "agent,all",
}


def catalogue() -> list[tuple[str, str]]:
    return [
        (name, f"{SYNOPSIS.get(name, name)}.  (Priv: {PRIVILEGE.get(name, 'all')})")
        for name in SORTED
    ]
