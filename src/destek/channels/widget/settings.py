"""The chat widget's look and behaviour, kept in the chat inbox's own channel row
(channels.models.ChannelConfig, with channels/widget/reach.py's settings beside it).

`WidgetSettings` validates what an admin saves (settings pages, PATCH of an inbox, PUT of its channel)
and reads what is stored, leniently: a stored value that no longer validates falls back to its default
rather than breaking the widget for every customer.

    settings = WidgetSettings.model_validate(form_data)          # strict: raises ValidationError
    current = await of_inbox(session, inbox)                     # lenient read of the stored row
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from destek.accounts.models import Inbox

DEFAULT_COLOR = "#2563eb"
LOCALE_KEY = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")
# A host name or a wildcard for its subdomains, with an optional port: shop.example.com,
# *.example.com, localhost:3000.
_HOST = re.compile(
    r"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*(:[0-9]{1,5})?$"
)
MAX_DOMAINS = 50
MAX_TEXT = 500

ReplyTime = Literal["none", "minutes", "hours", "day"]
WIDGET_KEYS = (
    "color",
    "position",
    "locale",
    "greeting",
    "greetings",
    "pre_chat_fields",
    "reply_time",
    "reply_notice",
    "allowed_domains",
)


class PreChatField(BaseModel):
    """One question asked before the first message (only for a visitor who has not told it yet)."""

    model_config = ConfigDict(extra="forbid")

    field: Literal["name", "email"] = Field(description="Which detail of the contact it asks for")
    required: bool = Field(default=False, description="The visitor cannot start without it")


def _texts_by_locale(value: object, *, name: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f'{name} must be an object of language → text, e.g. {{"en": "..."}}')
    out: dict[str, str] = {}
    for key, text in value.items():
        if not isinstance(key, str) or not LOCALE_KEY.match(key):
            raise ValueError(f"{key!r} is not a language code (use e.g. en, tr, pt-BR)")
        if not isinstance(text, str):
            raise ValueError(f"the text for {key} must be a string")
        text = text.strip()
        if len(text) > MAX_TEXT:
            raise ValueError(f"the text for {key} is longer than {MAX_TEXT} characters")
        if text:
            out[key] = text
    return out


def normalise_domain(value: str) -> str:
    """`https://Shop.Example.com/path` → `shop.example.com`; a bare host is kept (lower case)."""
    raw = value.strip().lower()
    if "://" in raw:
        parts = urlsplit(raw)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"{value!r} is not a web address")
        raw = parts.netloc
    raw = raw.rstrip("/")
    if not _HOST.match(raw):
        raise ValueError(
            f"{value!r} is not a domain: use e.g. shop.example.com, *.example.com or localhost:3000"
        )
    return raw


class WidgetSettings(BaseModel):
    """What an admin sets for an inbox's chat widget."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    color: str = Field(
        default=DEFAULT_COLOR,
        pattern=r"^#[0-9a-fA-F]{6}$",
        description="Brand colour of the launcher and the chat header, #rrggbb. Text on it is white or "
        "dark, whichever contrasts better",
    )
    position: Literal["left", "right"] = Field(default="right", description="Launcher corner on web pages")
    locale: str | None = Field(
        default=None, max_length=16, pattern=LOCALE_KEY.pattern, description="The inbox's own language"
    )
    greeting: str | None = Field(
        default=None, max_length=MAX_TEXT, description="A single greeting (older form; see greetings)"
    )
    greetings: dict[str, str] = Field(
        default_factory=dict, description='The welcome line by language, e.g. {"tr": ..., "en": ...}'
    )
    pre_chat_fields: list[PreChatField] = Field(
        default_factory=list,
        max_length=2,
        description="Asked of a visitor before the first message; empty means no pre-chat form",
    )
    reply_time: ReplyTime = Field(
        default="none",
        description="The usual reply time shown in the chat: none, minutes (a few minutes), hours "
        "(a few hours), day (within a day)",
    )
    reply_notice: dict[str, str] = Field(
        default_factory=dict,
        description="A custom notice by language (e.g. business hours), shown instead of reply_time's text",
    )
    allowed_domains: list[str] = Field(
        default_factory=list,
        max_length=MAX_DOMAINS,
        description="Web sites allowed to embed the widget and call the public API from a browser "
        "(host names; *.example.com for subdomains). Empty: any. Native apps are always allowed",
    )

    @field_validator("color")
    @classmethod
    def _lower_color(cls, value: str) -> str:
        return value.lower()

    @field_validator("greeting")
    @classmethod
    def _empty_greeting(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("greetings", "reply_notice", mode="before")
    @classmethod
    def _texts(cls, value: object) -> dict[str, str]:
        return _texts_by_locale(value, name="this setting")

    @field_validator("pre_chat_fields")
    @classmethod
    def _unique_fields(cls, value: list[PreChatField]) -> list[PreChatField]:
        names = [f.field for f in value]
        if len(names) != len(set(names)):
            raise ValueError("each pre-chat field may be listed once")
        return value

    @field_validator("allowed_domains", mode="before")
    @classmethod
    def _domains(cls, value: object) -> list[str]:
        if value is None:
            return []
        if isinstance(value, str):  # a textarea: one per line or comma-separated
            value = [v for v in re.split(r"[\s,]+", value) if v]
        if not isinstance(value, list):
            raise ValueError("allowed_domains must be a list of domains")
        out: list[str] = []
        for item in value:
            if not isinstance(item, str):
                raise ValueError("each allowed domain must be a string")
            domain = normalise_domain(item)
            if domain not in out:
                out.append(domain)
        return out

    @classmethod
    def of(cls, settings: Mapping[str, Any]) -> WidgetSettings:
        """Read an inbox's stored settings; each invalid key falls back to its default."""
        data = {k: settings[k] for k in WIDGET_KEYS if k in settings}
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            bad = {str(err["loc"][0]) for err in exc.errors() if err["loc"]}
            return cls.model_validate({k: v for k, v in data.items() if k not in bad})

    def stored(self) -> dict[str, Any]:
        """The keys to merge into `inbox.settings`."""
        return self.model_dump(mode="json")

    def origin_allowed(self, origin: str | None) -> bool:
        """May a browser page of this origin use the widget? No Origin (a native app, curl): yes."""
        return origin_allowed(origin, self.allowed_domains)


def origin_allowed(origin: str | None, allowed_domains: list[str]) -> bool:
    if not allowed_domains or origin is None:
        return True
    parts = urlsplit(origin.strip().lower())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        # "null" (sandboxed frames, file://) and anything odd cannot prove where it comes from.
        return False
    host = parts.hostname
    host_port = f"{host}:{parts.port}" if parts.port else host
    for pattern in allowed_domains:
        if pattern.startswith("*."):
            base = pattern[2:]
            if ":" in base:
                if host_port.endswith("." + base) or host_port == base:
                    return True
            elif host.endswith("." + base) or host == base:
                return True
        elif ":" in pattern:
            if host_port == pattern:
                return True
        elif host == pattern:
            return True
    return False


def frame_ancestors(allowed_domains: list[str]) -> str:
    """The Content-Security-Policy frame-ancestors value for the chat page."""
    if not allowed_domains:
        return "frame-ancestors *"
    sources = ["'self'"]
    for domain in allowed_domains:
        sources += [f"https://{domain}", f"http://{domain}"]
        if domain.startswith("*."):  # the wildcard also allows the bare domain (see origin_allowed)
            sources += [f"https://{domain[2:]}", f"http://{domain[2:]}"]
    return "frame-ancestors " + " ".join(sources)


def is_own_origin(origin: str, *, host: str | None, public_url: str) -> bool:
    """A page of this server: the chat's own iframe. Compared with the Host header, and with the public
    URL for a reverse proxy that rewrites Host."""
    netloc = urlsplit(origin.strip()).netloc.lower()
    if host and netloc == host.lower():
        return True
    return bool(public_url) and netloc == urlsplit(public_url).netloc.lower()


async def widget_origin_allowed(
    session: AsyncSession, inbox: Inbox, origin: str | None, *, public_url: str = ""
) -> bool:
    """For the contacts' websocket: may a page of this origin use the inbox's chat?"""
    if origin is None or is_own_origin(origin, host=None, public_url=public_url):
        return True
    return (await of_inbox(session, inbox)).origin_allowed(origin)


def validated(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Check the widget keys of a settings change (the others are other features'): Invalid names the
    first bad one as `settings.<key>`. Returns the change with those keys normalised."""
    from destek.errors import Invalid

    given = {k: settings[k] for k in WIDGET_KEYS if k in settings}
    try:
        model = WidgetSettings.model_validate(given)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(["settings", *(str(p) for p in error["loc"])])
        raise Invalid(f"{field}: {error['msg']}", field=field) from None
    return {**settings, **model.model_dump(mode="json", include=set(given))}


async def stored_of(session: AsyncSession, inbox: Inbox) -> dict[str, Any]:
    """The chat inbox's stored channel settings (its look here, and how customers who left are reached),
    from its own row (channels.models.ChannelConfig); {} before anything was set."""
    from destek.channels import service as channels  # the service builds on this module's model

    config = await channels.get_config(session, inbox_id=inbox.id)
    return dict(config.settings) if config is not None else {}


async def of_inbox(session: AsyncSession, inbox: Inbox) -> WidgetSettings:
    return WidgetSettings.of(await stored_of(session, inbox))
