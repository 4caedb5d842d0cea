"""The server's own chores, on one standing timer: the event log's old events pruned (clients behind
them resync) and expired login sessions removed. Runs hourly on whichever node fires timers."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts import credentials
from destek.db import utcnow
from destek.events import log as event_log
from destek.scheduling import service as timers
from destek.scheduling.models import SYSTEM, Timer
from destek.state import AppState

log = logging.getLogger(__name__)

HOURLY = "housekeeping.hourly"
EVERY = dt.timedelta(hours=1)


async def ensure(state: AppState) -> None:
    async with state.uow() as session:
        if await timers.get(session, account_id=SYSTEM, kind=HOURLY, key="server") is None:
            await timers.schedule(session, account_id=SYSTEM, kind=HOURLY, key="server", due_at=utcnow())


async def hourly(session: AsyncSession, state: AppState, timer: Timer, now: dt.datetime) -> None:
    retention = dt.timedelta(days=state.settings.event_retention_days)
    pruned = await event_log.prune(session, older_than=now - retention)
    ended = await credentials.purge_expired_sessions(session, now=now)
    if pruned or ended:
        log.info(
            "housekeeping: pruned %s events older than %s, removed %s expired logins",
            pruned,
            retention,
            ended,
        )
    await timers.schedule(session, account_id=SYSTEM, kind=HOURLY, key="server", due_at=now + EVERY)
