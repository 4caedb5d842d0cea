"""Scheduling and cancelling durable timers, inside the caller's transaction (never commits).

A timer is scheduled in the transaction that makes it due (a conversation snoozed until nine) and
cancelled in the one that makes it moot (the customer wrote first): if that transaction rolls back, so
does the timer. Scheduling the same (account, kind, key) again moves the one timer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from destek.scheduling.models import Timer


async def schedule(
    session: AsyncSession,
    *,
    account_id: int,
    kind: str,
    key: str,
    due_at: dt.datetime,
    payload: dict[str, Any] | None = None,
) -> Timer:
    """The timer of (account, kind, key), due at `due_at` (created, or moved if it exists)."""
    if due_at.tzinfo is None:
        raise ValueError("a timer's due time must be timezone-aware")
    timer = await get(session, account_id=account_id, kind=kind, key=key)
    if timer is None:
        timer = Timer(account_id=account_id, kind=kind, key=key[:200], due_at=due_at, payload=payload or {})
        session.add(timer)
        await session.flush()
    else:
        timer.due_at = due_at
        timer.payload = payload or {}
        timer.attempts = 0
        timer.last_error = ""
    return timer


async def cancel(session: AsyncSession, *, account_id: int, kind: str, key: str) -> bool:
    """Remove the timer, if there is one; whether there was."""
    removed = await session.scalars(
        delete(Timer)
        .where(Timer.account_id == account_id, Timer.kind == kind, Timer.key == key[:200])
        .returning(Timer.id)
    )
    return bool(list(removed))


async def get(session: AsyncSession, *, account_id: int, kind: str, key: str) -> Timer | None:
    found: Timer | None = await session.scalar(
        select(Timer).where(Timer.account_id == account_id, Timer.kind == kind, Timer.key == key[:200])
    )
    return found
