"""The outbox's rows: enqueue once per idempotency key, claim one attempt at a time in lane order,
record what the attempt came to, redeliver by hand. Plain functions; none commits.

At most once: an attempt is claimed (status `sending`, attempts + 1) and committed before anything
leaves the server, and its outcome is recorded after. An attempt that never recorded an outcome (the
process died mid-send) is not repeated by itself, since the other end may have it: `interrupted()`
marks it failed with that reason, and an admin may redeliver it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from destek.db import utcnow
from destek.deliveries import backoff
from destek.deliveries.models import Delivery
from destek.deliveries.outcome import Delivered, Outcome, RetryLater, Skipped
from destek.errors import Conflict, NotFound

INTERRUPTED = "interrupted while sending; not repeated automatically in case it arrived: redeliver by hand"


async def enqueue(
    session: AsyncSession,
    *,
    account_id: int,
    kind: str,
    key: str,
    lane: str,
    target: str,
    payload: dict[str, Any] | None = None,
    inbox_id: int | None = None,
    conversation_id: int | None = None,
    message_id: int | None = None,
    event_seq: int | None = None,
    due_at: dt.datetime | None = None,
) -> Delivery | None:
    """A new pending delivery, first tried at `due_at` (now by default), or None when one with this key
    exists (a replayed event)."""
    exists = await session.scalar(
        select(Delivery.id).where(
            Delivery.account_id == account_id, Delivery.kind == kind, Delivery.key == key
        )
    )
    if exists is not None:
        return None
    delivery = Delivery(
        account_id=account_id,
        kind=kind,
        key=key,
        lane=lane,
        target=target[:2000],
        payload=dict(payload or {}),
        inbox_id=inbox_id,
        conversation_id=conversation_id,
        message_id=message_id,
        event_seq=event_seq,
        status="pending",
        attempts=0,
        next_attempt_at=due_at or utcnow(),
        last_error="",
    )
    session.add(delivery)
    await session.flush()
    return delivery


async def due(session: AsyncSession, *, kind: str, limit: int = 50) -> list[tuple[int, str, str]]:
    """(id, lane, target) of deliveries whose attempt is due and that are first in their lane."""
    now = utcnow()
    rows = (
        await session.execute(
            select(Delivery.id, Delivery.lane, Delivery.target, Delivery.next_attempt_at, Delivery.status)
            .where(Delivery.kind == kind, Delivery.status.in_(("pending", "sending")))
            .order_by(Delivery.id)
            .limit(limit * 10)
        )
    ).all()
    first: dict[str, tuple[int, str, dt.datetime | None, str]] = {}
    for row_id, lane, target, next_at, status in rows:
        first.setdefault(str(lane), (int(row_id), str(target), next_at, str(status)))
    found = [
        (row_id, lane, target)
        for lane, (row_id, target, next_at, status) in first.items()
        if status == "pending" and next_at is not None and next_at <= now
    ]
    return found[:limit]


async def claim(session: AsyncSession, *, delivery_id: int) -> Delivery | None:
    """Start one attempt: the row locked, `sending`, attempts + 1. None when it is not pending, not due,
    or an earlier delivery of its lane is still waiting (order within a lane is kept)."""
    delivery = await session.get(Delivery, delivery_id, with_for_update=True, populate_existing=True)
    if delivery is None or delivery.status != "pending":
        return None
    if delivery.next_attempt_at is not None and delivery.next_attempt_at > utcnow():
        return None
    earlier = await session.scalar(
        select(Delivery.id)
        .where(
            Delivery.kind == delivery.kind,
            Delivery.lane == delivery.lane,
            Delivery.id < delivery.id,
            Delivery.status.in_(("pending", "sending")),
        )
        .limit(1)
    )
    if earlier is not None:
        return None
    delivery.status = "sending"
    delivery.attempts += 1
    delivery.attempted_at = utcnow()
    delivery.next_attempt_at = None
    return delivery


def record(delivery: Delivery, outcome: Outcome, *, scale: float = 1.0) -> str:
    """Apply an attempt's outcome to its (locked) row; returns the new status."""
    delivery.last_status_code = outcome.status_code
    if isinstance(outcome, Skipped):
        delivery.status = "skipped"
        delivery.last_error = outcome.reason[:500]
        delivery.next_attempt_at = None
    elif isinstance(outcome, Delivered):
        delivery.status = "delivered"
        delivery.delivered_at = utcnow()
        delivery.provider_id = outcome.provider_id
        delivery.last_error = ""
        delivery.next_attempt_at = None
    elif isinstance(outcome, RetryLater) and delivery.attempts < backoff.MAX_ATTEMPTS:
        delivery.status = "pending"
        delivery.last_error = outcome.reason[:500]
        wait = backoff.delay(delivery.attempts, scale=scale, hint=outcome.delay)
        delivery.next_attempt_at = utcnow() + wait
    else:
        delivery.status = "failed"
        delivery.last_error = outcome.reason[:500]
        delivery.next_attempt_at = None
    return delivery.status


async def interrupted(session: AsyncSession, *, kind: str, older_than: dt.timedelta) -> list[Delivery]:
    """Attempts claimed longer ago than any attempt can take, with no outcome: marked failed."""
    cutoff = utcnow() - older_than
    rows = list(
        await session.scalars(
            select(Delivery)
            .where(Delivery.kind == kind, Delivery.status == "sending", Delivery.attempted_at <= cutoff)
            .with_for_update()
        )
    )
    for delivery in rows:
        delivery.status = "failed"
        delivery.last_error = INTERRUPTED
    return rows


async def redeliver(session: AsyncSession, *, account_id: int, delivery_id: int) -> Delivery:
    """Try a failed delivery again now (an admin's or an agent's request)."""
    delivery = await session.get(Delivery, delivery_id, with_for_update=True, populate_existing=True)
    if delivery is None or delivery.account_id != account_id:
        raise NotFound(f"delivery {delivery_id} not found")
    if delivery.status != "failed":
        raise Conflict(f"delivery {delivery_id} is {delivery.status}: only a failed one can be retried")
    delivery.status = "pending"
    delivery.attempts = 0
    delivery.next_attempt_at = utcnow()
    return delivery


async def for_message(
    session: AsyncSession, *, account_id: int, kind: str, message_id: int
) -> Delivery | None:
    found: Delivery | None = await session.scalar(
        select(Delivery).where(
            Delivery.account_id == account_id, Delivery.kind == kind, Delivery.message_id == message_id
        )
    )
    return found


async def listing(
    session: AsyncSession,
    *,
    account_id: int,
    kinds: Sequence[str] | None = None,
    status: str | None = None,
    inbox_id: int | None = None,
    limit: int = 100,
) -> list[Delivery]:
    query = select(Delivery).where(Delivery.account_id == account_id)
    if inbox_id is not None:
        query = query.where(Delivery.inbox_id == inbox_id)
    if kinds:
        query = query.where(Delivery.kind.in_(list(kinds)))
    if status:
        query = query.where(Delivery.status == status)
    return list(await session.scalars(query.order_by(Delivery.id.desc()).limit(limit)))
