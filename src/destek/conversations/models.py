"""Conversations, their messages, attachments and labels."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from destek.db import Base, BigId, JSONType, UTCDateTime, utcnow

STATUSES = ("open", "pending", "snoozed", "resolved")
PRIORITIES = ("none", "low", "medium", "high", "urgent")
PRIORITY_RANK = {p: i for i, p in enumerate(PRIORITIES)}


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("account_id", "number"),
        Index("ix_conversations_account_activity", "account_id", "last_activity_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # display number, per account: #1, #2, ...
    inbox_id: Mapped[int] = mapped_column(ForeignKey("inboxes.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    priority: Mapped[str] = mapped_column(String(16), default="none")
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), nullable=True, index=True
    )
    language: Mapped[str | None] = mapped_column(String(16), nullable=True)
    subject: Mapped[str] = mapped_column(String(300), default="")
    custom_attributes: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_activity_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Metrics: the first human reply, when the contact started waiting, when it was resolved.
    first_reply_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    waiting_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    snoozed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    contact_last_read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    agent_last_read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # What the bot and the language consumer learnt (docs/bot.md). Time with the bot is kept apart
    # from people's response times: a person's wait starts at handed_over_at.
    topic: Mapped[str | None] = mapped_column(String(40), nullable=True)
    sentiment: Mapped[str | None] = mapped_column(String(16), nullable=True)  # negative | neutral | positive
    urgency: Mapped[float | None] = mapped_column(Float, nullable=True)  # 0..1, of the last contact message
    handed_over_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    bot_resolved: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Merged into another conversation of the same contact (conversations/merge.py): resolved, kept as
    # it was, its messages shown in the target's thread.
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL"), nullable=True, index=True
    )


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("conversation_id", "client_message_id"),
        Index("ix_messages_conversation_id_id", "conversation_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(8))  # in (from the contact) | out (to the contact)
    sender_type: Mapped[str] = mapped_column(String(8))  # contact | agent | bot | system
    sender_id: Mapped[int | None] = mapped_column(BigId, nullable=True)  # contact or user id
    private: Mapped[bool] = mapped_column(Boolean, default=False)  # a note: never shown to the contact
    content: Mapped[str] = mapped_column(Text, default="")
    content_type: Mapped[str] = mapped_column(String(32), default="text")  # text | quick_replies | ...
    content_attributes: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    client_message_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    external_id: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(16), default="sent")  # sent | delivered | read | failed
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Attachment(Base):
    """A stored file. Uploaded first (message_id empty), then sent with a message."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), nullable=True, index=True
    )
    uploader_type: Mapped[str] = mapped_column(String(8))  # contact | agent
    uploader_id: Mapped[int] = mapped_column(BigId)
    blob_key: Mapped[str] = mapped_column(String(200))
    # The unguessable part of the download URL, so <img src> works without headers or cookies.
    access_key: Mapped[str] = mapped_column(String(32))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    content_id: Mapped[str | None] = mapped_column(String(200), nullable=True)  # an e-mail's cid:
    inline: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Label(Base):
    __tablename__ = "labels"
    __table_args__ = (UniqueConstraint("account_id", "name"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    color: Mapped[str] = mapped_column(String(16), default="#6b7280")
    description: Mapped[str] = mapped_column(String(300), default="")


class ConversationLabel(Base):
    __tablename__ = "conversation_labels"
    __table_args__ = (UniqueConstraint("conversation_id", "label_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    label_id: Mapped[int] = mapped_column(ForeignKey("labels.id", ondelete="CASCADE"), index=True)
