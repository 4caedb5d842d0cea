"""Canned responses and labels in and out."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from destek.conversations.schemas import MAX_CONTENT

SHORT_CODE = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,49}$")


def short_code(value: str) -> str:
    """ " Refund " -> "refund"; ValueError saying what is allowed otherwise."""
    code = value.strip().lstrip("/").lower()
    if not SHORT_CODE.match(code):
        raise ValueError(
            "a short code has 1 to 50 characters: letters a-z, digits, - and _ "
            "(starting with a letter or digit)"
        )
    return code


ShortCode = Annotated[str, AfterValidator(short_code)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Content = Annotated[str, StringConstraints(min_length=1, max_length=MAX_CONTENT)]
Color = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^#[0-9a-fA-F]{6}$")]


class CannedResponseOut(BaseModel):
    id: int
    short_code: str
    title: str
    content: str
    rendered: str | None = Field(
        default=None,
        description="The content with its variables filled in for conversation_id; null without it",
    )
    created_at: dt.datetime
    updated_at: dt.datetime


class CannedResponseList(BaseModel):
    items: list[CannedResponseOut]


class CannedResponseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    short_code: ShortCode = Field(description="What an agent types after /, e.g. refund (a-z, 0-9, - and _)")
    title: Title
    content: Content = Field(
        description="The reply. Variables: {{contact.name}}, {{contact.first_name}}, {{contact.email}}, "
        "{{agent.name}}, {{conversation.number}}, {{account.name}}"
    )


class CannedResponseUpdate(BaseModel):
    """A field left out stays as it is."""

    model_config = ConfigDict(extra="forbid")

    short_code: ShortCode | None = None
    title: Title | None = None
    content: Content | None = None


class LabelCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        min_length=1, max_length=64, description="Lower-cased; letters, digits, spaces . : / - _"
    )
    color: Color = "#6b7280"
    description: str = Field(default="", max_length=300)


class LabelUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=64)
    color: Color | None = None
    description: str | None = Field(default=None, max_length=300)
