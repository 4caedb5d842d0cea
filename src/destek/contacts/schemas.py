"""Contacts in and out."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    model_validator,
)

# What a contact may carry, so that one contact cannot grow without bound (every identify and PATCH
# merges into what is stored, and each change is copied into the event log and pushed to agents).
MAX_ATTRIBUTES = 100  # keys in a contact's attributes (and in a conversation's custom_attributes)
MAX_DEVICE_KEYS = 32  # keys in a contact's device, the known ones included
MAX_KEY_CHARS = 64
MAX_TEXT_CHARS = 500  # a text value
# Letters (any script: `şehir` is a fine name), digits, `_` and `-`. No dots or spaces: a key is named
# in dotted paths (`attributes.plan` in errors, rules to come).
KEY_PATTERN = r"^[\w\-]+$"
_KEY = re.compile(KEY_PATTERN)
_INT64 = 2**63

AttributeKey = Annotated[str, StringConstraints(min_length=1, max_length=MAX_KEY_CHARS, pattern=KEY_PATTERN)]


def _scalar(value: object) -> object:
    """One clear reason per refused value (the union below would list one per branch)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if not -_INT64 <= value < _INT64:
            raise ValueError("a whole number must fit in 64 bits; send it as a string")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("a number must be finite")
        return value
    if isinstance(value, str):
        if len(value) > MAX_TEXT_CHARS:
            raise ValueError(f"a text value has at most {MAX_TEXT_CHARS} characters")
        return value
    raise ValueError("a value is a string, a number, true, false or null, not an object or a list")


AttributeValue = Annotated[
    Annotated[str, StringConstraints(max_length=MAX_TEXT_CHARS)]
    | Annotated[int, Field(ge=-_INT64, lt=_INT64)]
    | Annotated[float, Field(allow_inf_nan=False)]
    | bool
    | None,
    BeforeValidator(_scalar),
]
Attributes = Annotated[
    dict[AttributeKey, AttributeValue],
    Field(
        max_length=MAX_ATTRIBUTES,
        description=f"Flat facts: at most {MAX_ATTRIBUTES} keys of at most {MAX_KEY_CHARS} letters, "
        f"digits, _ or -; values are strings (at most {MAX_TEXT_CHARS} characters), numbers, booleans "
        "or null",
    ),
]


class DeviceInfo(BaseModel):
    """What the app knows about where the customer writes from. Unknown keys are kept, within the
    limits of attributes (key names, scalar values, at most MAX_DEVICE_KEYS keys in all)."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "maxProperties": MAX_DEVICE_KEYS,
            "propertyNames": {"maxLength": MAX_KEY_CHARS, "pattern": KEY_PATTERN},
        },
    )
    __pydantic_extra__: dict[str, AttributeValue] = Field(init=False)

    app_version: str | None = Field(default=None, max_length=64)
    os: str | None = Field(default=None, max_length=64)
    os_version: str | None = Field(default=None, max_length=64)
    device_model: str | None = Field(default=None, max_length=128)
    platform: str | None = Field(default=None, max_length=32)  # ios | android | web | ...
    browser: str | None = Field(default=None, max_length=128)
    timezone: str | None = Field(default=None, max_length=64)

    @model_validator(mode="before")
    @classmethod
    def _bounded(cls, data: Any) -> Any:
        if isinstance(data, dict):
            if len(data) > MAX_DEVICE_KEYS:
                raise ValueError(f"device has at most {MAX_DEVICE_KEYS} keys")
            for key in data:
                if not isinstance(key, str) or not _KEY.fullmatch(key) or len(key) > MAX_KEY_CHARS:
                    raise ValueError(
                        f"device key {str(key)[:MAX_KEY_CHARS]!r} is not a name: at most {MAX_KEY_CHARS} "
                        "letters, digits, _ or -"
                    )
        return data


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
