from __future__ import annotations

import numpy as np
import pytest

from destek.nlp.embedders import UseEmbedder
from destek.nlp.protocols import SentimentAnalyzer
from destek.nlp.rules import evidence
from destek.nlp.sentiment import ModelSentiment, RuleSentiment, load_seed


@pytest.fixture(params=["model", "rules"])
def analyzer(
    request: pytest.FixtureRequest, model_sentiment: ModelSentiment, rule_sentiment: RuleSentiment
) -> SentimentAnalyzer:
    return model_sentiment if request.param == "model" else rule_sentiment


ANGRY = [
    "Bu ne rezalet, üç haftadır siparişimi bekliyorum!",
    "Berbat bir hizmet, bıktım artık sizden.",
    "This is ridiculous, your support is useless and nobody answers.",
    "Terrible service, worst company I have ever dealt with.",
]
SARCASM = [
    "harika, yine çöktü",
    "great, charged twice, thanks a lot",
    "Süper, yine giriş yapamıyorum. Tebrikler.",
]
POLITE_QUESTIONS = [
    "Merhaba, fatura adresimi nasıl değiştirebilirim?",
    "Hi, could you tell me how to export my data to CSV?",
    "Do you ship to Germany?",
]
THANKS = [
    "Çok teşekkürler, sorunum çözüldü!",
    "Thank you so much, that fixed it!",
    "Harika hizmet, elinize sağlık.",
]
URGENT = [
    "param iki kere çekildi, hemen iade edin",
    "aboneliğimi iptal edeceğim",
    "Restoranımız sipariş alamıyor, POS cihazı çalışmıyor!",
    "I was charged twice for the same order, refund me now.",
    "Our POS is down and we can't take orders right now.",
    "I'm cancelling my subscription and I'll tell everyone on Twitter.",
    "Dolandırıcısınız, sizi tüketici hakem heyetine şikayet edeceğim.",
]
CALM = [
    "Merhaba, kargom ne zaman gelir?",
    "How do I cancel my subscription?",
    "Üyeliğimi nasıl iptal edebilirim?",
    "Thanks, I got the refund today.",
]


@pytest.mark.parametrize("text", ANGRY)
def test_angry_messages_are_negative(analyzer: SentimentAnalyzer, text: str) -> None:
    result = analyzer.analyze(text)
    assert result.label == "negative"
    assert result.score < -0.35


@pytest.mark.parametrize("text", SARCASM)
def test_sarcasm_is_negative(analyzer: SentimentAnalyzer, text: str) -> None:
    result = analyzer.analyze(text)
    assert result.label == "negative"
    assert "marker:sarcasm" in result.reasons


@pytest.mark.parametrize("text", POLITE_QUESTIONS)
def test_polite_questions_are_neutral_and_calm(analyzer: SentimentAnalyzer, text: str) -> None:
    result = analyzer.analyze(text)
    assert result.label == "neutral"
    assert not result.urgent


@pytest.mark.parametrize("text", THANKS)
def test_thanks_are_positive(analyzer: SentimentAnalyzer, text: str) -> None:
    result = analyzer.analyze(text)
    assert result.label == "positive"
    assert result.score > 0.25
    assert not result.urgent


@pytest.mark.parametrize("text", URGENT)
def test_money_lost_business_blocked_and_threats_are_urgent(analyzer: SentimentAnalyzer, text: str) -> None:
    result = analyzer.analyze(text)
    assert result.urgent
    assert result.urgency >= 0.6
    assert result.label == "negative"
    assert any(reason.startswith("marker:") for reason in result.reasons)


@pytest.mark.parametrize("text", CALM)
def test_questions_about_cancelling_and_refunds_are_not_urgent(
    analyzer: SentimentAnalyzer, text: str
) -> None:
    assert not analyzer.analyze(text).urgent


def test_model_reasons_name_the_model_and_its_probability(model_sentiment: ModelSentiment) -> None:
    result = model_sentiment.analyze("param iki kere çekildi, hemen iade edin")
    assert result.reasons[0].startswith("model:negative ")
    assert "marker:iki kere cekildi" in result.reasons
    assert -1.0 <= result.score <= 1.0
    assert 0.0 <= result.urgency <= 1.0


def test_markers_match_without_turkish_letters_and_in_capitals() -> None:
    for text in ("REZALET", "rezaletsiniz", "aboneligimi iptal edecegim", "DOLANDIRICI"):
        assert evidence(text).markers, text


def test_model_catches_what_no_marker_names(model_sentiment: ModelSentiment) -> None:
    text = "Üç gündür bekliyorum, kimse bir şey söylemiyor, ne yapacağımı bilmiyorum."
    assert not evidence(text).markers
    assert model_sentiment.analyze(text).label == "negative"


def test_seed_set_is_balanced_enough_and_well_formed() -> None:
    seed = load_seed()
    for lang in ("tr", "en"):
        rows = [s for s in seed if s.lang == lang]
        assert len(rows) >= 300
        for label in ("negative", "neutral", "positive"):
            assert sum(s.sentiment == label for s in rows) >= 40
        assert sum(s.urgent for s in rows) >= 80
    assert len({s.text for s in seed}) == len(seed)


def test_held_out_accuracy(use_embedder: UseEmbedder) -> None:
    """Train on four fifths of the seed set, score the fifth it never saw."""
    seed = load_seed()
    train = [s for i, s in enumerate(seed) if i % 5 != 0]
    test = [s for i, s in enumerate(seed) if i % 5 == 0]
    results = ModelSentiment(use_embedder, seed=train).analyze_many([s.text for s in test])
    for lang in ("tr", "en"):
        pairs = [(s, r) for s, r in zip(test, results, strict=True) if s.lang == lang]
        sentiment_accuracy = np.mean([s.sentiment == r.label for s, r in pairs])
        urgent_accuracy = np.mean([s.urgent == r.urgent for s, r in pairs])
        urgent_recall = np.mean([r.urgent for s, r in pairs if s.urgent])
        urgent_precision = np.mean([s.urgent for s, r in pairs if r.urgent])
        assert sentiment_accuracy >= 0.85, (lang, sentiment_accuracy)
        assert urgent_accuracy >= 0.9, (lang, urgent_accuracy)
        # The flag is kept for what is really urgent: a flag that cries wolf gets ignored.
        assert urgent_recall >= 0.75 and urgent_precision >= 0.9, (lang, urgent_recall, urgent_precision)


def test_rules_alone_are_precise_on_the_seed_set() -> None:
    """The fallback flags fewer messages, but what it flags is right."""
    seed = load_seed()
    rules = RuleSentiment()
    flagged = [s for s in seed if rules.analyze(s.text).urgent]
    assert len(flagged) >= 0.5 * sum(s.urgent for s in seed)
    assert np.mean([s.urgent for s in flagged]) >= 0.9
    labelled = [(s, rules.analyze(s.text)) for s in seed]
    assert np.mean([s.sentiment == r.label for s, r in labelled]) >= 0.7


@pytest.mark.parametrize("text", ["", "   ", "🙂"])
def test_empty_messages_are_neutral_and_calm(analyzer: SentimentAnalyzer, text: str) -> None:
    result = analyzer.analyze(text)
    assert (result.label, result.urgent) == ("neutral", False)
