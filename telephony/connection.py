"""The AMI link to one Asterisk: connect, log in, resync, watch, reconnect; events in order.

``AmiConnection`` replaces panoramisk's ``Manager`` (keeping its protocol class,
hardened in ``protocol.py``). Every (re)connect: TCP, ``Login``, wait for
``FullyBooted`` (its ``Uptime`` tells an Asterisk restart from a reconnect),
``CoreShowChannels`` as a list, then ``on_link_up``. A link silent for
``silence_limit`` seconds (pinged when idle) is dropped. Reconnects wait a jittered
exponential backoff, reset after a successful login. An action is sent at most once.

Everything the handler hears (events, link up, link down) goes through ONE queue
and ONE consumer task, in arrival order; a handler's exception is logged and
counted, and a consumer task that dies is started again.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from telephony.clock import Clock
from telephony.facts import LinkDown, LinkUp
from telephony.protocol import (
    AmiActionFailed,
    AmiError,
    AmiLinkLost,
    AmiNotConnected,
    AmiResponse,
    AmiTimeout,
    ConnectionStats,
    HotlineAmiProtocol,
    clock_timeout,
    new_action_id,
)
from telephony.wire import DEFAULT_MAX_MESSAGE_BYTES, AmiMessage, UnsafeHeader, encode_headers

__all__ = [
    "AmiActionFailed",
    "AmiConnection",
    "AmiEndpoint",
    "AmiError",
    "AmiLinkLost",
    "AmiNotConnected",
    "AmiResponse",
    "AmiTimeout",
    "Backoff",
    "ConnectionStats",
    "LinkHandler",
    "UnsafeHeader",
    "new_action_id",
]

log = logging.getLogger(__name__)

# FullyBooted Uptime is whole seconds and read a moment after it was written.
UPTIME_SLACK = 2.0


@dataclass(frozen=True)
class AmiEndpoint:
    name: str  # the server's name in the service ("pbx1"), used in facts
    host: str
    port: int
    username: str
    secret: str = field(repr=False)
    events: str = "on"  # Login ``Events:``, or a class mask like "call,agent,user,system"


class LinkHandler(Protocol):
    async def on_message(self, message: AmiMessage, received_at: datetime) -> None: ...

    async def on_link_up(self, up: LinkUp, channels: list[AmiMessage]) -> None: ...

    async def on_link_down(self, down: LinkDown) -> None: ...


class Backoff:
    """Jittered exponential delays: ``initial`` doubling up to ``maximum``; each delay is
    drawn from [half, all] of its step so that many clients do not retry in step."""

    def __init__(self, initial: float, maximum: float, rng: random.Random) -> None:
        self.initial = initial
        self.maximum = maximum
        self.rng = rng
        self.attempt = 0

    def next_delay(self) -> float:
        step = min(self.maximum, self.initial * 2.0**self.attempt)
        self.attempt += 1
        return self.rng.uniform(step / 2.0, step)

    def reset(self) -> None:
        self.attempt = 0


class AuthenticationFailed(AmiError):
    """Asterisk refused the username/secret."""


# A handler call and what it is about (for the log); None: stop after what is queued.
_Delivery = tuple[Callable[[], Awaitable[None]], AmiMessage | LinkUp | LinkDown] | None


class EventConsumer:
    """One task makes every queued handler call, one at a time, in order."""

    def __init__(self, server: str, stats: ConnectionStats) -> None:
        self.server = server
        self.stats = stats
        self.queue: asyncio.Queue[_Delivery] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None

    def put(self, delivery: _Delivery) -> None:
        self.queue.put_nowait(delivery)
        self.stats.queue_depth = self.queue.qsize()

    def start(self) -> None:
        self.task = asyncio.get_running_loop().create_task(self._run(), name=f"ami-{self.server}")
        self.task.add_done_callback(self._ended)

    async def stop(self) -> None:
        """Deliver what is queued, then end."""
        self.put(None)
        while self.task is not None and not self.task.done():
            await asyncio.wait({self.task})  # a consumer that died is replaced meanwhile

    async def _run(self) -> None:
        while (delivery := await self.queue.get()) is not None:
            self.stats.queue_depth = self.queue.qsize()
            call, subject = delivery
            try:
                await call()
            except Exception:
                self.stats.handler_errors += 1
                log.exception("AMI %s: the handler failed on %s", self.server, _about(subject))

    def _ended(self, task: asyncio.Task[None]) -> None:
        error = None if task.cancelled() else task.exception()
        if not task.cancelled() and error is None:
            return  # the stop marker was reached
        self.stats.consumer_restarts += 1
        why = "cancelled" if error is None else repr(error)
        text = "AMI %s: the event consumer died (%s); starting it again"
        log.error(text, self.server, why, exc_info=error)
        self.start()


def _about(subject: AmiMessage | LinkUp | LinkDown) -> str:
    if isinstance(subject, AmiMessage):
        return f"event {subject.event} ({subject.get('Uniqueid') or '-'})"
    return repr(subject)


class AmiConnection:
    """The service's link to one Asterisk. ``start`` returns at once; the link lives in
    background tasks until ``stop``."""

    def __init__(
        self,
        endpoint: AmiEndpoint,
        handler: LinkHandler,
        clock: Clock,
        *,
        action_timeout: float = 5.0,
        ping_interval: float = 5.0,
        silence_limit: float = 15.0,
        backoff_initial: float = 1.0,
        backoff_max: float = 30.0,
        rng: random.Random | None = None,
        max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
    ) -> None:
        self.endpoint = endpoint
        self.handler = handler
        self.clock = clock
        self.action_timeout = action_timeout
        self.ping_interval = ping_interval
        self.silence_limit = silence_limit
        self.max_message_bytes = max_message_bytes
        self.backoff = Backoff(backoff_initial, backoff_max, rng or random.Random())
        self.stats = ConnectionStats()
        self._consumer = EventConsumer(endpoint.name, self.stats)
        self._protocol: HotlineAmiProtocol | None = None
        self._runner: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()  # set while actions may be sent
        self._link_is_up = False  # LinkUp queued, LinkDown not yet
        self._stopped = False
        self._last_boot: tuple[int, float] | None = None  # (Uptime, our monotonic then)

    # -- public ---------------------------------------------------------------------

    @property
    def ready(self) -> bool:
        """Logged in, FullyBooted, resynced, and not shutting down."""
        return self._ready.is_set()

    async def start(self) -> None:
        if self._runner is not None:
            return
        self._consumer.start()
        self._runner = asyncio.get_running_loop().create_task(
            self._run(), name=f"ami-link-{self.endpoint.name}"
        )

    async def stop(self) -> None:
        """Logoff if up, close, deliver what is queued (ending with LinkDown), stop tasks."""
        if self._stopped:
            return
        self._stopped = True
        if self.ready:
            with contextlib.suppress(AmiError):
                await self.send({"Action": "Logoff"}, timeout=self.action_timeout)
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
            await self._consumer.stop()

    async def wait_ready(self, timeout: float) -> None:  # noqa: ASYNC109 (on the injected clock)
        try:
            async with clock_timeout(self.clock, timeout):
                await self._ready.wait()
        except TimeoutError:
            text = f"AMI {self.endpoint.name}: not ready within {timeout:g} s"
            raise AmiNotConnected(text) from None

    async def send(
        self,
        action: Mapping[str, str | Sequence[str]],
        *,
        timeout: float | None = None,  # noqa: ASYNC109 (a deadline on the injected clock)
        as_list: bool = False,
    ) -> AmiResponse:
        """Send one action, at most once. Raises UnsafeHeader / AmiNotConnected (nothing
        sent), AmiTimeout / AmiLinkLost (sent, no answer: never re-sent), AmiActionFailed."""
        encode_headers({"ActionID": "-", **action})  # UnsafeHeader before anything else
        protocol = self._protocol
        if protocol is None or not self.ready:
            name = action.get("Action", "?")
            raise AmiNotConnected(f"AMI {self.endpoint.name}: link not up; {name} not sent")
        return await self._request(protocol, action, seconds=timeout, as_list=as_list)

    # -- one session after another -------------------------------------------------------

    async def _run(self) -> None:
        for attempt in itertools.count():
            self.stats.reconnects += attempt > 0
            try:
                await self._session()
            except AuthenticationFailed:
                where = (
                    f"user {self.endpoint.username!r} at {self.endpoint.host}:{self.endpoint.port}"
                )
                log.error("AMI %s: authentication failed for %s", self.endpoint.name, where)
            except (OSError, TimeoutError, AmiError) as exc:
                why = str(exc) or type(exc).__name__
                log.warning("AMI %s: link failed: %s", self.endpoint.name, why)
            delay = self.backoff.next_delay()
            log.info("AMI %s: reconnecting in %.1f s", self.endpoint.name, delay)
            await self.clock.sleep(delay)

    async def _session(self) -> None:
        protocol = await self._connect()
        watchdog = asyncio.get_running_loop().create_task(self._watch(protocol))
        reason = "stopped"
        try:
            await self._login(protocol)
            self.backoff.reset()
            booted = await self._until_booted(protocol)
            await self._resync(protocol, booted)
            reason = await asyncio.shield(protocol.lost)
        finally:
            watchdog.cancel()
            protocol.close(reason)
            self._link_down(protocol, reason)

    async def _connect(self) -> HotlineAmiProtocol:
        loop = asyncio.get_running_loop()
        endpoint = self.endpoint

        def build() -> HotlineAmiProtocol:
            return HotlineAmiProtocol(
                endpoint.name,
                self.clock,
                self.stats,
                self._on_event,
                max_message_bytes=self.max_message_bytes,
            )

        async with clock_timeout(self.clock, self.silence_limit):
            _, protocol = await loop.create_connection(build, endpoint.host, endpoint.port)
        self._protocol = protocol
        return protocol

    async def _login(self, protocol: HotlineAmiProtocol) -> None:
        login = {
            "Action": "Login",
            "Username": self.endpoint.username,
            "Secret": self.endpoint.secret,
            "Events": self.endpoint.events,
        }
        try:
            await self._request(protocol, login, seconds=None, as_list=False)
        except AmiActionFailed as exc:
            if "authentication" in exc.message.lower():
                raise AuthenticationFailed(exc.message) from None
            raise

    async def _until_booted(self, protocol: HotlineAmiProtocol) -> AmiMessage:
        """FullyBooted comes right after the login answer, or when Asterisk ends booting."""
        booted = await asyncio.shield(protocol.booted)
        if booted is None:
            raise AmiLinkLost(f"AMI {self.endpoint.name}: link lost before FullyBooted")
        return booted

    async def _resync(self, protocol: HotlineAmiProtocol, booted: AmiMessage) -> None:
        uptime = _int(booted.get("Uptime"))

        def link_up(answer: AmiResponse) -> None:
            # runs inside the protocol, before any message read after the list:
            # the LinkUp sits in the queue exactly between the events around the snapshot
            up = LinkUp(self.endpoint.name, self.clock.now(), uptime, self._restarted(uptime))
            self.stats.restarts += up.restarted
            self._last_boot = (uptime, self.clock.monotonic())
            channels = list(answer.items)
            self._consumer.put((lambda: self.handler.on_link_up(up, channels), up))
            self._link_is_up = True
            self._ready.set()
            log.info("AMI %s: link up (Asterisk uptime %d s)", self.endpoint.name, uptime)

        pending = protocol.send_action(
            {"Action": "CoreShowChannels"},
            as_list=True,
            timeout=self.action_timeout,
            on_answer=link_up,
        )
        await pending.future

    def _restarted(self, uptime: int) -> bool:
        """Uptime lower than at the last boot plus the time since: Asterisk started again."""
        if self._last_boot is None:
            return False
        last_uptime, seen_at = self._last_boot
        expected = last_uptime + (self.clock.monotonic() - seen_at)
        return uptime + UPTIME_SLACK < expected

    def _link_down(self, protocol: HotlineAmiProtocol, reason: str) -> None:
        if self._protocol is protocol:
            self._protocol = None
        self._ready.clear()
        if not self._link_is_up:
            return
        self._link_is_up = False
        reason = "stopped" if self._stopped else reason
        self.stats.link_losses += 1
        level = logging.INFO if self._stopped else logging.WARNING
        log.log(level, "AMI %s: link down: %s", self.endpoint.name, reason)
        down = LinkDown(self.endpoint.name, self.clock.now(), reason)
        self._consumer.put((lambda: self.handler.on_link_down(down), down))

    async def _watch(self, protocol: HotlineAmiProtocol) -> None:
        """Any byte received is life; idle for ``ping_interval`` -> Ping; silent for
        ``silence_limit`` -> drop the link."""
        pinged_after: float | None = None  # last_received when the pending ping was sent
        while not protocol.closed:
            now = self.clock.monotonic()
            last = protocol.last_received
            if now - last >= self.silence_limit:
                silence = f"silent for {now - last:.0f} s"
                log.warning("AMI %s: %s; dropping the link", self.endpoint.name, silence)
                protocol.abort(silence)
                return
            if now - last >= self.ping_interval and pinged_after != last:
                pinged_after = last
                with contextlib.suppress(AmiError):
                    protocol.ping(timeout=self.silence_limit)
            if pinged_after == last:  # wait for the answer, or for the limit
                wake = min(last + self.silence_limit, now + self.ping_interval)
            else:
                wake = last + self.ping_interval
            await self.clock.sleep(max(wake - now, 0.001))

    # -- messages ---------------------------------------------------------------------

    def _on_event(self, message: AmiMessage) -> None:
        received_at = self.clock.now()
        self._consumer.put((lambda: self.handler.on_message(message, received_at), message))
        if message.event == "Shutdown":
            self._ready.clear()  # EOF follows; the link goes down then
            log.warning("AMI %s: Asterisk is shutting down", self.endpoint.name)

    async def _request(
        self,
        protocol: HotlineAmiProtocol,
        action: Mapping[str, str | Sequence[str]],
        *,
        seconds: float | None,
        as_list: bool,
    ) -> AmiResponse:
        pending = protocol.send_action(
            action, as_list=as_list, timeout=self.action_timeout if seconds is None else seconds
        )
        return await pending.future


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0
