"""One small typed function per AMI action the service sends.

Each sends through an ``AmiConnection`` (at most once) and raises only the
connection's errors: ``UnsafeHeader`` (nothing sent), ``AmiNotConnected`` (not
sent), ``AmiTimeout`` / ``AmiLinkLost`` (sent, outcome unknown: watch the events),
``AmiActionFailed`` (Asterisk said ``Response: Error``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from telephony.protocol import AmiResponse, new_action_id
from telephony.wire import AmiMessage, UnsafeHeader


class ActionSender(Protocol):
    """What the actions need of a connection (``AmiConnection`` is one)."""

    async def send(
        self,
        action: Mapping[str, str | Sequence[str]],
        *,
        timeout: float | None = None,  # noqa: ASYNC109 (a deadline on the connection's clock)
        as_list: bool = False,
    ) -> AmiResponse: ...


async def redirect(
    conn: ActionSender, channel: str, context: str, exten: str, priority: int = 1
) -> None:
    """Move a channel to ``context,exten,priority`` (the caller to ``hotline-connect,<seat>,1``)."""
    await conn.send(
        {
            "Action": "Redirect",
            "Channel": channel,
            "Context": context,
            "Exten": exten,
            "Priority": str(priority),
        }
    )


async def originate(
    conn: ActionSender,
    channel: str,
    *,
    context: str | None = None,
    exten: str | None = None,
    priority: int = 1,
    application: str | None = None,
    data: str = "",
    caller_id: str | None = None,
    variables: Mapping[str, str] | None = None,
    timeout_ms: int = 30000,
    action_id: str | None = None,
) -> str:
    """Start a call asynchronously: ``channel`` is rung, then goes to ``context,exten,priority``
    or runs ``application(data)``. Returns the ActionID that its ``OriginateResponse``
    event will carry (the answer only says the originate was queued)."""
    if (application is None) == (context is None or exten is None):
        raise ValueError("originate needs either context and exten, or application")
    action_id = action_id or new_action_id()
    action: dict[str, str | Sequence[str]] = {
        "Action": "Originate",
        "ActionID": action_id,
        "Channel": channel,
        "Timeout": str(timeout_ms),
        "Async": "true",
    }
    if application is not None:
        action.update({"Application": application, "Data": data})
    else:
        action.update({"Context": str(context), "Exten": str(exten), "Priority": str(priority)})
    if caller_id is not None:
        action["CallerID"] = caller_id
    if variables:
        action["Variable"] = [_assignment(name, value) for name, value in variables.items()]
    await conn.send(action)
    return action_id


async def hangup(conn: ActionSender, channel: str, cause: int = 16) -> None:
    """Hang a channel up; cause 16 = normal clearing."""
    await conn.send({"Action": "Hangup", "Channel": channel, "Cause": str(cause)})


async def set_global(conn: ActionSender, name: str, value: str) -> None:
    """A dialplan global (``Setvar`` without a channel)."""
    await conn.send({"Action": "Setvar", "Variable": _name(name), "Value": value})


async def set_channel_var(conn: ActionSender, channel: str, name: str, value: str) -> None:
    await conn.send(
        {"Action": "Setvar", "Channel": channel, "Variable": _name(name), "Value": value}
    )


async def core_show_channels(conn: ActionSender) -> list[AmiMessage]:
    """The live channels: the ``CoreShowChannel`` items of the list."""
    answer = await conn.send({"Action": "CoreShowChannels"}, as_list=True)
    return [item for item in answer.items if item.event == "CoreShowChannel"]


async def ping(conn: ActionSender) -> None:
    await conn.send({"Action": "Ping"})


async def mixmonitor(conn: ActionSender, channel: str, path: str) -> None:
    """Record a channel (both directions mixed) to ``path`` on the Asterisk host."""
    await conn.send({"Action": "MixMonitor", "Channel": channel, "File": path})


async def stop_mixmonitor(conn: ActionSender, channel: str) -> None:
    await conn.send({"Action": "StopMixMonitor", "Channel": channel})


def _name(name: str) -> str:
    if not name or "=" in name:
        raise UnsafeHeader(f"variable name {name!r} is empty or contains '='")
    return name


def _assignment(name: str, value: str) -> str:
    return f"{_name(name)}={value}"
