"""Sentiment and urgency of customer messages, in Turkish and English.

Two layers:
- marker rules (rules.py) for strong, unambiguous phrases ("rezalet", "charged twice", "iptal edeceğim");
  they work everywhere and are the whole analyzer without the `nlp` extra (RuleSentiment);
- with the extra, a small model (ModelSentiment): softmax regression on USE embeddings trained at first
  use (≈1 s) on the labelled seed set shipped in data/sentiment_seed.jsonl, for what no rule names —
  sarcasm, politeness, "still waiting", a restaurant that cannot take orders.
The model and the rules are added up; `reasons` says which contributed.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np

from destek.nlp.classifier import SoftmaxClassifier
from destek.nlp.protocols import Embedder, Sentiment, SentimentLabel
from destek.nlp.rules import RuleEvidence, evidence, shouting

SEED_FILE = "sentiment_seed.jsonl"
NEGATIVE_BELOW = -0.35
POSITIVE_ABOVE = 0.25
URGENT_FROM = 0.6
# Strong negative words alone make a customer angry; a negative message shouted does too.
ANGRY_MARKERS = 0.8
LABELS: tuple[SentimentLabel, ...] = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class SeedExample:
    text: str
    lang: str
    sentiment: SentimentLabel
    urgent: bool
    kind: str


def load_seed(name: str = SEED_FILE) -> list[SeedExample]:
    """The labelled seed set shipped with the package (one JSON object per line)."""
    raw = resources.files("destek.nlp").joinpath("data", name).read_text(encoding="utf-8")
    out = []
    for line in raw.splitlines():
        if line.strip():
            item = json.loads(line)
            out.append(
                SeedExample(
                    text=item["text"],
                    lang=item["lang"],
                    sentiment=item["sentiment"],
                    urgent=bool(item["urgent"]),
                    kind=item.get("kind", ""),
                )
            )
    return out


def _label(score: float) -> SentimentLabel:
    if score <= NEGATIVE_BELOW:
        return "negative"
    if score >= POSITIVE_ABOVE:
        return "positive"
    return "neutral"


def _combine(
    rules: RuleEvidence,
    model_score: float | None,
    model_urgency: float | None,
    reasons: list[str],
    *,
    loud: bool = False,
) -> Sentiment:
    reasons.extend(f"marker:{name}" for name in rules.markers)
    if model_score is None:
        score = float(np.tanh(rules.positive - rules.negative))
    else:
        score = model_score + float(np.tanh(rules.positive - rules.negative))
    score = float(np.clip(score, -1.0, 1.0))
    urgency = rules.urgency if model_urgency is None else max(rules.urgency, model_urgency)
    if rules.urgency and model_urgency is not None:
        # Two independent signals agreeing are stronger than either.
        urgency = max(urgency, 1.0 - (1.0 - rules.urgency) * (1.0 - 0.5 * model_urgency))
    urgency = float(np.clip(urgency, 0.0, 1.0))
    label = _label(score)
    if urgency >= URGENT_FROM and label == "positive":
        label = "neutral"  # "please refund me, thanks" is not a happy customer
    angry = rules.negative >= ANGRY_MARKERS or (loud and label == "negative")
    if loud:
        reasons.append("shouting")
    return Sentiment(
        label=label,
        score=round(score, 3),
        urgency=round(urgency, 3),
        urgent=urgency >= URGENT_FROM,
        reasons=tuple(reasons),
        angry=angry,
    )


class RuleSentiment:
    """Marker rules only (the fallback without the `nlp` extra): strong words and phrases in Turkish and
    English, matched on folded text so that "rezalet", "REZALET" and "rezaletsiniz" all count."""

    name = "rules"

    def analyze(self, text: str, language: str | None = None) -> Sentiment:
        return _combine(evidence(text), None, None, [], loud=shouting(text))


NOTHING = Sentiment(label="neutral", score=0.0, urgency=0.0, urgent=False)


class ModelSentiment:
    """The seed-set model on the process embedder, plus the marker rules."""

    name = "model+rules"

    def __init__(self, embedder: Embedder, seed: Sequence[SeedExample] | None = None) -> None:
        self.embedder = embedder
        self._seed = list(seed) if seed is not None else None
        self._lock = threading.Lock()
        self._sentiment: SoftmaxClassifier | None = None
        self._urgency: SoftmaxClassifier | None = None

    def _models(self) -> tuple[SoftmaxClassifier, SoftmaxClassifier]:
        with self._lock:
            if self._sentiment is None or self._urgency is None:
                seed = self._seed if self._seed is not None else load_seed()
                texts = [s.text for s in seed]
                vectors = np.asarray(self.embedder.embed(texts), dtype=np.float64)
                sentiment = SoftmaxClassifier(c=20.0, balanced=True)
                sentiment.fit(vectors, np.array([LABELS.index(s.sentiment) for s in seed]), len(LABELS))
                # Not balanced: urgency is the exception, and a flag that cries wolf gets ignored.
                urgency = SoftmaxClassifier(c=20.0)
                urgency.fit(vectors, np.array([int(s.urgent) for s in seed]), 2)
                self._sentiment, self._urgency = sentiment, urgency
            return self._sentiment, self._urgency

    def warm_up(self) -> None:
        """Train now instead of on the first message."""
        self._models()

    def analyze(self, text: str, language: str | None = None) -> Sentiment:
        return self.analyze_many([text])[0]

    def analyze_many(self, texts: Sequence[str]) -> list[Sentiment]:
        if not texts:
            return []
        sentiment, urgency = self._models()
        vectors = np.asarray(self.embedder.embed(list(texts)), dtype=np.float64)
        # No words, no verdict: "🙂", "???" and empty messages stay neutral rather than model noise.
        blank = [not any(ch.isalnum() for ch in text) for text in texts]
        probs = sentiment.predict_proba(vectors)
        urgent = urgency.predict_proba(vectors)[:, 1]
        out = []
        for i, text in enumerate(texts):
            if blank[i]:
                out.append(NOTHING)
                continue
            neg, neu, pos = (float(p) for p in probs[i])
            best = LABELS[int(np.argmax(probs[i]))]
            reasons = [f"model:{best} {max(neg, neu, pos):.2f}"]
            if urgent[i] >= 0.3:
                reasons.append(f"model:urgent {urgent[i]:.2f}")
            out.append(_combine(evidence(text), pos - neg, float(urgent[i]), reasons, loud=shouting(text)))
        return out


__all__ = ["ModelSentiment", "RuleSentiment", "SeedExample", "load_seed"]
