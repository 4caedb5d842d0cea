"""The unit of work: one transaction, its events written before commit, the bus told after it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from destek.bus.base import Bus
from destek.db import Database
from destek.events.log import assign_pending

log = logging.getLogger(__name__)


@asynccontextmanager
async def unit_of_work(db: Database, bus: Bus) -> AsyncIterator[AsyncSession]:
    """Commit what the block did (with its events), then notify. An exception rolls back, silently."""
    async with db.session() as session:
        async with session.begin():
            yield session
            heads = await assign_pending(session)
        await notify_all(bus, heads)


NOTIFY_TIMEOUT = 1.0


async def notify_all(bus: Bus, heads: dict[int, int]) -> None:
    """Tell the bus about committed events. Never raises and never waits long: a lost notification
    costs latency (the periodic catch-up delivers), while a hung one would hold up every writer."""
    for account_id, seq in heads.items():
        try:
            await asyncio.wait_for(bus.notify(account_id, seq), timeout=NOTIFY_TIMEOUT)
        except Exception:
            log.warning("bus notify failed for account %s seq %s", account_id, seq, exc_info=True)
