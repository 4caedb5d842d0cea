from __future__ import annotations

import numpy as np
import pytest

from destek.nlp.classifier import (
    EmbeddingClassifier,
    NgramFeatures,
    fit_softmax,
    fit_temperature,
    stratified_folds,
)
from destek.nlp.embedders import LexicalEmbedder, UseEmbedder
from destek.nlp.protocols import Classifier

INTENTS = {
    "password": [
        "I forgot my password",
        "How do I reset my password?",
        "I can't log in, password doesn't work",
    ],
    "shipping": ["Where is my order?", "When will my parcel arrive?", "My package hasn't been delivered yet"],
    "refund": ["I want my money back", "How do I get a refund?", "Please refund my last payment"],
    "hours": ["What are your opening hours?", "When are you open?", "Are you open on Sunday?"],
}


def training_data() -> tuple[list[str], list[str]]:
    texts = [t for examples in INTENTS.values() for t in examples]
    labels = [label for label, examples in INTENTS.items() for _ in examples]
    return texts, labels


def test_softmax_regression_separates_and_is_deterministic() -> None:
    rng = np.random.default_rng(0)
    centres = np.array([[3.0, 0.0], [0.0, 3.0], [-3.0, -3.0]])
    y = np.repeat(np.arange(3), 40)
    x = centres[y] + rng.normal(size=(120, 2))
    model = fit_softmax(x, y, 3, l2=1e-3)
    assert (model.predict_proba(x).argmax(axis=1) == y).mean() > 0.97
    again = fit_softmax(x, y, 3, l2=1e-3)
    assert np.array_equal(model.weights, again.weights)
    probs = model.predict_proba(x)
    assert np.allclose(probs.sum(axis=1), 1.0)


def test_stratified_folds_deal_every_label_evenly_and_deterministically() -> None:
    y = np.array([2, 0, 1, 0, 2, 1, 0, 1, 2, 0, 1, 2, 0, 1, 2])  # five of each label, shuffled
    folds = stratified_folds(y, 5)
    assert folds.shape == y.shape
    for fold in range(5):
        # each fold holds exactly one example of each label: no fold is missing a label
        assert sorted(y[folds == fold].tolist()) == [0, 1, 2]
    assert np.array_equal(folds, stratified_folds(y, 5))
    # uneven counts: fold sizes differ by at most one
    sizes = np.bincount(stratified_folds(np.array([0, 0, 0, 1, 1, 1, 1]), 3), minlength=3)
    assert sizes.max() - sizes.min() <= 1
    with pytest.raises(ValueError, match="at least 1"):
        stratified_folds(y, 0)


def test_ngram_counts_computed_once_give_the_same_features_as_the_texts() -> None:
    texts, _ = training_data()
    direct = NgramFeatures(256)
    from_texts = direct.fit_transform(texts)
    reused = NgramFeatures(256)
    counts = reused.counts(texts)
    # fitting on a slice of precomputed counts (as cross-validation does) = fitting on those texts
    assert np.allclose(reused.fit_counts(counts), from_texts)
    assert np.allclose(reused.transform_counts(counts[:2]), direct.transform(texts[:2]))
    half = NgramFeatures(256)
    assert np.allclose(half.fit_counts(counts[:6]), NgramFeatures(256).fit_transform(texts[:6]))
    assert np.allclose(np.linalg.norm(from_texts, axis=1), 1.0)
    assert not np.allclose(half.idf, direct.idf)  # the IDF depends on the texts it was fitted on


def test_temperature_scaling_softens_overconfident_logits() -> None:
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, size=400)
    noisy = np.where(rng.random(400) < 0.7, y, 1 - y)  # 70 % right ...
    logits = np.zeros((400, 2))
    logits[np.arange(400), noisy] = 10.0  # ... but claims ~100 %
    assert fit_temperature(logits, y) > 5.0


def test_turkish_questions_land_on_intents_taught_in_english(use_embedder: UseEmbedder) -> None:
    classifier = EmbeddingClassifier(use_embedder)
    assert isinstance(classifier, Classifier)
    classifier.fit(*training_data())
    assert classifier.labels == ("hours", "password", "refund", "shipping")
    predictions = classifier.predict(["Şifremi unuttum", "Kargom nerede?", "Paramı geri istiyorum"])
    assert [label for label, _ in predictions] == ["password", "shipping", "refund"]
    probs = classifier.predict_proba(["Şifremi unuttum"])
    assert probs.shape == (1, 4)
    assert np.isclose(probs.sum(), 1.0)


def test_ngram_features_work_with_the_lexical_embedder() -> None:
    classifier = EmbeddingClassifier(LexicalEmbedder(), ngram_weight=1.0)
    classifier.fit(*training_data())
    label, probability = classifier.predict(["password reset please"])[0]
    assert label == "password"
    assert 0.25 < probability <= 1.0


def test_unfitted_and_mismatched_input_say_what_is_wrong(use_embedder: UseEmbedder) -> None:
    classifier = EmbeddingClassifier(use_embedder)
    with pytest.raises(RuntimeError, match="not fitted"):
        classifier.predict_proba(["hello"])
    with pytest.raises(ValueError, match="as many labels as texts"):
        classifier.fit(["a", "b"], ["x"])
