"""Language identification: py3langid (the `nlp` extra) restricted to the account's languages, and a
lexical fallback (letters and stop words) for when the extra is absent.

A detection is `reliable` only when the text has at least three words and the winner is clear; for
"ok", "merhaba", "thanks" callers fall back to the contact's locale.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from destek.nlp.protocols import Detection
from destek.nlp.text import fold, words

MIN_RELIABLE_WORDS = 3
MIN_RELIABLE_CONFIDENCE = 0.8
_LETTER = re.compile(r"[^\W\d_]")


def normalise_candidates(candidates: Iterable[str] | None) -> list[str] | None:
    """ "tr-TR", "pt_BR", "EN" -> "tr", "pt", "en" (order kept, duplicates dropped); None or empty -> None."""
    if not candidates:
        return None
    out = [c.replace("_", "-").split("-")[0].strip().lower() for c in candidates]
    unique = list(dict.fromkeys(c for c in out if c))
    return unique or None


def _decide(language: str | None, confidence: float, text: str) -> Detection:
    reliable = (
        language is not None
        and len(words(text)) >= MIN_RELIABLE_WORDS
        and confidence >= MIN_RELIABLE_CONFIDENCE
    )
    return Detection(language=language, confidence=round(confidence, 4), reliable=reliable)


class LangidDetector:
    """py3langid's naive Bayes over byte n-grams (97 languages). Scores are restricted to the candidates
    first, then turned into probabilities with a temperature of sqrt(bytes) — py3langid's own length
    calibration — so that "tr vs en" confidences are probabilities between those two only."""

    name = "py3langid"

    def __init__(self) -> None:
        from py3langid import langid  # type: ignore[import-untyped,import-not-found,unused-ignore]

        self._langid: Any = langid
        self._identifier: Any = langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE, norm_probs=False)
        self._index: dict[str, int] = {}
        for i, code in enumerate(self._identifier.nb_classes):
            self._index.setdefault(str(code), i)
        self.languages: tuple[str, ...] = tuple(self._index)

    def detect(self, text: str, candidates: Sequence[str] | None = None) -> Detection:
        if not _LETTER.search(text):
            return Detection(language=None, confidence=0.0, reliable=False)
        wanted = normalise_candidates(candidates)
        codes = [c for c in wanted if c in self._index] if wanted else list(self._index)
        if not codes:
            return Detection(language=None, confidence=0.0, reliable=False)
        if len(codes) == 1:
            only = codes[0]
            # Nothing to choose between; still say how sure a single-language guess would be.
            return _decide(only, 1.0, text)
        encoded = self._identifier._encode(text)
        raw = np.asarray(self._identifier._decide(text), dtype=np.float64)
        scores = raw[[self._index[c] for c in codes]]
        if np.all(scores <= self._langid.RAW_FLOOR / 2):  # no known n-gram at all
            return Detection(language=None, confidence=0.0, reliable=False)
        z = scores / math.sqrt(max(1, len(encoded)))
        probs = np.exp(z - z.max())
        probs /= probs.sum()
        best = int(probs.argmax())
        return _decide(codes[best], float(probs[best]), text)


# --- the lexical fallback ---------------------------------------------------------------------------


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Folded (lowercase, no diacritics) function words; short, frequent, and rarely shared across these.
_STOP: dict[str, frozenset[str]] = {
    "tr": _set(
        "ve bir bu da de ile icin ama cok daha gibi ne neden nasil nerede ben sen o biz siz onlar mi mu "
        "misiniz musunuz miyim muyum degil var yok hala simdi hemen lutfen tesekkurler tesekkur ederim "
        "merhaba selam iyi gunler kadar sonra once her hic yine artik bana beni benim sizin size sizi "
        "olarak oldu olur olmuyor olmadi yapamiyorum istiyorum ediyorum edin eder edebilir musun misin "
        "nedir neler hangi zaman gun ay yil kere iki uc"
    ),
    "en": _set(
        "the and is are was were be been to of in on for with my your our it this that i you we they not "
        "no can could would should please thanks thank hello hi what why how where when which have has "
        "had do does did don't can't cannot will just still again now help me an a at from there here any "
        "order account"
    ),
    "de": _set(
        "der die das und ist nicht ich sie wir ein eine mit fur auf sind war bitte danke hallo wie warum "
        "wo wann mein meine ihr ihre kann konnen noch schon auch aber oder"
    ),
    "fr": _set(
        "le la les et est une un des du je vous nous ne pas pour avec mon ma mes votre merci bonjour "
        "comment pourquoi ou quand que qui sont mais aussi encore tres"
    ),
    "es": _set(
        "el la los las y es un una de del que no por para con mi mis su gracias hola como porque donde "
        "cuando esta estan pero tambien muy todavia tengo puedo"
    ),
}
# Letters that point at a language (before folding). Shared letters (ö, ü) count for both.
_LETTERS: dict[str, str] = {"tr": "şğıİçöü", "de": "äöüß", "fr": "éèêàçùâîôœ", "es": "ñ¿¡áéíóú"}
# Turkish suffixes survive diacritic-free typing ("yardim eder misiniz", "gelmiyor").
_TR_SUFFIX = re.compile(
    r"(iyor|iyorum|iyoruz|miyor|misiniz|musunuz|misin|lari|leri|lar|ler|dim|dum|tim|tum|mis)$"
)
_SCRIPTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("ru", re.compile(r"[\u0400-\u04ff]")),
    ("el", re.compile(r"[\u0370-\u03ff]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
)


class LexicalDetector:
    """Counts stop words, telling letters and Turkish suffixes; scripts decide Arabic, Russian, Greek and
    Hebrew outright. Good enough to tell the account's languages apart in full sentences."""

    name = "lexical"
    languages: tuple[str, ...] = (*_STOP, *(code for code, _ in _SCRIPTS))

    def detect(self, text: str, candidates: Sequence[str] | None = None) -> Detection:
        if not _LETTER.search(text):
            return Detection(language=None, confidence=0.0, reliable=False)
        wanted = normalise_candidates(candidates)
        codes = [c for c in wanted if c in self.languages] if wanted else list(self.languages)
        if not codes:
            return Detection(language=None, confidence=0.0, reliable=False)
        scores = dict.fromkeys(codes, 0.0)
        for code, pattern in _SCRIPTS:
            if code in scores:
                scores[code] += 3.0 * len(pattern.findall(text))
        tokens = words(text)
        for token in tokens:
            for code, stop in _STOP.items():
                if code in scores and token in stop:
                    scores[code] += 1.0
            if "tr" in scores and len(token) > 4 and _TR_SUFFIX.search(token):
                scores["tr"] += 0.5
        for code, letters in _LETTERS.items():
            if code in scores:
                scores[code] += 0.75 * sum(ch in letters for ch in text)
        if len(codes) == 1:
            return _decide(codes[0], 1.0, text)
        values = np.array([scores[c] for c in codes], dtype=np.float64)
        if values.max() <= 0:
            return _decide(None, 0.0, text)
        probs = np.exp(1.5 * (values - values.max()))
        probs /= probs.sum()
        best = int(probs.argmax())
        return _decide(codes[best], float(probs[best]), text)


__all__ = ["LangidDetector", "LexicalDetector", "fold", "normalise_candidates"]
