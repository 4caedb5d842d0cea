"""A sent message's delivery status, as its channel reports it: pending (queued for the channel),
sent (the provider took it), delivered, read, or failed with the reason. Never moves backwards, except
from failed to pending when someone retries it. Each change is a message.updated event, so the
dashboard's ticks change live."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from destek.conversations.models import Conversation, Message
from destek.events import log
from destek.events.schemas import MessageUpdated

RANK = {"pending": 0, "sent": 1, "delivered": 2, "read": 3}
STATUSES = (*RANK, "failed")


async def set_status(
    session: AsyncSession,
    *,
    message: Message,
    status: str,
    reason: str = "",
    external_id: str | None = None,
    retry: bool = False,
) -> bool:
    """Record a delivery status; False (nothing changes) when it would move the message backwards."""
    from destek.conversations.outputs import forget_built, messages_out

    if status not in STATUSES:
        raise ValueError(f"unknown delivery status {status!r}")
    current = message.status
    if status != "failed" and current in RANK and RANK[status] < RANK[current]:
        return False
    if current == "failed" and status == "pending" and not retry:
        return False
    if current == status and not reason and (external_id is None or external_id == message.external_id):
        return False
    message.status = status
    attributes = dict(message.content_attributes)
    if status == "failed":
        attributes["delivery_error"] = reason[:300]
    else:
        attributes.pop("delivery_error", None)
    message.content_attributes = attributes
    if external_id is not None:
        message.external_id = external_id[:200]
    await session.flush()
    forget_built(session, message)
    conversation = await session.get(Conversation, message.conversation_id)
    if conversation is None:
        return False
    [out] = await messages_out(session, [message], numbers={conversation.id: conversation.number})
    log.record(
        session,
        MessageUpdated(message=out),
        account_id=conversation.account_id,
        conversation_id=conversation.id,
        contact_id=conversation.contact_id,
        inbox_id=conversation.inbox_id,
        private=message.private,
    )
    return True


async def by_external_id(session: AsyncSession, *, account_id: int, external_id: str) -> Message | None:
    found: Message | None = await session.scalar(
        select(Message)
        .where(Message.account_id == account_id, Message.external_id == external_id)
        .order_by(Message.id)
        .limit(1)
    )
    return found
