"""A snoozed conversation wakes up at its time: the timer set when it was snoozed (service.set_status)
opens it again, as if an agent had. If it was woken otherwise meanwhile (the customer wrote, an agent
reopened or resolved it), there is nothing left to do."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from destek.conversations.models import Conversation
from destek.conversations.service import _ROW_LOCK, WAKE, set_status
from destek.scheduling.models import Timer
from destek.scheduling.registry import Busy
from destek.state import AppState

__all__ = ["WAKE", "wake"]


async def wake(session: AsyncSession, state: AppState, timer: Timer, now: dt.datetime) -> None:
    # Never wait for the row: whoever holds it (the customer writing) may be waiting for this timer's
    # row to cancel it. Busy: the runner tries again in a moment.
    conversation = await session.scalar(
        select(Conversation)
        .where(Conversation.id == int(timer.key), Conversation.account_id == timer.account_id)
        .with_for_update(skip_locked=True, **_ROW_LOCK)
        .execution_options(populate_existing=True)
    )
    if conversation is None:
        if await session.scalar(select(Conversation.id).where(Conversation.id == int(timer.key))):
            raise Busy(f"conversation {timer.key} is being changed")
        return
    if conversation.status != "snoozed":
        return
    if conversation.snoozed_until is not None and conversation.snoozed_until > now:
        return  # snoozed again for later: that later timer wakes it
    await set_status(session, conversation=conversation, status="open")
