"""Posting messages: the one way a message is added, alone or many at once (a channel's batch of mails).

A batch costs what one post costs in round trips: its conversations' row locks in one statement (in id
order), its messages in one insert, its conversations' timers in one update. Each message is checked,
ordered and logged exactly as a single one would be.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts.models import User
from destek.contacts.models import Contact
from destek.conversations.attachments import claim_attachments
from destek.conversations.models import Attachment, Conversation, Message
from destek.conversations.outputs import _BUILT, BOT_NAME, _message_out
from destek.conversations.service import _CREATED, _ROW_LOCK, _record_update, cancel_wake
from destek.db import utcnow
from destek.errors import Conflict, Invalid
from destek.events import log
from destek.events.schemas import MessageCreated


@dataclass(slots=True)
class NewMessage:
    """One message to post; see post_message for the fields."""

    conversation: Conversation
    sender_type: str
    sender_id: int | None
    content: str
    private: bool = False
    client_message_id: str | None = None
    content_type: str = "text"
    content_attributes: dict[str, Any] | None = None
    attachment_ids: list[int] | None = None
    received: list[Attachment] | None = None  # rows of files a channel received with it, not added yet
    external_id: str | None = None
    sender_name: str | None = None
    status: str = "sent"


async def post_message(
    session: AsyncSession,
    *,
    conversation: Conversation,
    sender_type: str,
    sender_id: int | None,
    content: str,
    private: bool = False,
    client_message_id: str | None = None,
    content_type: str = "text",
    content_attributes: dict[str, Any] | None = None,
    attachment_ids: list[int] | None = None,
    external_id: str | None = None,
    sender_name: str | None = None,
    status: str = "sent",
) -> tuple[Message, bool]:
    """Add a message; returns it and whether it is new.

    A retry with the same `client_message_id` returns the first message and changes nothing.
    `sender_name`, when the caller knows it, saves a query. `status` "pending": a reply the inbox's
    channel still has to deliver (conversations/delivery.py moves it on).
    """
    post = NewMessage(
        conversation=conversation,
        sender_type=sender_type,
        sender_id=sender_id,
        content=content,
        private=private,
        client_message_id=client_message_id,
        content_type=content_type,
        content_attributes=content_attributes,
        attachment_ids=attachment_ids,
        external_id=external_id,
        sender_name=sender_name,
        status=status,
    )
    return (await post_messages(session, [post]))[0]


@dataclass(slots=True)
class _Fresh:
    index: int
    post: NewMessage
    conversation: Conversation
    message: Message
    attachments: list[Attachment]


async def post_messages(session: AsyncSession, posts: Sequence[NewMessage]) -> list[tuple[Message, bool]]:
    """Add messages in the order given (one conversation's keep it); for each, the message and whether
    it is new, as post_message answers."""
    # Take the conversations' row locks first: message ids, timers and event seqs then follow one order.
    await session.flush()
    created = session.info.get(_CREATED, ())
    await _lock(session, {p.conversation.id for p in posts if p.conversation.id not in created})
    answers: dict[int, tuple[Message, bool]] = {}
    fresh: list[_Fresh] = []
    now = utcnow()
    for index, post in enumerate(posts):
        conversation = post.conversation
        if conversation.merged_into_id is not None:
            conversation = await _merged_target(session, conversation, post.sender_type)
        if post.client_message_id is not None and post.attachment_ids:
            # Before claiming the uploads (a retry's are claimed already); without uploads the unique
            # constraint below answers a retry, saving this query on the hot path.
            existing = await _by_client_id(session, conversation.id, post.client_message_id)
            if existing is not None:
                answers[index] = _retried(existing, post.sender_type, post.sender_id), False
                continue
        if post.private and post.sender_type not in ("agent", "bot"):
            raise Invalid("only agents (and the bot, for agents) write private notes", field="private")
        if post.sender_type not in ("contact", "agent", "bot", "system"):
            raise Invalid("unknown sender type", field="sender_type")
        attachments = await claim_attachments(
            session,
            conversation=conversation,
            attachment_ids=post.attachment_ids or [],
            uploader_type="contact" if post.sender_type == "contact" else "agent",
            uploader_id=post.sender_id or 0,
        )
        attachments += post.received or []
        if not post.content.strip() and not attachments:
            raise Invalid("a message needs content or at least one attachment", field="content")
        message = Message(
            account_id=conversation.account_id,
            conversation_id=conversation.id,
            direction="in" if post.sender_type == "contact" else "out",
            sender_type=post.sender_type,
            sender_id=post.sender_id,
            private=post.private,
            content=post.content,
            content_type=post.content_type,
            content_attributes=dict(post.content_attributes or {}),
            client_message_id=post.client_message_id,
            external_id=post.external_id,
            status=post.status,
            created_at=now,
        )
        if post.client_message_id is None:  # nothing unique to collide on: no savepoint needed
            session.add(message)
        else:
            await session.flush()  # the messages before it first: ids keep the order of the posts
            try:
                async with session.begin_nested():
                    session.add(message)
                    await session.flush()
            except IntegrityError:
                # A concurrent retry with the same client id won the race: answer with its message.
                existing = await _by_client_id(session, conversation.id, post.client_message_id)
                if existing is None:
                    raise
                answers[index] = _retried(existing, post.sender_type, post.sender_id), False
                continue
        fresh.append(_Fresh(index, post, conversation, message, attachments))
    await session.flush()  # one insert for the batch's messages
    for item in fresh:
        for attachment in item.attachments:
            attachment.message_id = item.message.id
        session.add_all(item.post.received or [])
    await session.flush()  # one insert for the files received with them
    names = await _sender_names(session, [f.post for f in fresh])
    for item in fresh:
        message, conversation = item.message, item.conversation
        snoozed = conversation.status == "snoozed"
        changed = _touch_for_message(conversation, message, now)
        if snoozed and conversation.status != "snoozed":  # the customer wrote: awake before its time
            await cancel_wake(session, conversation)
        name = item.post.sender_name
        if name is None:
            name = names.get((item.post.sender_type, item.post.sender_id or 0))
            if name is None:
                name = BOT_NAME if item.post.sender_type == "bot" else ""
        out = _message_out(message, name=name, number=conversation.number, files=item.attachments)
        session.info.setdefault(_BUILT, {})[message] = out
        log.record(
            session,
            MessageCreated(message=out),
            account_id=conversation.account_id,
            conversation_id=conversation.id,
            contact_id=conversation.contact_id,
            inbox_id=conversation.inbox_id,
            private=message.private,
        )
        if changed:
            await _record_update(session, conversation, changed)
        answers[item.index] = message, True
    await session.flush()  # one update for the conversations' timers
    return [answers[i] for i in range(len(posts))]


async def _lock(session: AsyncSession, ids: set[int]) -> None:
    if ids:
        await session.execute(
            select(Conversation)
            .where(Conversation.id.in_(sorted(ids)))
            .order_by(Conversation.id)
            .with_for_update(**_ROW_LOCK)
            .execution_options(populate_existing=True)
        )


async def _sender_names(session: AsyncSession, posts: Sequence[NewMessage]) -> dict[tuple[str, int], str]:
    """The names of the people among the senders that the callers did not name, in one query each kind."""
    wanted: dict[str, set[int]] = {"agent": set(), "contact": set()}
    for post in posts:
        if post.sender_name is None and post.sender_type in wanted and post.sender_id:
            wanted[post.sender_type].add(post.sender_id)
    names: dict[tuple[str, int], str] = {}
    for kind, model in (("agent", User), ("contact", Contact)):
        if wanted[kind]:
            rows = await session.execute(select(model.id, model.name).where(model.id.in_(wanted[kind])))
            names.update({(kind, int(i)): name or "" for i, name in rows})
    return names


async def _merged_target(session: AsyncSession, conversation: Conversation, sender_type: str) -> Conversation:
    """Where a message to a merged conversation goes: the contact's (and the bot's) follow the merge,
    so a reply to an old thread is not lost; an agent is told to write in the target instead."""
    target = conversation
    while target.merged_into_id is not None:
        found = await session.get(Conversation, target.merged_into_id)
        if found is None:
            break
        target = found
    if sender_type == "agent":
        raise Conflict(
            f"conversation {conversation.number} was merged into #{target.number}: write there",
            field="conversation",
        )
    await session.refresh(target, with_for_update=_ROW_LOCK)
    return target


def _touch_for_message(conversation: Conversation, message: Message, now: dt.datetime) -> list[str]:
    """Update the conversation's timers for a new message; return the fields that matter to others."""
    changed: list[str] = []
    if message.private:
        return changed
    conversation.last_activity_at = now
    if message.sender_type == "contact":
        if conversation.waiting_since is None:
            conversation.waiting_since = now
        if conversation.status in ("resolved", "snoozed", "pending"):
            conversation.status = "open"
            conversation.resolved_at = None
            conversation.snoozed_until = None
            changed.append("status")
    elif message.sender_type == "agent":
        # The bot's replies do not count as a response time of people.
        if conversation.first_reply_at is None:
            conversation.first_reply_at = now
        conversation.waiting_since = None
    elif message.sender_type == "bot" and conversation.handed_over_at is None:
        # Answered by the bot: nobody waits for a person until the bot hands over.
        conversation.waiting_since = None
    return changed


async def find_contact_message(
    session: AsyncSession, *, contact_id: int, inbox_id: int, client_message_id: str
) -> tuple[Message, Conversation] | None:
    """A message the contact already sent with this client id in this inbox (a retried request)."""
    row = (
        await session.execute(
            select(Message, Conversation)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(
                Conversation.contact_id == contact_id,
                Conversation.inbox_id == inbox_id,
                Message.sender_type == "contact",
                Message.client_message_id == client_message_id,
            )
            .limit(1)
        )
    ).first()
    return None if row is None else (row[0], row[1])


def _retried(existing: Message, sender_type: str, sender_id: int | None) -> Message:
    """The earlier message is a retry's answer only if the same sender sent it; otherwise the id is
    taken, and answering with that message would hand one party the other's (maybe a private note)."""
    if existing.sender_type != sender_type or existing.sender_id != sender_id:
        raise Conflict(
            "client_message_id is already used in this conversation by another sender: make a new one",
            field="client_message_id",
        )
    return existing


async def _by_client_id(
    session: AsyncSession, conversation_id: int, client_message_id: str
) -> Message | None:
    found: Message | None = await session.scalar(
        select(Message).where(
            Message.conversation_id == conversation_id, Message.client_message_id == client_message_id
        )
    )
    return found
