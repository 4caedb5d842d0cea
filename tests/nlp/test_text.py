from __future__ import annotations

import pytest

from destek.nlp.text import fold, tr_lower, words


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Şifremi unuttum", "sifremi unuttum"),
        ("ŞİFREMİ UNUTTUM", "sifremi unuttum"),
        ("IĞDIR ılık İstanbul", "igdir ilik istanbul"),
        ("Çağrı Öztürk", "cagri ozturk"),
        ("Crème brûlée, Straße", "creme brulee, strasse"),
        ("Ødegaard Łódź", "odegaard lodz"),
        ("", ""),
    ],
)
def test_fold_lowercases_with_turkish_rules_and_strips_diacritics(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fold_makes_typed_without_turkish_letters_equal() -> None:
    assert fold("Kargom NEREDE, ödeme yapıldı mı?") == fold("kargom nerede, odeme yapildi mi?")


def test_tr_lower_keeps_turkish_letters() -> None:
    assert tr_lower("IŞIK İSTANBUL") == "ışık istanbul"


def test_words_are_folded_tokens_with_suffixes_split_off_names() -> None:
    assert words("Destek'e yazdım: Kargom NEREDE?") == ["destek", "e", "yazdim", "kargom", "nerede"]
    assert words("  ...  ") == []
