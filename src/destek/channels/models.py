"""Each inbox's channel configuration, owned by its adapter: settings in the clear, credentials sealed
(lib/sealing.py), and the adapter's own running state (an IMAP mailbox's UIDVALIDITY and last UID)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from destek.db import Base, BigId, JSONType, UTCDateTime, utcnow


class ChannelConfig(Base):
    __tablename__ = "channel_configs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    inbox_id: Mapped[int] = mapped_column(ForeignKey("inboxes.id", ondelete="CASCADE"), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    settings: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # A JSON object of the secret fields, sealed as a whole; None when none is set.
    secrets: Mapped[str | None] = mapped_column(Text, nullable=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # What the last inbound sync or check found wrong ("" when all is well), shown in Settings.
    problem: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class InboundRecord(Base):
    """Every raw inbound item (a mail, a webhook body), kept before it is parsed: what was made of it,
    or why it failed. A failed one is listed for admins and can be processed again; nothing is lost.
    Unique per provider id in the account: a mail fetched twice or sent to two inboxes is taken once."""

    __tablename__ = "inbound_records"
    __table_args__ = (
        UniqueConstraint("account_id", "kind", "external_id"),
        Index("ix_inbound_records_inbox_status", "inbox_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    inbox_id: Mapped[int] = mapped_column(ForeignKey("inboxes.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(200))  # "imap:<uidvalidity>:<uid>", "http"
    external_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    blob_key: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(200), default="")  # of the stored body
    size: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # processed | failed | ignored
    error: Mapped[str] = mapped_column(String(500), default="")
    message_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    conversation_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
