"""CLI commands for ``Action: Command`` (Asterisk 22: ``Response: Success`` + ``Output:`` lines).

``core show version``, ``core show channels``, ``core show uptime``,
``dialplan show [context]`` and ``queue show [queue]``, formatted as the CLI
prints them; an unknown command gets Asterisk's "No such command" line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from telephony.simulator.channels import STATE_DESC
from telephony.simulator.dialplan import Context
from telephony.simulator.queue_manager import show_lines

if TYPE_CHECKING:
    from telephony.simulator.asterisk import SimulatedAsterisk

VERSION_LINE = (
    "Asterisk 22.10.1 built by root @ vm on a x86_64 running Linux on 2026-11-23 17:58:22 UTC"
)
# Words of the CLI commands Asterisk 22 registers (enough for find_best's suggestion)
KNOWN_COMMANDS = (
    ("!",),
    ("core", "show", "version"),
    ("core", "show", "channels"),
    ("core", "show", "uptime"),
    ("core", "show", "help"),
    ("core", "stop", "now"),
    ("core", "restart", "now"),
    ("core", "reload"),
    ("dialplan", "show"),
    ("dialplan", "reload"),
    ("queue", "show"),
    ("module", "show"),
    ("manager", "show", "connected"),
    ("pjsip", "show", "endpoints"),
)


def run_command(sim: SimulatedAsterisk, text: str) -> tuple[bool, list[str]]:
    """(whether the command exists, its output lines)."""
    words = text.split()
    lowered = [word.lower() for word in words]
    if lowered == ["core", "show", "version"]:
        return True, [VERSION_LINE]
    if lowered[:3] == ["core", "show", "channels"]:
        return True, _channels(sim)
    if lowered == ["core", "show", "uptime"]:
        uptime = int(sim.clock.time() - sim.engine.started_at)
        return True, [f"System uptime: {uptime} seconds", f"Last reload: {uptime} seconds"]
    if lowered[:2] == ["dialplan", "show"]:
        return True, _dialplan(sim, words[2] if len(words) > 2 else None)
    if lowered[:2] == ["queue", "show"]:
        return True, _queues(sim, words[2] if len(words) > 2 else None)
    best = " ".join(_find_best(lowered, words))
    return False, [
        f"No such command '{text}' (type 'core show help {best}' for other possible commands)"
    ]


def _find_best(lowered: list[str], words: list[str]) -> list[str]:
    """cli.c find_best: add words while some command matches them (the last one loosely)."""
    taken: list[str] = []
    for index, word in enumerate(words):
        taken.append(word)
        prefix = lowered[: index + 1]
        if not any(
            len(cmd) == len(prefix) and list(cmd[:-1]) == prefix[:-1] for cmd in KNOWN_COMMANDS
        ):
            break
    return taken


def _channels(sim: SimulatedAsterisk) -> list[str]:
    row = "{:<64.64} {:<32.32} {:<7.7} {:<50.50}"
    lines = [row.format("Channel", "Location", "State", "Application(Data)")]
    channels = sim.engine.channels.all()
    for channel in channels:
        location = f"{channel.exten}@{channel.context}:{channel.priority}"
        app = f"{channel.app}({channel.appdata})" if channel.app else "(None)"
        lines.append(
            row.format(channel.name, location, STATE_DESC.get(channel.state, "Unknown"), app)
        )
    calls = sum(1 for channel in channels if channel.pbx_running)
    lines.append(f"{len(channels)} active channel{'' if len(channels) == 1 else 's'}")
    lines.append(f"{calls} active call{'' if calls == 1 else 's'}")
    processed = sim.engine.processed_calls
    lines.append(f"{processed} call{'' if processed == 1 else 's'} processed")
    return lines


def _dialplan(sim: SimulatedAsterisk, wanted: str | None) -> list[str]:
    plan = sim.engine.dialplan
    if wanted is not None and wanted not in plan.contexts:
        return [f"There is no existence of '{wanted}' context"]
    contexts = [plan.contexts[wanted]] if wanted is not None else list(plan.contexts.values())
    lines: list[str] = []
    extensions = priorities = 0
    for context in contexts:
        shown, count = _context_lines(context, plan.path.name)
        lines += shown
        extensions += len(context.extensions)
        priorities += count
    lines.append(
        f"-= {extensions} extension{'' if extensions == 1 else 's'} ({priorities} "
        f"priorit{'y' if priorities == 1 else 'ies'}) in {len(contexts)} "
        f"context{'' if len(contexts) == 1 else 's'}. =-"
    )
    return lines


def _context_lines(context: Context, filename: str) -> tuple[list[str], int]:
    lines = [f"[ Context '{context.name}' created by 'pbx_config' ]"]
    count = 0
    for extension in context.sorted_extensions():
        for index, priority in enumerate(sorted(extension.steps)):
            step = extension.steps[priority]
            if index == 0:
                name = f"'{extension.name}' =>"
            else:
                name = f"   [{step.label}]" if step.label else ""
            body = f"{priority}. {step.app}({step.data})"
            lines.append(f"  {name:<17} {body:<45} [{filename}:{step.line}]")
            count += 1
    lines.append("")
    return lines, count


def _queues(sim: SimulatedAsterisk, wanted: str | None) -> list[str]:
    queues = sim.engine.queues.queues
    if wanted is not None and wanted not in queues:
        return [f"No such queue: {wanted}."]
    now = int(sim.clock.time())
    lines: list[str] = []
    for queue in queues.values():
        if wanted is None or queue.name == wanted:
            lines += show_lines(queue, now)
    return lines or ["No queues."]
