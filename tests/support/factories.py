"""Factories: whole tenants (account, owner, agent, inbox, tokens) built through the services."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import httpx

from destek.accounts import credentials
from destek.accounts import inboxes as inbox_service
from destek.accounts import service as accounts
from destek.accounts.models import Inbox
from destek.contacts import service as contacts
from destek.contacts.schemas import ContactCreate
from destek.conversations import posting
from destek.conversations.models import Conversation
from destek.state import AppState

_counter = itertools.count(1)
PASSWORD = "correct horse battery"


@dataclass
class Agent:
    user_id: int
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Tenant:
    account_id: int
    owner: Agent
    agent: Agent
    inbox_id: int
    inbox_token: str
    inbox_secret: str
    extra: dict[str, Any] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"/api/v1/accounts/{self.account_id}{path}"

    def public(self, path: str = "") -> str:
        return f"/api/v1/public/inboxes/{self.inbox_token}{path}"


async def make_tenant(state: AppState, *, name: str | None = None, agent_in_inbox: bool = True) -> Tenant:
    n = next(_counter)
    async with state.uow() as session:
        account = await accounts.create_account(session, name=name or f"Acme {n}")
        owner = await credentials.create_user(
            session, email=f"owner{n}@example.com", name=f"Owner {n}", password=PASSWORD
        )
        agent = await credentials.create_user(
            session, email=f"agent{n}@example.com", name=f"Agent {n}", password=PASSWORD
        )
        await accounts.add_member(session, account_id=account.id, user_id=owner.id, role="owner")
        await accounts.add_member(session, account_id=account.id, user_id=agent.id, role="agent")
        inbox = await inbox_service.create_inbox(
            session, account_id=account.id, name="App chat", channel_type="widget"
        )
        if agent_in_inbox:
            owner_actor = await accounts.actor_for(session, account_id=account.id, user_id=owner.id)
            await inbox_service.set_inbox_members(
                session, actor=owner_actor, inbox_id=inbox.id, user_ids=[agent.id]
            )
        _t1, owner_token = await credentials.create_api_token(
            session, account_id=account.id, user_id=owner.id, name="tests"
        )
        _t2, agent_token = await credentials.create_api_token(
            session, account_id=account.id, user_id=agent.id, name="tests"
        )
        return Tenant(
            account_id=account.id,
            owner=Agent(owner.id, owner.email, owner_token),
            agent=Agent(agent.id, agent.email, agent_token),
            inbox_id=inbox.id,
            inbox_token=inbox.public_token,
            inbox_secret=inbox.secret,
        )


@dataclass
class ContactSession:
    """A customer's app: its contact token and helpers for the public API."""

    contact_id: int
    token: str
    tenant: Tenant

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def make_contact(
    state: AppState, tenant: Tenant, *, name: str = "Ayşe Yılmaz", identifier: str | None = None
) -> ContactSession:
    async with state.uow() as session:
        inbox = await session.get(Inbox, tenant.inbox_id)
        assert inbox is not None
        contact = await contacts.identify(
            session,
            inbox=inbox,
            data=ContactCreate(name=name, identifier=identifier),
            identifier_hash=None,
            existing=None,
        )
        token = contacts.contact_token(state.settings.secret, contact=contact, inbox=inbox)
        return ContactSession(contact.id, token, tenant)


async def open_conversation(
    client: httpx.AsyncClient, contact: ContactSession, text: str = "Merhaba"
) -> dict[str, Any]:
    """Through the public API, as an app would: create a conversation with a first message."""
    response = await client.post(
        contact.tenant.public("/conversations"), json={"message": {"content": text}}, headers=contact.headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def write(
    state: AppState,
    conversation_id: int,
    text: str,
    *,
    sender: str = "contact",
    sender_id: int,
    private: bool = False,
) -> int:
    """Post a message through the conversations service in its own unit of work; returns its id."""
    async with state.uow() as session:
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        message, _new = await posting.post_message(
            session,
            conversation=conversation,
            sender_type=sender,
            sender_id=sender_id,
            content=text,
            private=private,
        )
        return message.id
