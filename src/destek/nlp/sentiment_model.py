"""The sentiment and urgency model: two softmax regressions over what a message says (its sentence
embedding), how it says it (hashed word and character n-grams: "acil", "!!!", "iki kere") and what the
marker rules found (rules.py), so the model learns how far to trust each marker instead of adding it
up by hand.

It is fitted on labelled customer messages: the seed set (data/sentiment_seed.jsonl) and the bot's
evaluation centers (eval/centers, six businesses). `python -m destek.bot.evaluate --write` fits it on
all of them and stores it in data/sentiment_model.npz for the embedder in use; the same command
measures it leaving one whole center out (the figures in docs/nlp.md). The stored file names the
digest of the examples it was fitted on, so a changed seed set is noticed (tests/nlp).
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from destek.nlp.classifier import NgramFeatures, SoftmaxClassifier, SoftmaxModel
from destek.nlp.protocols import SentimentLabel
from destek.nlp.rules import evidence, shouting

Matrix = npt.NDArray[np.float64]
LABELS: tuple[SentimentLabel, ...] = ("negative", "neutral", "positive")
MODEL_FILE = Path(__file__).parent / "data" / "sentiment_model.npz"
NGRAM_DIMENSIONS = 2048
# How much each block counts against the unit-length embedding (chosen leaving one center out).
RULE_WEIGHT = 3.0
NGRAM_WEIGHT = 1.0
SENTIMENT_C = 5.0
URGENCY_C = 20.0
# A message is urgent from this probability on (leaving one center out: recall 66 %, precision 67 %).
URGENT_FROM = 0.4
VERSION = 1


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    sentiment: SentimentLabel
    urgent: bool


def rule_features(text: str) -> list[float]:
    """What the markers say, as numbers: negative and positive weight, urgency, shouting, any marker."""
    found = evidence(text)
    return [
        found.negative,
        found.positive,
        found.urgency,
        1.0 if shouting(text) else 0.0,
        min(found.negative, 2.0),
        1.0 if found.markers else 0.0,
    ]


@dataclass(frozen=True, slots=True)
class Rows:
    """The parts of the feature rows that do not depend on the fit: computed once per message."""

    vectors: Matrix  # sentence embeddings
    rules: Matrix  # rule_features
    counts: Matrix  # NgramFeatures.counts

    @classmethod
    def of(cls, texts: Sequence[str], vectors: npt.ArrayLike) -> Rows:
        return cls(
            vectors=np.asarray(vectors, dtype=np.float64).reshape(len(texts), -1),
            rules=np.array([rule_features(text) for text in texts], dtype=np.float64).reshape(len(texts), -1),
            counts=NgramFeatures(NGRAM_DIMENSIONS).counts(texts),
        )

    def subset(self, keep: npt.NDArray[np.bool_]) -> Rows:
        return Rows(self.vectors[keep], self.rules[keep], self.counts[keep])

    @staticmethod
    def join(parts: Sequence[Rows]) -> Rows:
        return Rows(
            np.vstack([p.vectors for p in parts]),
            np.vstack([p.rules for p in parts]),
            np.vstack([p.counts for p in parts]),
        )


def design(rows: Rows, idf: Matrix) -> Matrix:
    """The feature rows: the embedding, the weighted rule findings, the weighted unit n-gram TF-IDF."""
    grams = rows.counts * idf
    norms = np.linalg.norm(grams, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.hstack([rows.vectors, RULE_WEIGHT * rows.rules, NGRAM_WEIGHT * grams / norms])


@dataclass(frozen=True, slots=True)
class SentimentModel:
    sentiment: SoftmaxModel
    urgency: SoftmaxModel
    idf: Matrix
    embedder: str
    digest: str  # of the examples it was fitted on (examples_digest)

    def predict(self, rows: Rows) -> tuple[Matrix, npt.NDArray[np.float64]]:
        """Per message: the probabilities of LABELS, and the probability that it is urgent."""
        x = design(rows, self.idf)
        urgent: npt.NDArray[np.float64] = self.urgency.predict_proba(x)[:, 1]
        return self.sentiment.predict_proba(x), urgent

    def save(self, path: Path = MODEL_FILE) -> None:
        meta = {"version": VERSION, "embedder": self.embedder, "digest": self.digest, "labels": list(LABELS)}
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            meta=np.array(json.dumps(meta)),
            sentiment_weights=self.sentiment.weights.astype(np.float32),
            sentiment_bias=self.sentiment.bias,
            sentiment_temperature=np.array(self.sentiment.temperature),
            urgency_weights=self.urgency.weights.astype(np.float32),
            urgency_bias=self.urgency.bias,
            urgency_temperature=np.array(self.urgency.temperature),
            idf=self.idf.astype(np.float32),
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(buffer.getvalue())

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> SentimentModel | None:
        """The stored model, or None when there is none or it is of another version."""
        if not path.exists():
            return None
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            if meta.get("version") != VERSION or meta.get("labels") != list(LABELS):
                return None

            def head(name: str) -> SoftmaxModel:
                return SoftmaxModel(
                    weights=data[f"{name}_weights"].astype(np.float64),
                    bias=data[f"{name}_bias"].astype(np.float64),
                    temperature=float(data[f"{name}_temperature"]),
                )

            return cls(
                sentiment=head("sentiment"),
                urgency=head("urgency"),
                idf=data["idf"].astype(np.float64),
                embedder=str(meta["embedder"]),
                digest=str(meta["digest"]),
            )


def examples_digest(examples: Sequence[Example]) -> str:
    """Which examples a model was fitted on: their texts and labels, in order."""
    digest = hashlib.sha256()
    for example in examples:
        digest.update(f"{example.text}\t{example.sentiment}\t{int(example.urgent)}\n".encode())
    return digest.hexdigest()[:16]


def fit(rows: Rows, examples: Sequence[Example], *, embedder: str) -> SentimentModel:
    """Both heads on these rows (Rows.of the examples' texts)."""
    grams = NgramFeatures(NGRAM_DIMENSIONS)
    grams.fit_counts(rows.counts)
    sentiment_labels = np.array([LABELS.index(e.sentiment) for e in examples])
    urgent_labels = np.array([int(e.urgent) for e in examples])
    x = design(rows, grams.idf)
    # Each label weighs the same: a seed set heavy in complaints must not make every message one.
    sentiment = SoftmaxClassifier(c=SENTIMENT_C, balanced=True)
    sentiment.fit(x, sentiment_labels, len(LABELS))
    # Not balanced: urgency is the exception, and a flag that cries wolf gets ignored.
    urgency = SoftmaxClassifier(c=URGENCY_C)
    urgency.fit(x, urgent_labels, 2)
    assert sentiment.model is not None and urgency.model is not None
    return SentimentModel(
        sentiment=sentiment.model,
        urgency=urgency.model,
        idf=grams.idf,
        embedder=embedder,
        digest=examples_digest(examples),
    )
