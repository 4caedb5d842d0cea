"""The words of a query that say what it is about, for picking the sentence of an article to show
(search.snippet): folded (destek.nlp.text.fold), common words dropped, longer words cut to a prefix (a
light stemmer for Turkish suffixes and English plurals: "sifremi" matches "sifre", "sifremi" and
"sifrenizi" through "sifre*")."""

from __future__ import annotations

from destek.nlp.text import words

MAX_TERMS = 12


def stem(word: str) -> str:
    """A prefix that ignores the common suffix of a word: long words lose up to two letters."""
    if len(word) >= 7:
        return word[:-2]
    if len(word) >= 5:
        return word[:-1]
    return word


# Words nearly every article has in English or Turkish (folded): dropped from queries that have other
# words, since they say nothing about what the question is about.
_STOP = (
    "a an and are as at be can could did do does for from have how i if in is it me my no not of on or "
    "please the this to was what when where why will with would you your hi hello "
    "ama bir bu cok da de daha en gibi hi icin ile ki lutfen merhaba mi mu ne neden nasil o olarak sen "
    "siz su ve ya ben benim yok var "
    # Question fillers ("what should I do", "I can't"): they say how, not what about.
    "should can cant cannot yapmaliyim yapmam yapabilirim yapacagim gerekiyor gerek lazim acaba"
)
STOP_WORDS = frozenset(_STOP.split())


def terms(query: str) -> list[str]:
    """The terms of a query: stems of its words, without stop words (unless nothing else is left).
    A term ending in "*" is a prefix (words of five letters or more), the others match whole words."""
    found: list[str] = []
    all_words = [word for word in words(query) if len(word) >= 2 or word.isdigit()]
    kept = [word for word in all_words if word not in STOP_WORDS] or all_words
    for word in kept:
        term = f"{stem(word)}*" if len(word) >= 5 else word
        if term not in found:
            found.append(term)
    return found[:MAX_TERMS]
