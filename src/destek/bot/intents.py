"""Small, explicit rules the bot applies before anything statistical: asking for a person, an email
address, the answer to a button."""

from __future__ import annotations

import re

from destek.nlp.text import fold

# Folded (lowercase, no diacritics): "canlı destek" -> "canli destek". Phrases, matched as whole words:
# a single word such as "agent" or "insan" says nothing on its own ("my travel agent", "insan kaynakları").
PERSON_PHRASES = (
    # Turkish
    "insanla konusmak",
    "insanla gorusmek",
    "insanla gorusebilir",
    "insanla konusabilir",
    "bir insanla",
    "insana baglan",
    "temsilciyle gorus",
    "temsilciyle konus",
    "temsilciye baglan",
    "temsilcinize baglan",
    "musteri temsilcisi",
    "musteri hizmetlerine baglan",
    "canli destek",
    "canli biri",
    "canli birisi",
    "yetkiliyle",
    "yetkili biri",
    "yetkiliye baglan",
    "gercek biri",
    "gercek kisi",
    "gercek bir insan",
    "operatorle",
    "operatore baglan",
    "biriyle gorus",
    "biriyle konus",
    "birine baglan",
    # English
    "talk to an agent",
    "speak to an agent",
    "speak with an agent",
    "talk to a human",
    "speak to a human",
    "speak with a human",
    "talk to a person",
    "speak to a person",
    "speak with a person",
    "talk to someone",
    "speak to someone",
    "speak with someone",
    "human please",
    "agent please",
    "real person",
    "real human",
    "live agent",
    "live person",
    "live support",
    "customer service representative",
    "a representative",
    "connect me to",
    "transfer me to",
    "want a person",
    "need a person",
    "want a human",
    "need a human",
    "want an agent",
    "need an agent",
)
# The whole message is one of these (after punctuation): "agent", "Human!", "temsilci".
PERSON_WORDS = frozenset(
    {"agent", "human", "person", "representative", "operator", "insan", "temsilci", "yetkili"}
)
_PERSON = re.compile(
    r"\b(" + "|".join(re.escape(p) for p in sorted(PERSON_PHRASES, key=len, reverse=True)) + r")"
)  # no \b at the end: Turkish suffixes ("temsilciyle gorusmek", "canli destege")
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


def asks_for_person(text: str) -> bool:
    bare = _bare(text)
    return bare in PERSON_WORDS or _PERSON.search(bare) is not None


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
