"""Logged-in browsers (httpx with the session cookie) for the Settings pages."""

from __future__ import annotations

import httpx

from destek.accounts.models import Inbox
from destek.contacts import service as contacts
from destek.contacts.schemas import ContactCreate
from destek.conversations import service as conversations
from destek.db import utcnow
from destek.deliveries import outbox
from destek.state import AppState
from tests.support.factories import PASSWORD, Tenant

CSRF = {"X-Requested-With": "destek"}


async def log_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> None:
    response = await client.post(
        "/api/v1/auth/login", json={"email": email, "password": password}, headers=CSRF
    )
    assert response.status_code == 200, response.text


async def failed_reminder(
    state: AppState, tenant: Tenant, *, kind: str, error: str, key: str, inbox_id: int | None = None
) -> int:
    """A push or reply e-mail of the tenant's chat inbox that failed (as the notifier leaves one), in a
    conversation of its own; returns the conversation's number."""
    inbox_id = inbox_id or tenant.inbox_id
    async with state.uow() as session:
        inbox = await session.get(Inbox, inbox_id)
        assert inbox is not None
        contact = await contacts.identify(
            session, inbox=inbox, data=ContactCreate(name="Ayşe"), identifier_hash=None, existing=None
        )
        conversation = await conversations.create_conversation(session, inbox=inbox, contact=contact)
        delivery = await outbox.enqueue(
            session,
            account_id=inbox.account_id,
            kind=kind,
            key=key,
            lane=f"conversation:{conversation.id}",
            target=f"contact:{contact.id}",
            inbox_id=inbox.id,
            conversation_id=conversation.id,
        )
        assert delivery is not None
        delivery.status, delivery.attempts, delivery.last_error = "failed", 3, error
        delivery.attempted_at = utcnow()
        return conversation.number
