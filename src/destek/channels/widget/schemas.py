"""What the public client API (web widget, iOS and Android SDKs) takes and gives."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator
from pydantic.json_schema import SkipJsonSchema

from destek.channels.widget.settings import PreChatField, ReplyTime
from destek.contacts.schemas import Attributes, ContactCreate, ContactUpdate
from destek.conversations.schemas import MessageCreate, PublicConversationOut, PublicMessageOut
from destek.errors import ErrorOut as ErrorOut  # the shared error body; re-exported for access.py


class WidgetConfigOut(BaseModel):
    name: str = Field(description="The inbox's name, shown as the chat window's title")
    channel_type: str = Field(description="widget or api")
    identity_verification: bool = Field(
        description="When true, POST /contacts with an identifier must carry identifier_hash"
    )
    greeting: str = Field(
        description="The welcome line shown before the first message, in the language asked for "
        "(`?locale=` or Accept-Language) when the inbox has one in it"
    )
    greetings: dict[str, str] = Field(
        description="Every greeting the inbox has, by language (inbox setting `greetings`); may be empty"
    )
    color: str = Field(description="The brand colour, as #rrggbb")
    text_color: str = Field(description="Text on the brand colour: white or dark, whichever is readable")
    locale: str = Field(
        description="The language (BCP 47) of `greeting`, e.g. tr or en. Without a language asked for, "
        "the inbox's language"
    )
    position: Literal["left", "right"] = Field(description="Where the web widget's launcher sits")
    pre_chat_fields: list[PreChatField] = Field(
        description="Details to ask a visitor who has not given them before the first message"
    )
    reply_time: ReplyTime = Field(description="The usual reply time to show: none, minutes, hours or day")
    reply_notice: str | None = Field(
        description="A custom notice (e.g. business hours), in the language asked for when the inbox "
        "has it; shown instead of the reply_time text"
    )
    open_now: bool = Field(
        description="Whether the team's business hours are open now (always true without a calendar)"
    )
    opens_at: dt.datetime | None = Field(
        description="Closed now: when the business hours open next (show it in the customer's own time "
        "zone); null when open, or when no hours are set to open"
    )


class IdentifyIn(ContactCreate):
    """Who the customer is. Everything is optional: an empty body makes an anonymous visitor."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "identifier": "user-4711",
                    "identifier_hash": "<hex HMAC-SHA256(inbox secret, 'user-4711')>",
                    "name": "Ayşe Yılmaz",
                    "email": "ayse@example.com",
                    "locale": "tr",
                    "attributes": {"plan": "pro"},
                    "device": {"platform": "ios", "os": "iOS", "os_version": "18.1", "app_version": "4.2.0"},
                }
            ]
        }
    )

    identifier_hash: str | None = Field(
        default=None,
        pattern=r"^[0-9a-fA-F]{64}$",
        description="Hex HMAC-SHA256 of `identifier` keyed with the inbox secret, computed by the "
        "business's backend (never in the app). Required when the inbox has identity verification on.",
    )


class PublicContactUpdate(ContactUpdate):
    """What the app may change on its contact. An unknown key is refused (422), so a misspelt one
    cannot pass as "unchanged"."""

    model_config = ConfigDict(extra="forbid")

    # Not a field the app may send: declared only to say what to do instead.
    identifier: SkipJsonSchema[None] = Field(default=None, exclude=True)

    @field_validator("identifier", mode="before")
    @classmethod
    def _identifier_is_not_changed_here(cls, _value: object) -> None:
        raise ValueError(
            "the identifier cannot change here: identify again with POST "
            "/api/v1/public/inboxes/{inbox_token}/contacts"
        )


class PublicContactOut(BaseModel):
    """The customer as their own app sees them."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    email: str | None
    phone: str | None
    locale: str | None
    attributes: dict[str, Any]
    device: dict[str, Any] = Field(description="App context: app_version, os, os_version, device_model, ...")


class IdentifyOut(BaseModel):
    contact: PublicContactOut
    token: str = Field(
        description="The contact token: keep it (keychain / keystore / localStorage) and send it as "
        "`Authorization: Bearer <token>` on every other call of this inbox"
    )


class ConversationSummaryOut(PublicConversationOut):
    last_message: PublicMessageOut | None = Field(
        description="The newest message, for a preview. Unread when its direction is `out` and it is "
        "newer than contact_last_read_at"
    )


class ConversationCreateIn(BaseModel):
    message: MessageCreate | None = Field(default=None, description="The first message, if any")
    custom_attributes: Attributes | None = Field(
        default=None, description="Facts about this conversation (order number, screen...), shown to agents"
    )


class ConversationCreatedOut(BaseModel):
    conversation: PublicConversationOut
    message: PublicMessageOut | None


class TypingIn(BaseModel):
    typing: StrictBool = Field(description="true while the customer types; false when they stop or clear")
