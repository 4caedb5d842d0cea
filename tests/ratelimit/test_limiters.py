"""The counter stores on their own: the same behaviour from memory and from Redis."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from destek.errors import TooManyRequests
from destek.ratelimit import RateLimits, Rule
from destek.ratelimit.base import Bucket, Hit, Limiter
from destek.ratelimit.memory import MemoryLimiter
from destek.ratelimit.redis import RedisLimiter
from tests.ratelimit.conftest import Clock
from tests.support.server import free_port

THREE_PER_MINUTE = Rule("test:three", 3, 60, "tries")


async def hit(limiter: Limiter, name: str, window: float = 60) -> Hit:
    (one,) = await limiter.hit([Bucket(name, window)])
    return one


@pytest.fixture
async def limiter(bus_url: str | None, clock: Clock) -> AsyncIterator[Limiter]:
    """A memory limiter, or a Redis one under a prefix of its own (its keys removed afterwards)."""
    if bus_url is None:
        yield MemoryLimiter(clock=clock)
        return
    prefix = f"destek:test:{uuid.uuid4().hex}:"
    made = RedisLimiter(bus_url, prefix=prefix, clock=clock)
    try:
        yield made
    finally:
        await made.aclose()
        redis = aioredis.from_url(bus_url)
        keys = [key async for key in redis.scan_iter(match=f"{prefix}*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()


async def test_hits_are_counted_per_bucket_until_the_window_ends(limiter: Limiter, clock: Clock) -> None:
    counts = [(await hit(limiter, "a", 60)).count for _ in range(3)]
    assert counts == [1, 2, 3]
    assert (await hit(limiter, "b", 60)).count == 1  # another bucket counts apart

    clock.advance(45)
    counted = await hit(limiter, "a", 60)
    assert counted.count == 4
    assert counted.retry_after == pytest.approx(14.5)  # the window ends a minute after it began

    clock.advance(15)  # the next window
    counted = await hit(limiter, "a", 60)
    assert counted.count == 1
    assert counted.retry_after == pytest.approx(59.5)


async def test_one_step_counts_several_buckets(limiter: Limiter, clock: Clock) -> None:
    await hit(limiter, "minute", 60)
    both = await limiter.hit([Bucket("minute", 60), Bucket("five minutes", 300)])
    assert [h.count for h in both] == [2, 1]
    assert [h.retry_after for h in both] == [pytest.approx(59.5), pytest.approx(299.5)]


async def test_the_limit_refuses_past_it_with_the_time_to_wait(limiter: Limiter, clock: Clock) -> None:
    limits = RateLimits(limiter)
    for _ in range(3):
        await limits.check((THREE_PER_MINUTE, "client"))
    clock.advance(20)
    with pytest.raises(TooManyRequests) as refused:
        await limits.check((THREE_PER_MINUTE, "client"))
    assert refused.value.retry_after == 40  # 39.5 s left, rounded up
    assert refused.value.message == "too many tries: try again in 40 seconds"
    assert refused.value.as_dict() == {
        "error": {
            "code": "rate_limited",
            "message": "too many tries: try again in 40 seconds",
            "field": None,
            "retry_after": 40,
        }
    }
    await limits.check((THREE_PER_MINUTE, "another client"))

    clock.advance(40)
    await limits.check((THREE_PER_MINUTE, "client"))


async def test_a_request_counted_by_several_rules_waits_for_the_longest(limiter: Limiter) -> None:
    five_minutes = Rule("test:slow", 1, 300, "slow tries")
    limits = RateLimits(limiter)
    await limits.check((THREE_PER_MINUTE, "x"), (five_minutes, "x"))
    with pytest.raises(TooManyRequests) as refused:
        await limits.check((THREE_PER_MINUTE, "x"), (five_minutes, "x"))
    assert refused.value.retry_after == 300
    assert "slow tries" in refused.value.message


async def test_the_scale_multiplies_every_limit_and_off_counts_nothing(limiter: Limiter) -> None:
    doubled = RateLimits(limiter, scale=2)
    for _ in range(6):
        await doubled.check((THREE_PER_MINUTE, "doubled"))
    with pytest.raises(TooManyRequests):
        await doubled.check((THREE_PER_MINUTE, "doubled"))

    tiny = RateLimits(limiter, scale=0.01)
    await tiny.check((THREE_PER_MINUTE, "tiny"))  # never below one
    with pytest.raises(TooManyRequests):
        await tiny.check((THREE_PER_MINUTE, "tiny"))

    off = RateLimits(limiter, enabled=False)
    for _ in range(10):
        await off.check((THREE_PER_MINUTE, "off"))
    assert (await hit(limiter, "test:three:off", 60)).count == 1


async def test_memory_forgets_ended_windows(clock: Clock) -> None:
    limiter = MemoryLimiter(clock=clock)
    for n in range(100):
        await hit(limiter, f"client {n}", 60)
    assert len(limiter) == 100
    clock.advance(60)
    await hit(limiter, "one more", 60)
    assert len(limiter) == 1


@pytest.mark.parametrize("bus_url", ["redis"], indirect=True)
async def test_redis_keys_expire_when_their_window_ends(limiter: Limiter, bus_url: str, clock: Clock) -> None:
    assert isinstance(limiter, RedisLimiter)
    await hit(limiter, "a", 60)
    redis = aioredis.from_url(bus_url)
    try:
        keys = [key async for key in redis.scan_iter(match=f"{limiter.prefix}*")]
        assert len(keys) == 1
        expires_at = await redis.expiretime(keys[0])
    finally:
        await redis.aclose()
    assert expires_at == int(clock.now - 0.5) + 60 + 1  # the window's end, and a second of slack


async def test_redis_down_lets_requests_through_and_says_so(
    clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    limiter = RedisLimiter(f"redis://127.0.0.1:{free_port()}/0", prefix="destek:test:down:", clock=clock)
    limits = RateLimits(limiter)
    try:
        with caplog.at_level(logging.WARNING, logger="destek.ratelimit.redis"):
            for _ in range(10):  # far past the limit of three
                await limits.check((THREE_PER_MINUTE, "client"))
    finally:
        await limiter.aclose()
    warnings = [r.getMessage() for r in caplog.records if r.name == "destek.ratelimit.redis"]
    # One warning for the outage, not one per request: Redis is left alone for a few seconds.
    assert len(warnings) == 1
    assert "requests are let through" in warnings[0]
