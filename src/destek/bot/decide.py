"""Should the bot answer, and with which article? A calibrated probability over the help center's ranking.

The ranking (helpcenter/ranking.py) scores every article for the question; a second small logistic
model looks at how that ranking came out (how sure the best article is, how far ahead of the next,
whether meaning and words agree on it, how long the question is, whether it is asked as a question,
whether the help center is in the customer's language at all) and gives the probability that the best
article answers the question. Both were fitted on help centers of other businesses, choosing the
threshold for a business the models never saw (bot/evaluate.py, numbers in docs/bot.md). The bot
answers only above the inbox's threshold; below it, a person answers.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from destek.helpcenter import embedding
from destek.helpcenter.ranking import BASE, Ranking
from destek.helpcenter.search import SearchHit, ranked
from destek.lib.logistic import Model, load
from destek.nlp.text import fold, words

WEIGHTS_FILE = Path(__file__).parent / "data" / "calibration.json"
FEATURES = (
    "best_logit",
    "margin",
    "ratio",
    *(f"best_{name}" for name in BASE),
    "agreement",
    *(f"best_{name}_gap" for name in BASE),
    "total",
    "length",
    "question",
    "foreign",
    "spread",
    "size",
)
# The "size" feature stops growing here: the evaluation's largest help center has about this many.
MAX_SIZE = 16
# Used until calibration.json exists (hand-set; conservative).
_FALLBACK: dict[str, Any] = {
    "features": list(FEATURES),
    "mean": [0.0] * len(FEATURES),
    "scale": [1.0] * len(FEATURES),
    "bias": -6.0,
    "weights": [1.0, 4.0, 0.5, 2.0, 1.0, 2.0, 1.0, 2.0, 2.0, 1.0, 2.0, 1.0, 0.0, 0.0, 0.5, -1.0, -1.0, 0.0],
}
# Something asked: a question mark, or a question word of the languages customers write in.
_QUESTION = re.compile(
    r"[?؟]|\b(nasil|neden|niye|niçin|nicin|nerede|nerde|ne zaman|hangi|kac|mi|mu|miyim|misiniz"
    r"|how|why|where|when|what|which|can|could|is|are|do|does|wie|warum|wo|wann|was|welche|kann"
    r"|como|por que|donde|cuando|que|cual|puedo|comment|pourquoi|ou|quand|est-ce)\b"
    r"|(كيف|لماذا|متى|أين|هل|ماذا|ما)"
)


@dataclass(frozen=True, slots=True)
class Decision:
    confidence: float  # calibrated probability that `hit` answers the question
    hit: SearchHit | None
    features: tuple[float, ...]

    def answers(self, threshold: float) -> bool:
        return self.hit is not None and self.confidence >= threshold


def question_features(question: str, *, foreign: bool) -> tuple[float, float, float]:
    """(length, asked as a question, the help center lacks the customer's language)."""
    return (
        min(len(words(question)), 40) / 40,
        1.0 if _QUESTION.search(fold(question)) else 0.0,
        1.0 if foreign else 0.0,
    )


def features(ranking: Ranking, asked: tuple[float, float, float]) -> tuple[float, ...]:
    """How the ranking came out for its best article (see FEATURES)."""
    order = ranking.order
    if not len(order):
        return (0.0,) * len(FEATURES)
    scores = ranking.scores
    best = float(scores[order[0]])
    second = float(scores[order[1]]) if len(order) > 1 else 0.0
    top = ranking.values[order[0]]
    present = ranking.values[order]
    agreement = float(np.mean(present[:, : len(BASE)].argmax(axis=0) == 0))
    head = scores[order[:5]]
    shares = head / head.sum() if head.sum() > 0 else head
    spread = float(-(shares * np.log(shares + 1e-9)).sum())
    return (
        math.log((best + 1e-9) / (1 - best + 1e-9)),
        best - second,
        math.log((best + 1e-9) / (second + 1e-9)),
        *(float(v) for v in top[: len(BASE)]),
        agreement,
        *(float(v) for v in top[len(BASE) :]),
        float(scores[order].sum()),
        *asked,
        spread,
        # How many articles there are to choose from: with two, the second is far behind by nature.
        # Capped at the largest help centers it was fitted on (never extrapolated).
        math.log1p(min(len(order), MAX_SIZE)) / math.log1p(MAX_SIZE),
    )


@functools.cache
def calibration(embedder_name: str) -> Model:
    # Hand-set weights are conservative: the bot hands over more often than with fitted ones.
    return load(WEIGHTS_FILE, embedder_name, FEATURES, fallback=_FALLBACK, what="bot calibration")


def probability(values: tuple[float, ...]) -> float:
    return calibration(embedding.embedder().name).probability(values)


async def decide(
    session: AsyncSession, *, account_id: int, question: str, language: str | None, base_url: str = ""
) -> Decision:
    """The best article for the question, in the customer's language when it has one, and how sure."""
    found = await ranked(session, account_id=account_id, query=question, prefer=language)
    if found is None or not len(found.ranking.order):
        return Decision(confidence=0.0, hit=None, features=(0.0,) * len(FEATURES))
    foreign = language is not None and language not in found.index.languages
    asked = question_features(question, foreign=foreign)
    values = features(found.ranking, asked)
    hit = found.hit(int(found.ranking.order[0]), base_url=base_url)
    return Decision(confidence=probability(values), hit=hit, features=values)
