"""Durable timers: one row per thing that must happen at a time (a snoozed conversation waking up, an
SLA warning, the log's housekeeping), written in the transaction that makes it due."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from destek.db import Base, BigId, UTCDateTime, utcnow

SYSTEM = 0  # the account_id of timers that belong to no account (housekeeping)


class Timer(Base):
    __tablename__ = "timers"
    # One timer per (account, kind, key): scheduling it again moves it.
    __table_args__ = (UniqueConstraint("account_id", "kind", "key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # No foreign key: SYSTEM (0) is no account. An account's timers go when their handler finds
    # nothing left to do.
    account_id: Mapped[int] = mapped_column(BigId)
    kind: Mapped[str] = mapped_column(String(64))  # the handler's name, e.g. "conversation.wake"
    key: Mapped[str] = mapped_column(String(200))  # what it is about within the kind, e.g. "42"
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # failed firings so far
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
