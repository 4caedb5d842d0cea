"""Typed events: one model per type, discriminated on `type`.

The same model is stored in the log, pushed to agents' sockets and (through `contact_view`) to the
contact's, and later sent to webhooks.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, TypeAdapter

from destek.accounts.schemas import AgentBrief
from destek.contacts.schemas import ContactOut
from destek.conversations.schemas import (
    ConversationOut,
    MessageOut,
    PublicConversationOut,
    PublicMessageOut,
)
from destek.helpcenter.schemas import ArticleBrief, CategoryOut
from destek.ratings.schemas import PublicRatingOut, RatingOut


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
CONTACT_VISIBLE_FIELDS = frozenset({"status", "merged_into_id"})


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


class ConversationMerged(_Event):
    """`source` was merged into `target` (same contact): its messages now show in the target's thread."""

    type: Literal["conversation.merged"] = "conversation.merged"
    source: ConversationOut
    target: ConversationOut
    merged_by: int | None  # the agent's user id

    def contact_view(self) -> dict[str, Any] | None:
        return {"type": self.type, "source_id": self.source.id, "target_id": self.target.id}


class ContactCreated(_Event):
    type: Literal["contact.created"] = "contact.created"
    contact: ContactOut


class ContactUpdated(_Event):
    type: Literal["contact.updated"] = "contact.updated"
    contact: ContactOut
    changed: list[str]


class ConversationRated(_Event):
    """The contact rated a resolved conversation (created) or changed its rating."""

    type: Literal["conversation.rated"] = "conversation.rated"
    rating: RatingOut
    created: bool

    def contact_view(self) -> dict[str, Any] | None:
        public = PublicRatingOut.model_validate(self.rating.model_dump())
        return {"type": self.type, "rating": public.model_dump(mode="json")}


class ArticleCreated(_Event):
    """A help-center article was written (help center; agents only)."""

    type: Literal["article.created"] = "article.created"
    article: ArticleBrief


class ArticleUpdated(_Event):
    """`changed`: "category", "position", "key", "translation.<locale>", "status.<locale>",
    "deleted.<locale>"."""

    type: Literal["article.updated"] = "article.updated"
    article: ArticleBrief
    changed: list[str]


class ArticleDeleted(_Event):
    type: Literal["article.deleted"] = "article.deleted"
    article: ArticleBrief


class CategoryCreated(_Event):
    type: Literal["category.created"] = "category.created"
    category: CategoryOut


class CategoryUpdated(_Event):
    type: Literal["category.updated"] = "category.updated"
    category: CategoryOut
    changed: list[str]


class CategoryDeleted(_Event):
    type: Literal["category.deleted"] = "category.deleted"
    category: CategoryOut


class AgentUpdated(_Event):
    """A person's place in the account changed: `changed` of "role", "active", "inboxes", "joined".
    Their open sockets are checked again at once (realtime/hub.py): a deactivated agent's close."""

    type: Literal["agent.updated"] = "agent.updated"
    agent: AgentBrief
    changed: list[str]


class AgentSignedOut(_Event):
    """Some of the person's login sessions or API tokens were ended (logout, password change,
    sessions ended from the profile, an operator's reset): sockets opened with them close at once."""

    type: Literal["agent.signed_out"] = "agent.signed_out"
    user_id: int


# Events that change who may see what: the realtime hub checks the named agent's sockets again.
ACCESS_EVENT_TYPES = frozenset({"agent.updated", "agent.signed_out"})


Event = Annotated[
    MessageCreated
    | MessageUpdated
    | ConversationCreated
    | ConversationUpdated
    | ConversationRead
    | ConversationMerged
    | ContactCreated
    | ContactUpdated
    | ArticleCreated
    | ArticleUpdated
    | ArticleDeleted
    | CategoryCreated
    | CategoryUpdated
    | CategoryDeleted
    | ConversationRated
    | AgentUpdated
    | AgentSignedOut,
    Field(discriminator="type"),
]
EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)


def parse_event(payload: dict[str, Any]) -> Event:
    return EVENT_ADAPTER.validate_python(payload)
