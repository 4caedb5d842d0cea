"""Small, explicit rules the bot applies before anything statistical: a greeting, a thank-you, an email
address, the answer to a button. Asking for a person: person.py."""

from __future__ import annotations

import re

from destek.bot.person import asks_for_person
from destek.nlp.text import fold

_PUNCT = re.compile(r"[^\w\s@.]+|[.]+(?=\s|$)")
# A bare greeting, and the language it is in (it names the language better than a detector can).
_GREETINGS: dict[str, str] = {
    **dict.fromkeys(
        ("hi", "hello", "hey", "hiya", "hi there", "hello there", "hey there", "good morning",
         "good afternoon", "good evening", "greetings"),
        "en",
    ),
    **dict.fromkeys(
        ("merhaba", "merhabalar", "selam", "selamlar", "slm", "mrb", "selamun aleykum",
         "selamunaleykum", "iyi gunler", "gunaydin", "iyi aksamlar"),
        "tr",
    ),
}  # fmt: skip
_THANKS = re.compile(
    r"^(ok(ay)?\s+)?(thanks?( you)?( (so|very) much| a lot)?|thank u|thx|ty|great,? thanks|"
    r"cok tesekkurler|tesekkurler|tesekkur ederim|cok tesekkur ederim|tesekkurler cok|sagol(un)?|"
    r"cok sagol(un)?|eyvallah|sag ol(un)?)$"
)
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")


def _bare(text: str) -> str:
    """Folded, without punctuation or repeated spaces: "Merhaba!! " -> "merhaba"."""
    return " ".join(_PUNCT.sub(" ", fold(text)).split())


def is_greeting(text: str) -> bool:
    """A bare greeting with nothing else in it ("hi", "merhaba", "selam!")."""
    return _bare(text) in _GREETINGS


def greeting_language(text: str) -> str | None:
    """The language of a bare greeting ("merhaba" -> "tr"), None for anything else."""
    return _GREETINGS.get(_bare(text))


def is_thanks(text: str) -> bool:
    """A bare thank-you ("thanks!", "teşekkürler", "çok sağol")."""
    return _THANKS.match(_bare(text)) is not None


def small_talk(text: str) -> bool:
    """Nothing to look up in the help center: asking for a person, a greeting, a thank-you."""
    return asks_for_person(text) or is_greeting(text) or is_thanks(text)


def find_email(text: str) -> str | None:
    found = _EMAIL.search(text)
    return found.group(0).strip(".").lower() if found else None


def chosen(text: str, options: list[dict[str, str]]) -> str | None:
    """The value of the quick reply the customer picked: the widget sends a button's title (or its
    value) back as the message."""
    said = fold(text).strip(" .!")
    for option in options:
        if said in (fold(option.get("title", "")).strip(" .!"), fold(option.get("value", ""))):
            return option.get("value")
    return None
