"""What the bot, the help center and the inbox ask of language intelligence. Each capability has a
light default that works without the `nlp` extra and a better backend when it is installed; callers
use these protocols (through destek.nlp.registry), never a concrete model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]  # shape (n, dimensions), each row L2-normalised


@dataclass(frozen=True)
class Detection:
    language: str | None  # ISO 639-1 ("tr", "en"), None when unsure
    confidence: float  # 0..1
    reliable: bool  # False for 1–2 word messages and the like: fall back to the contact's locale


SentimentLabel = Literal["negative", "neutral", "positive"]


@dataclass(frozen=True)
class Sentiment:
    label: SentimentLabel
    score: float  # -1 (very negative) .. 1 (very positive)
    urgency: float  # 0..1: money lost, business blocked now, threats to cancel
    urgent: bool
    reasons: tuple[str, ...] = field(default=())  # e.g. ("marker:rezalet", "model:negative 0.91")
    # Really angry (insults, shouting, strong words), not merely describing a problem: a person answers.
    angry: bool = False


@runtime_checkable
class Embedder(Protocol):
    name: str
    dimensions: int

    def embed(self, texts: Sequence[str]) -> Vectors: ...


@runtime_checkable
class LanguageDetector(Protocol):
    def detect(self, text: str, candidates: Sequence[str] | None = None) -> Detection: ...


@runtime_checkable
class SentimentAnalyzer(Protocol):
    def analyze(self, text: str, language: str | None = None) -> Sentiment: ...


@runtime_checkable
class Classifier(Protocol):
    """A text classifier with calibrated probabilities (for intents, topics)."""

    labels: tuple[str, ...]

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> None: ...

    def predict_proba(self, texts: Sequence[str]) -> npt.NDArray[np.float64]: ...  # (n, len(labels))
