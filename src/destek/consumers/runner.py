"""Run a consumer over every account's event log, from its stored cursor.

- At least once: an event's cursor moves in the same transaction as the consumer's writes
  (`Step.uow`), so a crash before commit replays the event and a crash after it does not. Effects
  outside the database (an HTTP call) are made idempotent by the consumer itself.
- Woken by the bus after each commit, plus a periodic catch-up that reads the log: a lost
  notification costs latency, never an event.
- One active runner per consumer across nodes: a lease row (consumer_leases) renewed while it runs;
  another node takes over when it expires. Within a step the cursor row is locked and re-checked, so
  two runners overlapping for a moment still apply an event once.
- A new consumer does not replay history from before it first ran (the lease row remembers when).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts.models import Account
from destek.bus.base import BusMessage, Notification
from destek.consumers.models import ConsumerLease
from destek.db import utcnow
from destek.events import log as event_log
from destek.events.models import ConsumerCursor, EventRow
from destek.state import AppState

log = logging.getLogger(__name__)

BATCH = 200
MAX_ATTEMPTS = 5  # a step that keeps failing is logged and skipped, so one bad event cannot stall all
RETRY_BASE = 0.5  # seconds before the 2nd attempt; doubled for each further one
RETRY_MAX = 30.0


class AlreadyApplied(Exception):
    """Another runner applied this event meanwhile."""


@dataclass
class Step:
    """One event for one consumer. Write through `uow()`: the cursor moves with the writes."""

    state: AppState
    consumer: str
    event: EventRow
    applied: bool = field(default=False)

    @asynccontextmanager
    async def uow(self) -> AsyncIterator[AsyncSession]:
        async with self.state.uow() as session:
            cursor = await _lock_cursor(session, self.consumer, self.event.account_id)
            if cursor.seq >= self.event.seq:
                raise AlreadyApplied
            yield session
            cursor.seq = self.event.seq
            cursor.updated_at = utcnow()
        self.applied = True


class Consumer(Protocol):
    name: str

    def wants(self, event: EventRow) -> bool:
        """Cheap filter on the row (type, routing keys): the rest are skipped without a transaction."""
        ...

    async def handle(self, step: Step) -> None: ...

    async def tick(self, state: AppState) -> None:
        """Periodic work besides events (retries due, timers); called on each wake-up."""
        ...


class SkipAware(Protocol):
    async def skipped(self, state: AppState, event: EventRow) -> None:
        """Optional: an event given up on after MAX_ATTEMPTS (e.g. hand the conversation to a person)."""
        ...


async def _lock_cursor(session: AsyncSession, name: str, account_id: int) -> ConsumerCursor:
    query = (
        select(ConsumerCursor)
        .where(ConsumerCursor.name == name, ConsumerCursor.account_id == account_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    cursor = await session.scalar(query)
    if cursor is None:
        raise AlreadyApplied  # the runner creates the row before any step; gone means a reset
    return cursor


def _holder() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class ConsumerRunner:
    def __init__(
        self,
        state: AppState,
        consumer: Consumer,
        *,
        lease_seconds: float = 15.0,
        catchup_seconds: float | None = None,
    ) -> None:
        self.state = state
        self.consumer = consumer
        self.name = consumer.name
        self.holder = _holder()
        self.lease_seconds = lease_seconds
        self.catchup_seconds = catchup_seconds or state.settings.catchup_seconds
        self._lease_until: dt.datetime | None = None
        self._born: dt.datetime | None = None
        self._dirty: set[int] = set()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._unlisten: object = None
        self._failures: dict[tuple[int, int], int] = {}
        self._retry_at: dict[tuple[int, int], float] = {}  # loop time before which a failed step waits
        self.idle = asyncio.Event()  # set whenever the runner has nothing left to do (tests wait on it)

    # --- lifecycle ----------------------------------------------------------------------------------

    async def start(self) -> None:
        self._unlisten = self.state.bus.listen(self._on_bus)
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name=f"consumer-{self.name}")

    async def stop(self) -> None:
        unlisten = self._unlisten
        if callable(unlisten):
            unlisten()
        if self._task is not None:
            # Let a round in progress finish (its sessions close normally); cancel only a stuck one.
            self._stopping = True
            self._wake.set()
            try:
                await asyncio.wait_for(asyncio.shield(self._task), timeout=5)
            except (TimeoutError, asyncio.CancelledError):
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
            self._task = None
        if self._lease_until is not None:
            # Let a restarted node take over at once instead of waiting for the lease to expire.
            with contextlib.suppress(Exception):
                await self._release()

    def _on_bus(self, message: BusMessage) -> None:
        if isinstance(message, Notification):
            self._dirty.add(message.account_id)
            self.idle.clear()
            self._wake.set()

    def _mark(self, account_id: int) -> None:
        self._dirty.add(account_id)
        self.idle.clear()
        self._wake.set()

    def poke(self) -> None:
        """Look at every account now (as the periodic catch-up does)."""
        self._dirty.add(0)
        self.idle.clear()
        self._wake.set()

    # --- the loop -----------------------------------------------------------------------------------

    async def _run(self) -> None:
        full_scan = True
        while not self._stopping:
            try:
                if await self._hold_lease():
                    if full_scan or 0 in self._dirty:
                        self._dirty.clear()
                        accounts = await self._behind()
                    else:
                        accounts = sorted(self._dirty)
                        self._dirty.clear()
                    for account_id in accounts:
                        await self._drain(account_id)
                    await self.consumer.tick(self.state)
                    if not self._dirty:
                        self.idle.set()
                else:
                    self._dirty.clear()
                    self.idle.set()  # another node runs this consumer: nothing to do here
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("consumer %s: a round failed; retrying shortly", self.name)
            self._wake.clear()
            full_scan = False
            if self._stopping:
                return
            if self._dirty:
                continue
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.catchup_seconds)
            except TimeoutError:
                full_scan = True

    async def _hold_lease(self) -> bool:
        now = utcnow()
        if self._lease_until is not None and self._lease_until - now > dt.timedelta(
            seconds=self.lease_seconds * 2 / 3
        ):
            return True
        until = now + dt.timedelta(seconds=self.lease_seconds)
        try:
            async with self.state.db.session() as session, session.begin():
                lease = await session.scalar(
                    select(ConsumerLease)
                    .where(ConsumerLease.name == self.name)
                    .with_for_update()
                    .execution_options(populate_existing=True)
                )
                if lease is None:
                    lease = ConsumerLease(
                        name=self.name, holder=self.holder, expires_at=until, created_at=now
                    )
                    session.add(lease)
                elif lease.holder == self.holder or lease.expires_at <= now:
                    lease.holder = self.holder
                    lease.expires_at = until
                else:
                    self._lease_until = None
                    return False
                self._born = lease.created_at
        except IntegrityError:  # another node created the row at the same moment
            self._lease_until = None
            return False
        self._lease_until = until
        return True

    async def _release(self) -> None:
        async with self.state.db.session() as session, session.begin():
            lease = await session.get(ConsumerLease, self.name, with_for_update=True)
            if lease is not None and lease.holder == self.holder:
                lease.expires_at = utcnow()
        self._lease_until = None

    def _holding(self) -> bool:
        return self._lease_until is not None and self._lease_until > utcnow()

    async def _behind(self) -> list[int]:
        """Accounts whose log is ahead of this consumer's cursor."""
        async with self.state.read() as session:
            rows = await session.execute(
                select(Account.id)
                .outerjoin(
                    ConsumerCursor,
                    (ConsumerCursor.account_id == Account.id) & (ConsumerCursor.name == self.name),
                )
                .where(
                    Account.last_event_seq > func.coalesce(ConsumerCursor.seq, 0),
                )
                .order_by(Account.id)
            )
            return [int(r[0]) for r in rows]

    async def _cursor(self, account_id: int) -> int:
        """The stored cursor; created on first sight, past the history from before this consumer."""
        async with self.state.read() as session:
            found = await session.scalar(
                select(ConsumerCursor.seq).where(
                    ConsumerCursor.name == self.name, ConsumerCursor.account_id == account_id
                )
            )
            if found is not None:
                since = int(found)
                _head, problem = await event_log.check_cursor(session, account_id=account_id, since=since)
                if problem != "pruned":
                    return since
                first = await event_log.oldest(session, account_id=account_id)
                log.warning("consumer %s: events of account %s were pruned unread", self.name, account_id)
                start = (first or 1) - 1
            else:
                born = self._born or utcnow()
                older = await session.scalar(
                    select(func.max(EventRow.seq)).where(
                        EventRow.account_id == account_id, EventRow.created_at < born
                    )
                )
                start = int(older or 0)
        await self._save_cursor(account_id, start, create=found is None)
        return start

    async def _save_cursor(self, account_id: int, seq: int, *, create: bool = False) -> None:
        try:
            async with self.state.db.session() as session, session.begin():
                cursor = await session.scalar(
                    select(ConsumerCursor)
                    .where(ConsumerCursor.name == self.name, ConsumerCursor.account_id == account_id)
                    .with_for_update()
                    .execution_options(populate_existing=True)
                )
                if cursor is None:
                    session.add(
                        ConsumerCursor(name=self.name, account_id=account_id, seq=seq, updated_at=utcnow())
                    )
                elif cursor.seq < seq or create:
                    cursor.seq = max(cursor.seq, seq)
                    cursor.updated_at = utcnow()
        except IntegrityError:
            pass  # created by another runner meanwhile: that one stands

    async def _drain(self, account_id: int) -> None:
        since = await self._cursor(account_id)
        while self._holding():
            async with self.state.read() as session:
                events = await event_log.read_since(session, account_id=account_id, since=since, limit=BATCH)
            if not events:
                return
            start = since
            for event in events:
                if not self._holding():
                    break
                # A step's own transaction moves the cursor past the skipped events before it.
                if self.consumer.wants(event) and not await self._step(event):
                    break  # retried on the next round
                since = event.seq
            if since > start:
                await self._save_cursor(account_id, since)
            if since == start or len(events) < BATCH:
                return

    async def _step(self, event: EventRow) -> bool:
        """Apply one event; False: it failed (or waits for its retry) and will be retried later."""
        step = Step(self.state, self.name, event)
        key = (event.account_id, event.seq)
        loop = asyncio.get_running_loop()
        due = self._retry_at.get(key)
        if due is not None and due > loop.time():
            return False  # backing off; a timer wakes the runner
        try:
            await self.consumer.handle(step)
        except AlreadyApplied:
            pass
        except Exception:
            attempts = self._failures.get(key, 0) + 1
            if attempts < MAX_ATTEMPTS:
                self._failures[key] = attempts
                delay = min(RETRY_BASE * 2 ** (attempts - 1), RETRY_MAX)
                self._retry_at[key] = loop.time() + delay
                loop.call_later(delay, self._mark, event.account_id)
                log.warning(
                    "consumer %s: event %s/%s failed (attempt %s); retrying in %.1fs",
                    self.name,
                    event.account_id,
                    event.seq,
                    attempts,
                    delay,
                    exc_info=True,
                )
                return False
            log.exception(
                "consumer %s: event %s/%s failed %s times; skipped",
                self.name,
                event.account_id,
                event.seq,
                attempts,
            )
            skipped = getattr(self.consumer, "skipped", None)
            if skipped is not None:
                try:
                    await skipped(self.state, event)
                except Exception:
                    log.exception("consumer %s: handling the skip of %s/%s failed", self.name, *key)
        self._failures.pop(key, None)
        self._retry_at.pop(key, None)
        return True


class Consumers:
    """The consumers of one process, started and stopped with the app."""

    def __init__(self, state: AppState, consumers: list[Consumer]) -> None:
        lease = state.settings.consumer_lease_seconds
        self.runners = {c.name: ConsumerRunner(state, c, lease_seconds=lease) for c in consumers}

    async def start(self) -> None:
        for runner in self.runners.values():
            await runner.start()

    async def stop(self) -> None:
        for runner in self.runners.values():
            await runner.stop()
            close = getattr(runner.consumer, "close", None)
            if close is not None:
                await close()

    async def settle(self, timeout: float = 10.0) -> None:
        """Wait until every runner has applied what is in the log now (for tests and the demo)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for runner in self.runners.values():
                runner.poke()
            for runner in self.runners.values():
                remaining = deadline - loop.time()
                await asyncio.wait_for(runner.idle.wait(), timeout=max(remaining, 0.01))
            # One consumer's writes are events for the others: done when nobody is behind.
            behind = [name for name, runner in self.runners.items() if await runner._behind()]
            if not behind:
                return
            if loop.time() > deadline:
                raise TimeoutError(f"consumers still behind: {', '.join(behind)}")
            await asyncio.sleep(0.05)  # a failed step may be backing off
