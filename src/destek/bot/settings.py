"""An inbox's bot: what it is allowed to do and what it says. Stored in `inbox.settings["bot"]`.

Every message the bot sends has a built-in text in English and Turkish (web/locale/tr/bot.po); an inbox
may override each one per language (`{"tr": "...", "en": "..."}`). Messages may use `{reply_time}`
(the expected reply time, in words) and `{account}` (the account's name).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    StrictBool,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from destek.db import MAX_ID

BotMode = Literal["builtin", "external"]
DEFAULT_THRESHOLD = 0.9  # a calibrated probability that the offered article answers the question
MIN_THRESHOLD = 0.5
MAX_THRESHOLD = 0.99
MAX_TEXT = 1_000
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")

# A language key as sent: _check_languages trims it, lower-cases it and keeps what precedes - or _.
LanguageKey = Annotated[str, Field(pattern=r"^\s*[A-Za-z]{2,3}([-_][\s\S]*|\s*)$")]
LocalizedText = dict[LanguageKey, Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]]


def _check_languages(table: dict[str, str]) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    for language, text in table.items():
        key = language.strip().lower().replace("_", "-").split("-")[0]
        if not _LANGUAGE.match(key):
            raise ValueError(f"'{language}' is not a language code such as 'en' or 'tr'")
        if text.strip():
            cleaned[key] = text.strip()
    return cleaned


class BotTopic(BaseModel):
    """One button of the topic menu. Choosing it sets the conversation's topic and routes it to the team."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    labels: LocalizedText = Field(min_length=1)  # {"en": "Payment", "tr": "Ödeme"}
    team_id: int | None = Field(default=None, ge=1, le=MAX_ID, strict=True)

    _languages = field_validator("labels")(_check_languages)

    def label(self, language: str) -> str:
        return self.labels.get(language) or self.labels.get("en") or next(iter(self.labels.values()))


# In every language the bot speaks (web.i18n.BOT_LOCALES).
DEFAULT_TOPICS: tuple[BotTopic, ...] = (
    BotTopic(
        id="payment", labels={"en": "Payment", "tr": "Ödeme", "de": "Zahlung", "es": "Pago", "ar": "الدفع"}
    ),
    BotTopic(
        id="order", labels={"en": "Order", "tr": "Sipariş", "de": "Bestellung", "es": "Pedido", "ar": "الطلب"}
    ),
    BotTopic(
        id="technical",
        labels={
            "en": "Technical problem",
            "tr": "Teknik sorun",
            "de": "Technisches Problem",
            "es": "Problema técnico",
            "ar": "مشكلة تقنية",
        },
    ),
    BotTopic(
        id="account",
        labels={"en": "My account", "tr": "Hesabım", "de": "Mein Konto", "es": "Mi cuenta", "ar": "حسابي"},
    ),
)


class BotSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    mode: BotMode = "builtin"
    # Answer from the help center only when the calibrated confidence is at least this (docs/bot.md).
    answer_threshold: float = Field(default=DEFAULT_THRESHOLD, ge=MIN_THRESHOLD, le=MAX_THRESHOLD)
    topics: list[BotTopic] = Field(
        default_factory=lambda: [t.model_copy() for t in DEFAULT_TOPICS], max_length=10
    )
    # Overrides of the built-in texts, per language; leave empty for the defaults.
    greeting: LocalizedText = Field(default_factory=dict)
    handoff_message: LocalizedText = Field(default_factory=dict)
    offline_message: LocalizedText = Field(default_factory=dict)
    # How long a person usually takes to answer, told to the customer when no agent is online.
    expected_reply_minutes: int = Field(default=60, ge=1, le=60 * 24 * 7)
    collect_email: bool = True  # when no agent is online, ask for an email if the contact has none
    # External mode: each customer message is POSTed (signed with the secret) to this URL.
    webhook_url: HttpUrl | None = None
    webhook_secret: str | None = Field(default=None, min_length=16, max_length=200)
    # The external bot's own API token (bot/tokens.py): only its SHA-256 is kept, set and cleared by the
    # token routes alone. "secret" in the name keeps it out of the inbox API's `settings` (public_settings).
    token_secret_sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    token_prefix: str | None = Field(default=None, max_length=40)
    token_created_at: AwareDatetime | None = None
    # Set by the server when the bot is switched on: conversations that began earlier stay with people.
    enabled_since: AwareDatetime | None = None

    _greeting = field_validator("greeting", "handoff_message", "offline_message")(_check_languages)

    @field_validator("topics")
    @classmethod
    def _unique_topics(cls, topics: list[BotTopic]) -> list[BotTopic]:
        seen: set[str] = set()
        for topic in topics:
            if topic.id in seen:
                raise ValueError(f"topic id '{topic.id}' is used twice")
            seen.add(topic.id)
        return topics

    @field_validator("webhook_url")
    @classmethod
    def _http_only(cls, url: HttpUrl | None) -> HttpUrl | None:
        if url is not None and url.scheme not in ("http", "https"):
            raise ValueError("the webhook URL must start with http:// or https://")
        return url

    @model_validator(mode="after")
    def _external_needs_hook(self) -> BotSettings:
        if self.mode == "external" and (self.webhook_url is None or not self.webhook_secret):
            raise ValueError("an external bot needs webhook_url and webhook_secret (at least 16 characters)")
        return self

    def handles(self, conversation_created_at: dt.datetime) -> bool:
        """Whether the bot takes part in a conversation that began at this time."""
        return self.enabled and (self.enabled_since is None or conversation_created_at >= self.enabled_since)

    def topic(self, topic_id: str | None) -> BotTopic | None:
        return next((t for t in self.topics if t.id == topic_id), None)

    def to_settings(self) -> dict[str, Any]:
        """JSON-ready, for `inbox.settings["bot"]`."""
        return self.model_dump(mode="json")

    @classmethod
    def of(cls, inbox_settings: Mapping[str, Any] | None) -> BotSettings:
        """The bot settings of an inbox; a missing or no-longer-valid entry means a disabled bot."""
        raw = (inbox_settings or {}).get("bot")
        if not isinstance(raw, dict):
            return cls()
        try:
            return cls.model_validate(raw)
        except ValidationError:
            return cls()


class BotSettingsOut(BotSettings):
    """What the API returns: the secret is never echoed, only whether one is set; of the bot token only
    whether there is one, its prefix and when it was made."""

    webhook_secret: str | None = None
    webhook_secret_set: bool = False
    # Whatever it is given, this model keeps no token hash: it is dropped before validation.
    token_secret_sha256: SkipJsonSchema[None] = Field(default=None, exclude=True)
    has_token: bool = Field(default=False, description="An external bot token is set (POST .../bot/token)")

    @model_validator(mode="before")
    @classmethod
    def _withhold_token(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and "token_secret_sha256" in data:
            data = dict(data)
            data["has_token"] = bool(data.pop("token_secret_sha256"))
        return data

    @model_validator(mode="after")
    def _external_needs_hook(self) -> BotSettingsOut:  # the secret is withheld here, not missing
        return self


class BotSettingsUpdate(BaseModel):
    """A partial change: fields left out stay as they are; `webhook_secret: null` keeps the secret.
    Its booleans are strict (true/false, never 0/1): the server accepts what the schema says."""

    model_config = ConfigDict(extra="forbid")

    enabled: StrictBool | None = None
    mode: BotMode | None = None
    answer_threshold: float | None = Field(default=None, ge=MIN_THRESHOLD, le=MAX_THRESHOLD)
    topics: list[BotTopic] | None = Field(default=None, max_length=10)
    greeting: LocalizedText | None = None
    handoff_message: LocalizedText | None = None
    offline_message: LocalizedText | None = None
    expected_reply_minutes: int | None = Field(default=None, ge=1, le=60 * 24 * 7, strict=True)
    collect_email: StrictBool | None = None
    webhook_url: HttpUrl | None = None
    webhook_secret: str | None = Field(default=None, min_length=16, max_length=200)
    clear_webhook: StrictBool = False  # remove the URL and secret (only while in builtin mode)
