from __future__ import annotations

import pytest

from destek.nlp.langid import LexicalDetector, normalise_candidates
from destek.nlp.protocols import LanguageDetector

TURKISH = [
    "Merhaba, siparişim hala gelmedi, ne zaman kargoya verilecek?",
    "Şifremi unuttum, yeni şifre almak için ne yapmam gerekiyor?",
    "Ödeme yaptım ama faturam görünmüyor, yardımcı olur musunuz?",
]
ENGLISH = [
    "Hello, my order still hasn't arrived, when will it be shipped?",
    "I forgot my password, what do I need to do to get a new one?",
    "I paid but I can't see my invoice, could you help me?",
]


@pytest.mark.parametrize("text", TURKISH)
def test_turkish_is_detected_among_the_account_languages(detector: LanguageDetector, text: str) -> None:
    detection = detector.detect(text, ["tr", "en"])
    assert detection.language == "tr"
    assert detection.reliable
    assert detection.confidence >= 0.8


@pytest.mark.parametrize("text", ENGLISH)
def test_english_is_detected_among_the_account_languages(detector: LanguageDetector, text: str) -> None:
    detection = detector.detect(text, ["tr", "en"])
    assert detection.language == "en"
    assert detection.reliable


@pytest.mark.parametrize(
    "text",
    [
        "sifremi unuttum, yardim eder misiniz",
        "siparisim hala gelmedi, kargo nerede acaba",
        "odeme yaptim ama fatura gelmedi",
    ],
)
def test_turkish_typed_without_turkish_letters_is_still_turkish(
    detector: LanguageDetector, text: str
) -> None:
    detection = detector.detect(text, ["en", "tr"])
    assert detection.language == "tr"
    assert detection.reliable


@pytest.mark.parametrize("text", ["ok", "merhaba", "thanks!", "Kargom nerede", "hello there"])
def test_one_or_two_words_are_not_reliable(detector: LanguageDetector, text: str) -> None:
    assert not detector.detect(text, ["tr", "en"]).reliable


@pytest.mark.parametrize("text", ["", "   ", "12345 !!!", "🙂🙂"])
def test_text_without_letters_has_no_language(detector: LanguageDetector, text: str) -> None:
    detection = detector.detect(text, ["tr", "en"])
    assert detection.language is None
    assert detection.confidence == 0.0
    assert not detection.reliable


def test_candidates_restrict_the_answer(detector: LanguageDetector) -> None:
    # Without candidates a Turkish sentence might come out as a related language; with them it cannot.
    detection = detector.detect(TURKISH[0], ["tr-TR", "EN"])
    assert detection.language == "tr"
    assert detector.detect(ENGLISH[0], ["en"]).language == "en"


def test_unknown_candidates_give_no_language(detector: LanguageDetector) -> None:
    detection = detector.detect(ENGLISH[0], ["xx", "qq"])
    assert detection.language is None
    assert not detection.reliable


def test_without_candidates_any_known_language_may_win(detector: LanguageDetector) -> None:
    assert detector.detect(TURKISH[1]).language == "tr"
    assert (
        detector.detect("Guten Tag, ich habe eine Frage zu meiner Rechnung und der Lieferung.").language
        == "de"
    )


def test_confidence_is_a_probability_between_the_candidates(detector: LanguageDetector) -> None:
    clear = detector.detect(ENGLISH[1], ["tr", "en"])
    assert 0.5 < clear.confidence <= 1.0
    mixed = detector.detect("ok tamam thanks teşekkürler", ["tr", "en"])
    assert mixed.confidence < clear.confidence


def test_lexical_detector_reads_scripts() -> None:
    detector = LexicalDetector()
    assert detector.detect("Здравствуйте, мой заказ ещё не пришёл", ["tr", "ru"]).language == "ru"
    assert detector.detect("مرحبا، لم يصل طلبي بعد", ["ar", "en"]).language == "ar"


def test_candidate_codes_are_normalised() -> None:
    assert normalise_candidates(["tr-TR", "pt_BR", "EN", "tr", ""]) == ["tr", "pt", "en"]
    assert normalise_candidates([]) is None
    assert normalise_candidates(None) is None
