"""Group commit: many small units of work from concurrent requests share one transaction.

Each account's sequence row is locked from the event insert to the commit, so one account's
transactions commit one after another, each paying a disk flush. Under load, the requests that
arrive while a transaction commits are run together in the next one (each in a savepoint, so one
failing request does not fail the others) and pay for one flush between them. Under light load
a batch has one item and nothing waits.

Several lanes (PostgreSQL) run batches side by side on their own connections, so one batch's
round trips overlap another's. A unit of work names its key (the conversation it writes to): one
key always takes the same lane, so two lanes never wait on each other's conversation rows (no
deadlock); they meet only at the account's sequence row, taken last and held briefly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from destek.bus import Bus
from destek.db import Database
from destek.events.log import assign_pending, discard_pending_after, pending_count
from destek.uow import notify_all

log = logging.getLogger(__name__)
T = TypeVar("T")
Work = Callable[[AsyncSession], Awaitable[Any]]


class _Lane:
    def __init__(self, committer: GroupCommitter, number: int) -> None:
        self.committer = committer
        self.queue: list[tuple[Work, asyncio.Future[Any]]] = []
        self.wake = asyncio.Event()
        self.task = asyncio.create_task(self._run(), name=f"group-commit-{number}")

    async def _run(self) -> None:
        while True:
            await self.wake.wait()
            self.wake.clear()
            while self.queue:
                size = self.committer.max_batch
                batch, self.queue = self.queue[:size], self.queue[size:]
                await self.committer.commit(batch)

    async def stop(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task
        for _work, future in self.queue:
            if not future.done():
                future.set_exception(RuntimeError("the server is shutting down; retry"))
        self.queue.clear()


class GroupCommitter:
    def __init__(self, db: Database, bus: Bus, *, lanes: int = 1, max_batch: int = 200) -> None:
        self.db = db
        self.bus = bus
        self.lane_count = max(1, lanes)
        self.max_batch = max_batch
        self._lanes: list[_Lane] = []

    async def start(self) -> None:
        self._lanes = [_Lane(self, i) for i in range(self.lane_count)]

    async def stop(self) -> None:
        lanes, self._lanes = self._lanes, []
        for lane in lanes:
            await lane.stop()

    async def run(self, work: Callable[[AsyncSession], Awaitable[T]], *, key: int = 0) -> T:
        """Run `work` in a shared transaction; returns its result once committed and notified."""
        if not self._lanes:
            raise RuntimeError("GroupCommitter.start() was not called")
        lane = self._lanes[key % len(self._lanes)]
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        lane.queue.append((work, future))
        lane.wake.set()
        return await future

    async def commit(self, batch: list[tuple[Work, asyncio.Future[Any]]]) -> None:
        results: list[tuple[asyncio.Future[Any], bool, Any]] = []
        try:
            async with self.db.session() as session, session.begin():
                for work, future in batch:
                    if future.cancelled():
                        continue
                    mark = pending_count(session)
                    try:
                        async with session.begin_nested():
                            value = await work(session)
                    except Exception as exc:
                        discard_pending_after(session, mark)
                        results.append((future, False, exc))
                    else:
                        results.append((future, True, value))
                heads = await assign_pending(session)
        except Exception as exc:
            log.warning("group commit of %s units failed", len(batch), exc_info=True)
            for _work, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        # Answer first: the data is committed whatever happens to the notification.
        for future, ok, value in results:
            if future.done():
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)
        await notify_all(self.bus, heads)
