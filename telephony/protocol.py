"""panoramisk's ``AMIProtocol``, hardened: one TCP session with one Asterisk.

What it fixes in panoramisk 1.4 (``ami_protocol.py``), for the one session it lives:

* bytes are framed and decoded per whole message (``wire.MessageReader``), never per
  TCP read, so a Chinese caller name split across reads keeps every character;
  garbage, binary and oversized blocks are logged and skipped;
* an action is written at most once: nothing is ever queued for re-sending, and
  every pending action fails with ``AmiLinkLost`` when the session ends;
* header values with CR, LF or NUL are refused before anything is written;
* every action has a deadline on the injected clock (``AmiTimeout``);
* a message is the answer of a pending action only if it is that action's
  ``Response`` or one of its list items; everything else with an ``Event`` header is
  an event, also when it carries an ActionID of ours or of another client.

Reconnecting, logging in, pinging and delivering events live in ``connection.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import secrets
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from panoramisk.ami_protocol import AMIProtocol

from telephony.clock import Clock, Timer
from telephony.wire import DEFAULT_MAX_MESSAGE_BYTES, AmiMessage, MessageReader, encode_headers

log = logging.getLogger(__name__)

ActionHeaders = Mapping[str, str | Sequence[str]]
ACTION_ID_PREFIX = "hotline"
# One per process: a random part, so ActionIDs never collide with other clients'.
PROCESS_INSTANCE = f"{os.getpid():x}{secrets.token_hex(4)}"
_action_counter = itertools.count(1)
# Asterisk 22 answers every failure with "Error"; older ones also said "Fail"/"Failure".
FAILED_RESPONSES = ("Error", "Fail", "Failure")


def new_action_id() -> str:
    """``hotline-<pid+random>-<n>``: unique in this process, distinct from other clients'."""
    return f"{ACTION_ID_PREFIX}-{PROCESS_INSTANCE}-{next(_action_counter)}"


class AmiError(Exception):
    """Every failure of the AMI link or of an action."""


class AmiNotConnected(AmiError):
    """The link is not up: the action was not sent."""


class AmiTimeout(AmiError):
    """The action was sent and got no answer in time. It is never re-sent."""


class AmiLinkLost(AmiError):
    """The action was sent and the link dropped before its answer. It is never re-sent."""


class AmiActionFailed(AmiError):
    """Asterisk answered ``Response: Error``; ``message`` is its ``Message`` header."""

    def __init__(self, action: str, message: str, response: AmiMessage) -> None:
        super().__init__(f"{action} failed: {message}")
        self.action = action
        self.message = message
        self.response = response


@dataclass(frozen=True)
class AmiResponse:
    response: AmiMessage
    items: tuple[AmiMessage, ...] = ()  # list actions: the items before ``EventList: Complete``


@dataclass
class ConnectionStats:
    """Counters of one connection over all its sessions."""

    messages: int = 0
    bytes: int = 0
    reconnects: int = 0  # connection attempts after the first
    actions_sent: int = 0
    timeouts: int = 0
    handler_errors: int = 0
    skipped_garbage: int = 0
    skipped_oversized: int = 0
    queue_depth: int = 0
    last_received_at: datetime | None = None
    restarts: int = 0  # Asterisk restarts seen (FullyBooted Uptime went back)
    consumer_restarts: int = 0  # the event consumer task died and was started again
    link_losses: int = 0


@dataclass
class PendingAction:
    """An action written to the socket, waiting for its answer."""

    action_id: str
    name: str
    as_list: bool
    future: asyncio.Future[AmiResponse]
    on_answer: Callable[[AmiResponse], None] | None = None
    response: AmiMessage | None = None
    items: list[AmiMessage] = field(default_factory=list)
    timer: Timer | None = None
    complete: bool = False  # list actions: ``EventList: Complete`` seen

    def take(self, message: AmiMessage) -> bool:
        """True if ``message`` belongs to this action's answer (then it is consumed)."""
        if message.event is None:
            self.response = message
            # every list action of Asterisk 22 says so: collect its items even if not asked
            self.as_list |= (message.get("EventList") or "").lower() == "start"
            return True
        # OriginateResponse and the like carry our ActionID (and even a Response
        # header) but are events; only list actions own events, as their items.
        if not self.as_list:
            return False
        if (message.get("EventList") or "").lower() == "complete":
            self.complete = True
        else:
            self.items.append(message)
        return True

    @property
    def answered(self) -> bool:
        if self.response is None:
            return False
        if not self.as_list or self.response.response in FAILED_RESPONSES:
            return True
        return (self.response.get("EventList") or "").lower() != "start" or self.complete


@contextlib.asynccontextmanager
async def clock_timeout(clock: Clock, seconds: float) -> AsyncIterator[None]:
    """Like ``asyncio.timeout``, on the injected clock: raises TimeoutError."""
    task = asyncio.current_task()
    assert task is not None
    fired = False

    def expire() -> None:
        nonlocal fired
        fired = True
        task.cancel()

    timer = clock.call_later(seconds, expire)
    try:
        yield
    except asyncio.CancelledError:
        if fired and task.uncancel() == 0:
            raise TimeoutError from None
        raise
    finally:
        timer.cancel()


def _consume_outcome(future: asyncio.Future[AmiResponse]) -> None:
    if not future.cancelled():
        future.exception()  # nobody may await it (pings): mark the error as seen


class HotlineAmiProtocol(AMIProtocol):  # type: ignore[misc]  # panoramisk has no type hints
    """One AMI session. ``on_event`` gets every event in arrival order, synchronously."""

    def __init__(
        self,
        server: str,
        clock: Clock,
        stats: ConnectionStats,
        on_event: Callable[[AmiMessage], None],
        *,
        max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
    ) -> None:
        self.server = server
        self.clock = clock
        self.stats = stats
        self.on_event = on_event
        self.reader = MessageReader(max_message_bytes)
        self.pending: dict[str, PendingAction] = {}
        self.last_received = clock.monotonic()
        self.shutting_down = False
        self._close_reason: str | None = None
        loop = asyncio.get_running_loop()
        self.lost: asyncio.Future[str] = loop.create_future()  # result: why the session ended
        # the FullyBooted event; None if the session ended before it
        self.booted: asyncio.Future[AmiMessage | None] = loop.create_future()
        self.version: str | None = None

    # -- asyncio.Protocol ---------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self.log = log
        self.responses = self.pending  # panoramisk's name for the same table

    def data_received(self, data: bytes) -> None:
        self.last_received = self.clock.monotonic()
        self.stats.bytes += len(data)
        self.stats.last_received_at = self.clock.now()
        before = (self.reader.stats.skipped_garbage, self.reader.stats.skipped_oversized)
        messages = self.reader.feed(data)
        self.stats.messages += len(messages)
        self.stats.skipped_garbage += self.reader.stats.skipped_garbage - before[0]
        self.stats.skipped_oversized += self.reader.stats.skipped_oversized - before[1]
        if self.version is None and self.reader.banner:
            self.version = self.reader.banner.partition("/")[2]
        for message in messages:
            self.handle_message(message)

    def handle_message(self, message: AmiMessage) -> None:
        pending = self.pending.get(message.action_id or "")
        if pending is not None and pending.take(message):
            if pending.answered:
                self._settle(pending)
        elif message.event is not None:
            self._event(message)
        else:
            log.debug("AMI %s: answer to no pending action dropped: %r", self.server, message)

    def eof_received(self) -> bool:
        self._close_reason = self._close_reason or "closed by Asterisk"
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        reason = self._close_reason or (f"connection lost: {exc}" if exc else "connection lost")
        for pending in list(self.pending.values()):
            self._fail(pending, AmiLinkLost(self._lost_text(pending, reason)))
        if not self.booted.done():
            self.booted.set_result(None)
        if not self.lost.done():
            self.lost.set_result(reason)

    # -- actions ----------------------------------------------------------------------

    def send(self, data: ActionHeaders, as_list: bool = False) -> asyncio.Future[AmiResponse]:
        """panoramisk's entry point, kept: returns the future of the answer."""
        return self.send_action(data, as_list=as_list, timeout=30.0).future

    def send_action(
        self,
        headers: ActionHeaders,
        *,
        as_list: bool,
        timeout: float,
        on_answer: Callable[[AmiResponse], None] | None = None,
    ) -> PendingAction:
        """Write one action once. Raises UnsafeHeader or AmiNotConnected; nothing is written then.

        ``on_answer`` runs synchronously with the answer, before any later message
        of the stream is handled (the connection places its LinkUp there).
        """
        pairs, name, action_id = _action_pairs(headers)
        payload = encode_headers(pairs)
        if self.closed or self.transport.is_closing():
            raise AmiNotConnected(f"AMI {self.server}: link closed; {name} not sent")
        if action_id in self.pending:
            raise AmiError(f"ActionID {action_id!r} is already pending")
        future: asyncio.Future[AmiResponse] = asyncio.get_running_loop().create_future()
        pending = PendingAction(action_id, name, as_list, future, on_answer)
        pending.timer = self.clock.call_later(timeout, lambda: self._expire(pending, timeout))
        self.pending[action_id] = pending
        self.transport.write(payload)
        self.stats.actions_sent += 1
        log.debug("AMI %s: sent %s (ActionID %s)", self.server, name, action_id)
        return pending

    def ping(self, timeout: float) -> None:
        """A Ping whose answer nobody awaits: the bytes of the answer are the point."""
        pending = self.send_action({"Action": "Ping"}, as_list=False, timeout=timeout)
        pending.future.add_done_callback(_consume_outcome)

    def close(self, reason: str = "closed by us") -> None:
        """Close without re-queueing anything (panoramisk queues unanswered actions)."""
        self._close_reason = self._close_reason or reason
        if not self.closed:
            self.transport.close()

    def abort(self, reason: str) -> None:
        """Drop the session at once (a silent link: no goodbye)."""
        self._close_reason = self._close_reason or reason
        self.transport.abort()

    # -- inside -----------------------------------------------------------------------

    def _event(self, message: AmiMessage) -> None:
        if message.event == "FullyBooted" and not self.booted.done():
            self.booted.set_result(message)
        elif message.event == "Shutdown":
            # Asterisk closes the socket right after (about 0.2 s in the captures)
            self.shutting_down = True
            self._close_reason = "Asterisk shut down"
        self.on_event(message)

    def _settle(self, pending: PendingAction) -> None:
        self._forget(pending)
        response = pending.response
        assert response is not None
        if response.response in FAILED_RESPONSES:
            text = response.get("Message") or f"Response: {response.response}"
            self._fail(pending, AmiActionFailed(pending.name, text, response))
            return
        answer = AmiResponse(response, tuple(pending.items))
        if pending.on_answer is not None:
            pending.on_answer(answer)
        if not pending.future.done():
            pending.future.set_result(answer)

    def _expire(self, pending: PendingAction, timeout: float) -> None:
        if self.pending.get(pending.action_id) is not pending:
            return
        self.stats.timeouts += 1
        text = f"AMI {self.server}: no answer to {pending.name} ({pending.action_id})"
        text += f" in {timeout:g} s"
        log.warning("%s; not re-sent", text)
        self._fail(pending, AmiTimeout(text + "; not re-sent"))

    def _fail(self, pending: PendingAction, error: AmiError) -> None:
        self._forget(pending)
        if not pending.future.done():
            pending.future.set_exception(error)

    def _forget(self, pending: PendingAction) -> None:
        if self.pending.get(pending.action_id) is pending:
            del self.pending[pending.action_id]
        if pending.timer is not None:
            pending.timer.cancel()

    def _lost_text(self, pending: PendingAction, reason: str) -> str:
        return (
            f"AMI {self.server}: link lost ({reason}) before the answer to {pending.name} "
            f"({pending.action_id}); not re-sent"
        )


def _action_pairs(headers: ActionHeaders) -> tuple[list[tuple[str, object]], str, str]:
    """Action first, then ActionID (ours unless given), then the rest in order."""
    items: Iterable[tuple[str, str | Sequence[str]]] = headers.items()
    rest: list[tuple[str, object]] = []
    name: str | None = None
    action_id: str | None = None
    for key, value in items:
        lowered = key.lower()
        if lowered == "action" and isinstance(value, str):
            name = value
        elif lowered == "actionid" and isinstance(value, str):
            action_id = value
        else:
            rest.append((key, value))
    if not name:
        raise ValueError("an AMI action needs an 'Action' header")
    action_id = action_id or new_action_id()
    return [("Action", name), ("ActionID", action_id), *rest], name, action_id
