"""The sentiment model that ships (destek/nlp/data/sentiment_model.npz) is the one fitted on today's seed
set and evaluation centers, and it is the one the product uses. How good it is on centers it did not see:
tests/bot/test_generalisation.py and docs/nlp.md."""

from __future__ import annotations

import pytest

from destek.bot.corpus import DEFAULT_ROOT, load_centers
from destek.nlp.embedders import UseEmbedder
from destek.nlp.sentiment import ModelSentiment, load_seed
from destek.nlp.sentiment_model import Example, SentimentModel, examples_digest


def test_the_shipped_model_was_fitted_on_the_data_as_it_is_now(use_embedder: UseEmbedder) -> None:
    stored = SentimentModel.load()
    assert stored is not None, "run: python -m destek.bot.evaluate --write"
    examples = [Example(s.text, s.sentiment, s.urgent) for s in load_seed()]
    for center in load_centers(DEFAULT_ROOT, None):
        examples += [Example(q.text, q.sentiment, q.urgent) for q in center.questions]  # type: ignore[arg-type]
    assert stored.digest == examples_digest(examples), (
        "the seed set or an evaluation center changed: refit with python -m destek.bot.evaluate --write"
    )
    assert stored.embedder == use_embedder.name
    analyzer = ModelSentiment(use_embedder)
    analyzer.warm_up()
    assert analyzer._fitted() is not None and analyzer._fitted().digest == stored.digest


# Written for this test, in none of the sets the model was fitted on.
HOW_TO = [
    "Fatura adresimi nereden güncelleyebilirim?",
    "Kasaya yeni bir garson hesabı nasıl eklerim?",
    "How do I change the language of the receipts?",
    "Can I export last month's invoices as a PDF?",
    "Wie ändere ich meine Lieferadresse?",
    "¿Cómo puedo cambiar mi contraseña?",
]
PRAISE = [
    "Yeni menü tasarımı harika olmuş, ellerinize sağlık!",
    "Your support team sorted it out in five minutes, thank you so much!",
    "Uygulama çok hızlandı, teşekkürler.",
]
REALLY_URGENT = [
    "Kartımdan aynı sipariş için üç kez para çekildi, hemen iade edin!",
    "Our card terminal stopped working in the middle of lunch service and we can't take payments!",
    "Hesabım çalındı, birisi benim adıma sipariş veriyor, acil yardım edin!",
]


@pytest.mark.parametrize("text", HOW_TO)
def test_a_how_to_question_is_not_urgent(model_sentiment: ModelSentiment, text: str) -> None:
    result = model_sentiment.analyze(text)
    assert not result.urgent, result
    assert not result.angry


@pytest.mark.parametrize("text", PRAISE)
def test_praise_is_positive_and_not_urgent(model_sentiment: ModelSentiment, text: str) -> None:
    result = model_sentiment.analyze(text)
    assert (result.label, result.urgent) == ("positive", False), result


@pytest.mark.parametrize("text", REALLY_URGENT)
def test_money_taken_business_blocked_and_a_stolen_account_are_urgent(
    model_sentiment: ModelSentiment, text: str
) -> None:
    result = model_sentiment.analyze(text)
    assert result.urgent and result.label == "negative", result
