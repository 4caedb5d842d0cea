"""Hybrid search over published translations: full text (fulltext.py) and embeddings, merged by
reciprocal rank fusion. One hit per article (its best translation).

Embeddings are stored per translation (hc_embeddings) and held per account in an in-memory matrix.
Every transaction that changes published text gives the account a new `search_version`
(hc_sites); a search reads that version first (one indexed row) and reloads its matrix when it
differs, so every node of a cluster sees a change as soon as it commits.

Embedding is CPU work (≈ 2 ms a sentence with USE, more on a busy machine): it never runs on the event
loop. A query is embedded in a daemon thread (destek.consumers.offload.off_loop), at most
EMBED_THREADS at once per process, and remembered in a small LRU cache keyed by embedder and text, so
a repeated question (the widget's FAQ, a crawler, a flood of one string) costs nothing. A caller that
already has the query's vector passes it as `query_vector=`. Queries are cut to MAX_QUERY_CHARS.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from destek.consumers.offload import off_loop
from destek.helpcenter import fulltext
from destek.helpcenter.models import Embedding, HelpCenter, Translation
from destek.helpcenter.render import excerpt
from destek.nlp.protocols import Embedder
from destek.nlp.text import fold, words

log = logging.getLogger(__name__)

RRF_K = 60  # the usual constant of reciprocal rank fusion (Cormack et al. 2009)
MIN_COSINE = 0.2  # below this a semantic neighbour is noise, not a candidate
CANDIDATES = 30  # per ranking, before fusion
SNIPPET_CHARS = 180
MAX_QUERY_CHARS = 300  # a question, not a document: longer queries are cut (at a word boundary)
QUERY_CACHE_SIZE = 2048  # query vectors remembered per process (2 KiB each with USE)
EMBED_THREADS = 2  # query embeddings running at once per process; more wait their turn


@dataclass(frozen=True, slots=True)
class SearchHit:
    article_id: int
    translation_id: int
    locale: str
    title: str
    url: str  # the public page; absolute when search() got a base_url
    snippet: str  # a short plain-text extract, the part most about the query
    semantic: float | None  # cosine of the best chunk, None when not a semantic candidate
    fulltext: float | None  # full-text rank (higher is better), None when no word matched
    score: float  # fused (reciprocal rank fusion); higher is better


@dataclass(frozen=True, slots=True)
class _Doc:
    translation_id: int
    article_id: int
    account_id: int
    locale: str
    title: str
    slug: str
    summary: str
    body_text: str


@dataclass
class _Index:
    version: str
    model: str
    docs: list[_Doc]
    by_translation: dict[int, int]
    matrix: npt.NDArray[np.float32]  # (chunks, dimensions)
    owners: npt.NDArray[np.intp]  # chunk -> position in docs (non-decreasing)
    locales: npt.NDArray[np.str_]  # doc -> locale
    # Chunks are grouped by doc: group i spans starts[i]..starts[i+1] and belongs to docs[groups[i]].
    starts: npt.NDArray[np.intp] = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    groups: npt.NDArray[np.intp] = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    sentences: dict[int, list[tuple[str, frozenset[str]]]] = field(default_factory=dict)


# The most recently used accounts' indexes (a busy multi-tenant node keeps its active accounts).
_INDEXES: dict[tuple[str, int], _Index] = {}
MAX_INDEXES = 500
_LOCKS: dict[tuple[str, int], asyncio.Lock] = {}


def embedder() -> Embedder:
    from destek.nlp.registry import get_embedder

    return get_embedder()


_EMBEDDED: dict[tuple[str, str], npt.NDArray[np.float32]] = {}
MAX_EMBEDDED = 20_000


def embed(texts: list[str]) -> npt.NDArray[np.float32]:
    """Vectors of texts, remembered per model: a writer can embed before its transaction (off the
    event loop, see service.prepare_embeddings) and find them ready inside it."""
    model = embedder()
    missing = [text for text in dict.fromkeys(texts) if (model.name, text) not in _EMBEDDED]
    if missing:
        if len(_EMBEDDED) + len(missing) > MAX_EMBEDDED:
            _EMBEDDED.clear()
        for text, vector in zip(missing, model.embed(missing), strict=True):
            _EMBEDDED[(model.name, text)] = vector
    if not texts:
        return np.zeros((0, model.dimensions), dtype=np.float32)
    rows: list[npt.NDArray[np.float32]] = []
    for text in texts:
        vector = _EMBEDDED.get((model.name, text))
        rows.append(vector if vector is not None else model.embed([text])[0])
    return np.vstack(rows).astype(np.float32)


_QUERY_VECTORS: OrderedDict[tuple[str, str], npt.NDArray[np.float32]] = OrderedDict()
_QUERY_LOCK = threading.Lock()
_EMBED_SLOTS = threading.BoundedSemaphore(EMBED_THREADS)


def clip_query(query: str) -> str:
    """The query as searched: stripped, at most MAX_QUERY_CHARS, not ending in a cut word."""
    query = " ".join(query.split())
    if len(query) <= MAX_QUERY_CHARS:
        return query
    cut = query[: MAX_QUERY_CHARS + 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > MAX_QUERY_CHARS // 2 else cut[:MAX_QUERY_CHARS]).strip()


def cached_query_vector(query: str) -> npt.NDArray[np.float32] | None:
    key = (embedder().name, query)
    with _QUERY_LOCK:
        found = _QUERY_VECTORS.get(key)
        if found is not None:
            _QUERY_VECTORS.move_to_end(key)
        return found


def embed_query_now(query: str) -> npt.NDArray[np.float32]:
    """The query's vector (blocking: call it off the event loop), from the cache when it is there."""
    found = cached_query_vector(query)
    if found is not None:
        return found
    model = embedder()
    with _EMBED_SLOTS:
        vector = np.asarray(model.embed([query])[0], dtype=np.float32)
    vector.setflags(write=False)
    with _QUERY_LOCK:
        _QUERY_VECTORS[(model.name, query)] = vector
        _QUERY_VECTORS.move_to_end((model.name, query))
        while len(_QUERY_VECTORS) > QUERY_CACHE_SIZE:
            _QUERY_VECTORS.popitem(last=False)
    return vector


def forget_query_vectors() -> None:
    """Empty the query-vector cache (a benchmark times fresh questions, as customers ask them)."""
    with _QUERY_LOCK:
        _QUERY_VECTORS.clear()


async def embed_query(query: str) -> npt.NDArray[np.float32]:
    """The query's vector, computed in a thread unless cached (clip the query first: clip_query)."""
    found = cached_query_vector(query)
    if found is not None:
        return found
    return await off_loop(lambda: embed_query_now(query))


def article_path(*, account_id: int, locale: str, article_id: int, slug: str) -> str:
    return f"/hc/{account_id}/{locale}/articles/{article_id}-{slug}"


def vector_bytes(vector: npt.NDArray[np.float32]) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def _cache_key(session: AsyncSession, account_id: int) -> tuple[str, int]:
    # The database URL: a read and a write engine of one database share it; two databases never do.
    url = session.get_bind().engine.url
    return (url.render_as_string(hide_password=True), account_id)


async def current_version(session: AsyncSession, *, account_id: int) -> str:
    found = await session.scalar(select(HelpCenter.search_version).where(HelpCenter.account_id == account_id))
    return found or ""


async def _load(session: AsyncSession, *, account_id: int, version: str) -> _Index:
    model = embedder()
    rows = (
        await session.execute(
            select(
                Translation.id,
                Translation.article_id,
                Translation.locale,
                Translation.title,
                Translation.slug,
                Translation.summary,
                Translation.body_text,
            )
            .where(Translation.account_id == account_id, Translation.status == "published")
            .order_by(Translation.id)
        )
    ).all()
    docs = [_Doc(r[0], r[1], account_id, r[2], r[3], r[4], r[5], r[6]) for r in rows]
    by_translation = {doc.translation_id: i for i, doc in enumerate(docs)}
    chunks = (
        await session.execute(
            select(Embedding.translation_id, Embedding.text, Embedding.model, Embedding.vector)
            .where(Embedding.account_id == account_id)
            .order_by(Embedding.translation_id, Embedding.chunk)
        )
    ).all()
    owners: list[int] = []
    vectors: list[npt.NDArray[np.float32] | None] = []
    stale: list[tuple[int, str]] = []
    for translation_id, text, name, blob in chunks:
        position = by_translation.get(translation_id)
        if position is None:
            continue
        owners.append(position)
        if name == model.name and len(blob) == 4 * model.dimensions:
            vectors.append(np.frombuffer(blob, dtype="<f4"))
        else:  # written by another embedder (the `nlp` extra came or went): embed again, in memory
            stale.append((len(vectors), text))
            vectors.append(None)
    if stale:
        log.info("help center %s: re-embedding %d chunks for %s", account_id, len(stale), model.name)
        texts = [text for _, text in stale]
        fresh = await off_loop(lambda: model.embed(texts))
        for (slot, _), vector in zip(stale, fresh, strict=True):
            vectors[slot] = vector
    matrix = (
        np.vstack([v for v in vectors if v is not None]).astype(np.float32)
        if vectors
        else np.zeros((0, model.dimensions), dtype=np.float32)
    )
    owner_array = np.asarray(owners, dtype=np.intp)
    starts = (
        np.flatnonzero(np.r_[True, owner_array[1:] != owner_array[:-1]]).astype(np.intp)
        if len(owner_array)
        else np.zeros(0, dtype=np.intp)
    )
    return _Index(
        version=version,
        model=model.name,
        docs=docs,
        by_translation=by_translation,
        matrix=matrix,
        owners=owner_array,
        locales=np.asarray([doc.locale for doc in docs], dtype=np.str_),
        starts=starts,
        groups=owner_array[starts] if len(owner_array) else np.zeros(0, dtype=np.intp),
    )


async def _index(session: AsyncSession, *, account_id: int) -> _Index:
    key = _cache_key(session, account_id)
    version = await current_version(session, account_id=account_id)
    model = embedder().name
    cached = _INDEXES.pop(key, None)
    if cached is not None:
        _INDEXES[key] = cached  # most recently used last
        if cached.version == version and cached.model == model:
            return cached
    lock = _LOCKS.setdefault(key, asyncio.Lock())
    async with lock:
        cached = _INDEXES.get(key)
        if cached is not None and cached.version == version and cached.model == model:
            return cached
        built = await _load(session, account_id=account_id, version=version)
        _INDEXES.pop(key, None)
        _INDEXES[key] = built
        while len(_INDEXES) > MAX_INDEXES:
            oldest = next(iter(_INDEXES))
            del _INDEXES[oldest]
            _LOCKS.pop(oldest, None)
        return built


def _semantic(
    index: _Index, vector: npt.NDArray[np.float32], *, locale: str | None
) -> list[tuple[int, float]]:
    """(doc position, cosine of its best chunk), best first, above MIN_COSINE."""
    if not index.docs or index.matrix.shape[0] == 0 or vector.shape != (index.matrix.shape[1],):
        return []
    sims = index.matrix @ vector
    best = np.full(len(index.docs), -1.0, dtype=np.float32)
    best[index.groups] = np.maximum.reduceat(sims, index.starts)  # each doc's best chunk
    if locale is not None:
        best[index.locales != locale] = -1.0
    count = min(CANDIDATES, len(best))
    top = np.argpartition(-best, count - 1)[:count]
    ranked = sorted(((int(i), float(best[i])) for i in top), key=lambda item: -item[1])
    return [(i, cosine) for i, cosine in ranked if cosine >= MIN_COSINE]


def snippet(index: _Index, position: int, query: str, *, limit: int = SNIPPET_CHARS) -> str:
    """The sentence of the body sharing most words (by prefix) with the query; else the summary."""
    doc = index.docs[position]
    wanted = [term.rstrip("*") for term in fulltext.terms(query)]
    best, best_score = "", 0
    if wanted:
        sentences = index.sentences.get(position)
        if sentences is None:
            sentences = index.sentences[position] = [
                (sentence, frozenset(words(sentence)))
                for paragraph in doc.body_text.split("\n")
                for sentence in _sentences(paragraph)
            ]
        best_at = -1
        for at, (_sentence, found) in enumerate(sentences):
            score = sum(1 for term in wanted if any(word.startswith(term) for word in found))
            if score > best_score:
                best_at, best_score = at, score
        if best_at >= 0:
            # A short sentence (a list item) reads better with what follows it.
            parts = [sentences[best_at][0]]
            for sentence, _found in sentences[best_at + 1 :]:
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
    """The published articles best answering `query`, best first, one hit per article.

    `locale` keeps only translations in that language (None: all, and the query's own language wins
    through the full-text side). `base_url` makes `url` absolute (settings.public_url).
    `query_vector`: the query's vector from the current embedder (embedder()), when the caller has
    it already; else it is computed off the event loop (and cached). The query is cut to
    MAX_QUERY_CHARS."""
    query = clip_query(query)
    if not query or limit < 1 or not fold(query).strip():
        return []
    index = await _index(session, account_id=account_id)
    if not index.docs:
        return []
    try:
        vector = query_vector if query_vector is not None else await embed_query(query)
        semantic = _semantic(index, np.asarray(vector, dtype=np.float32), locale=locale)
    except Exception:  # the embedder failed: answer from the full text alone rather than not at all
        log.exception("help center %s: semantic search failed", account_id)
        semantic = []
    text_hits = await fulltext.search(
        session, account_id=account_id, query=query, locale=locale, limit=CANDIDATES
    )
    fused: dict[int, float] = {}
    cosines: dict[int, float] = {}
    ranks: dict[int, float] = {}
    for rank, (position, cosine) in enumerate(semantic):
        fused[position] = fused.get(position, 0.0) + 1.0 / (RRF_K + rank + 1)
        cosines[position] = cosine
    for rank, hit in enumerate(text_hits):
        found = index.by_translation.get(hit.translation_id)
        if found is None:  # published after the index was read: next search has it
            continue
        fused[found] = fused.get(found, 0.0) + 1.0 / (RRF_K + rank + 1)
        ranks[found] = hit.rank
    ordered = sorted(fused, key=lambda position: (-fused[position], -cosines.get(position, 0.0)))
    hits: list[SearchHit] = []
    seen_articles: set[int] = set()
    for position in ordered:
        doc = index.docs[position]
        if doc.article_id in seen_articles:
            continue
        seen_articles.add(doc.article_id)
        path = article_path(
            account_id=account_id, locale=doc.locale, article_id=doc.article_id, slug=doc.slug
        )
        hits.append(
            SearchHit(
                article_id=doc.article_id,
                translation_id=doc.translation_id,
                locale=doc.locale,
                title=doc.title,
                url=f"{base_url.rstrip('/')}{path}",
                snippet=snippet(index, position, query),
                semantic=cosines.get(position),
                fulltext=ranks.get(position),
                score=round(fused[position], 6),
            )
        )
        if len(hits) >= limit:
            break
    return hits
