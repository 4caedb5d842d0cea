"""What sending one push can come to, and the message both providers carry.

The caller acts on the outcome's type alone, so the senders never raise for a provider's answer or a
network failure: `Pushed` is done, `TryLater` goes back on the queue (after `retry_after` seconds when
the provider said so), `BadToken` means the device token will never work again and is deleted,
`PushFailed` is a configuration or credentials problem for an admin, not retried as is.

Also the shaping both providers need: FCM and APNs each refuse a payload over 4 KB, so the preview is
capped and then shortened until the whole payload fits, at a character boundary a reader won't see
broken (not inside a combining sequence, an emoji sequence or a flag).
"""

from __future__ import annotations

import base64
import email.utils
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from typing import Any

import httpx

MAX_TITLE_CHARS = 120
MAX_BODY_CHARS = 1000  # lock screens show far less; the rest only costs payload bytes
ELLIPSIS = "…"


@dataclass(frozen=True, slots=True)
class Pushed:
    provider_id: str  # FCM's message name (projects/.../messages/...) or the apns-id


@dataclass(frozen=True, slots=True)
class TryLater:
    reason: str
    retry_after: float | None  # seconds the provider asked for (Retry-After), else the caller's backoff


@dataclass(frozen=True, slots=True)
class BadToken:
    reason: str  # the device token is invalid or unregistered: the caller deletes it


@dataclass(frozen=True, slots=True)
class PushFailed:
    reason: str  # for good as configured (credentials, project, request): says what to fix


PushOutcome = Pushed | TryLater | BadToken | PushFailed


@dataclass(frozen=True, slots=True)
class PushMessage:
    title: str  # e.g. the agent's name or the inbox's name
    body: str  # the message preview (the caller truncates; the senders still cap it)
    data: dict[str, str]  # {"conversation_id": "42", "destek": "1", ...} for the app to open the chat
    collapse_key: str | None = None  # e.g. the conversation, so several replies show as one
    badge: int | None = None
    sound: str | None = "default"
    ttl: int = 24 * 3600  # seconds the provider keeps trying an offline device; 0: now or never

    def __post_init__(self) -> None:
        if self.ttl < 0:
            raise ValueError(f"a push's ttl is seconds from now, 0 or more, not {self.ttl}")
        if self.badge is not None and self.badge < 0:
            raise ValueError(f"a badge is a count, 0 or more, not {self.badge}")


def shorten(text: str, *, max_chars: int | None = None, max_bytes: int | None = None) -> str:
    """`text` unchanged when it fits, else its start and an ellipsis within both limits (UTF-8 bytes)."""
    fits_chars = max_chars is None or len(text) <= max_chars
    if fits_chars and (max_bytes is None or len(text.encode()) <= max_bytes):
        return text
    cut = len(text) if max_chars is None else max_chars - len(ELLIPSIS)
    if max_bytes is not None:
        room = max_bytes - len(ELLIPSIS.encode())
        cut = min(cut, len(text.encode()[: max(room, 0)].decode("utf-8", "ignore")))
    if cut <= 0:
        return ""
    return text[: _boundary(text, cut)].rstrip() + ELLIPSIS


def _boundary(text: str, cut: int) -> int:
    """The nearest cut at or before `cut` that keeps every visible character whole."""
    while 0 < cut < len(text) and (_continues(text[cut]) or text[cut - 1] == "\u200d"):
        cut -= 1
    regional = 0  # a flag is a pair of regional indicators: never keep half of one
    while cut - regional > 0 and 0x1F1E6 <= ord(text[cut - regional - 1]) <= 0x1F1FF:
        regional += 1
    return cut - regional % 2


def _continues(char: str) -> bool:
    """Whether `char` belongs to the character before it (combining mark, joiner, variation, skin tone)."""
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Mc", "Me")
        or code == 0x200D
        or 0xFE00 <= code <= 0xFE0F
        or 0x1F3FB <= code <= 0x1F3FF
        or 0xE0020 <= code <= 0xE007F  # tag characters of subdivision flags
    )


def fit_payload(message: PushMessage, render: Callable[[str, str], bytes], limit: int) -> bytes | None:
    """`render(title, body)` with the preview shortened until the payload is at most `limit` bytes;
    None when even an empty preview does not fit (the data is too large)."""
    title = shorten(message.title, max_chars=MAX_TITLE_CHARS)
    body = shorten(message.body, max_chars=MAX_BODY_CHARS)
    while True:
        payload = render(title, body)
        over = len(payload) - limit
        if over <= 0:
            return payload
        if not body:
            return None
        # JSON escaping only makes the body longer, so this always drops at least `over` bytes.
        body = shorten(body, max_bytes=len(body.encode()) - over)


def retry_after_seconds(value: str | None, *, now: float) -> float | None:
    """A Retry-After header (seconds or an HTTP date) as seconds from `now`; None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)


def b64url(data: bytes) -> str:
    """Base64url without padding, as JWTs write their parts."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def json_object(response: httpx.Response) -> dict[str, Any]:
    """The response's JSON object, or {} when it is not one (the providers' error bodies vary)."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
