"""Typed events: one model per type, discriminated on `type`.

The same model is stored in the log, pushed to agents' sockets and (through `contact_view`) to the
contact's, and later sent to webhooks.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, TypeAdapter

from destek.contacts.schemas import ContactOut
from destek.conversations.schemas import (
    ConversationOut,
    MessageOut,
    PublicConversationOut,
    PublicMessageOut,
)


class _Event(BaseModel):
    def contact_view(self) -> dict[str, Any] | None:
        """What the contact of the conversation may see of this event; None: nothing."""
        return None


class MessageCreated(_Event):
    type: Literal["message.created"] = "message.created"
    message: MessageOut

    def contact_view(self) -> dict[str, Any] | None:
        if self.message.private:
            return None
        return {"type": self.type, "message": PublicMessageOut.of(self.message).model_dump(mode="json")}


class MessageUpdated(_Event):
    type: Literal["message.updated"] = "message.updated"
    message: MessageOut

    def contact_view(self) -> dict[str, Any] | None:
        if self.message.private:
            return None
        return {"type": self.type, "message": PublicMessageOut.of(self.message).model_dump(mode="json")}


# Changes a contact is told about; the rest (assignee, team, labels, priority) stay internal.
CONTACT_VISIBLE_FIELDS = frozenset({"status"})


class ConversationCreated(_Event):
    type: Literal["conversation.created"] = "conversation.created"
    conversation: ConversationOut

    def contact_view(self) -> dict[str, Any] | None:
        public = PublicConversationOut.of(self.conversation)
        return {"type": self.type, "conversation": public.model_dump(mode="json")}


class ConversationUpdated(_Event):
    type: Literal["conversation.updated"] = "conversation.updated"
    conversation: ConversationOut
    changed: list[str]

    def contact_view(self) -> dict[str, Any] | None:
        visible = sorted(CONTACT_VISIBLE_FIELDS.intersection(self.changed))
        if not visible:
            return None
        public = PublicConversationOut.of(self.conversation)
        return {"type": self.type, "conversation": public.model_dump(mode="json"), "changed": visible}


class ConversationRead(_Event):
    """A reader saw the conversation up to `read_at`: read receipts ("Okundu") for the other side."""

    type: Literal["conversation.read"] = "conversation.read"
    conversation_id: int
    conversation_number: int
    reader_type: Literal["contact", "agent"]
    reader_id: int
    read_at: dt.datetime

    def contact_view(self) -> dict[str, Any] | None:
        return {
            "type": self.type,
            "conversation_id": self.conversation_id,
            "reader_type": self.reader_type,
            "read_at": self.read_at.isoformat(),
        }


class ContactCreated(_Event):
    type: Literal["contact.created"] = "contact.created"
    contact: ContactOut


class ContactUpdated(_Event):
    type: Literal["contact.updated"] = "contact.updated"
    contact: ContactOut
    changed: list[str]


Event = Annotated[
    MessageCreated
    | MessageUpdated
    | ConversationCreated
    | ConversationUpdated
    | ConversationRead
    | ContactCreated
    | ContactUpdated,
    Field(discriminator="type"),
]
EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)


def parse_event(payload: dict[str, Any]) -> Event:
    return EVENT_ADAPTER.validate_python(payload)
