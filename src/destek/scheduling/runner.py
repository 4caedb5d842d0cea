"""Firing due timers: one leased runner (a consumer without events) fires each timer once.

A due timer is claimed (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so two runners overlapping for a
moment never take the same one), its handler runs in a savepoint of the claiming transaction, and the
timer row is deleted in that same transaction: the effect, its events and the timer's end commit
together. A crash before the commit leaves the timer due, to fire after the restart or on another
node; after the commit it is gone. A handler that fails is tried again later (its savepoint rolled
back, the others in the batch unharmed), never dropped. A handler that schedules its own timer again
(housekeeping every hour) keeps the row, moved to its next time.

Timers fire within a few seconds of their time (the runner looks on every wake-up, at least every
`catchup_seconds`).
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from destek.consumers.runner import Step
from destek.db import utcnow
from destek.events.log import discard_pending_after, pending_count
from destek.events.models import EventRow
from destek.scheduling import registry
from destek.scheduling.models import Timer
from destek.state import AppState

log = logging.getLogger(__name__)

BATCH = 100
BUSY_RETRY = 2.0  # seconds, when what a timer is about is locked by someone else
RETRY_FIRST, RETRY_MAX = 10.0, 3600.0  # seconds before a failed timer fires again, doubled each time


class TimerRunner:
    name = "timers"

    def __init__(self) -> None:
        self._started = False

    def wants(self, event: EventRow) -> bool:
        return False

    async def handle(self, step: Step) -> None:
        return None

    async def tick(self, state: AppState) -> None:
        if not self._started:
            await registry.start(state)  # the standing timers (housekeeping), once per process
            self._started = True
        # The runner wakes on every event: a read says whether anything is due before a writing
        # transaction claims it.
        async with state.read() as session:
            earliest = await session.scalar(select(func.min(Timer.due_at)))
        if earliest is not None and earliest <= utcnow():
            await fire_due(state)


async def fire_due(state: AppState, *, now: dt.datetime | None = None) -> int:
    """Fire every timer due at `now` (default: now); returns how many fired. Tests pass `now` to move
    the clock."""
    fired = 0
    while True:
        count, full = await _fire_batch(state, now or utcnow())
        fired += count
        if not full:
            return fired


async def _fire_batch(state: AppState, now: dt.datetime) -> tuple[int, bool]:
    handlers = registry.handlers()
    fired = 0
    async with state.uow() as session:
        timers = list(
            await session.scalars(
                select(Timer)
                .where(Timer.due_at <= now)
                .order_by(Timer.due_at, Timer.id)
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            )
        )
        for timer in timers:
            timer_id, kind, key, attempts = timer.id, timer.kind, timer.key, timer.attempts
            handler = handlers.get(kind)
            mark = pending_count(session)
            try:
                if handler is None:
                    raise LookupError(f"no handler for timers of kind {kind!r}")
                async with session.begin_nested():
                    await handler(session, state, timer, now)
            except registry.Busy:
                discard_pending_after(session, mark)
                await _later(session, timer, timer_id, due_at=now + dt.timedelta(seconds=BUSY_RETRY))
                continue
            except Exception as exc:
                discard_pending_after(session, mark)
                attempts += 1
                wait = min(RETRY_FIRST * 2 ** (attempts - 1), RETRY_MAX)
                # A plain UPDATE: the savepoint's rollback may have expired the object.
                await _later(
                    session,
                    timer,
                    timer_id,
                    due_at=now + dt.timedelta(seconds=wait),
                    attempts=attempts,
                    last_error=f"{type(exc).__name__}: {exc}"[:500],
                )
                log.warning(
                    "timer %s %s/%s failed (attempt %s)", timer_id, kind, key, attempts, exc_info=True
                )
                continue
            fired += 1
            # Done, unless its handler moved it on (housekeeping, every hour); a handler that
            # cancelled it (waking a conversation cancels its wake-up) has removed it already.
            await session.flush()
            await session.execute(delete(Timer).where(Timer.id == timer_id, Timer.due_at <= now))
            session.expunge(timer)
    return fired, len(timers) == BATCH


async def _later(session: AsyncSession, timer: Timer, timer_id: int, **values: object) -> None:
    """Move the timer on with a plain UPDATE, and let go of its object (stale now, maybe expired)."""
    session.expunge(timer)
    await session.execute(update(Timer).where(Timer.id == timer_id).values(**values))
