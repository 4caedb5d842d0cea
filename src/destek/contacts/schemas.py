"""Contacts in and out."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field


class DeviceInfo(BaseModel):
    """What the app knows about where the customer writes from. Unknown keys are kept."""

    model_config = ConfigDict(extra="allow")

    app_version: str | None = Field(default=None, max_length=64)
    os: str | None = Field(default=None, max_length=64)
    os_version: str | None = Field(default=None, max_length=64)
    device_model: str | None = Field(default=None, max_length=128)
    platform: str | None = Field(default=None, max_length=32)  # ios | android | web | ...
    browser: str | None = Field(default=None, max_length=128)
    timezone: str | None = Field(default=None, max_length=64)


Attributes = dict[str, str | int | float | bool | None]


class ContactFields(BaseModel):
    name: str | None = Field(default=None, max_length=200)
    email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=40, pattern=r"^\+?[0-9 ()\-.]{3,40}$")
    locale: str | None = Field(default=None, max_length=16, pattern=r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")
    attributes: Attributes | None = None
    device: DeviceInfo | None = None


class ContactCreate(ContactFields):
    identifier: str | None = Field(default=None, min_length=1, max_length=200)


class ContactUpdate(ContactFields):
    pass


class ContactOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    identifier: str | None
    name: str
    email: str | None
    phone: str | None
    locale: str | None
    attributes: dict[str, Any]
    device: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime
    last_seen_at: dt.datetime | None


class ContactPage(BaseModel):
    items: list[ContactOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")


class IdentityOut(BaseModel):
    """How one inbox's channel knows the contact (a widget user id, a phone number, a chat id...)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    inbox_id: int
    source_id: str
    created_at: dt.datetime
