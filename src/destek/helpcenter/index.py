"""The in-memory index of an account's published help center: every translation with its chunk vectors
(as stored in hc_embeddings) and its character n-grams (lexical.py), held per account.

Every transaction that changes published text gives the account a new `search_version` (hc_sites); a
search reads that version first (one indexed row) and reloads the index when it differs, so every node
of a cluster sees a change as soon as it commits. Writers never touch this memory.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from destek.consumers.offload import off_loop
from destek.helpcenter import embedding
from destek.helpcenter.lexical import NgramIndex
from destek.helpcenter.models import Embedding, HelpCenter, Translation

log = logging.getLogger(__name__)

# The most recently used accounts' indexes (a busy multi-tenant node keeps its active accounts).
MAX_INDEXES = 500


@dataclass(frozen=True, slots=True)
class Doc:
    """One published translation."""

    translation_id: int
    article_id: int
    account_id: int
    locale: str
    title: str
    slug: str
    summary: str
    body_text: str
    questions: tuple[str, ...] = ()  # its example questions


@dataclass
class Index:
    version: str
    model: str
    docs: list[Doc]
    by_translation: dict[int, int]
    matrix: npt.NDArray[np.float32]  # (chunks, dimensions)
    # Chunks are grouped by doc: group i spans starts[i]..starts[i+1] and belongs to docs[groups[i]].
    # A doc's first chunk is its title with its summary (helpcenter.indexing.chunks).
    starts: npt.NDArray[np.intp]
    groups: npt.NDArray[np.intp]
    locales: npt.NDArray[np.str_]  # doc -> locale
    languages: frozenset[str]  # the locales it has
    text: NgramIndex  # doc -> pieces of its title, summary, example questions and body
    titles: NgramIndex  # doc -> pieces of its title
    articles: list[int]  # the articles, in the order of their first doc
    doc_article: npt.NDArray[np.intp]  # doc -> position in `articles`
    # doc -> its sentences, each with its folded words joined (search.snippet fills it as needed)
    sentences: dict[int, list[tuple[str, str]]] = field(default_factory=dict)


_INDEXES: dict[tuple[str, int], Index] = {}
_LOCKS: dict[tuple[str, int], asyncio.Lock] = {}


def _cache_key(session: AsyncSession, account_id: int) -> tuple[str, int]:
    # The database URL: a read and a write engine of one database share it; two databases never do.
    url = session.get_bind().engine.url
    return (url.render_as_string(hide_password=True), account_id)


async def current_version(session: AsyncSession, *, account_id: int) -> str:
    found = await session.scalar(select(HelpCenter.search_version).where(HelpCenter.account_id == account_id))
    return found or ""


def cached(account_id: int) -> Index | None:
    """An account's index if this process holds one (for benchmarks and diagnostics)."""
    return next((index for (_url, account), index in _INDEXES.items() if account == account_id), None)


async def _load(session: AsyncSession, *, account_id: int, version: str) -> Index:
    model = embedding.embedder()
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
                Translation.questions,
            )
            .where(Translation.account_id == account_id, Translation.status == "published")
            .order_by(Translation.id)
        )
    ).all()
    docs = [Doc(r[0], r[1], account_id, r[2], r[3], r[4], r[5], r[6], tuple(r[7] or ())) for r in rows]
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
    # Counting the n-grams of every text is CPU work: in a thread, like the embeddings.
    text_index, title_index = await off_loop(
        lambda: (
            NgramIndex.build([" ".join([d.title, d.summary, *d.questions, d.body_text]) for d in docs]),
            NgramIndex.build([d.title for d in docs]),
        )
    )
    articles = list(dict.fromkeys(doc.article_id for doc in docs))
    article_at = {article: i for i, article in enumerate(articles)}
    return Index(
        version=version,
        model=model.name,
        docs=docs,
        by_translation=by_translation,
        matrix=matrix,
        starts=starts,
        groups=owner_array[starts] if len(owner_array) else np.zeros(0, dtype=np.intp),
        locales=np.asarray([doc.locale for doc in docs], dtype=np.str_),
        languages=frozenset(doc.locale for doc in docs),
        text=text_index,
        titles=title_index,
        articles=articles,
        doc_article=np.asarray([article_at[doc.article_id] for doc in docs], dtype=np.intp),
    )


async def index_of(session: AsyncSession, *, account_id: int) -> Index:
    """The account's index, loaded (once per version, per process) when missing or out of date."""
    key = _cache_key(session, account_id)
    version = await current_version(session, account_id=account_id)
    model = embedding.embedder().name
    found = _INDEXES.pop(key, None)
    if found is not None:
        _INDEXES[key] = found  # most recently used last
        if found.version == version and found.model == model:
            return found
    lock = _LOCKS.setdefault(key, asyncio.Lock())
    async with lock:
        found = _INDEXES.get(key)
        if found is not None and found.version == version and found.model == model:
            return found
        built = await _load(session, account_id=account_id, version=version)
        _INDEXES.pop(key, None)
        _INDEXES[key] = built
        while len(_INDEXES) > MAX_INDEXES:
            oldest = next(iter(_INDEXES))
            del _INDEXES[oldest]
            _LOCKS.pop(oldest, None)
        return built
