"""Which instance routes an Asterisk: a lease in Redis with a fencing token (``RedisGate``).

Every instance watches every Asterisk; only the holder of a server's lease routes
its calls and stores them. Keys (``<prefix>`` is the Redis prefix of the service):

- ``<prefix>lease:<server>`` = ``<instance>:<token>``, expiring after ``ttl``;
  taken when absent, renewed by compare-and-pexpire;
- ``<prefix>fence:<server>``: the last fencing token handed out (INCR on each taking);
- ``<prefix>claim:caller:<server>:<call_id>`` and ``<prefix>claim:seat:<server>:<seat>``
  = ``<instance>:<token>:<seat or call_id>``: who made the latest offer of that
  caller and that seat, expiring after ``claim_ttl``.

Safety rests on three rules. The holder stops leading as soon as it cannot have
renewed within ``ttl - margin`` on its own monotonic clock, so it has stopped
before Redis lets anyone else take the lease. Every offer is claimed by one
script that refuses unless the lease is still this holder's and its token is the
latest, so an instance cut off from Redis, or healed after another took over,
offers nothing. A new holder waits ``settle`` seconds before routing, so that
the effects of the previous holder's last Redirects (sent before its lease
lapsed) have reached it over AMI and its seats and queue show them.

Lease timings are real seconds, whatever clock the rest of the service runs on:
Redis expires keys on real time. Redis errors never reach the router: an offer
that cannot be claimed is not made, a release that cannot be sent is left to expire.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from acd.gate import LeaseListener
from acd.lease_scripts import (
    ACQUIRE,
    CLAIM,
    KEEP_FIELDS,
    RELEASE_CLAIM,
    RELEASE_LEASE,
    RENEW,
)
from acd.tasks import end_tasks
from telephony.clock import Clock, SystemClock, Timer

log = logging.getLogger(__name__)

LeadingHook = Callable[[str], Awaitable[None]]
REDIS_ERRORS = (aioredis.RedisError, OSError, TimeoutError)


@dataclass(frozen=True, slots=True)
class LeaseRules:
    """Timings of the lease, in real seconds. The defaults hand a dead holder's
    servers to another instance within ``takeover_within`` = 8.5 s."""

    ttl: float = 6.0  # the lease lapses this long after its last renewal
    renew_every: float = 2.0
    retry_every: float = 1.0  # a standby tries to take the lease this often
    margin: float = 1.0  # the holder stops leading this long before its lease could lapse
    settle: float = 1.0  # a new holder waits this long before routing
    redis_timeout: float = 0.5  # a Redis command slower than this has failed
    claim_ttl: float = 300.0  # claims expire by themselves after this

    def __post_init__(self) -> None:
        if min(self.ttl, self.renew_every, self.retry_every, self.redis_timeout) <= 0:
            raise ValueError("lease timings must be positive")
        if not 0 < self.margin < self.ttl or self.settle < 0:
            raise ValueError("margin must be between 0 and ttl, settle at least 0")
        usable = self.ttl - self.margin
        if 2 * self.renew_every + self.redis_timeout > usable:
            raise ValueError("two renewals must fit in ttl - margin")
        if self.settle + 2 * self.redis_timeout > usable:
            raise ValueError("settle and a renewal must fit in ttl - margin")

    @property
    def takeover_within(self) -> float:
        """Longest time from a holder's last renewal to another instance routing."""
        return self.ttl + self.retry_every + self.settle + self.redis_timeout


@dataclass
class _Lease:
    server: str
    token: int | None = None  # the fencing token of this instance's lease (None: none)
    valid_until: float = 0.0  # monotonic: this instance may act for the server until then
    leading: bool = False  # listeners were told we lead
    expiry: Timer | None = field(default=None, repr=False)


def raise_if_cancelled(error: BaseException) -> None:
    """A Redis error met while this task is being cancelled ends the task all the same:
    redis-py can replace the CancelledError with a connection error from its cleanup."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError from error


def instance_name() -> str:
    """``<host>-<pid>-<random>``: who holds a lease, readable in Redis."""
    host = socket.gethostname().replace(":", "-") or "host"
    return f"{host}-{os.getpid()}-{secrets.token_hex(3)}"


class RedisGate:
    """``OfferGate`` over Redis: leads a server only while it holds the server's lease."""

    def __init__(
        self,
        redis_url: str,
        prefix: str,
        servers: Iterable[str],
        *,
        rules: LeaseRules | None = None,
        clock: Clock | None = None,
        instance: str | None = None,
    ) -> None:
        self.rules = rules or LeaseRules()
        self.prefix = prefix
        self.clock: Clock = clock or SystemClock()
        self.instance = instance or instance_name()
        self.redis: aioredis.Redis = aioredis.from_url(
            redis_url,
            decode_responses=True,
            socket_timeout=self.rules.redis_timeout,
            socket_connect_timeout=self.rules.redis_timeout,
            retry=Retry(NoBackoff(), 0),
        )
        self._scripts = {
            name: self.redis.register_script(body)
            for name, body in (
                ("acquire", ACQUIRE),
                ("renew", RENEW),
                ("release_lease", RELEASE_LEASE),
                ("claim", CLAIM),
                ("release_claim", RELEASE_CLAIM),
                ("keep_fields", KEEP_FIELDS),
            )
        }
        self._leases = {server: _Lease(server) for server in servers}
        self._listeners: list[LeaseListener] = []
        self._hooks: list[LeadingHook] = []
        self._claims: dict[str, str] = {}  # claim key -> the server it belongs to
        self._claims_lock = asyncio.Lock()  # claims and releases reach Redis in call order
        self._tasks: list[asyncio.Task[None]] = []

    # -- OfferGate ----------------------------------------------------------------------

    def holds(self, server: str) -> bool:
        lease = self._leases.get(server)
        return lease is not None and lease.leading and self.clock.monotonic() < lease.valid_until

    def subscribe(self, listener: LeaseListener) -> None:
        self._listeners.append(listener)

    async def claim(self, server: str, call_id: str, seat: str) -> bool:
        lease = self._leases.get(server)
        if lease is None or lease.token is None or not self.holds(server):
            return False
        token = lease.token
        caller_key, seat_key = self._caller_key(server, call_id), self._seat_key(server, seat)
        async with self._claims_lock:
            if not self.holds(server) or lease.token != token:
                return False
            try:
                outcome = await self._scripts["claim"](
                    keys=[self._lease_key(server), self._fence_key(server), caller_key, seat_key],
                    args=[
                        self._value(token),
                        token,
                        _ms(self.rules.claim_ttl),
                        self.instance,
                        call_id,
                        seat,
                    ],
                )
            except REDIS_ERRORS as exc:
                raise_if_cancelled(exc)
                log.warning("claim of %s for seat %s on %s failed: %s", call_id, seat, server, exc)
                return False
        if outcome != "ok":
            log.warning("claim of %s for seat %s refused: %s", call_id, seat, outcome)
            if lease.token == token:
                self._drop(lease, f"the lease is no longer ours ({outcome})")
            return False
        self._claims[caller_key] = self._claims[seat_key] = server
        # The Redirect follows at once: only while the lease is still ours by our clock.
        return self.holds(server) and lease.token == token

    async def release_caller(self, server: str, call_id: str) -> None:
        await self._release_claim(self._caller_key(server, call_id))

    async def release_seat(self, server: str, seat: str) -> None:
        await self._release_claim(self._seat_key(server, seat))

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._tasks = [
            loop.create_task(self._keep(lease), name=f"lease {lease.server}")
            for lease in self._leases.values()
        ]

    async def stop(self) -> None:
        await end_tasks(self._tasks)
        self._tasks = []
        for lease in self._leases.values():
            token = lease.token
            self._drop(lease, "stopping")
            if token is not None:
                try:
                    await self._scripts["release_lease"](
                        keys=[self._lease_key(lease.server)], args=[self._value(token)]
                    )
                except REDIS_ERRORS as exc:
                    log.info("lease of %s not released (lapses by itself): %s", lease.server, exc)
        await self.redis.aclose()

    # -- beyond the seam ----------------------------------------------------------------

    def before_leading(self, hook: LeadingHook) -> None:
        """Run ``hook(server)`` once the lease is ours, before routing starts."""
        self._hooks.append(hook)

    def token(self, server: str) -> int | None:
        """The fencing token of this instance's lease of ``server`` (None: no lease)."""
        lease = self._leases.get(server)
        return lease.token if lease is not None else None

    async def keep_fields(self, server: str, name: str, fields: Mapping[str, str]) -> bool:
        """HSET ``<prefix><name>:<server>`` only while the lease is ours (False: not written)."""
        lease = self._leases.get(server)
        if lease is None or lease.token is None or not fields:
            return False
        args: list[Any] = [self._value(lease.token)]
        for key, value in fields.items():
            args += [key, value]
        try:
            written = await self._scripts["keep_fields"](
                keys=[self._lease_key(server), f"{self.prefix}{name}:{server}"], args=args
            )
        except REDIS_ERRORS as exc:
            raise_if_cancelled(exc)
            log.warning("could not keep %s of %s: %s", name, server, exc)
            return False
        return bool(written)

    async def read_fields(self, server: str, name: str) -> dict[str, str]:
        """What ``keep_fields`` kept (raises the Redis error if Redis cannot be read)."""
        raw = await self.redis.hgetall(f"{self.prefix}{name}:{server}")
        return {str(key): str(value) for key, value in raw.items()}

    # -- the lease ----------------------------------------------------------------------

    async def _keep(self, lease: _Lease) -> None:
        while True:
            if lease.token is None:
                await self._take(lease)
            if lease.token is not None and await self._renew(lease) and not lease.leading:
                self._lead(lease)
            await self.clock.sleep(
                self.rules.renew_every if lease.token is not None else self.rules.retry_every
            )

    async def _take(self, lease: _Lease) -> None:
        """Take the lease if it is free, then let the previous holder's last offers show."""
        try:
            token = await self._scripts["acquire"](
                keys=[self._lease_key(lease.server), self._fence_key(lease.server)],
                args=[self.instance, _ms(self.rules.ttl)],
            )
        except REDIS_ERRORS as exc:
            raise_if_cancelled(exc)
            log.debug("lease of %s not taken: %s", lease.server, exc)
            return
        if not token:
            return
        lease.token = int(token)
        log.info("took the lease of %s (token %s)", lease.server, token)
        await self.clock.sleep(self.rules.settle)
        await self._run_hooks(lease.server)

    async def _renew(self, lease: _Lease) -> bool:
        token = lease.token
        if token is None:
            return False
        sent = self.clock.monotonic()
        try:
            renewed = await self._scripts["renew"](
                keys=[self._lease_key(lease.server)],
                args=[self._value(token), _ms(self.rules.ttl)],
            )
        except REDIS_ERRORS as exc:
            raise_if_cancelled(exc)
            log.warning("lease of %s not renewed: %s", lease.server, exc)
            return False
        if lease.token != token:
            return False  # given up meanwhile: the key lapses by itself
        if not renewed:
            self._drop(lease, "taken by another instance or lapsed")
            return False
        # Redis restarted the TTL when it got the command, after we sent it.
        lease.valid_until = sent + self.rules.ttl - self.rules.margin
        if lease.leading:
            self._schedule_expiry(lease)
        return True

    def _lead(self, lease: _Lease) -> None:
        lease.leading = True
        self._schedule_expiry(lease)
        log.info("leading %s (token %s)", lease.server, lease.token)
        self._tell(lease.server, True)

    def _schedule_expiry(self, lease: _Lease) -> None:
        if lease.expiry is not None:
            lease.expiry.cancel()
        token = lease.token

        def expire() -> None:
            if lease.token == token and self.clock.monotonic() >= lease.valid_until:
                self._drop(lease, "not renewed in time")

        lease.expiry = self.clock.call_later(
            max(0.0, lease.valid_until - self.clock.monotonic()), expire
        )

    def _drop(self, lease: _Lease, why: str) -> None:
        if lease.expiry is not None:
            lease.expiry.cancel()
            lease.expiry = None
        was_leading, lease.leading, lease.token = lease.leading, False, None
        if was_leading:
            log.warning("no longer leading %s: %s", lease.server, why)
            self._tell(lease.server, False)

    def _tell(self, server: str, held: bool) -> None:
        for listener in list(self._listeners):
            try:
                listener(server, held)
            except Exception:
                log.exception("lease listener failed on %s (held=%s)", server, held)

    async def _run_hooks(self, server: str) -> None:
        for hook in list(self._hooks):
            try:
                await hook(server)
            except Exception:
                log.exception("taking over %s: a hook failed; leading all the same", server)

    # -- claims -------------------------------------------------------------------------

    async def _release_claim(self, key: str) -> None:
        if self._claims.pop(key, None) is None:
            return  # not ours: a standby's seats change too, and tell us
        async with self._claims_lock:
            try:
                await self._scripts["release_claim"](keys=[key], args=[f"{self.instance}:"])
            except REDIS_ERRORS as exc:
                raise_if_cancelled(exc)
                log.info("claim %s not released (expires by itself): %s", key, exc)

    # -- names --------------------------------------------------------------------------

    def _value(self, token: int) -> str:
        return f"{self.instance}:{token}"

    def _lease_key(self, server: str) -> str:
        return f"{self.prefix}lease:{server}"

    def _fence_key(self, server: str) -> str:
        return f"{self.prefix}fence:{server}"

    def _caller_key(self, server: str, call_id: str) -> str:
        return f"{self.prefix}claim:caller:{server}:{call_id}"

    def _seat_key(self, server: str, seat: str) -> str:
        return f"{self.prefix}claim:seat:{server}:{seat}"


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))
