"""Customers and the identities by which each channel knows them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from destek.db import Base, BigId, JSONType, UTCDateTime, utcnow


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("account_id", "identifier"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    # The business's own user id (from the app), unique in the account; None for anonymous visitors.
    identifier: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # Set once an app has identified this contact with a valid identifier_hash, on any inbox. The
    # contact is shared by the account's inboxes, so from then on every identify needs the hash, even
    # on an inbox without verification, and tokens issued before are refused.
    identity_verified: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(320), nullable=True, index=True)
    phone: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    locale: Mapped[str | None] = mapped_column(String(16), nullable=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # App context sent by the SDK: app_version, os, os_version, device_model, ...
    device: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ContactIdentity(Base):
    """How one inbox knows a contact: a widget session, a phone number, a Telegram chat id..."""

    __tablename__ = "contact_identities"
    __table_args__ = (UniqueConstraint("inbox_id", "source_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    inbox_id: Mapped[int] = mapped_column(ForeignKey("inboxes.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
