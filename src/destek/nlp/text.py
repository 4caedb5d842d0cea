"""Text folding for matching and search: Turkish-aware lowercase without diacritics.

`fold("Şifremi UNUTTUM")` == `fold("sifremi unuttum")` == "sifremi unuttum". Both dotted and dotless
i (İ, I, ı, i) fold to "i", so a Turkish query typed on an English keyboard finds the Turkish text
and the other way round. Use it on both sides (index and query).
"""

from __future__ import annotations

import re
import unicodedata

# Letters that NFKD does not decompose into a base letter + combining marks.
_SPECIAL = str.maketrans(
    {
        "İ": "i",
        "I": "i",
        "ı": "i",
        "ł": "l",
        "Ł": "l",
        "ø": "o",
        "Ø": "o",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "þ": "th",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "’": "'",
        "‘": "'",
    }
)
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")


def fold(text: str) -> str:
    """Lowercase (Turkish rules for I/İ/ı), strip diacritics, keep everything else (spaces, punctuation)."""
    text = text.translate(_SPECIAL)
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tr_lower(text: str) -> str:
    """Lowercase with Turkish rules but keep diacritics ("IŞIK" -> "ışık", "İSTANBUL" -> "istanbul")."""
    return text.replace("I", "ı").replace("İ", "i").lower()


def words(text: str) -> list[str]:
    """The folded word tokens of a text ("Kargom NEREDE?" -> ["kargom", "nerede"]); apostrophes split
    Turkish suffixes off proper names ("Destek'e" -> ["destek", "e"])."""
    return [w for token in _WORD.findall(fold(text)) for w in token.split("'") if w]
