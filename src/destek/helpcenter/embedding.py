"""Sentence vectors for the help center: the process embedder, texts embedded before a writer's
transaction (remembered per model), and query vectors (computed off the event loop, at most
EMBED_THREADS at once per process, remembered in a small LRU cache keyed by embedder and text, so a
repeated question costs nothing). Queries are cut to MAX_QUERY_CHARS first (clip_query).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
import numpy.typing as npt

from destek.consumers.offload import off_loop
from destek.nlp.protocols import Embedder

MAX_QUERY_CHARS = 300  # a question, not a document: longer queries are cut (at a word boundary)
QUERY_CACHE_SIZE = 2048  # query vectors remembered per process (2 KiB each with USE)
EMBED_THREADS = 2  # query embeddings running at once per process; more wait their turn


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


def vector_bytes(vector: npt.NDArray[np.float32]) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()
