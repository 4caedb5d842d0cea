"""The bus says "account A has events up to seq N", and carries ephemeral signals (typing, presence).

It carries no data that matters: a lost notification costs latency (the periodic catch-up reads the
log), never an event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Notification:
    account_id: int
    seq: int


@dataclass(frozen=True, slots=True)
class Signal:
    """Ephemeral: typing, presence, "agent X is viewing". Never stored."""

    account_id: int
    payload: dict[str, Any] = field(default_factory=dict)


BusMessage = Notification | Signal
Handler = Callable[[BusMessage], None]


class Bus(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def notify(self, account_id: int, seq: int) -> None: ...

    async def signal(self, account_id: int, payload: dict[str, Any]) -> None: ...

    def listen(self, handler: Handler) -> Callable[[], None]:
        """Call `handler` (quickly, without blocking) for every message; returns the unsubscriber."""
        ...

    async def ping(self) -> bool: ...


class Listeners:
    """The handlers of one bus, shared by the backends."""

    def __init__(self) -> None:
        self._handlers: list[Handler] = []

    def add(self, handler: Handler) -> Callable[[], None]:
        self._handlers.append(handler)

        def remove() -> None:
            if handler in self._handlers:
                self._handlers.remove(handler)

        return remove

    def dispatch(self, message: BusMessage) -> None:
        for handler in list(self._handlers):
            handler(message)
