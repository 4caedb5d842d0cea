"""Conversations, messages and attachments in and out."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

Status = Literal["open", "pending", "snoozed", "resolved"]
Priority = Literal["none", "low", "medium", "high", "urgent"]
SenderType = Literal["contact", "agent", "bot", "system"]
MAX_CONTENT = 20_000


class AttachmentOut(BaseModel):
    id: int
    filename: str
    content_type: str
    size: int
    width: int | None
    height: int | None
    url: str  # relative to the server; works without credentials (unguessable)


class Sender(BaseModel):
    type: SenderType
    id: int | None
    name: str


class QuickReply(BaseModel):
    title: str = Field(min_length=1, max_length=80)
    value: str = Field(min_length=1, max_length=200)


class MessageOut(BaseModel):
    id: int
    conversation_id: int
    conversation_number: int
    direction: Literal["in", "out"]
    sender: Sender
    private: bool
    content: str
    content_type: str
    content_attributes: dict[str, Any]
    client_message_id: str | None
    external_id: str | None
    status: str
    created_at: dt.datetime
    attachments: list[AttachmentOut]


class PublicMessageOut(BaseModel):
    """A message as the contact sees it: never a note, no internal ids."""

    id: int
    conversation_id: int
    direction: Literal["in", "out"]
    sender: Sender
    content: str
    content_type: str
    content_attributes: dict[str, Any]
    client_message_id: str | None
    status: str
    created_at: dt.datetime
    attachments: list[AttachmentOut]

    @classmethod
    def of(cls, message: MessageOut) -> PublicMessageOut:
        return cls.model_validate(
            message.model_dump(exclude={"private", "external_id", "conversation_number"})
        )


class ConversationOut(BaseModel):
    id: int
    number: int
    inbox_id: int
    contact_id: int
    status: Status
    priority: Priority
    assignee_id: int | None
    team_id: int | None
    labels: list[str]
    language: str | None
    subject: str
    custom_attributes: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime
    last_activity_at: dt.datetime
    first_reply_at: dt.datetime | None
    waiting_since: dt.datetime | None
    resolved_at: dt.datetime | None
    snoozed_until: dt.datetime | None
    contact_last_read_at: dt.datetime | None
    agent_last_read_at: dt.datetime | None


class PublicConversationOut(BaseModel):
    id: int
    status: Status
    created_at: dt.datetime
    last_activity_at: dt.datetime
    agent_last_read_at: dt.datetime | None
    contact_last_read_at: dt.datetime | None

    @classmethod
    def of(cls, conversation: ConversationOut) -> PublicConversationOut:
        return cls.model_validate(conversation.model_dump(), from_attributes=False)


class MessageCreate(BaseModel):
    content: str = Field(default="", max_length=MAX_CONTENT)
    client_message_id: str | None = Field(
        default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$"
    )
    attachment_ids: list[int] = Field(default_factory=list, max_length=10)

    @model_validator(mode="after")
    def _not_empty(self) -> MessageCreate:
        if not self.content.strip() and not self.attachment_ids:
            raise ValueError("a message needs content or at least one attachment")
        return self


class AgentMessageCreate(MessageCreate):
    private: bool = False
    quick_replies: list[QuickReply] = Field(default_factory=list, max_length=10)
