"""Canned responses and labels in and out."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from destek.conversations.schemas import MAX_CONTENT, LabelName

SHORT_CODE = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,49}$")
# A short code as sent, before short_code() trims it, drops the leading / and lower-cases it.
SHORT_CODE_SENT = r"^\s*/*[A-Za-z0-9][A-Za-z0-9_\-]{0,49}\s*$"


def short_code(value: str) -> str:
    """ " Refund " -> "refund"; ValueError saying what is allowed otherwise."""
    code = value.strip().lstrip("/").lower()
    if not SHORT_CODE.match(code):
        raise ValueError(
            "a short code has 1 to 50 characters: letters a-z, digits, - and _ "
            "(starting with a letter or digit)"
        )
    return code


ShortCode = Annotated[str, Field(pattern=SHORT_CODE_SENT), AfterValidator(short_code)]
# Trimmed, then not empty: the pattern says it to clients (a title of spaces alone is refused).
Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=r"[^ \t\n\r\f\v]")
]
Content = Annotated[str, StringConstraints(min_length=1, max_length=MAX_CONTENT)]
# Checked once trimmed: the pattern allows the spaces around it that the server trims.
Color = Annotated[
    str, StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^\s*#[0-9a-fA-F]{6}\s*$")
]


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

    name: LabelName = Field(description="Lower-cased; letters, digits, spaces . : / - _")
    color: Color = "#6b7280"
    description: str = Field(default="", max_length=300)


class LabelUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: LabelName | None = None
    color: Color | None = None
    description: str | None = Field(default=None, max_length=300)
