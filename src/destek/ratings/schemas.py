"""Ratings in and out."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

MAX_COMMENT = 2000


class RatingIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    score: int = Field(ge=1, le=5, strict=True, description="1 (very unhappy) to 5 (very happy)")
    comment: str = Field(default="", max_length=MAX_COMMENT, description="Optional words from the customer")


class PublicRatingOut(BaseModel):
    """The rating as its customer sees it."""

    model_config = ConfigDict(from_attributes=True)

    conversation_id: int
    score: int
    comment: str
    created_at: dt.datetime
    updated_at: dt.datetime
    editable_until: dt.datetime = Field(description="The customer may change the rating until then")


class RatingOut(PublicRatingOut):
    """The rating as agents, reports and webhooks see it."""

    id: int
    conversation_number: int
    inbox_id: int
    contact_id: int
    assignee_id: int | None
    team_id: int | None
