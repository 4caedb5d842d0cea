"""Sentiment and urgency of customer messages, in Turkish and English.

Two layers:
- marker rules (rules.py) for strong, unambiguous phrases ("rezalet", "charged twice", "iptal edeceğim");
  they work everywhere and are the whole analyzer without the `nlp` extra (RuleSentiment);
- with the extra, a small model (ModelSentiment, sentiment_model.py): softmax regressions on the USE
  embedding, hashed n-grams and the markers, fitted on the seed set (data/sentiment_seed.jsonl) and the
  evaluation centers, for what no rule names — sarcasm, politeness, "still waiting", a restaurant that
  cannot take orders — and to weigh the markers. `reasons` says what contributed.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np
import numpy.typing as npt

from destek.nlp.protocols import Embedder, Sentiment, SentimentLabel
from destek.nlp.rules import RuleEvidence, evidence, shouting
from destek.nlp.sentiment_model import LABELS, Example, Rows, SentimentModel, fit
from destek.nlp.sentiment_model import URGENT_FROM as MODEL_URGENT_FROM

SEED_FILE = "sentiment_seed.jsonl"
NEGATIVE_BELOW = -0.35
POSITIVE_ABOVE = 0.25
URGENT_FROM = 0.6
# Strong negative words alone make a customer angry; a negative message shouted does too.
ANGRY_MARKERS = 0.8


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
    """The sentiment model (sentiment_model.py) on the process embedder, with the marker rules' reasons.

    Without `seed` or `model` it uses the stored model (data/sentiment_model.npz, fitted on the seed set
    and the evaluation centers) when it was fitted for this embedder, else it fits one on the seed set
    at first use (about a second). With `seed`, it fits on those examples; with `model`, uses that."""

    name = "model+rules"

    def __init__(
        self,
        embedder: Embedder,
        seed: Sequence[SeedExample] | None = None,
        *,
        model: SentimentModel | None = None,
    ) -> None:
        self.embedder = embedder
        self._seed = list(seed) if seed is not None else None
        self._lock = threading.Lock()
        self._model = model

    def _fitted(self) -> SentimentModel:
        with self._lock:
            if self._model is None:
                stored = SentimentModel.load() if self._seed is None else None
                if stored is not None and stored.embedder == self.embedder.name:
                    self._model = stored
                else:
                    seed = self._seed if self._seed is not None else load_seed()
                    examples = [Example(s.text, s.sentiment, s.urgent) for s in seed]
                    texts = [s.text for s in seed]
                    rows = Rows.of(texts, self.embedder.embed(texts))
                    self._model = fit(rows, examples, embedder=self.embedder.name)
            return self._model

    def warm_up(self) -> None:
        """Load or fit the model now instead of on the first message."""
        self._fitted()

    def analyze(self, text: str, language: str | None = None) -> Sentiment:
        return self.analyze_many([text])[0]

    def analyze_many(self, texts: Sequence[str], vectors: npt.ArrayLike | None = None) -> list[Sentiment]:
        """`vectors`: the texts' embeddings when the caller has them already."""
        if not texts:
            return []
        model = self._fitted()
        embedded = self.embedder.embed(list(texts)) if vectors is None else vectors
        probs, urgent = model.predict(Rows.of(texts, embedded))
        return [
            NOTHING if not any(ch.isalnum() for ch in text) else from_model(text, probs[i], float(urgent[i]))
            for i, text in enumerate(texts)
        ]


def from_model(text: str, probs: npt.NDArray[np.float64], urgency: float) -> Sentiment:
    """A message's Sentiment from the model's probabilities (LABELS order) and urgency."""
    found = evidence(text)
    neg, _neu, pos = (float(p) for p in probs)
    label = LABELS[int(np.argmax(probs))]
    reasons = [f"model:{label} {float(np.max(probs)):.2f}"]
    if urgency >= 0.3:
        reasons.append(f"model:urgent {urgency:.2f}")
    reasons.extend(f"marker:{name}" for name in found.markers)
    urgent = urgency >= MODEL_URGENT_FROM
    if urgent and label == "positive":
        label = "neutral"  # "please refund me, thanks" is not a happy customer
    loud = shouting(text)
    if loud:
        reasons.append("shouting")
    return Sentiment(
        label=label,
        score=round(float(np.clip(pos - neg, -1.0, 1.0)), 3),
        urgency=round(urgency, 3),
        urgent=urgent,
        reasons=tuple(reasons),
        angry=found.negative >= ANGRY_MARKERS or (loud and label == "negative"),
    )


__all__ = ["ModelSentiment", "RuleSentiment", "SeedExample", "from_model", "load_seed"]
