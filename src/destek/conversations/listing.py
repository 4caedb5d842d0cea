"""What the agents' inbox shows: list rows with contact, last message and unread count, counts, detail.

Everything is read in batches by id, a fixed number of queries per page whatever its size.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts import inboxes as inbox_service
from destek.accounts.service import Actor
from destek.contacts import service as contacts
from destek.contacts.models import Contact
from destek.conversations.models import Attachment, Conversation, Message
from destek.conversations.outputs import conversation_out, conversations_out
from destek.conversations.schemas import (
    PREVIEW_CHARS,
    ContactSummary,
    ConversationCounts,
    ConversationDetail,
    ConversationItem,
    InboxSummary,
    LastMessage,
)


def _preview(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= PREVIEW_CHARS else flat[: PREVIEW_CHARS - 1] + "…"


async def unread_counts(session: AsyncSession, conversation_ids: Sequence[int]) -> dict[int, int]:
    """Per conversation: the contact's messages the agents have not read yet."""
    counts = dict.fromkeys(conversation_ids, 0)
    if not conversation_ids:
        return counts
    rows = await session.execute(
        select(Message.conversation_id, func.count())
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(
            Message.conversation_id.in_(conversation_ids),
            Message.sender_type == "contact",
            or_(
                Conversation.agent_last_read_at.is_(None),
                Message.created_at > Conversation.agent_last_read_at,
            ),
        )
        .group_by(Message.conversation_id)
    )
    for conversation_id, count in rows:
        counts[conversation_id] = int(count)
    return counts


async def last_messages(session: AsyncSession, conversation_ids: Sequence[int]) -> dict[int, LastMessage]:
    """The newest message of each conversation (notes included: agents read them)."""
    if not conversation_ids:
        return {}
    newest = (
        select(func.max(Message.id).label("id"))
        .where(Message.conversation_id.in_(conversation_ids))
        .group_by(Message.conversation_id)
        .subquery()
    )
    messages = list(await session.scalars(select(Message).join(newest, newest.c.id == Message.id)))
    files = dict(
        (
            await session.execute(
                select(Attachment.message_id, func.count())
                .where(Attachment.message_id.in_([m.id for m in messages]))
                .group_by(Attachment.message_id)
            )
        ).all()
    )
    return {
        m.conversation_id: LastMessage(
            id=m.id,
            content=_preview(m.content),
            content_type=m.content_type,
            sender_type=m.sender_type,
            private=m.private,
            attachments=int(files.get(m.id, 0)),
            created_at=m.created_at,
        )
        for m in messages
    }


async def conversation_items(session: AsyncSession, rows: Sequence[Conversation]) -> list[ConversationItem]:
    ids = [c.id for c in rows]
    outs = await conversations_out(session, rows)
    people = {
        contact_id: ContactSummary(id=contact_id, name=name, email=email)
        for contact_id, name, email in (
            await session.execute(
                select(Contact.id, Contact.name, Contact.email).where(
                    Contact.id.in_({c.contact_id for c in rows})
                )
            )
        ).all()
    }
    previews = await last_messages(session, ids)
    unread = await unread_counts(session, ids)
    return [
        ConversationItem(
            **out.model_dump(),
            contact=people[row.contact_id],
            last_message=previews.get(row.id),
            unread_count=unread[row.id],
        )
        for row, out in zip(rows, outs, strict=True)
    ]


async def status_counts(
    session: AsyncSession, *, actor: Actor, inbox_id: int | None = None, team_id: int | None = None
) -> ConversationCounts:
    """How many conversations the actor may see are in each status (for the inbox sidebar)."""
    is_open = Conversation.status == "open"
    query = (
        select(
            Conversation.status,
            func.count(),
            func.sum(case((is_open & (Conversation.assignee_id == actor.user_id), 1), else_=0)),
            func.sum(case((is_open & Conversation.assignee_id.is_(None), 1), else_=0)),
        )
        .where(Conversation.account_id == actor.account_id)
        .group_by(Conversation.status)
    )
    if actor.inbox_ids is not None:
        query = query.where(Conversation.inbox_id.in_(actor.inbox_ids))
    if inbox_id is not None:
        query = query.where(Conversation.inbox_id == inbox_id)
    if team_id is not None:
        query = query.where(Conversation.team_id == team_id)
    counts = {"open": 0, "pending": 0, "snoozed": 0, "resolved": 0, "mine": 0, "unassigned": 0}
    for status, total, mine, unassigned in await session.execute(query):
        counts[status] = int(total)
        counts["mine"] += int(mine or 0)
        counts["unassigned"] += int(unassigned or 0)
    return ConversationCounts(**counts)


async def conversation_detail(session: AsyncSession, conversation: Conversation) -> ConversationDetail:
    out = await conversation_out(session, conversation)
    contact = await contacts.get_contact(
        session, account_id=conversation.account_id, contact_id=conversation.contact_id
    )
    inbox = await inbox_service.get_inbox(
        session, account_id=conversation.account_id, inbox_id=conversation.inbox_id
    )
    unread = await unread_counts(session, [conversation.id])
    return ConversationDetail(
        **out.model_dump(),
        contact=contacts.contact_out(contact),
        inbox=InboxSummary(id=inbox.id, name=inbox.name, channel_type=inbox.channel_type),
        unread_count=unread[conversation.id],
    )
