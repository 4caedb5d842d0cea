"""Measure the language backends on the shipped seed set: `python -m destek.nlp.evaluate`.

Sentiment and urgency by 5-fold cross-validation (each fold's model never saw the messages it is scored
on; the marker rules are fixed), language id on the same messages with candidates ("tr", "en"), and the
speed of each backend. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence

import numpy as np

from destek.nlp.embedders import LexicalEmbedder, UseEmbedder
from destek.nlp.langid import LangidDetector, LexicalDetector
from destek.nlp.protocols import Embedder, LanguageDetector, Sentiment
from destek.nlp.sentiment import ModelSentiment, RuleSentiment, SeedExample, load_seed


def scores(pairs: Sequence[tuple[SeedExample, Sentiment]]) -> dict[str, float]:
    tp = sum(s.urgent and r.urgent for s, r in pairs)
    fp = sum(not s.urgent and r.urgent for s, r in pairs)
    fn = sum(s.urgent and not r.urgent for s, r in pairs)
    return {
        "sentiment_accuracy": round(100 * float(np.mean([s.sentiment == r.label for s, r in pairs])), 1),
        "urgent_precision": round(100 * tp / max(1, tp + fp), 1),
        "urgent_recall": round(100 * tp / max(1, tp + fn), 1),
    }


def per_ms(seconds: float, n: int) -> float:
    return round(1000 * seconds / n, 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    seed = load_seed()
    texts = [s.text for s in seed]
    result: dict[str, object] = {"seed_examples": len(seed)}

    use = UseEmbedder()
    use.embed(["warm up"])
    embedders: list[Embedder] = [use, LexicalEmbedder()]
    for embedder in embedders:
        started = time.perf_counter()
        embedder.embed(texts)
        result[f"ms_per_text_{embedder.name}"] = per_ms(time.perf_counter() - started, len(texts))

    model_pairs: list[tuple[SeedExample, Sentiment]] = []
    rule_pairs: list[tuple[SeedExample, Sentiment]] = []
    rules = RuleSentiment()
    train_seconds = 0.0
    for fold in range(args.folds):
        train = [s for i, s in enumerate(seed) if i % args.folds != fold]
        test = [s for i, s in enumerate(seed) if i % args.folds == fold]
        model = ModelSentiment(use, seed=train)
        started = time.perf_counter()
        model.warm_up()
        train_seconds += time.perf_counter() - started
        model_pairs.extend(zip(test, model.analyze_many([s.text for s in test]), strict=True))
        rule_pairs.extend((s, rules.analyze(s.text)) for s in test)
    result["sentiment_train_seconds"] = round(train_seconds / args.folds, 2)
    for name, pairs in (("model", model_pairs), ("rules", rule_pairs)):
        for lang in ("tr", "en"):
            result[f"{name}_{lang}"] = scores([(s, r) for s, r in pairs if s.lang == lang])

    full = ModelSentiment(use)
    full.warm_up()
    started = time.perf_counter()
    for text in texts:
        full.analyze(text)
    result["ms_per_message_sentiment_model"] = per_ms(time.perf_counter() - started, len(texts))
    started = time.perf_counter()
    for text in texts:
        rules.analyze(text)
    result["ms_per_message_sentiment_rules"] = per_ms(time.perf_counter() - started, len(texts))

    detectors: list[tuple[str, LanguageDetector]] = [
        ("py3langid", LangidDetector()),
        ("lexical", LexicalDetector()),
    ]
    for name, detector in detectors:
        started = time.perf_counter()
        found = [detector.detect(s.text, ["tr", "en"]) for s in seed]
        result[f"ms_per_message_langid_{name}"] = per_ms(time.perf_counter() - started, len(seed))
        result[f"langid_{name}_accuracy"] = round(
            100 * float(np.mean([d.language == s.lang for d, s in zip(found, seed, strict=True)])), 1
        )
        reliable = [(d, s) for d, s in zip(found, seed, strict=True) if d.reliable]
        result[f"langid_{name}_reliable_share"] = round(100 * len(reliable) / len(seed), 1)
        result[f"langid_{name}_reliable_accuracy"] = round(
            100 * float(np.mean([d.language == s.lang for d, s in reliable])), 1
        )
    for key, value in result.items():
        if key != "seed_examples":
            print(f"{key:40} {value}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
