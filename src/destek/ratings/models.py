"""One rating per conversation, given by its contact."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from destek.db import Base, BigId, UTCDateTime, utcnow


class ConversationRating(Base):
    __tablename__ = "conversation_ratings"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), unique=True
    )
    inbox_id: Mapped[int] = mapped_column(ForeignKey("inboxes.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    # Who handled it when it was rated: reports group scores by agent and team.
    assignee_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    team_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    score: Mapped[int] = mapped_column(Integer)  # 1 (bad) .. 5 (great)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
