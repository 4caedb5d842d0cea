"""Should the bot answer, and with which article? A calibrated probability over retrieval features.

The help center's hybrid search gives candidates; a small logistic model turns what they look like
(how close the best one is, how far ahead of the next, whether full text agrees, whether it is in the
customer's language) into the probability that the best article answers the question. It was fitted
on a labelled set of questions (EN + TR, answerable and out of scope): bot/calibration.py, numbers in
docs/bot.md. The bot answers only above the inbox's threshold; below it, a person answers.
"""

from __future__ import annotations

import functools
import json
import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from destek.helpcenter.fulltext import terms
from destek.helpcenter.search import SearchHit, search
from destek.nlp.text import words

log = logging.getLogger(__name__)

WEIGHTS_FILE = Path(__file__).parent / "data" / "calibration.json"
FEATURES = ("semantic", "margin", "fulltext", "language", "fulltext_top", "length", "title_terms")
# Used until calibration.json exists (hand-set; conservative).
_FALLBACK = {"bias": -9.0, "weights": [10.0, 6.0, 1.0, 1.0, 0.5, 0.0, 1.0]}


@dataclass(frozen=True, slots=True)
class Decision:
    confidence: float  # calibrated probability that `hit` answers the question
    hit: SearchHit | None
    hits: list[SearchHit]
    features: tuple[float, ...]

    def answers(self, threshold: float) -> bool:
        return self.hit is not None and self.confidence >= threshold


def model() -> tuple[float, tuple[float, ...]]:
    """(bias, weights) fitted for the embedder in use (`by_embedder` in calibration.json; the top-level
    weights are the Universal Sentence Encoder's)."""
    from destek.helpcenter.search import embedder

    return _model(embedder().name)


@functools.cache
def _model(embedder_name: str) -> tuple[float, tuple[float, ...]]:
    data: dict[str, Any] = _FALLBACK
    if WEIGHTS_FILE.exists():
        stored = json.loads(WEIGHTS_FILE.read_text())
        data = (stored.get("by_embedder") or {}).get(embedder_name) or stored
        if data is stored and stored.get("embedder", embedder_name) != embedder_name:
            log.warning(
                "bot calibration has no weights for the %s embedder; using %s's (run python -m "
                "destek.bot.calibration with this backend)",
                embedder_name,
                stored.get("embedder"),
            )
    else:
        log.warning(
            "bot calibration %s is missing (an incomplete install?): using conservative fallback weights; "
            "the bot will hand over more often",
            WEIGHTS_FILE,
        )
    if list(data.get("features") or FEATURES) != list(FEATURES):
        log.warning("bot calibration %s was fitted on other features: using fallback weights", WEIGHTS_FILE)
        data = _FALLBACK
    return float(data["bias"]), tuple(float(w) for w in data["weights"])


def features(question: str, hits: list[SearchHit], language: str | None) -> tuple[float, ...]:
    if not hits:
        return (0.0,) * len(FEATURES)
    top = hits[0]
    cosine = top.semantic or 0.0
    others = [h.semantic or 0.0 for h in hits[1:] if h.article_id != top.article_id]
    margin = cosine - (max(others) if others else 0.0)
    best_text = max((h.fulltext or 0.0 for h in hits), default=0.0)
    return (
        cosine,
        margin,
        1.0 if top.fulltext else 0.0,
        1.0 if language is None or top.locale.split("-")[0] == language else 0.0,
        1.0 if top.fulltext and top.fulltext >= best_text else 0.0,
        min(len(words(question)), 12) / 12,
        title_terms(question, top.title),
    )


def title_terms(question: str, title: str) -> float:
    """The share of the question's words (stop words aside, stems by prefix, diacritics folded) found in
    the article's title. Evidence that holds in every language alike, where the embedding's cosine does
    not: USE puts Turkish paraphrases further apart than English ones ("siparisim gorunmuyor" and the
    title "Siparişim görünmüyor": 0.37)."""
    wanted = [term.rstrip("*") for term in terms(question)]
    if not wanted:
        return 0.0
    found = words(title)
    return sum(1 for term in wanted if any(word.startswith(term) for word in found)) / len(wanted)


def probability(values: tuple[float, ...]) -> float:
    bias, weights = model()
    z = bias + sum(w * x for w, x in zip(weights, values, strict=True))
    return 1 / (1 + math.exp(-max(min(z, 40.0), -40.0)))


async def decide(
    session: AsyncSession, *, account_id: int, question: str, language: str | None, base_url: str = ""
) -> Decision:
    # search() embeds the question in a worker thread (and caches it for the retry below).
    hits = await search(
        session, account_id=account_id, query=question, locale=language, limit=5, base_url=base_url
    )
    if not hits and language is not None:
        # Nothing in the customer's language: an article in another one is still better than nothing,
        # but the language feature counts against it.
        hits = await search(session, account_id=account_id, query=question, limit=5, base_url=base_url)
    values = features(question, hits, language)
    return Decision(
        confidence=probability(values) if hits else 0.0,
        hit=hits[0] if hits else None,
        hits=hits,
        features=values,
    )
