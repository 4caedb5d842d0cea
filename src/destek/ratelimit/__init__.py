"""Rate limits on logins and the public client API: counters in memory (one node) or in Redis
(shared by the nodes), chosen like the bus. docs/configuration.md, docs/api.md."""

from __future__ import annotations

from destek.config import Settings
from destek.ratelimit.base import Bucket, Hit, Limiter
from destek.ratelimit.memory import MemoryLimiter
from destek.ratelimit.rules import RULES, RateLimits, Rule


def make_limiter(settings: Settings) -> Limiter:
    if settings.redis_url:
        from destek.ratelimit.redis import RedisLimiter

        # One prefix per deployment sharing a Redis, as its bus channel is.
        return RedisLimiter(settings.redis_url, prefix=f"{settings.bus_channel}:ratelimit:")
    return MemoryLimiter()


def make_limits(settings: Settings) -> RateLimits:
    if not settings.rate_limits:
        return RateLimits(MemoryLimiter(), enabled=False)  # never asked: no Redis connection either
    return RateLimits(make_limiter(settings), scale=settings.rate_limit_scale)


__all__ = [
    "RULES",
    "Bucket",
    "Hit",
    "Limiter",
    "MemoryLimiter",
    "RateLimits",
    "Rule",
    "make_limiter",
    "make_limits",
]
