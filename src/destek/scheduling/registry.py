"""Which handler fires which kind of timer, and the standing timers every server keeps. The one place
that names the domains' timer handlers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from destek.scheduling.models import Timer
from destek.state import AppState

# (session, state, the timer, now): change what the timer is about, record its events. Raising rolls
# the handler's writes back and tries again later.
Handler = Callable[[AsyncSession, AppState, Timer, dt.datetime], Awaitable[None]]


class Busy(Exception):
    """What the timer is about is locked by another transaction right now: fire again in a moment
    (not counted as a failure). Handlers take row locks with SKIP LOCKED and raise this, so the
    runner, which holds the timer rows, never waits for a row whose holder waits for a timer row."""


def handlers() -> dict[str, Handler]:
    from destek.conversations import snooze
    from destek.scheduling import housekeeping

    return {
        snooze.WAKE: snooze.wake,
        housekeeping.HOURLY: housekeeping.hourly,
    }


async def start(state: AppState) -> None:
    """Make sure the standing timers exist (a new database, or one from before they did)."""
    from destek.scheduling import housekeeping

    await housekeeping.ensure(state)
