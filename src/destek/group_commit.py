"""Group commit: many small units of work from concurrent requests share one transaction.

Each account's sequence row is locked from the event insert to the commit, so one account's
transactions commit one after another, each paying a disk flush. Under load, the requests that
arrive while a transaction commits are run together in the next one (each in a savepoint, so one
failing request does not fail the others) and pay for one flush between them. Under light load
a batch has one item and nothing waits.
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

log = logging.getLogger(__name__)
T = TypeVar("T")
Work = Callable[[AsyncSession], Awaitable[Any]]


class GroupCommitter:
    def __init__(self, db: Database, bus: Bus, *, max_batch: int = 200) -> None:
        self.db = db
        self.bus = bus
        self.max_batch = max_batch
        self._queue: list[tuple[Work, asyncio.Future[Any]]] = []
        self._wake = asyncio.Event()
        self._worker: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._worker = asyncio.create_task(self._run(), name="group-commit")

    async def stop(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        for _work, future in self._queue:
            if not future.done():
                future.set_exception(RuntimeError("the server is shutting down; retry"))
        self._queue.clear()

    async def run(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run `work` in a shared transaction; returns its result once committed and notified."""
        if self._worker is None:
            raise RuntimeError("GroupCommitter.start() was not called")
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.append((work, future))
        self._wake.set()
        return await future

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._queue:
                batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
                await self._commit(batch)

    async def _commit(self, batch: list[tuple[Work, asyncio.Future[Any]]]) -> None:
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
        for account_id, seq in heads.items():
            try:
                await self.bus.notify(account_id, seq)
            except Exception:
                log.warning("bus notify failed for account %s", account_id, exc_info=True)
        for future, ok, value in results:
            if future.done():
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)
