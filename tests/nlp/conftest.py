"""Language intelligence backends, built once per test session (the USE model takes ~1 s to load)."""

from __future__ import annotations

import pytest

from destek.nlp.embedders import LexicalEmbedder, UseEmbedder
from destek.nlp.langid import LangidDetector, LexicalDetector
from destek.nlp.protocols import Embedder, LanguageDetector
from destek.nlp.sentiment import ModelSentiment, RuleSentiment


@pytest.fixture(scope="session")
def use_embedder() -> UseEmbedder:
    return UseEmbedder()


@pytest.fixture(scope="session")
def lexical_embedder() -> LexicalEmbedder:
    return LexicalEmbedder()


@pytest.fixture(scope="session", params=["use", "lexical"])
def embedder(
    request: pytest.FixtureRequest, use_embedder: UseEmbedder, lexical_embedder: LexicalEmbedder
) -> Embedder:
    return use_embedder if request.param == "use" else lexical_embedder


@pytest.fixture(scope="session", params=["py3langid", "lexical"])
def detector(request: pytest.FixtureRequest) -> LanguageDetector:
    return LangidDetector() if request.param == "py3langid" else LexicalDetector()


@pytest.fixture(scope="session")
def model_sentiment(use_embedder: UseEmbedder) -> ModelSentiment:
    analyzer = ModelSentiment(use_embedder)
    analyzer.warm_up()
    return analyzer


@pytest.fixture(scope="session")
def rule_sentiment() -> RuleSentiment:
    return RuleSentiment()
