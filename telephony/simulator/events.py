"""Publishing AMI events to the logged-in sessions, filtered by event class.

An event is encoded once and handed to every session whose event mask takes
its class (``call``, ``dialplan``, ``user``, ``agent``, ``system``, ``security``,
``dtmf``). With ``timestampevents`` a ``Timestamp:`` header follows ``Privilege:``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

from telephony.clock import Clock
from telephony.wire import encode_headers

EventListener = Callable[[str, bytes], None]


class EventSink(Protocol):
    """A session as the publisher sees it."""

    def wants(self, event_class: str) -> bool: ...

    def deliver_event(self, data: bytes) -> None: ...


def parse_event_mask(value: str | None) -> frozenset[str] | None:
    """``Events:`` of Login / ``EventMask:`` of Events: None = all, empty = none."""
    if value is None:
        return None
    text = value.strip().lower()
    if text in ("on", "yes", "true", "y", "t", "1", "all", ""):
        return None
    if text in ("off", "no", "false", "n", "f", "0", "none"):
        return frozenset()
    return frozenset(part.strip() for part in text.split(",") if part.strip())


class EventBus:
    def __init__(self, clock: Clock, timestamps: bool = False) -> None:
        self.clock = clock
        self.timestamps = timestamps
        self.sinks: list[EventSink] = []
        self.listeners: list[EventListener] = []
        self.published = 0
        self.muted = False  # a dying Asterisk sends nothing more

    def attach(self, sink: EventSink) -> None:
        if sink not in self.sinks:
            self.sinks.append(sink)

    def detach(self, sink: EventSink) -> None:
        if sink in self.sinks:
            self.sinks.remove(sink)

    def emit(self, event: str, event_class: str, headers: Iterable[tuple[str, str]]) -> None:
        if self.muted:
            return
        prefix = [("Event", event), ("Privilege", f"{event_class},all")]
        if self.timestamps:
            prefix.append(("Timestamp", f"{self.clock.time():.6f}"))
        data = encode_headers([*prefix, *headers])
        self.publish(event, event_class, data)

    def publish(self, event: str, event_class: str, data: bytes) -> None:
        """Hand an encoded event to every interested session."""
        self.published += 1
        for sink in list(self.sinks):
            if sink.wants(event_class):
                sink.deliver_event(data)
        for listener in list(self.listeners):
            listener(event, data)
