"""The routing lease on a real Redis: one holder per server, takeover when it stops or
is cut off, fencing tokens that make a stale holder's claims fail."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest
import redis.asyncio as aioredis

from acd.lease import LeaseRules, RedisGate
from tests.integration.db_kit import TcpProxy
from tests.integration.instances_kit import FAST_LEASE, REAL, proxied
from tests.integration.service_kit import until

SERVER = "pbx1"
# A holder that renews seldom: it still believes it leads long after its key is gone.
SLOW_RENEWING = LeaseRules(ttl=6.0, renew_every=2.0, retry_every=1.0, margin=1.0, settle=0.2)
# A wide margin: the holder must have stopped well before Redis lets the lease lapse.
WIDE_MARGIN = LeaseRules(
    ttl=2.0, renew_every=0.3, retry_every=0.2, margin=0.8, settle=0.2, redis_timeout=0.2
)


class Told:
    """What a gate told its listeners, in order."""

    def __init__(self, gate: RedisGate) -> None:
        self.changes: list[tuple[str, bool]] = []
        gate.subscribe(lambda server, held: self.changes.append((server, held)))


@contextlib.asynccontextmanager
async def started(gate: RedisGate) -> AsyncIterator[RedisGate]:
    await gate.start()
    try:
        yield gate
    finally:
        await gate.stop()


@contextlib.asynccontextmanager
async def redis_proxy(redis_url: str) -> AsyncIterator[TcpProxy]:
    parts = urlsplit(redis_url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 6379)
    await proxy.start()
    try:
        yield proxy
    finally:
        await proxy.close()


@contextlib.asynccontextmanager
async def redis_client(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.from_url(redis_url, decode_responses=True)
    try:
        yield client
    finally:
        await client.aclose()


def gate(url: str, prefix: str, rules: LeaseRules = FAST_LEASE) -> RedisGate:
    return RedisGate(url, prefix, [SERVER], rules=rules)


async def test_of_two_gates_exactly_one_leads_and_only_it_can_claim(
    redis_url: str, redis_prefix: str
) -> None:
    async with (
        started(gate(redis_url, redis_prefix)) as one,
        started(gate(redis_url, redis_prefix)) as two,
        redis_client(redis_url) as redis,
    ):
        await until(REAL, lambda: one.holds(SERVER) or two.holds(SERVER), 10, "a leader")
        holder, standby = (one, two) if one.holds(SERVER) else (two, one)
        for _ in range(10):  # several renewals and retries later, still one leader
            assert [g.holds(SERVER) for g in (holder, standby)] == [True, False]
            await REAL.sleep(FAST_LEASE.renew_every / 2)
        token = holder.token(SERVER)
        assert await redis.get(f"{redis_prefix}lease:{SERVER}") == f"{holder.instance}:{token}"
        assert await standby.claim(SERVER, "1700000000.1", "8001") is False
        assert await holder.claim(SERVER, "1700000000.1", "8001") is True
        mine = f"{holder.instance}:{token}:"
        assert await redis.get(f"{redis_prefix}claim:caller:{SERVER}:1700000000.1") == mine + "8001"
        assert await redis.get(f"{redis_prefix}claim:seat:{SERVER}:8001") == mine + "1700000000.1"
        await holder.release_seat(SERVER, "8001")
        assert await redis.exists(f"{redis_prefix}claim:seat:{SERVER}:8001") == 0


async def test_when_the_holder_stops_the_standby_leads_with_a_newer_token(
    redis_url: str, redis_prefix: str
) -> None:
    first, second = gate(redis_url, redis_prefix), gate(redis_url, redis_prefix)
    first_told, second_told = Told(first), Told(second)
    async with started(first):
        await until(REAL, lambda: first.holds(SERVER), 10, "the first leads")
        token = first.token(SERVER)
        async with started(second):
            await REAL.sleep(FAST_LEASE.retry_every * 2)  # it tried, and stands by
            assert not second.holds(SERVER)
            await first.stop()
            assert not first.holds(SERVER)
            assert first_told.changes == [(SERVER, True), (SERVER, False)]
            await until(REAL, lambda: second.holds(SERVER), FAST_LEASE.takeover_within, "takeover")
            assert (second.token(SERVER) or 0) > (token or 0)
            assert second_told.changes == [(SERVER, True)]


async def test_a_holder_cut_off_from_redis_stops_leading_before_its_lease_can_lapse(
    redis_url: str, redis_prefix: str
) -> None:
    async with (
        redis_proxy(redis_url) as proxy,
        redis_client(redis_url) as redis,
        contextlib.AsyncExitStack() as stack,
    ):
        cut_off = gate(proxied(redis_url, proxy.port), redis_prefix, WIDE_MARGIN)
        told = Told(cut_off)
        async with started(cut_off):
            await until(REAL, lambda: cut_off.holds(SERVER), 10, "the first leads")
            token = cut_off.token(SERVER)
            other = await stack.enter_async_context(
                started(gate(redis_url, redis_prefix, WIDE_MARGIN))
            )
            await proxy.cut()
            await until(REAL, lambda: not cut_off.holds(SERVER), WIDE_MARGIN.ttl, "it stops")
            # It stopped by its own clock while Redis still kept its lease for it.
            lease = await redis.get(f"{redis_prefix}lease:{SERVER}")
            assert lease == f"{cut_off.instance}:{token}"
            assert told.changes == [(SERVER, True), (SERVER, False)]
            await until(REAL, lambda: other.holds(SERVER), WIDE_MARGIN.takeover_within, "takeover")
            assert (other.token(SERVER) or 0) > (token or 0)

            await proxy.restore()  # healed: the other keeps the lease, this one stands by
            for _ in range(5):
                await REAL.sleep(WIDE_MARGIN.retry_every)
                assert other.holds(SERVER)
                assert not cut_off.holds(SERVER)
            assert await cut_off.claim(SERVER, "1700000000.2", "8002") is False


async def test_a_stale_holder_that_still_believes_it_leads_can_claim_nothing(
    redis_url: str, redis_prefix: str
) -> None:
    stale = gate(redis_url, redis_prefix, SLOW_RENEWING)
    told = Told(stale)
    async with started(stale), redis_client(redis_url) as redis:
        await until(REAL, lambda: stale.holds(SERVER), 10, "the first leads")
        assert await stale.claim(SERVER, "1700000000.3", "8003") is True
        # Its lease lapses unseen (a frozen process), and another instance takes over.
        await redis.delete(f"{redis_prefix}lease:{SERVER}")
        async with started(gate(redis_url, redis_prefix)) as new:
            await until(REAL, lambda: new.holds(SERVER), FAST_LEASE.takeover_within, "takeover")
            assert stale.holds(SERVER)  # it has not renewed since: it still believes it leads
            assert await stale.claim(SERVER, "1700000000.4", "8004") is False
            assert not stale.holds(SERVER)  # the refusal told it
            assert told.changes == [(SERVER, True), (SERVER, False)]
            assert await redis.exists(f"{redis_prefix}claim:caller:{SERVER}:1700000000.4") == 0

            # The new holder may offer the same caller; the stale one cannot undo that.
            assert await new.claim(SERVER, "1700000000.3", "8001") is True
            await stale.release_caller(SERVER, "1700000000.3")
            await stale.release_seat(SERVER, "8003")
            caller_claim = f"{redis_prefix}claim:caller:{SERVER}:1700000000.3"
            assert await redis.get(caller_claim) == f"{new.instance}:{new.token(SERVER)}:8001"
            assert await redis.exists(f"{redis_prefix}claim:seat:{SERVER}:8003") == 0  # its own
            await new.release_caller(SERVER, "1700000000.3")
            assert await redis.exists(caller_claim) == 0


async def test_redis_away_refuses_claims_without_raising_and_leads_once_it_is_back(
    redis_url: str, redis_prefix: str
) -> None:
    async with redis_proxy(redis_url) as proxy:
        await proxy.cut()
        away = gate(proxied(redis_url, proxy.port), redis_prefix)
        async with started(away):
            assert not away.holds(SERVER)
            assert await away.claim(SERVER, "1700000000.5", "8001") is False
            await away.release_caller(SERVER, "1700000000.5")
            await away.release_seat(SERVER, "8001")
            assert await away.keep_fields(SERVER, "lead:seats", {"8001": "{}"}) is False
            await proxy.restore()
            await until(REAL, lambda: away.holds(SERVER), FAST_LEASE.takeover_within, "leads")


@pytest.mark.parametrize(
    ("timings", "problem"),
    [
        ({"ttl": 0}, "positive"),
        ({"margin": 6.0}, "margin"),
        ({"renew_every": 3.0}, "two renewals"),
        ({"settle": 4.8}, "settle"),  # a new holder would lose its lease while it settles
    ],
)
def test_lease_timings_that_cannot_keep_a_lease_are_refused(
    timings: dict[str, float], problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        LeaseRules(**timings)


def test_default_lease_timings_hand_over_within_ten_seconds() -> None:
    assert LeaseRules().takeover_within < 10
