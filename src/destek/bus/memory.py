"""The bus of one process: handlers are called directly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from destek.bus.base import Handler, Listeners, Notification, Signal


class MemoryBus:
    def __init__(self) -> None:
        self._listeners = Listeners()

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def notify(self, account_id: int, seq: int) -> None:
        self._listeners.dispatch(Notification(account_id, seq))

    async def signal(self, account_id: int, payload: dict[str, Any]) -> None:
        self._listeners.dispatch(Signal(account_id, payload))

    def listen(self, handler: Handler) -> Callable[[], None]:
        return self._listeners.add(handler)

    async def ping(self) -> bool:
        return True
