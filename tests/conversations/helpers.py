"""Conversations made through the services (as a channel would), and a look at the event log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from destek.accounts import inboxes as inbox_service
from destek.accounts import service as accounts
from destek.accounts import teams as team_service
from destek.accounts.models import Inbox
from destek.contacts import service as contacts
from destek.contacts.schemas import ContactCreate
from destek.conversations import posting
from destek.conversations import service as conversations
from destek.conversations.models import Attachment, Message
from destek.events import log
from destek.events.models import EventRow
from destek.state import AppState
from tests.support.factories import Tenant, write


@dataclass
class Started:
    id: int
    number: int
    contact_id: int
    inbox_id: int


async def start_conversation(
    state: AppState,
    tenant: Tenant,
    *,
    texts: tuple[str, ...] = ("Merhaba",),
    inbox_id: int | None = None,
    **contact: Any,
) -> Started:
    """A contact writes in: identify, open a conversation, post the contact's messages."""
    contact.setdefault("name", "Ayşe Yılmaz")
    async with state.uow() as session:
        inbox = await session.get(Inbox, inbox_id or tenant.inbox_id)
        assert inbox is not None
        person = await contacts.identify(
            session, inbox=inbox, data=ContactCreate(**contact), identifier_hash=None, existing=None
        )
        conversation = await conversations.create_conversation(session, inbox=inbox, contact=person)
        for text in texts:
            await posting.post_message(
                session, conversation=conversation, sender_type="contact", sender_id=person.id, content=text
            )
        return Started(conversation.id, conversation.number, person.id, inbox.id)


async def contact_writes(state: AppState, started: Started, text: str) -> None:
    await write(state, started.id, text, sender="contact", sender_id=started.contact_id)


async def second_inbox(state: AppState, tenant: Tenant, name: str = "Email") -> int:
    """Another inbox of the tenant, of which the tenant's agent is not a member."""
    async with state.uow() as session:
        inbox = await inbox_service.create_inbox(
            session, account_id=tenant.account_id, name=name, channel_type="api"
        )
        return inbox.id


async def create_team(state: AppState, tenant: Tenant, name: str = "Technical") -> int:
    async with state.uow() as session:
        owner = await accounts.actor_for(session, account_id=tenant.account_id, user_id=tenant.owner.user_id)
        team = await team_service.create_team(session, actor=owner, name=name, tier=2)
        return team.id


async def head(state: AppState, tenant: Tenant) -> int:
    async with state.read() as session:
        return await log.head(session, account_id=tenant.account_id)


async def events_since(state: AppState, tenant: Tenant, since: int, **kw: Any) -> list[EventRow]:
    async with state.read() as session:
        return await log.read_since(session, account_id=tenant.account_id, since=since, limit=10_000, **kw)


async def count_rows(state: AppState, model: type[Message] | type[Attachment]) -> int:
    async with state.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)
