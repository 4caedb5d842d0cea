"""What the agents' inbox shows: list rows with contact, last message and unread count, counts, detail.

Everything is read in batches by id, a fixed number of queries per page whatever its size.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts import inboxes as inbox_service
from destek.accounts.service import Actor
from destek.contacts import service as contacts
from destek.contacts.models import Contact
from destek.conversations.models import (
    PRIORITIES,
    STATUSES,
    Attachment,
    Conversation,
    ConversationLabel,
    Label,
    Message,
)
from destek.conversations.outputs import (
    conversation_out,
    conversations_out,
)
from destek.conversations.schemas import (
    PREVIEW_CHARS,
    ContactSummary,
    ConversationCounts,
    ConversationDetail,
    ConversationItem,
    InboxSummary,
    LastMessage,
)
from destek.db import MAX_ID, MAX_INT32
from destek.errors import Invalid


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


# --- the inbox's lists and a conversation's messages ---------------------------------------------


async def contact_conversations(
    session: AsyncSession, *, contact: Contact, inbox_id: int
) -> list[Conversation]:
    rows = await session.scalars(
        select(Conversation)
        .where(Conversation.contact_id == contact.id, Conversation.inbox_id == inbox_id)
        .order_by(Conversation.last_activity_at.desc(), Conversation.id.desc())
    )
    return list(rows)


@dataclass(slots=True)
class ConversationFilter:
    status: list[str] = field(default_factory=list)
    assignee: str | None = None  # "me", "none", "any" or a user id
    team_id: int | None = None
    inbox_id: int | None = None
    label: str | None = None
    priority: list[str] = field(default_factory=list)
    contact_id: int | None = None
    q: str | None = None
    sort: str = "last_activity"  # last_activity | waiting | created


def _encode_cursor(sort: str, value: dt.datetime, row_id: int) -> str:
    raw = json.dumps([sort, value.isoformat(), row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, sort: str) -> tuple[dt.datetime, int]:
    """The position a cursor points at; it must come from a listing with the same sort."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        cursor_sort, value, row_id = json.loads(raw)
        position = dt.datetime.fromisoformat(value)
        if (
            cursor_sort != sort
            or position.tzinfo is None
            or not isinstance(row_id, int)
            or isinstance(row_id, bool)
            or not 1 <= row_id <= MAX_ID
        ):
            raise ValueError(cursor)
    except (ValueError, TypeError):
        raise Invalid("the cursor is not one this server gave out for this sort", field="cursor") from None
    return position, row_id


_SORTS = {
    "last_activity": (Conversation.last_activity_at, True),
    "created": (Conversation.created_at, True),
    "waiting": (Conversation.waiting_since, False),
}


async def list_conversations(
    session: AsyncSession, *, actor: Actor, filters: ConversationFilter, cursor: str | None, limit: int
) -> tuple[list[Conversation], str | None]:
    """A page of the conversations the actor may see, and the cursor of the next page."""
    query = select(Conversation).where(Conversation.account_id == actor.account_id)
    if actor.inbox_ids is not None:
        query = query.where(Conversation.inbox_id.in_(actor.inbox_ids))
    for value in filters.status:
        if value not in STATUSES:
            raise Invalid(f"status must be one of {', '.join(STATUSES)}", field="status")
    if filters.status:
        query = query.where(Conversation.status.in_(filters.status))
    for value in filters.priority:
        if value not in PRIORITIES:
            raise Invalid(f"priority must be one of {', '.join(PRIORITIES)}", field="priority")
    if filters.priority:
        query = query.where(Conversation.priority.in_(filters.priority))
    if filters.assignee == "me":
        query = query.where(Conversation.assignee_id == actor.user_id)
    elif filters.assignee == "none":
        query = query.where(Conversation.assignee_id.is_(None))
    elif filters.assignee not in (None, "", "any"):
        try:
            assignee_id = int(filters.assignee)
            if not 1 <= assignee_id <= MAX_ID:
                raise ValueError(filters.assignee)
        except ValueError:
            raise Invalid("assignee must be me, none, any or an agent id", field="assignee") from None
        query = query.where(Conversation.assignee_id == assignee_id)
    if filters.team_id is not None:
        query = query.where(Conversation.team_id == filters.team_id)
    if filters.inbox_id is not None:
        query = query.where(Conversation.inbox_id == filters.inbox_id)
    if filters.contact_id is not None:
        query = query.where(Conversation.contact_id == filters.contact_id)
    if filters.label:
        query = query.where(
            exists().where(
                ConversationLabel.conversation_id == Conversation.id,
                ConversationLabel.label_id == Label.id,
                Label.account_id == actor.account_id,
                Label.name == filters.label.strip().lower(),
            )
        )
    if filters.q:
        query = query.where(_text_match(actor.account_id, filters.q))
    if filters.sort not in _SORTS:
        raise Invalid(f"sort must be one of {', '.join(_SORTS)}", field="sort")
    column, descending = _SORTS[filters.sort]
    if filters.sort == "waiting":
        query = query.where(Conversation.waiting_since.is_not(None))
    if cursor:
        position, row_id = _decode_cursor(cursor, filters.sort)
        if descending:
            query = query.where(or_(column < position, and_(column == position, Conversation.id < row_id)))
        else:
            query = query.where(or_(column > position, and_(column == position, Conversation.id > row_id)))
    order = (column.desc(), Conversation.id.desc()) if descending else (column.asc(), Conversation.id.asc())
    rows = list(await session.scalars(query.order_by(*order).limit(limit + 1)))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = _encode_cursor(filters.sort, getattr(last, column.key), last.id)
    return rows, next_cursor


def _text_match(account_id: int, q: str) -> Any:
    """Conversations whose number, contact or any message matches the text."""
    text = q.strip().lstrip("#")
    # The searcher's % and _ are plain characters, not wildcards.
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    like = f"%{escaped}%"
    conditions: list[ColumnElement[bool]] = [
        exists().where(
            Message.conversation_id == Conversation.id,
            Message.account_id == account_id,
            func.lower(Message.content).like(like, escape="\\"),
        ),
        exists().where(
            Contact.id == Conversation.contact_id,
            or_(
                func.lower(Contact.name).like(like, escape="\\"),
                func.lower(Contact.email).like(like, escape="\\"),
                Contact.phone.like(like, escape="\\"),
            ),
        ),
    ]
    # ASCII digits only (int() refuses some of what isdigit() accepts, e.g. "²"), in INTEGER's range.
    if text.isascii() and text.isdigit() and int(text) <= MAX_INT32:
        conditions.append(Conversation.number == int(text))
    return or_(*conditions)


async def list_messages(
    session: AsyncSession,
    *,
    conversation: Conversation,
    include_private: bool,
    before_id: int | None = None,
    after_id: int | None = None,
    limit: int = 50,
) -> list[Message]:
    """Messages in order. `before_id` pages back from the newest; `after_id` forward.

    A conversation's thread includes the messages of the conversations merged into it (merge.py),
    interleaved by id (the order they were written in)."""
    query = select(Message).where(Message.conversation_id.in_(await thread_ids(session, conversation.id)))
    if not include_private:
        query = query.where(Message.private.is_(False))
    if after_id is not None:
        rows = await session.scalars(query.where(Message.id > after_id).order_by(Message.id).limit(limit))
        return list(rows)
    if before_id is not None:
        query = query.where(Message.id < before_id)
    rows = await session.scalars(query.order_by(Message.id.desc()).limit(limit))
    return list(reversed(list(rows)))


async def thread_ids(session: AsyncSession, conversation_id: int) -> list[int]:
    """The conversation and every conversation merged into it, directly or through another."""
    found = [conversation_id]
    frontier = [conversation_id]
    while frontier:
        frontier = list(
            await session.scalars(select(Conversation.id).where(Conversation.merged_into_id.in_(frontier)))
        )
        frontier = [i for i in frontier if i not in found]  # a cycle cannot be made; never loop on one
        found += frontier
    return found
