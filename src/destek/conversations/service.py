"""Conversations and messages: the only code that changes their rows. None of these commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts import inboxes as inbox_service
from destek.accounts import service as accounts
from destek.accounts import teams as team_service
from destek.accounts.models import Inbox
from destek.accounts.service import Actor
from destek.contacts.models import Contact
from destek.conversations.models import (
    PRIORITIES,
    STATUSES,
    Conversation,
    Message,
)
from destek.conversations.outputs import (
    _conversation_out,
    conversation_out,
)
from destek.db import utcnow
from destek.errors import Invalid, NotFound
from destek.events import log
from destek.events.schemas import ConversationCreated, ConversationRead, ConversationUpdated
from destek.scheduling import service as timers

# --- finding ------------------------------------------------------------------------------------


# Writers of one conversation queue on its row (PostgreSQL; SQLite's writers queue anyway), so its
# events are logged in the order its changes were made and no change is built on a stale read.
# NO KEY UPDATE: rows that merely reference the conversation (messages, attachments) are not blocked.
_ROW_LOCK: dict[str, Any] = {"key_share": True}
_CREATED = "destek_conversations_created"  # ids of conversations this transaction created
WAKE = "conversation.wake"  # the timer of a snoozed conversation


async def access_conversation(
    session: AsyncSession, *, actor: Actor, number: int, for_update: bool = False
) -> Conversation:
    """The conversation #number of the actor's account if the actor may see it; NotFound otherwise.

    `for_update`: lock the row until commit, before changing the conversation.
    """
    query = select(Conversation).where(
        Conversation.account_id == actor.account_id, Conversation.number == number
    )
    if for_update:
        query = query.with_for_update(**_ROW_LOCK).execution_options(populate_existing=True)
    conversation = await session.scalar(query)
    if conversation is None or not actor.can_see_inbox(conversation.inbox_id):
        raise NotFound(f"conversation {number} not found")
    return conversation


async def contact_conversation(
    session: AsyncSession, *, contact: Contact, inbox_id: int, conversation_id: int
) -> Conversation:
    """A conversation of this contact in this inbox; NotFound for anyone else's."""
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None or conversation.contact_id != contact.id or conversation.inbox_id != inbox_id:
        raise NotFound(f"conversation {conversation_id} not found")
    return conversation


# --- changing -------------------------------------------------------------------------------------


async def _record_update(session: AsyncSession, conversation: Conversation, changed: list[str]) -> None:
    conversation.updated_at = utcnow()
    await session.flush()
    log.record(
        session,
        ConversationUpdated(conversation=await conversation_out(session, conversation), changed=changed),
        account_id=conversation.account_id,
        conversation_id=conversation.id,
        contact_id=conversation.contact_id,
        inbox_id=conversation.inbox_id,
    )


@dataclass(frozen=True, slots=True)
class NewConversation:
    contact: Contact
    subject: str = ""
    custom_attributes: dict[str, Any] | None = None
    language: str | None = None


async def create_conversation(
    session: AsyncSession,
    *,
    inbox: Inbox,
    contact: Contact,
    subject: str = "",
    custom_attributes: dict[str, Any] | None = None,
    language: str | None = None,
) -> Conversation:
    new = NewConversation(contact, subject, custom_attributes, language)
    return (await create_conversations(session, inbox=inbox, new=[new]))[0]


async def create_conversations(
    session: AsyncSession, *, inbox: Inbox, new: Sequence[NewConversation]
) -> list[Conversation]:
    """Conversations in the inbox, numbered in the order given (one statement for the numbers, one
    for the rows, however many)."""
    if not new:
        return []
    for item in new:
        if item.contact.account_id != inbox.account_id:
            raise NotFound(f"contact {item.contact.id} not found")
    last = await accounts.next_conversation_number(session, account_id=inbox.account_id, count=len(new))
    now = utcnow()
    rows = [
        Conversation(
            account_id=inbox.account_id,
            number=last - len(new) + 1 + i,
            inbox_id=inbox.id,
            contact_id=item.contact.id,
            status="open",
            priority="none",
            subject=item.subject[:300],
            custom_attributes=dict(item.custom_attributes or {}),
            language=item.language or item.contact.locale,
            created_at=now,
            updated_at=now,
            last_activity_at=now,
        )
        for i, item in enumerate(new)
    ]
    session.add_all(rows)
    await session.flush()
    # Nobody else can see the rows before commit: posting their first messages needs no lock on them.
    session.info.setdefault(_CREATED, set()).update(c.id for c in rows)
    for conversation in rows:
        log.record(
            session,
            ConversationCreated(conversation=_conversation_out(conversation, [])),  # new: no labels yet
            account_id=conversation.account_id,
            conversation_id=conversation.id,
            contact_id=conversation.contact_id,
            inbox_id=inbox.id,
        )
    return rows


async def set_status(
    session: AsyncSession,
    *,
    conversation: Conversation,
    status: str,
    snoozed_until: dt.datetime | None = None,
) -> None:
    if status not in STATUSES:
        raise Invalid(f"status must be one of {', '.join(STATUSES)}", field="status")
    if status == "snoozed":
        if snoozed_until is None or snoozed_until <= utcnow():
            raise Invalid("snoozing needs snoozed_until, a time in the future", field="snoozed_until")
    elif snoozed_until is not None:
        raise Invalid("snoozed_until goes only with status snoozed", field="snoozed_until")
    if conversation.status == status and conversation.snoozed_until == snoozed_until:
        return
    if snoozed_until is not None:  # wakes up then (conversations/snooze.py), unless the customer writes
        await timers.schedule(
            session,
            account_id=conversation.account_id,
            kind=WAKE,
            key=str(conversation.id),
            due_at=snoozed_until,
        )
    elif conversation.status == "snoozed":
        await cancel_wake(session, conversation)
    conversation.status = status
    conversation.snoozed_until = snoozed_until
    conversation.resolved_at = utcnow() if status == "resolved" else None
    if status == "resolved":
        conversation.waiting_since = None
    await _record_update(session, conversation, ["status"])


async def cancel_wake(session: AsyncSession, conversation: Conversation) -> None:
    """A snoozed conversation that is woken otherwise (the customer wrote) needs its timer no more."""
    await timers.cancel(session, account_id=conversation.account_id, kind=WAKE, key=str(conversation.id))


async def set_priority(session: AsyncSession, *, conversation: Conversation, priority: str) -> None:
    if priority not in PRIORITIES:
        raise Invalid(f"priority must be one of {', '.join(PRIORITIES)}", field="priority")
    if conversation.priority == priority:
        return
    conversation.priority = priority
    await _record_update(session, conversation, ["priority"])


_UNSET: Any = object()


async def assign(
    session: AsyncSession,
    *,
    conversation: Conversation,
    assignee_id: int | None = _UNSET,
    team_id: int | None = _UNSET,
) -> None:
    """Assign to an agent and/or a team; None clears. An assignee must be an active member."""
    changed: list[str] = []
    if assignee_id is not _UNSET and assignee_id != conversation.assignee_id:
        if assignee_id is not None:
            await _check_assignee(session, conversation, assignee_id)
        conversation.assignee_id = assignee_id
        changed.append("assignee_id")
    if team_id is not _UNSET and team_id != conversation.team_id:
        if team_id is not None:
            try:
                await team_service.get_team(session, account_id=conversation.account_id, team_id=team_id)
            except NotFound as exc:
                raise NotFound(exc.message, field="team_id") from None
        conversation.team_id = team_id
        changed.append("team_id")
    if changed:
        await _record_update(session, conversation, changed)


async def _check_assignee(session: AsyncSession, conversation: Conversation, user_id: int) -> None:
    """An assignee is an active member who can see the conversation's inbox."""
    try:
        membership, _user = await accounts.get_member(
            session, account_id=conversation.account_id, user_id=user_id
        )
    except NotFound as exc:
        raise NotFound(exc.message, field="assignee_id") from None
    if not membership.active:
        raise Invalid(f"agent {user_id} is deactivated", field="assignee_id")
    if membership.role == "agent" and user_id not in await inbox_service.inbox_member_ids(
        session, inbox_id=conversation.inbox_id
    ):
        raise Invalid(
            f"agent {user_id} is not a member of this conversation's inbox: add them to it first",
            field="assignee_id",
        )


async def mark_read(
    session: AsyncSession, *, conversation: Conversation, reader_type: str, reader_id: int
) -> dt.datetime:
    """The reader has seen everything so far: the other side's messages become `read`."""
    now = utcnow()
    if reader_type == "contact":
        conversation.contact_last_read_at = now
        other: tuple[str, ...] = ("agent", "bot", "system")
    elif reader_type == "agent":
        conversation.agent_last_read_at = now
        other = ("contact",)
    else:
        raise Invalid("reader must be contact or agent", field="reader_type")
    await session.execute(
        update(Message)
        .where(
            Message.conversation_id == conversation.id,
            Message.sender_type.in_(other),
            Message.private.is_(False),
            Message.status.in_(("sent", "delivered")),
            Message.created_at <= now,
        )
        .values(status="read")
    )
    log.record(
        session,
        ConversationRead(
            conversation_id=conversation.id,
            conversation_number=conversation.number,
            reader_type=reader_type,
            reader_id=reader_id,
            read_at=now,
        ),
        account_id=conversation.account_id,
        conversation_id=conversation.id,
        contact_id=conversation.contact_id,
        inbox_id=conversation.inbox_id,
    )
    return now


async def get_conversation(
    session: AsyncSession, *, account_id: int, conversation_id: int
) -> Conversation | None:
    """A conversation by id within an account (for consumers, which act for no agent)."""
    conversation = await session.get(Conversation, conversation_id, populate_existing=True)
    if conversation is None or conversation.account_id != account_id:
        return None
    return conversation


async def has_agent_reply(session: AsyncSession, *, conversation_id: int) -> bool:
    found = await session.scalar(
        select(Message.id)
        .where(
            Message.conversation_id == conversation_id,
            Message.sender_type == "agent",
            Message.private.is_(False),
        )
        .limit(1)
    )
    return found is not None


async def lock_conversation(session: AsyncSession, conversation: Conversation) -> None:
    """Take the conversation's row lock now (until commit) and reload it: checks made after this see
    every change committed before, and changes committed after wait for this transaction."""
    await session.flush()
    if conversation.id not in session.info.get(_CREATED, ()):
        await session.refresh(conversation, with_for_update=_ROW_LOCK)


async def has_contact_message(session: AsyncSession, *, conversation_id: int) -> bool:
    found = await session.scalar(
        select(Message.id)
        .where(Message.conversation_id == conversation_id, Message.sender_type == "contact")
        .limit(1)
    )
    return found is not None
