"""Character n-gram similarity: the lexical side of help-center search that survives how customers
type. "sifremi unutum", "şifremi unuttum" and "Şifremi Unuttum?" share most of their 3- to 5-letter
pieces, where whole words (full text) or sentence embeddings of Turkish typed without its letters do not.

Texts are folded (destek.nlp.text.fold) and split into words; each word, padded with a space on both
sides, gives its 3-, 4- and 5-letter pieces. A document is a TF-IDF vector of its pieces (log term
frequency, smoothed inverse document frequency, unit length). Pieces are hashed to 32 bits (CRC-32:
the same in every process), so an index is a few flat arrays: for each piece, the documents that have
it and their weights, and a query touches only the postings of its own pieces.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from destek.nlp.text import words

SIZES = (3, 4, 5)
# A piece in more than this share of the documents says little and costs the most: left out of queries.
COMMON = 0.6


def pieces(text: str) -> Counter[int]:
    """The hashed 3-5 character pieces of a text's folded words, with their counts."""
    found: Counter[int] = Counter()
    # The words joined by single spaces: pieces across two words ("mi un") keep a little of the phrase.
    joined = f" {' '.join(words(text))} "
    for size in SIZES:
        for start in range(len(joined) - size + 1):
            piece = joined[start : start + size]
            if not piece.isspace():
                found[zlib.crc32(piece.encode())] += 1
    return found


@dataclass(frozen=True, slots=True)
class NgramIndex:
    """Postings of hashed pieces: `keys` sorted, piece i's documents are docs[starts[i]:starts[i+1]]."""

    size: int  # documents
    keys: npt.NDArray[np.uint32]
    starts: npt.NDArray[np.int64]
    docs: npt.NDArray[np.int32]
    weights: npt.NDArray[np.float32]
    idf: npt.NDArray[np.float32]  # per key

    @classmethod
    def build(cls, texts: Sequence[str]) -> NgramIndex:
        counted = [pieces(text) for text in texts]
        frequency: Counter[int] = Counter()
        for found in counted:
            frequency.update(found.keys())
        n = len(texts)
        idf = {key: math.log((1 + n) / (1 + df)) for key, df in frequency.items()}
        rows: list[tuple[int, int, float]] = []
        for doc, found in enumerate(counted):
            vector = {key: (1.0 + math.log(count)) * idf[key] for key, count in found.items()}
            norm = math.sqrt(sum(value * value for value in vector.values())) or 1.0
            rows.extend((key, doc, value / norm) for key, value in vector.items())
        if not rows:
            empty = np.zeros(0, dtype=np.uint32)
            return cls(
                n,
                empty,
                np.zeros(1, dtype=np.int64),
                np.zeros(0, np.int32),
                np.zeros(0, np.float32),
                np.zeros(0, np.float32),
            )
        keys = np.fromiter((row[0] for row in rows), dtype=np.uint32, count=len(rows))
        docs = np.fromiter((row[1] for row in rows), dtype=np.int32, count=len(rows))
        weights = np.fromiter((row[2] for row in rows), dtype=np.float32, count=len(rows))
        order = np.argsort(keys, kind="stable")
        keys, docs, weights = keys[order], docs[order], weights[order]
        unique, starts = np.unique(keys, return_index=True)
        return cls(
            size=n,
            keys=unique,
            starts=np.r_[starts, len(keys)].astype(np.int64),
            docs=docs,
            weights=weights,
            idf=np.array([idf[int(key)] for key in unique], dtype=np.float32),
        )

    def similarities(self, text: str | Counter[int]) -> npt.NDArray[np.float32]:
        """The cosine of the text's piece vector (or of its pieces, when the caller has them) with every
        document's (0 where nothing is shared)."""
        found = pieces(text) if isinstance(text, str) else text
        if not found or not len(self.keys):
            return np.zeros(self.size, dtype=np.float32)
        query_keys = np.fromiter(found.keys(), dtype=np.uint32, count=len(found))
        counts = np.fromiter(found.values(), dtype=np.float32, count=len(found))
        at = np.minimum(np.searchsorted(self.keys, query_keys), len(self.keys) - 1)
        known = self.keys[at] == query_keys
        # Pieces the documents do not have still count in the query's length, as in the documents'.
        idf_all = np.full(len(found), math.log(1 + self.size), dtype=np.float32)
        idf_all[known] = self.idf[at[known]]
        query_weights = (1.0 + np.log(counts)) * idf_all
        norm = float(np.sqrt((query_weights * query_weights).sum())) or 1.0
        keys_at, weights = at[known], query_weights[known] / norm
        starts, ends = self.starts[keys_at], self.starts[keys_at + 1]
        if self.size > 50:  # pieces most documents have say little and cost the most
            keep = (ends - starts) <= COMMON * self.size
            keys_at, weights, starts, ends = keys_at[keep], weights[keep], starts[keep], ends[keep]
        lengths = ends - starts
        if not lengths.sum():
            return np.zeros(self.size, dtype=np.float32)
        # Every posting of the query's pieces at once: positions starts[i]..ends[i] for each piece i.
        offsets = np.repeat(starts - np.r_[0, np.cumsum(lengths)[:-1]], lengths)
        postings = offsets + np.arange(int(lengths.sum()))
        contributions = self.weights[postings] * np.repeat(weights, lengths)
        scores: npt.NDArray[np.float32] = np.bincount(
            self.docs[postings], weights=contributions, minlength=self.size
        ).astype(np.float32)
        return scores
