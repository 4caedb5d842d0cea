"""The event log: the outbox and the replay source, one gap-free sequence per account."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from destek.db import Base, BigId, JSONType, UTCDateTime, utcnow


class EventRow(Base):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_account_contact_seq", "account_id", "contact_id", "seq"),)

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(64))
    # Routing keys, so a reader can filter in SQL without opening the payload.
    conversation_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    contact_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    inbox_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    private: Mapped[bool] = mapped_column(Boolean, default=False)  # never sent to a contact
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConsumerCursor(Base):
    """How far a named consumer has applied an account's log."""

    __tablename__ = "consumer_cursors"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
