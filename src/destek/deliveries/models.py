"""The outbox: one row per thing to deliver (a message to a channel, a customer message to an external
bot, an event to a webhook), with its attempts and outcome. It is also the log an admin reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from destek.db import Base, BigId, JSONType, UTCDateTime, utcnow

# pending: waiting for its (next) attempt; sending: an attempt is in flight; delivered: the other end
# took it; failed: given up (the reason in last_error); skipped: nothing left to send (the reason in
# last_error). Kinds may add their own after delivered (the external bot: answered | unanswered).
STATUSES = ("pending", "sending", "delivered", "failed", "skipped")


class Delivery(Base):
    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("account_id", "kind", "key"),
        Index("ix_deliveries_due", "kind", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # bot_webhook | channel | ...
    # The idempotency key: one delivery per (account, kind, key), e.g. "message:42".
    key: Mapped[str] = mapped_column(String(120))
    # Deliveries of one lane go out one at a time, in order (a conversation, a webhook URL).
    lane: Mapped[str] = mapped_column(String(120))
    target: Mapped[str] = mapped_column(String(2000))  # a URL, or the channel's address
    inbox_id: Mapped[int | None] = mapped_column(
        ForeignKey("inboxes.id", ondelete="CASCADE"), nullable=True, index=True
    )
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), nullable=True, index=True
    )
    message_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    event_seq: Mapped[int | None] = mapped_column(BigId, nullable=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    provider_id: Mapped[str | None] = mapped_column(String(300), nullable=True)  # the other end's id
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)  # the last claim
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
