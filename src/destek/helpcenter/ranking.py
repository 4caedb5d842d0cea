"""Which article answers a question: each article described by a few measures of how close the question
is to it, and a logistic model over them that was fitted on help centers of other businesses.

The measures, for an article (the best of its published translations):
- semantic: the cosine of the question's sentence vector with the article's closest chunk;
- lead: the same with its first chunk only (the title and the summary);
- text: the character n-gram cosine with its title, summary and body (lexical.py: typos, Turkish typed
  without its letters, words the embedding does not know);
- title: the same with its title alone;
and, for each, how far it is ahead of the best other article (or behind the best). The weights live in
data/ranking.json, fitted by `python -m destek.bot.evaluate --write` on the evaluation centers (numbers
in docs/bot.md); the hand-set fallback below ranks by meaning and words alike.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from destek.helpcenter import embedding
from destek.helpcenter.index import Index
from destek.helpcenter.lexical import pieces
from destek.lib.logistic import Model, load

BASE = ("semantic", "lead", "text", "title")
FEATURES = (*BASE, *(f"{name}_gap" for name in BASE))
WEIGHTS_FILE = Path(__file__).parent / "data" / "ranking.json"
_FALLBACK: dict[str, Any] = {
    "features": list(FEATURES),
    "mean": [0.0] * len(FEATURES),
    "scale": [1.0] * len(FEATURES),
    "bias": -8.0,
    "weights": [6.0, 3.0, 6.0, 2.0, 3.0, 1.0, 3.0, 1.0],
}


@functools.cache
def model(embedder_name: str) -> Model:
    return load(WEIGHTS_FILE, embedder_name, FEATURES, fallback=_FALLBACK, what="help-center ranking")


@dataclass(frozen=True, slots=True)
class Ranking:
    """Every article of the index scored for one question."""

    values: npt.NDArray[np.float64]  # (articles, FEATURES); a filtered-out article has -1 everywhere
    scores: npt.NDArray[np.float64]  # (articles,) the probability that the article answers it
    order: npt.NDArray[np.intp]  # articles best first (filtered-out ones left out)
    doc_of: npt.NDArray[np.intp]  # article -> the translation to show (a doc of the index)
    semantic: npt.NDArray[np.float32]  # doc -> its closest chunk's cosine
    text: npt.NDArray[np.float32]  # doc -> its n-gram cosine


def with_gaps(base: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The base measures of some articles, followed per column by how far each article is ahead of the
    best other one (negative: behind the best); a lone article has no other: gap 0."""
    if len(base) < 2:
        return np.hstack([base, np.zeros_like(base)])
    ordered = np.sort(base, axis=0)
    best, second = ordered[-1], ordered[-2]
    gaps: npt.NDArray[np.float64] = np.where(base >= best, base - second, base - best)
    return np.hstack([base, gaps])


def rank(
    index: Index,
    vector: npt.NDArray[np.float32],
    query: str,
    *,
    locale: str | None = None,
    prefer: str | None = None,
) -> Ranking:
    """Score every article for the question. `locale` keeps only translations in that language;
    `prefer` picks the translation shown when an article has one in that language."""
    n_docs, n_articles = len(index.docs), len(index.articles)
    semantic = np.zeros(n_docs, dtype=np.float32)
    lead = np.zeros(n_docs, dtype=np.float32)
    if index.matrix.shape[0] and vector.shape == (index.matrix.shape[1],):
        sims = index.matrix @ vector
        semantic[index.groups] = np.maximum.reduceat(sims, index.starts)  # each doc's best chunk
        lead[index.groups] = sims[index.starts]  # its first chunk: title and summary
    found = pieces(query)
    text = index.text.similarities(found)
    title = index.titles.similarities(found)
    doc_values = np.stack([semantic, lead, text, title], axis=1).astype(np.float64)
    allowed = np.ones(n_docs, dtype=bool) if locale is None else index.locales == locale
    base = np.full((n_articles, len(BASE)), -1.0)
    np.maximum.at(base, index.doc_article[allowed], doc_values[allowed])
    present = np.zeros(n_articles, dtype=bool)
    present[index.doc_article[allowed]] = True
    values = np.hstack([base, np.zeros_like(base)])
    if present.any():
        values[present] = with_gaps(base[present])
    scores = model(embedding.embedder().name).probabilities(values)
    scores[~present] = 0.0
    order = np.argsort(-scores, kind="stable").astype(np.intp)
    order = order[present[order]]
    # The translation shown: the preferred language's when the article has one, else the closest.
    closeness = semantic + text + np.where(index.locales == (prefer or ""), 10.0, 0.0)
    closeness = np.where(allowed, closeness, -math.inf)
    doc_of = np.zeros(n_articles, dtype=np.intp)
    by_article = np.lexsort((-closeness, index.doc_article))  # per article, its closest doc first
    articles = index.doc_article[by_article]
    first = np.r_[True, articles[1:] != articles[:-1]] if n_docs else np.zeros(0, dtype=bool)
    doc_of[articles[first]] = by_article[first]
    return Ranking(values=values, scores=scores, order=order, doc_of=doc_of, semantic=semantic, text=text)
