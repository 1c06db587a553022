"""queues.conf: the ``[general]`` section and one section per queue, as app_queue reads them.

Understood: strategy, timeout, retry, wrapuptime, ringinuse, autofill,
autopause, joinempty, leavewhenempty, maxlen, servicelevel, weight,
musicclass, timeoutpriority and static ``member => interface,penalty,name,
state_interface`` lines; in ``[general]`` autofill (the default of every
queue) and shared_lastcall. Everything else is accepted and ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from telephony.simulator.queues import (
    EMPTY_INUSE,
    EMPTY_INVALID,
    EMPTY_PAUSED,
    EMPTY_PENALTY,
    EMPTY_RINGING,
    EMPTY_UNAVAILABLE,
    EMPTY_UNKNOWN,
    EMPTY_WRAPUP,
    Member,
    Queue,
    QueueSet,
)

STRATEGIES = (
    "ringall",
    "leastrecent",
    "fewestcalls",
    "random",
    "rrmemory",
    "rrordered",
    "linear",
    "wrandom",
)
TRUE_WORDS = ("yes", "true", "y", "t", "1", "on")
FALSE_WORDS = ("no", "false", "n", "f", "0", "off")
EMPTY_WORDS = {
    "paused": EMPTY_PAUSED,
    "penalty": EMPTY_PENALTY,
    "inuse": EMPTY_INUSE,
    "ringing": EMPTY_RINGING,
    "invalid": EMPTY_INVALID,
    "wrapup": EMPTY_WRAPUP,
    "unavailable": EMPTY_UNAVAILABLE,
    "unknown": EMPTY_UNKNOWN,
}
DEFAULT_RETRY = 5  # app_queue: a retry of 0 or less means the default
LOOSE = EMPTY_PENALTY | EMPTY_INVALID
STRICT = EMPTY_PENALTY | EMPTY_INVALID | EMPTY_PAUSED | EMPTY_UNAVAILABLE
YES_EMPTY = EMPTY_PENALTY | EMPTY_INVALID | EMPTY_PAUSED


class QueueConfigError(ValueError):
    """queues.conf says something app_queue would refuse."""


def load_queues(path: Path, now: float) -> QueueSet:
    return parse_queues(path.read_text(encoding="utf-8"), int(now))


def parse_queues(text: str, login_time: int) -> QueueSet:
    queues = QueueSet()
    general: dict[str, str] = {}
    sections: list[tuple[Queue, list[tuple[str, str]]]] = []
    current: list[tuple[str, str]] | None = None
    for raw in text.splitlines():
        line = raw.split(";", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and "]" in line:
            name = line[1 : line.index("]")].strip()
            current = None if name == "general" else []
            if current is not None:
                sections.append((Queue(name), current))
            continue
        key, _, value = line.replace("=>", "=", 1).partition("=")
        pair = (key.strip().lower(), value.strip())
        if current is None:
            general[pair[0]] = pair[1]
        else:
            current.append(pair)
    queues.shared_lastcall = _true(general.get("shared_lastcall", "no"))
    for queue, settings in sections:
        queue.autofill = _true(general.get("autofill", "yes"))
        _configure(queue, settings, login_time)
        queues.queues[queue.name] = queue
    return queues


def _configure(queue: Queue, settings: list[tuple[str, str]], login_time: int) -> None:
    for key, value in settings:
        if key == "member":
            queue.members.append(member_line(queue, value, login_time))
        elif key in SETTINGS:
            SETTINGS[key](queue, value)
    for position, member in enumerate(queue.members):
        member.ringinuse = queue.ringinuse
        member.position = position


def member_line(queue: Queue, value: str, login_time: int) -> Member:
    """``interface[,penalty[,membername[,state_interface[,ringinuse[,wrapuptime]]]]]``."""
    parts = [part.strip() for part in value.split(",")]
    interface = parts[0]
    if "/" not in interface:
        raise QueueConfigError(f"queue {queue.name}: bad member {value!r}")
    penalty = _number(parts[1]) if len(parts) > 1 and parts[1] else 0
    name = parts[2] if len(parts) > 2 and parts[2] else interface
    state_interface = parts[3] if len(parts) > 3 and parts[3] else interface
    member = Member(queue.name, name, interface, state_interface, login_time, penalty=penalty)
    if len(parts) > 5 and parts[5]:
        member.wrapuptime = _number(parts[5])
    return member


def parse_empty(value: str, joining: bool) -> int:
    """joinempty / leavewhenempty: a list of conditions, or yes/no/strict/loose."""
    conditions = 0
    for option in (part.strip().lower() for part in value.split(",")):
        if option in EMPTY_WORDS:
            conditions |= EMPTY_WORDS[option]
        elif option == "loose":
            conditions = LOOSE
        elif option == "strict":
            conditions = STRICT
        elif (option in FALSE_WORDS and joining) or (option in TRUE_WORDS and not joining):
            conditions = YES_EMPTY
        elif option in TRUE_WORDS or option in FALSE_WORDS:
            conditions = 0
    return conditions


def _strategy(queue: Queue, value: str) -> None:
    strategy = value.lower()
    if strategy == "roundrobin":
        strategy = "rrmemory"  # the old name
    if strategy not in STRATEGIES:
        raise QueueConfigError(f"queue {queue.name}: unknown strategy {value!r}")
    queue.strategy = strategy


def _autopause(queue: Queue, value: str) -> None:
    lowered = value.lower()
    queue.autopause = "all" if lowered == "all" else "yes" if _true(lowered) else "no"


def _true(value: str) -> bool:
    return value.strip().lower() in TRUE_WORDS


def _number(value: str) -> int:
    try:
        return max(0, int(value))
    except ValueError:
        return 0


def _set(name: str, convert: Callable[[str], object]) -> Callable[[Queue, str], None]:
    def setter(queue: Queue, value: str) -> None:
        setattr(queue, name, convert(value))

    return setter


SETTINGS: dict[str, Callable[[Queue, str], None]] = {
    "strategy": _strategy,
    "timeout": _set("timeout", _number),
    "retry": _set("retry", lambda value: _number(value) or DEFAULT_RETRY),
    "wrapuptime": _set("wrapuptime", _number),
    "servicelevel": _set("servicelevel", _number),
    "maxlen": _set("maxlen", _number),
    "weight": _set("weight", _number),
    "ringinuse": _set("ringinuse", _true),
    "autofill": _set("autofill", _true),
    "autopause": _autopause,
    "joinempty": _set("joinempty", lambda value: parse_empty(value, joining=True)),
    "leavewhenempty": _set("leavewhenempty", lambda value: parse_empty(value, joining=False)),
    "musicclass": _set("musicclass", str),
    "timeoutpriority": _set("timeoutpriority", lambda value: value.lower()),
}
