"""Which welcome line the chat window shows, in which language.

An inbox may keep one greeting per language (setting `greetings: {"tr": ..., "en": ...}`) and an older
single `greeting`. The client asks for a language with `?locale=` or its Accept-Language header; the
inbox's own language is the last choice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

DEFAULT_GREETINGS = {
    "en": "Hi! How can we help?",
    "tr": "Merhaba! Size nasıl yardımcı olabiliriz?",
}
FALLBACK_LANGUAGE = "en"
LOCALE_PATTERN = r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$"  # as a contact's locale

_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
_MAX_ACCEPTED = 20  # languages read from one Accept-Language header


def _key(tag: str) -> str:
    return tag.strip().replace("_", "-").lower()


def accepted_languages(header: str | None) -> list[str]:
    """The tags of an Accept-Language header, most wanted first; `*`, q=0 and junk are dropped."""
    if not header:
        return []
    weighted: list[tuple[float, str]] = []
    for part in header.split(",")[:_MAX_ACCEPTED]:
        tag, _, params = part.strip().partition(";")
        tag = tag.strip()
        if not _TAG.match(tag):
            continue
        q = 1.0
        name, _, value = params.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                q = float(value)
            except ValueError:
                continue
        if q > 0:
            weighted.append((q, tag))
    # sorted() is stable: equal weights keep the header's order.
    return [tag for _q, tag in sorted(weighted, key=lambda item: -item[0])]


def inbox_greetings(settings: Mapping[str, Any]) -> dict[str, str]:
    """The inbox's `greetings` setting, keeping only text by language (settings are free-form)."""
    found = settings.get("greetings")
    if not isinstance(found, dict):
        return {}
    return {k: v for k, v in found.items() if isinstance(k, str) and isinstance(v, str) and v.strip()}


def _pick(table: Mapping[str, str], wanted: Iterable[str]) -> tuple[str, str] | None:
    """(language, text) for the first wanted tag the table has, exactly or by its primary language."""
    by_key = {_key(k): k for k in table}
    for tag in wanted:
        for key in (_key(tag), _key(tag).split("-")[0]):
            if key in by_key:
                return by_key[key], table[by_key[key]]
    return None


def choose_greeting(settings: Mapping[str, Any], *, wanted: list[str], inbox_locale: str) -> tuple[str, str]:
    """(greeting, its language): the inbox's greeting in a wanted language, else in the inbox's
    language, else its single `greeting` (in the inbox's language), else a built-in one."""
    languages = [*wanted, inbox_locale]
    picked = _pick(inbox_greetings(settings), languages)
    if picked is not None:
        return picked[1], picked[0]
    single = settings.get("greeting")
    if isinstance(single, str) and single.strip():
        return single, inbox_locale
    language, text = _pick(DEFAULT_GREETINGS, languages) or (
        FALLBACK_LANGUAGE,
        DEFAULT_GREETINGS[FALLBACK_LANGUAGE],
    )
    return text, language


def choose_text(table: Mapping[str, str], *, wanted: list[str]) -> str | None:
    """A text by language (e.g. the reply-time notice) in the first wanted language it has, else any."""
    picked = _pick(table, wanted)
    if picked is not None:
        return picked[1]
    return next(iter(table.values()), None)
