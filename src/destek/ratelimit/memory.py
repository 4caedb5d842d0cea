"""Counters in this process's memory: one node (the default, `destek demo`, tests)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from destek.ratelimit.base import Bucket, Hit, Window

PRUNE_EVERY = 1.0  # seconds: ended windows are dropped at most this often


class MemoryLimiter:
    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        # bucket -> (window index, its end, count): only the current window of each bucket is kept.
        self._counters: dict[str, tuple[int, float, int]] = {}
        self._pruned_at = 0.0

    async def hit(self, buckets: Sequence[Bucket]) -> list[Hit]:
        now = self.clock()
        self._prune(now)
        return [self._hit(bucket, now) for bucket in buckets]

    def _hit(self, bucket: Bucket, now: float) -> Hit:
        current = Window.at(now, bucket.window)
        index, ends_at, count = self._counters.get(bucket.name, (current.index, current.ends_at, 0))
        if index != current.index:
            index, ends_at, count = current.index, current.ends_at, 0
        self._counters[bucket.name] = (index, ends_at, count + 1)
        return Hit(count + 1, ends_at - now)

    def _prune(self, now: float) -> None:
        """Drop the buckets whose window has ended (otherwise every client ever seen stays)."""
        if now - self._pruned_at < PRUNE_EVERY and now >= self._pruned_at:
            return
        self._pruned_at = now
        for bucket in [b for b, (_i, ends_at, _c) in self._counters.items() if ends_at <= now]:
            del self._counters[bucket]

    def __len__(self) -> int:
        return len(self._counters)

    async def aclose(self) -> None:
        self._counters.clear()
