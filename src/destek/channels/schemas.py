"""What the channel API takes and gives."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from destek.db import MAX_ID


class ChannelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    settings: dict[str, Any] | None = Field(
        default=None, description="The settings to change; those left out keep their value"
    )
    secrets: dict[str, str | None] | None = Field(
        default=None,
        description="Secrets to set (a string) or clear (null); those left out keep theirs. Never read back",
    )


class ChannelOut(BaseModel):
    inbox_id: int
    kind: str
    settings: dict[str, Any]
    secrets: dict[str, bool] = Field(description="For each secret of the channel: whether it is set")
    problem: str = Field(description="What the last sync or check found wrong; empty when all is well")
    capabilities: dict[str, Any]
    webhook_url: str = Field(
        description="Where the provider posts (e-mail: raw MIME from inbound-parse services)"
    )


class CheckOut(BaseModel):
    ok: bool
    problem: str | None


class InboundRecordOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    inbox_id: int
    kind: str
    source: str
    external_id: str | None
    size: int
    status: str
    error: str
    message_id: int | None
    conversation_id: int | None
    received_at: dt.datetime


class RetakeOut(BaseModel):
    status: str
    record_id: int | None
    message_ids: list[int]
    error: str


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    target: str
    inbox_id: int | None
    conversation_id: int | None
    message_id: int | None
    status: str
    attempts: int
    next_attempt_at: dt.datetime | None
    last_status_code: int | None
    last_error: str
    provider_id: str | None
    created_at: dt.datetime
    delivered_at: dt.datetime | None


class OutboundStart(BaseModel):
    """An agent writes first: a new conversation in an inbox whose channel sends (e-mail)."""

    model_config = ConfigDict(extra="forbid")

    inbox_id: int = Field(ge=1, le=MAX_ID)
    contact_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="An existing contact, or:")
    email: EmailStr | None = Field(
        default=None, description="the address to write to (found or made a contact)"
    )
    name: str = Field(default="", max_length=200, description="The new contact's name, if one is made")
    subject: str = Field(min_length=1, max_length=300)
    content: str = Field(min_length=1, max_length=20_000)
    cc: list[EmailStr] = Field(default_factory=list, max_length=20)
    bcc: list[EmailStr] = Field(default_factory=list, max_length=20)
