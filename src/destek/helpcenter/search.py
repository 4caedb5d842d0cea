"""Help-center search: every published article scored for the question (ranking.py: meaning and
character n-grams, weighted by a model fitted on other businesses' help centers), one hit per article,
in the translation closest to the question (or in the language asked for).

Used by the public help center, the widget's article search, the composer and the bot (decide.py).
The account's index is held in memory (index.py); the query is embedded off the event loop
(embedding.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sqlalchemy.ext.asyncio import AsyncSession

from destek.helpcenter import embedding, terms
from destek.helpcenter.embedding import clip_query, embed_query
from destek.helpcenter.index import Index, index_of
from destek.helpcenter.ranking import Ranking, rank
from destek.helpcenter.render import excerpt
from destek.nlp.text import fold, words

log = logging.getLogger(__name__)

SNIPPET_CHARS = 180
# Below this an article is not worth showing for the question (the ranking's probability).
MIN_SCORE = 0.05


@dataclass(frozen=True, slots=True)
class SearchHit:
    article_id: int
    translation_id: int
    locale: str
    title: str
    url: str  # the public page; absolute when search() got a base_url
    snippet: str  # a short plain-text extract, the part most about the query
    semantic: float  # cosine of the question with the translation's closest chunk
    lexical: float  # character n-gram cosine of the question with the translation
    score: float  # the probability that the article answers the question (ranking.py)


def article_path(*, account_id: int, locale: str, article_id: int, slug: str) -> str:
    return f"/hc/{account_id}/{locale}/articles/{article_id}-{slug}"


def snippet(index: Index, position: int, query: str, *, limit: int = SNIPPET_CHARS) -> str:
    """The sentence of the body sharing most words (by prefix) with the query; else the summary."""
    doc = index.docs[position]
    # " term" inside " word word ": a word of the sentence starts with the term.
    wanted = [f" {term.rstrip('*')}" for term in terms.terms(query)]
    best, best_score = "", 0
    if wanted:
        sentences = index.sentences.get(position)
        if sentences is None:
            sentences = index.sentences[position] = [
                (sentence, f" {' '.join(words(sentence))}")
                for paragraph in doc.body_text.split("\n")
                for sentence in _sentences(paragraph)
            ]
        best_at = -1
        for at, (_sentence, joined) in enumerate(sentences):
            score = sum(1 for term in wanted if term in joined)
            if score > best_score:
                best_at, best_score = at, score
        if best_at >= 0:
            # A short sentence (a list item) reads better with what follows it.
            parts = [sentences[best_at][0]]
            for sentence, _joined in sentences[best_at + 1 :]:
                if sum(len(part) + 1 for part in parts) >= limit * 0.6:
                    break
                parts.append(sentence)
            best = " ".join(parts)
    if not best:
        best = doc.summary or doc.body_text
    return excerpt(best, limit)


def _sentences(paragraph: str) -> list[str]:
    parts: list[str] = []
    current = ""
    for piece in paragraph.replace("? ", "?\n").replace("! ", "!\n").replace(". ", ".\n").split("\n"):
        current = f"{current} {piece}".strip() if len(current) < 40 else piece.strip()
        if len(current) >= 40:
            parts.append(current)
            current = ""
    if current:
        parts.append(current)
    return [part for part in parts if part]


@dataclass(frozen=True, slots=True)
class Ranked:
    """A question's ranking over an account's help center, and what is needed to show its hits."""

    index: Index
    ranking: Ranking
    query: str

    def hit(self, article: int, *, base_url: str = "") -> SearchHit:
        position = int(self.ranking.doc_of[article])
        doc = self.index.docs[position]
        path = article_path(
            account_id=doc.account_id, locale=doc.locale, article_id=doc.article_id, slug=doc.slug
        )
        return SearchHit(
            article_id=doc.article_id,
            translation_id=doc.translation_id,
            locale=doc.locale,
            title=doc.title,
            url=f"{base_url.rstrip('/')}{path}",
            snippet=snippet(self.index, position, self.query),
            semantic=round(float(self.ranking.semantic[position]), 4),
            lexical=round(float(self.ranking.text[position]), 4),
            score=round(float(self.ranking.scores[article]), 4),
        )


async def ranked(
    session: AsyncSession,
    *,
    account_id: int,
    query: str,
    locale: str | None = None,
    prefer: str | None = None,
    query_vector: npt.NDArray[np.float32] | None = None,
) -> Ranked | None:
    """Every published article of the account scored for the query; None without articles or words.

    `locale` keeps only translations in that language; `prefer` shows an article in that language when
    it has it. `query_vector`: the query's vector from the current embedder, when the caller has it;
    else it is computed off the event loop (and cached). The query is cut to MAX_QUERY_CHARS."""
    query = clip_query(query)
    if not query or not fold(query).strip():
        return None
    index = await index_of(session, account_id=account_id)
    if not index.docs:
        return None
    try:
        vector = query_vector if query_vector is not None else await embed_query(query)
    except Exception:  # the embedder failed: rank by the words alone rather than not at all
        log.exception("help center %s: embedding the query failed", account_id)
        vector = np.zeros(embedding.embedder().dimensions, dtype=np.float32)
    ranking = rank(index, np.asarray(vector, dtype=np.float32), query, locale=locale, prefer=prefer)
    return Ranked(index=index, ranking=ranking, query=query)


async def search(
    session: AsyncSession,
    *,
    account_id: int,
    query: str,
    locale: str | None = None,
    limit: int = 5,
    base_url: str = "",
    query_vector: npt.NDArray[np.float32] | None = None,
) -> list[SearchHit]:
    """The published articles best answering `query`, best first, one hit per article, at most `limit`
    and only those worth showing (MIN_SCORE). `base_url` makes `url` absolute (settings.public_url)."""
    if limit < 1:
        return []
    found = await ranked(
        session, account_id=account_id, query=query, locale=locale, query_vector=query_vector
    )
    if found is None:
        return []
    return [
        found.hit(int(article), base_url=base_url)
        for article in found.ranking.order[:limit]
        if found.ranking.scores[article] >= MIN_SCORE
    ]
