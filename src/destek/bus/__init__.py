"""The notification bus: memory (one process) or Redis (several nodes)."""

from __future__ import annotations

from destek.bus.base import Bus, BusMessage, Notification, Signal
from destek.bus.memory import MemoryBus


def make_bus(redis_url: str | None, *, channel: str = "destek:bus") -> Bus:
    if redis_url:
        from destek.bus.redis import RedisBus

        return RedisBus(redis_url, channel=channel)
    return MemoryBus()


__all__ = ["Bus", "BusMessage", "MemoryBus", "Notification", "Signal", "make_bus"]
