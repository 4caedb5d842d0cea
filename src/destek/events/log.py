"""Append to the log inside the writer's transaction; read it back by cursor.

Services call `record` as they change rows. The unit of work (uow.py) calls `assign_pending` right
before commit: it bumps the account's counter (which takes that account's row lock until commit, so
sequence numbers are gap-free and become visible in order) and inserts the rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts.models import Account
from destek.db import utcnow
from destek.events.models import EventRow
from destek.events.schemas import Event

_PENDING = "destek_pending_events"


@dataclass(frozen=True, slots=True)
class PendingEvent:
    account_id: int
    event: Event
    conversation_id: int | None
    contact_id: int | None
    inbox_id: int | None
    private: bool


def record(
    session: AsyncSession,
    event: Event,
    *,
    account_id: int,
    conversation_id: int | None = None,
    contact_id: int | None = None,
    inbox_id: int | None = None,
    private: bool = False,
) -> None:
    """Queue an event to be written with this transaction (nothing is written if it rolls back)."""
    pending: list[PendingEvent] = session.info.setdefault(_PENDING, [])
    pending.append(PendingEvent(account_id, event, conversation_id, contact_id, inbox_id, private))


def pending_count(session: AsyncSession) -> int:
    return len(session.info.get(_PENDING, []))


def discard_pending_after(session: AsyncSession, count: int) -> None:
    """Forget the events recorded after the first `count` (their savepoint was rolled back)."""
    pending: list[PendingEvent] = session.info.get(_PENDING, [])
    del pending[count:]


async def assign_pending(session: AsyncSession) -> dict[int, int]:
    """Write the queued events with their sequence numbers; return {account_id: last seq}."""
    pending: list[PendingEvent] = session.info.pop(_PENDING, [])
    if not pending:
        return {}
    by_account: dict[int, list[PendingEvent]] = {}
    for item in pending:
        by_account.setdefault(item.account_id, []).append(item)
    heads: dict[int, int] = {}
    now = utcnow()
    # Fixed order of accounts, so two transactions touching the same accounts cannot deadlock.
    for account_id in sorted(by_account):
        items = by_account[account_id]
        last = (
            await session.execute(
                update(Account)
                .where(Account.id == account_id)
                .values(last_event_seq=Account.last_event_seq + len(items))
                .returning(Account.last_event_seq)
            )
        ).scalar_one()
        first = last - len(items) + 1
        await session.execute(
            insert(EventRow),
            [
                {
                    "account_id": account_id,
                    "seq": first + i,
                    "type": item.event.type,
                    "conversation_id": item.conversation_id,
                    "contact_id": item.contact_id,
                    "inbox_id": item.inbox_id,
                    "private": item.private,
                    "payload": item.event.model_dump(mode="json"),
                    "created_at": now,
                }
                for i, item in enumerate(items)
            ],
        )
        heads[account_id] = last
    return heads


async def head(session: AsyncSession, *, account_id: int) -> int:
    """The last sequence number committed for the account (0: none yet)."""
    value = await session.scalar(select(Account.last_event_seq).where(Account.id == account_id))
    return int(value or 0)


async def oldest(session: AsyncSession, *, account_id: int) -> int | None:
    """The oldest sequence number still kept; a cursor below it must resync."""
    value = await session.scalar(select(func.min(EventRow.seq)).where(EventRow.account_id == account_id))
    return None if value is None else int(value)


async def check_cursor(session: AsyncSession, *, account_id: int, since: int) -> tuple[int, str | None]:
    """The account's head, and why a reader at `since` cannot resume from the log: "ahead" (a
    cursor from another database) or "pruned" (older than the oldest kept event); None: it can."""
    last = await head(session, account_id=account_id)
    if since > last:
        return last, "ahead"
    if since < last:
        first = await oldest(session, account_id=account_id)
        if first is None or since < first - 1:
            return last, "pruned"
    return last, None


async def read_since(
    session: AsyncSession,
    *,
    account_id: int,
    since: int,
    limit: int = 500,
    contact_id: int | None = None,
    inbox_ids: frozenset[int] | None = None,
) -> list[EventRow]:
    """Events after `since`, in order. A contact reader sees only its own, non-private events."""
    query = select(EventRow).where(EventRow.account_id == account_id, EventRow.seq > since)
    if contact_id is not None:
        query = query.where(EventRow.contact_id == contact_id, EventRow.private.is_(False))
    if inbox_ids is not None:
        query = query.where((EventRow.inbox_id.is_(None)) | (EventRow.inbox_id.in_(inbox_ids)))
    rows = await session.scalars(query.order_by(EventRow.seq).limit(limit))
    return list(rows)


async def prune(session: AsyncSession, *, older_than: dt.datetime) -> int:
    """Drop events older than the retention period. The head stays in accounts.last_event_seq."""
    result = await session.execute(delete(EventRow).where(EventRow.created_at < older_than))
    return int(getattr(result, "rowcount", 0) or 0)
