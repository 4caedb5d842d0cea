"""Running attempts in the background: a bounded pool, one attempt at a time per throttle key (a URL, a
conversation), so one slow or dead endpoint holds up only its own deliveries. `tick` starts what is due
and, now and then, fails the attempts that died with their process (outbox.interrupted)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from destek.deliveries import outbox
from destek.deliveries.models import Delivery
from destek.state import AppState

log = logging.getLogger(__name__)

Attempt = Callable[[AppState, int], Awaitable[object]]
Interrupted = Callable[[AsyncSession, Delivery], Awaitable[object]]

STALE = dt.timedelta(minutes=10)  # an attempt still `sending` after this died with its process
SWEEP_SECONDS = 60.0  # how often to look for those: not on every wake-up (every event) of the consumer


class Dispatcher:
    """`name` is the outbox kind it runs; `throttle` picks the key (lane, target) of one at a time."""

    def __init__(
        self,
        name: str,
        attempt: Attempt,
        *,
        pool: int = 8,
        throttle: Callable[[str, str], str] = lambda lane, _target: lane,
        on_interrupted: Interrupted | None = None,
    ) -> None:
        self.name = name
        self._attempt = attempt
        self._throttle = throttle
        self._on_interrupted = on_interrupted
        self._swept: float | None = None
        self._slots = asyncio.Semaphore(pool)
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}  # throttle key -> (lock, users)
        self._inflight: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(self, state: AppState, delivery_id: int, throttle: str) -> None:
        """Attempt the delivery soon, after commit of whatever enqueued it; a no-op if in flight."""
        if delivery_id in self._inflight:
            return
        self._inflight.add(delivery_id)
        task = asyncio.create_task(self._run(state, delivery_id, throttle), name=f"{self.name}-{delivery_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, state: AppState, delivery_id: int, throttle: str) -> None:
        lock, users = self._locks.get(throttle) or (asyncio.Lock(), 0)
        self._locks[throttle] = (lock, users + 1)
        try:
            async with lock, self._slots:
                await self._attempt(state, delivery_id)
        except Exception:
            log.exception("%s delivery %s: attempt crashed", self.name, delivery_id)
        finally:
            self._inflight.discard(delivery_id)
            lock, users = self._locks[throttle]
            if users <= 1:
                del self._locks[throttle]  # the keys (conversations, URLs) are many: keep only live ones
            else:
                self._locks[throttle] = (lock, users - 1)

    async def tick(self, state: AppState) -> None:
        """Start the attempts that are due (first in their lane); fail the interrupted ones now and then."""
        now = asyncio.get_running_loop().time()
        if self._swept is None or now - self._swept >= SWEEP_SECONDS:
            self._swept = now
            async with state.uow() as session:
                for delivery in await outbox.interrupted(session, kind=self.name, older_than=STALE):
                    log.warning("%s delivery %s was interrupted: not repeated", self.name, delivery.id)
                    if self._on_interrupted is not None:
                        await self._on_interrupted(session, delivery)
        async with state.read() as session:
            due = await outbox.due(session, kind=self.name)
        for delivery_id, lane, target in due:
            self.spawn(state, delivery_id, self._throttle(lane, target))

    async def idle(self) -> None:
        """Wait for the attempts in flight (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
