"""The bot's memory of each conversation. Deliveries to external bots are in the shared outbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
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
