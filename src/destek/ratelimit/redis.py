"""Counters in Redis, shared by every node: INCR and EXPIREAT in one MULTI/EXEC per request.

The key names the window (`<prefix><bucket>:<window index>`) and expires just after the window ends,
so Redis forgets old windows by itself. A Redis that is down or slow must not take the product down:
the hit is let through (fail open), a warning is logged, and Redis is left alone for a few seconds so
that an outage costs each request nothing rather than a timeout.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from destek.ratelimit.base import Bucket, Hit, Window

log = logging.getLogger(__name__)

# Seconds before Redis counts as down. It answers in about a millisecond, but the timeout also runs
# while this process's event loop is busy elsewhere, and a flood (what the limits are for) is exactly
# when it is busy: at 0.5 s, 70 messages at once on a loaded 2-core machine timed out and were let
# through. A Redis that is down refuses the connection at once; this only bounds one that hangs.
TIMEOUT = 3.0
BACKOFF = 5.0  # seconds without asking Redis after a failure
# A flood of requests queues for these rather than opening a connection each: one round trip of a
# fraction of a millisecond per request, so a few connections carry thousands of requests a second.
CONNECTIONS = 16
QUEUE_TIMEOUT = 2.0  # seconds a request may wait for a free connection


class RedisLimiter:
    def __init__(self, url: str, *, prefix: str, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.prefix = prefix
        pool = aioredis.BlockingConnectionPool.from_url(
            url,
            max_connections=CONNECTIONS,
            timeout=QUEUE_TIMEOUT,
            socket_timeout=TIMEOUT,
            socket_connect_timeout=TIMEOUT,
        )
        self._redis: aioredis.Redis = aioredis.Redis.from_pool(pool)
        self._down_until = 0.0  # monotonic time; 0: ask Redis

    async def hit(self, buckets: Sequence[Bucket]) -> list[Hit]:
        now = self.clock()
        windows = [Window.at(now, bucket.window) for bucket in buckets]
        if time.monotonic() < self._down_until:
            return [Hit(0, window.ends_at - now) for window in windows]
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                for bucket, window in zip(buckets, windows, strict=True):
                    key = f"{self.prefix}{bucket.name}:{window.index}"
                    pipe.incr(key)
                    pipe.expireat(key, math.ceil(window.ends_at) + 1)
                replies = await pipe.execute()
        except (TimeoutError, RedisError, OSError) as exc:
            self._down_until = time.monotonic() + BACKOFF
            log.warning(
                "rate limits are off for %.0fs: Redis did not answer (%s); requests are let through",
                BACKOFF,
                exc,
            )
            return [Hit(0, window.ends_at - now) for window in windows]
        self._down_until = 0.0
        counts = replies[::2]  # INCR's answers; EXPIREAT's are between them
        return [Hit(int(count), window.ends_at - now) for count, window in zip(counts, windows, strict=True)]

    async def aclose(self) -> None:
        await self._redis.aclose()
