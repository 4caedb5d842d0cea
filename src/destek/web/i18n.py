"""UI text in several languages: gettext catalogs (.po, read with Babel) under web/locale/<lang>/.

English is the source language: a message id is its English text. Each UI area keeps its own catalog
file (dashboard.po, settings.po, widget.po, helpcenter.po, bot.po) so areas can grow apart; a locale's
files are merged when first used. Templates get `_`/`gettext`/`ngettext` for the request's locale; the
widget's JavaScript gets `messages(locale, "widget")` as JSON.
"""

from __future__ import annotations

import functools
import gettext as _gettext
from pathlib import Path

from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LOCALE = "en"
SUPPORTED_LOCALES: tuple[str, ...] = ("en", "tr")
LANGUAGE_NAMES = {"en": "English", "tr": "Türkçe"}
# The languages the bot speaks to customers (its texts: locale/<lang>/bot.po): the whole UI's, and more.
BOT_LOCALES: tuple[str, ...] = (*SUPPORTED_LOCALES, "de", "es", "ar")
BOT_LANGUAGE_NAMES = {**LANGUAGE_NAMES, "de": "Deutsch", "es": "Español", "ar": "العربية"}


def normalize(locale: str | None) -> str | None:
    """ "tr-TR", "tr_TR", "TR" -> "tr" when supported; otherwise None."""
    if not locale:
        return None
    base = locale.strip().replace("_", "-").split("-", 1)[0].lower()
    return base if base in SUPPORTED_LOCALES else None


def negotiate(*preferred: str | None, accept_language: str | None = None) -> str:
    """The first supported of the explicit choices (a user's setting, a URL parameter...), then of the
    browser's Accept-Language (by quality), then English."""
    for choice in preferred:
        found = normalize(choice)
        if found:
            return found
    if accept_language:
        ranked: list[tuple[float, int, str]] = []
        for index, part in enumerate(accept_language.split(",")):
            tag, _, params = part.strip().partition(";")
            quality = 1.0
            if params.strip().startswith("q="):
                try:
                    quality = float(params.strip()[2:])
                except ValueError:
                    quality = 0.0
            ranked.append((-quality, index, tag))
        for _q, _i, tag in sorted(ranked):
            found = normalize(tag)
            if found:
                return found
    return DEFAULT_LOCALE


@functools.cache
def _catalog(locale: str, domain: str) -> dict[str, str | tuple[str, ...]]:
    path = LOCALE_DIR / locale / f"{domain}.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    found: dict[str, str | tuple[str, ...]] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        if isinstance(message.string, str):
            if message.string:
                found[key] = message.string
        elif message.string and all(message.string):
            found[key] = tuple(message.string)
    return found


@functools.cache
def _merged(locale: str) -> dict[str, str | tuple[str, ...]]:
    merged: dict[str, str | tuple[str, ...]] = {}
    if locale == DEFAULT_LOCALE or not (LOCALE_DIR / locale).is_dir():
        return merged
    for path in sorted((LOCALE_DIR / locale).glob("*.po")):
        merged.update(_catalog(locale, path.stem))
    return merged


class Translations(_gettext.NullTranslations):
    """gettext for one locale, over the merged catalogs (falls back to the English message id)."""

    def __init__(self, locale: str) -> None:
        super().__init__()
        self.locale = locale
        self._messages = _merged(locale)

    def gettext(self, message: str) -> str:
        found = self._messages.get(message)
        return found if isinstance(found, str) else message

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        found = self._messages.get(msgid1)
        if isinstance(found, tuple):
            # Turkish has one plural form; English two. Babel's catalogs say how many per locale.
            return found[0] if len(found) == 1 or n == 1 else found[1]
        return msgid1 if n == 1 else msgid2


@functools.cache
def translations(locale: str) -> Translations:
    return Translations(normalize(locale) or DEFAULT_LOCALE)


def gettext(locale: str, message: str) -> str:
    return translations(locale).gettext(message)


def messages(locale: str, domain: str) -> dict[str, str]:
    """One catalog's singular messages, for a page's JavaScript ({} for English)."""
    found = normalize(locale) or DEFAULT_LOCALE
    if found == DEFAULT_LOCALE:
        return {}
    return {key: value for key, value in _catalog(found, domain).items() if isinstance(value, str)}


def bot_gettext(locale: str, message: str) -> str:
    """A bot text in one of BOT_LOCALES: the UI's catalogs for a UI language, else its bot.po; English
    when the language has no translation of it."""
    if normalize(locale):
        return gettext(locale, message)
    base = (locale or "").strip().replace("_", "-").split("-", 1)[0].lower()
    found = _catalog(base, "bot") if base in BOT_LOCALES else {}
    text = found.get(message)
    return text if isinstance(text, str) else message
