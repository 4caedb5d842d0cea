"""Sentiment, urgency and anger of the evaluation centers' questions, measured as for a business the
model never saw: each center's questions read by a sentiment model fitted on the seed set and the other
centers only (destek.nlp.sentiment_model). `fit_all` fits the model that ships, on all of them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import cast

from destek.bot.insights import upset
from destek.bot.observe import Observation
from destek.nlp.embedders import USE_NAME
from destek.nlp.protocols import Embedder, SentimentLabel
from destek.nlp.registry import get_embedder
from destek.nlp.sentiment import ModelSentiment, load_seed
from destek.nlp.sentiment_model import Example, Rows, SentimentModel, fit


def _examples(observations: Sequence[Observation]) -> list[Example]:
    return [
        Example(o.question.text, cast(SentimentLabel, o.question.sentiment), o.question.urgent)
        for o in observations
    ]


def _seed(embedder: Embedder) -> tuple[Rows, list[Example]]:
    seed = load_seed()
    texts = [s.text for s in seed]
    return Rows.of(texts, embedder.embed(texts)), [Example(s.text, s.sentiment, s.urgent) for s in seed]


def fit_all(by_center: dict[str, list[Observation]]) -> SentimentModel | None:
    """The model on the seed set and every center (None when the embedder has no model: rules only)."""
    embedder = get_embedder()
    if embedder.name != USE_NAME:
        return None
    rows, examples = _seed(embedder)
    parts, more = [rows], list(examples)
    for observations in by_center.values():
        texts = [o.question.text for o in observations]
        parts.append(Rows.of(texts, embedder.embed(texts)))
        more += _examples(observations)
    return fit(Rows.join(parts), more, embedder=embedder.name)


def left_out(by_center: dict[str, list[Observation]]) -> dict[str, list[Observation]]:
    """Each center's observations with what a model fitted without that center makes of them."""
    embedder = get_embedder()
    if embedder.name != USE_NAME or len(by_center) < 2:
        return by_center
    seed_rows, seed_examples = _seed(embedder)
    vectors = {name: embedder.embed([o.question.text for o in rows]) for name, rows in by_center.items()}
    rows = {
        name: Rows.of([o.question.text for o in observations], vectors[name])
        for name, observations in by_center.items()
    }
    found: dict[str, list[Observation]] = {}
    for name, observations in by_center.items():
        others = [other for other in by_center if other != name]
        model = fit(
            Rows.join([seed_rows, *(rows[other] for other in others)]),
            seed_examples + [e for other in others for e in _examples(by_center[other])],
            embedder=embedder.name,
        )
        analyzer = ModelSentiment(embedder, model=model)
        feelings = analyzer.analyze_many([o.question.text for o in observations], vectors=vectors[name])
        found[name] = [
            replace(
                o,
                sentiment=feeling.label,
                sentiment_score=feeling.score,
                urgency=feeling.urgency,
                urgent=feeling.urgent,
                upset=upset(feeling),
                angry=feeling.angry,
            )
            for o, feeling in zip(observations, feelings, strict=True)
        ]
    return found
