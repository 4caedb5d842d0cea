"""Conversations, messages and attachments in and out."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StrictBool,
    ValidationInfo,
    field_validator,
)

from destek.contacts.schemas import ContactOut
from destek.db import MAX_ID

Status = Literal["open", "pending", "snoozed", "resolved"]
Priority = Literal["none", "low", "medium", "high", "urgent"]
SenderType = Literal["contact", "agent", "bot", "system"]
MAX_CONTENT = 20_000
# A label as sent: letters, digits, spaces and . : / - _ (labels.normalize_label lower-cases it and
# collapses the spaces); at least one character that is not a space.
LABEL_PATTERN = r"^[\w\s.:/\-]*[\w.:/\-][\w\s.:/\-]*$"
LabelName = Annotated[str, Field(min_length=1, max_length=64, pattern=LABEL_PATTERN)]


class AttachmentOut(BaseModel):
    id: int
    filename: str
    content_type: str
    size: int
    width: int | None
    height: int | None
    url: str  # relative to the server; works without credentials (unguessable)
    content_id: str | None = Field(
        default=None, description="An e-mail's inline image: its HTML says cid:<this>"
    )
    inline: bool = Field(default=False, description="Shown inside the message's HTML, not listed")


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
        data = message.model_dump(exclude={"private", "external_id", "conversation_number"})
        data["content_attributes"] = {
            key: value for key, value in message.content_attributes.items() if key not in INTERNAL_ATTRIBUTES
        }
        return cls.model_validate(data)


# What agents see and customers do not: how sure the bot was of an answer, why a delivery failed, the
# e-mail headers a message came with.
INTERNAL_ATTRIBUTES = frozenset({"confidence", "threshold", "delivery_error", "email"})


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
    # From the bot and the language consumer (docs/bot.md).
    topic: str | None = None
    sentiment: Literal["negative", "neutral", "positive"] | None = None
    urgency: float | None = None
    handed_over_at: dt.datetime | None = None  # left the bot for a person; null: never with the bot
    bot_resolved: bool = False
    merged_into_id: int | None = None  # merged into that conversation (its id): see its thread


class PublicConversationOut(BaseModel):
    id: int
    status: Status
    created_at: dt.datetime
    last_activity_at: dt.datetime
    agent_last_read_at: dt.datetime | None
    contact_last_read_at: dt.datetime | None
    merged_into_id: int | None = None  # the conversation continues in that one (the contact's own)

    @classmethod
    def of(cls, conversation: ConversationOut) -> PublicConversationOut:
        return cls.model_validate(conversation.model_dump(), from_attributes=False)


class MessageCreate(BaseModel):
    # attachment_ids comes first so the content check below can see it (and name `content` in errors).
    # Strict integers (and booleans, below): pydantic would otherwise read true as 1 and "7" as 7.
    attachment_ids: list[Annotated[int, Field(ge=1, le=MAX_ID, strict=True)]] = Field(
        default_factory=list, max_length=10
    )
    content: str = Field(default="", max_length=MAX_CONTENT, validate_default=True)
    client_message_id: str | None = Field(
        default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$"
    )

    @field_validator("content")
    @classmethod
    def _not_empty(cls, content: str, info: ValidationInfo) -> str:
        if not content.strip() and not info.data.get("attachment_ids"):
            raise ValueError("a message needs content or at least one attachment")
        return content


class EmailOptions(BaseModel):
    """For a reply in an e-mail inbox: whom it goes to besides the thread, and its subject."""

    model_config = ConfigDict(extra="forbid")

    to: list[EmailStr] | None = Field(
        default=None, max_length=20, description="Instead of the customer (default: their Reply-To or From)"
    )
    cc: list[EmailStr] | None = Field(
        default=None, max_length=20, description="Instead of the thread's copies (default: reply to all)"
    )
    bcc: list[EmailStr] = Field(default_factory=list, max_length=20)
    subject: str | None = Field(
        default=None, max_length=300, description='Default: "Re: <subject> [Ticket#n]"'
    )

    def stored(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class AgentMessageCreate(MessageCreate):
    private: StrictBool = False  # true/false only: pydantic would otherwise read 0/1 (or "yes") as one
    quick_replies: list[QuickReply] = Field(default_factory=list, max_length=10)
    email: EmailOptions | None = Field(default=None, description="E-mail inboxes only: to, cc, bcc, subject")


# --- the agent API: lists, details and changes -----------------------------------------------------

PREVIEW_CHARS = 160


class ContactSummary(BaseModel):
    id: int
    name: str
    email: str | None


class LastMessage(BaseModel):
    """A preview of the newest message, for the inbox list."""

    id: int
    content: str  # at most PREVIEW_CHARS characters
    content_type: str
    sender_type: SenderType
    private: bool
    attachments: int
    created_at: dt.datetime


class ConversationItem(ConversationOut):
    contact: ContactSummary
    last_message: LastMessage | None
    unread_count: int  # the contact's messages after agent_last_read_at


class ConversationPage(BaseModel):
    items: list[ConversationItem]
    next_cursor: str | None  # pass as `cursor` for the next page; null on the last page


class ConversationCounts(BaseModel):
    """Conversations per status; `mine` and `unassigned` count open ones."""

    open: int
    pending: int
    snoozed: int
    resolved: int
    mine: int
    unassigned: int


class InboxSummary(BaseModel):
    id: int
    name: str
    channel_type: str


class ConversationDetail(ConversationOut):
    contact: ContactOut
    inbox: InboxSummary
    unread_count: int


class MessagePage(BaseModel):
    items: list[MessageOut]  # oldest first
    has_more: bool  # more messages before (or, with `after`, after) this page


class LabelOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    color: str
    description: str


class LabelList(BaseModel):
    items: list[LabelOut]


class _Change(BaseModel):
    # A misspelt key must not pass silently as "leave unchanged".
    model_config = ConfigDict(extra="forbid")


class StatusChange(_Change):
    status: Status
    snoozed_until: AwareDatetime | None = None  # required with status "snoozed"


class PriorityChange(_Change):
    priority: Priority


class AssignmentChange(_Change):
    """A field left out stays as it is; null clears it."""

    assignee_id: int | None = Field(default=None, ge=1, le=MAX_ID, strict=True)
    team_id: int | None = Field(default=None, ge=1, le=MAX_ID, strict=True)


class LabelsChange(_Change):
    labels: list[LabelName] = Field(max_length=30)


class TypingChange(_Change):
    typing: StrictBool
    private: StrictBool = False  # typing a note: shown to agents only
