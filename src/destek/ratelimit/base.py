"""Fixed-window counters: the protocol both backends implement, and what a hit answers.

A window of `window` seconds starts at every multiple of `window` (Unix time): each hit adds one to the
counter of (bucket, current window) and learns the new count. Counting refused hits too keeps one
atomic step per hit (INCR), and a window ends on time however hard a client keeps trying.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol


@dataclass(frozen=True, slots=True)
class Window:
    """Where `now` falls: the window's number and the seconds left until the next one."""

    index: int
    ends_at: float

    @classmethod
    def at(cls, now: float, seconds: float) -> Window:
        index = math.floor(now / seconds)
        return cls(index, (index + 1) * seconds)


class Bucket(NamedTuple):
    name: str  # what is counted: a rule and its key, e.g. "login:ip:203.0.113.9"
    window: float  # seconds


@dataclass(frozen=True, slots=True)
class Hit:
    count: int  # hits in this window so far, this one included; 0 when the backend failed (fail open)
    retry_after: float  # seconds until the window ends


class Limiter(Protocol):
    """Counts hits per bucket and window. Never raises for a broken store: it answers count 0."""

    async def hit(self, buckets: Sequence[Bucket]) -> list[Hit]:
        """One hit on each bucket (one request may count in several), in one step."""
        ...

    async def aclose(self) -> None: ...
