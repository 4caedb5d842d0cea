"""A consumer's lease: which node runs it now. Its cursors are events.models.ConsumerCursor."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from destek.db import Base, UTCDateTime, utcnow


class ConsumerLease(Base):
    """One row per consumer: the node holding it renews `expires_at`; another node takes over only
    after it expires. `created_at` is when the consumer first ran: history before it is not replayed."""

    __tablename__ = "consumer_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
