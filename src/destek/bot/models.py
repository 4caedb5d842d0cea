"""The bot's memory of each conversation, and the log of deliveries to external bots."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from destek.db import Base, BigId, JSONType, UTCDateTime, utcnow


class BotSession(Base):
    """Where the builtin bot is in one conversation: greeted, waiting for feedback, handed over..."""

    __tablename__ = "bot_sessions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), unique=True
    )
    # greeted | answered (waits for "did this solve it?") | handed_over | resolved
    stage: Mapped[str] = mapped_column(String(16), default="greeted")
    language: Mapped[str | None] = mapped_column(String(16), nullable=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)  # answers that did not help
    last_question: Mapped[str] = mapped_column(Text, default="")
    offered: Mapped[list[Any]] = mapped_column(JSONType, default=list)  # [{article_id, title, url, p}]
    awaiting_email: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class BotDelivery(Base):
    """One customer message POSTed (or to be POSTed) to an external bot: retried with backoff."""

    __tablename__ = "bot_deliveries"
    __table_args__ = (
        UniqueConstraint("account_id", "message_id"),
        Index("ix_bot_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    inbox_id: Mapped[int] = mapped_column(ForeignKey("inboxes.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(BigId)
    event_seq: Mapped[int] = mapped_column(BigInteger)
    url: Mapped[str] = mapped_column(String(2000))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
