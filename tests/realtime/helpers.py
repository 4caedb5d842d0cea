"""Writes through the services, in units of work (so events are committed and notified)."""

from __future__ import annotations

from destek.accounts.models import Inbox
from destek.contacts.models import Contact
from destek.conversations import posting
from destek.conversations import service as conversations
from destek.state import AppState
from tests.support.factories import ContactSession


async def start_conversation(state: AppState, contact: ContactSession, text: str = "Merhaba") -> int:
    async with state.uow() as session:
        inbox = await session.get(Inbox, contact.tenant.inbox_id)
        person = await session.get(Contact, contact.contact_id)
        assert inbox is not None and person is not None
        conversation = await conversations.create_conversation(session, inbox=inbox, contact=person)
        await posting.post_message(
            session, conversation=conversation, sender_type="contact", sender_id=person.id, content=text
        )
        return conversation.id
