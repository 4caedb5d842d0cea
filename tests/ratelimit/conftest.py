"""Rate-limit tests run on both counter stores: the app's state is built with the memory bus (memory
counters) and with Redis (Redis counters), on both databases. Time is a clock the test moves: a
five-minute lockout ends without waiting five minutes."""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from destek.config import Settings
from destek.ratelimit.memory import MemoryLimiter
from destek.ratelimit.redis import RedisLimiter
from destek.state import AppState
from tests.browser.conftest import browser, live_url, new_page  # noqa: F401 - for test_login_page.py
from tests.support.factories_fixtures import make_settings

LONGEST_WINDOW = 300


class Clock:
    """Starts at the beginning of a five-minute window (so of a minute too), a little ahead of the
    real time: Redis keys expire (EXPIREAT) by this clock, never before the test ends."""

    def __init__(self) -> None:
        self.now = (math.floor(time.time() / LONGEST_WINDOW) + 1) * LONGEST_WINDOW + 0.5

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def settings(db_url: str, bus_url: str | None, tmp_path: Path) -> Settings:
    return make_settings(db_url, tmp_path, bus_url)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def use_clock(state: AppState, clock: Clock) -> None:
    limiter = state.limits.limiter
    assert isinstance(limiter, MemoryLimiter | RedisLimiter)
    limiter.clock = clock


@pytest.fixture
async def limited(state: AppState, clock: Clock) -> AsyncIterator[AppState]:
    """The running state, its limits counting by `clock`; its Redis counters removed afterwards."""
    use_clock(state, clock)
    yield state
    if state.settings.redis_url:
        await forget_counters(state.settings)


async def forget_counters(settings: Settings) -> None:
    assert settings.redis_url is not None
    redis = aioredis.from_url(settings.redis_url)
    try:
        keys = [key async for key in redis.scan_iter(match=f"{settings.bus_channel}:ratelimit:*")]
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()
