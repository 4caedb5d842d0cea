"""Taking in what a channel received: one path for every channel.

A message is stored once (the provider's id is its idempotency key across the account's inboxes: the
same mail fetched twice, or sent to two of our inboxes, is one message), from the contact the channel
names (channel identity, else the account's contact with that e-mail or phone: one person across
channels), in the conversation it answers: the conversation of a stored message it replies to, then a
conversation number the channel found (an e-mail subject's marker), but only ever one of the same
contact, else, for chat channels, the contact's latest unresolved conversation in the inbox, else a new
one. Status receipts move our messages' delivery status forwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts.models import Inbox
from destek.channels import registry
from destek.channels.base import InboundAttachment, InboundMessage, StatusUpdate
from destek.contacts import service as contacts
from destek.contacts.models import Contact
from destek.conversations import delivery as message_delivery
from destek.conversations import service as conversations
from destek.conversations.attachments import store_received
from destek.conversations.models import Attachment, Conversation, Message
from destek.state import AppState


@dataclass(frozen=True, slots=True)
class Received:
    message: Message
    conversation: Conversation
    new: bool  # False: the provider's id was already stored (a redelivery)


async def _replied_conversation(
    session: AsyncSession, *, account_id: int, contact_id: int, ids: Sequence[str]
) -> Conversation | None:
    if not ids:
        return None
    rows = (
        await session.execute(
            select(Conversation, Message.id)
            .join(Message, Message.conversation_id == Conversation.id)
            .where(Message.account_id == account_id, Message.external_id.in_(list(ids)[-50:]))
            .order_by(Message.id.desc())
        )
    ).all()
    for conversation, _ in rows:
        if conversation.contact_id == contact_id:
            return conversation  # never another contact's conversation, whatever the headers say
    return None


async def _conversation_for(
    session: AsyncSession, *, inbox: Inbox, contact: Contact, item: InboundMessage, thread_number: int | None
) -> Conversation:
    found = await _replied_conversation(
        session, account_id=inbox.account_id, contact_id=contact.id, ids=item.replies_to
    )
    if found is None and thread_number is not None:
        found = await session.scalar(
            select(Conversation).where(
                Conversation.account_id == inbox.account_id,
                Conversation.number == thread_number,
                Conversation.contact_id == contact.id,
            )
        )
    if found is None and not registry.get(inbox.channel_type).capabilities.subject:
        found = await session.scalar(
            select(Conversation)
            .where(
                Conversation.inbox_id == inbox.id,
                Conversation.contact_id == contact.id,
                Conversation.status != "resolved",
                Conversation.merged_into_id.is_(None),
            )
            .order_by(Conversation.last_activity_at.desc())
            .limit(1)
        )
    if found is not None:
        return found
    return await conversations.create_conversation(
        session, inbox=inbox, contact=contact, subject=(item.subject or "")[:300]
    )


async def receive_message(
    session: AsyncSession,
    *,
    state: AppState,
    inbox: Inbox,
    item: InboundMessage,
    deduplicated: bool = False,
) -> Received:
    """`deduplicated`: the caller has checked the provider id already (intake's record of it)."""
    existing = None
    if not deduplicated:
        existing = await session.scalar(
            select(Message)
            .where(Message.account_id == inbox.account_id, Message.external_id == item.external_id[:200])
            .order_by(Message.id)
            .limit(1)
        )
    if existing is not None:
        conversation = await session.get(Conversation, existing.conversation_id)
        assert conversation is not None
        return Received(existing, conversation, new=False)
    details = item.contact
    contact = await contacts.from_channel(
        session,
        inbox=inbox,
        source_id=details.identifier,
        name=details.name,
        email=details.email,
        phone=details.phone,
    )
    conversation = await _conversation_for(
        session, inbox=inbox, contact=contact, item=item, thread_number=item.thread_number
    )
    attachment_ids = [
        (await _store(session, state, conversation, contact.id, attachment)).id
        for attachment in item.attachments
    ]
    attributes = dict(item.attributes)
    if item.automatic:
        attributes["automatic"] = item.automatic  # never answered automatically (bot, auto-replies)
    content = item.text if item.text.strip() or attachment_ids else (item.subject or "(no text)")
    message, new = await conversations.post_message(
        session,
        conversation=conversation,
        sender_type="contact",
        sender_id=contact.id,
        content=content,
        content_attributes=attributes,
        attachment_ids=attachment_ids,
        external_id=item.external_id[:200],
        sender_name=contact.name,
    )
    return Received(message, conversation, new=new)


async def _store(
    session: AsyncSession,
    state: AppState,
    conversation: Conversation,
    contact_id: int,
    item: InboundAttachment,
) -> Attachment:
    return await store_received(
        session,
        settings=state.settings,
        blobs=state.blobs,
        conversation=conversation,
        uploader_id=contact_id,
        filename=item.filename,
        content_type=item.content_type,
        data=item.data,
        content_id=item.content_id,
        inline=item.inline,
    )


async def receive_status(session: AsyncSession, *, account_id: int, item: StatusUpdate) -> bool:
    message = await message_delivery.by_external_id(
        session, account_id=account_id, external_id=item.external_id
    )
    if message is None or message.direction != "out":
        return False
    return await message_delivery.set_status(session, message=message, status=item.status, reason=item.reason)
