"""Character n-gram similarity: typos, Turkish typed without its letters, and unknown words still find
their text; shared pieces count by their rarity."""

from __future__ import annotations

import numpy as np

from destek.helpcenter.lexical import NgramIndex, pieces

TEXTS = [
    "Şifremi unuttum: giriş ekranında Şifremi unuttum bağlantısına dokunun.",
    "Kartımdan iki kez ücret çekildi: ikinci çekim bankanın bekleyen onayıdır.",
    "QR menü açılmıyor: kamerayı kodun üzerine tutun, bağlantıya dokunun.",
    "I forgot my password: tap Forgot password on the sign-in screen.",
]


def test_the_same_words_however_typed_find_their_text() -> None:
    index = NgramIndex.build(TEXTS)
    for query, expected in (
        ("sifremi unuttum", 0),
        ("şifremi unutum", 0),  # a typo
        ("SIFREMI UNUTTUM", 0),
        ("kartimdan iki kez cekildi", 1),
        ("qr menu acilmiyor", 2),
        ("forgot pasword", 3),
    ):
        scores = index.similarities(query)
        assert int(np.argmax(scores)) == expected, (query, scores)
        assert 0.0 < scores.max() <= 1.0 + 1e-6


def test_nothing_shared_is_zero_and_empty_is_harmless() -> None:
    index = NgramIndex.build(TEXTS)
    assert np.all(index.similarities("zzqx") == 0.0)
    assert np.all(index.similarities("") == 0.0)
    assert NgramIndex.build([]).similarities("anything").shape == (0,)
    assert np.all(NgramIndex.build(["", "   "]).similarities("şifre") == 0.0)


def test_a_text_is_most_like_itself_and_pieces_are_stable() -> None:
    index = NgramIndex.build(TEXTS)
    for i, text in enumerate(TEXTS):
        scores = index.similarities(text)
        assert int(np.argmax(scores)) == i and abs(scores[i] - 1.0) < 1e-4
    # CRC-32 hashes: the same in every process (the index is rebuilt by other nodes).
    assert pieces("şifre") == pieces("sifre") and sum(pieces("ab").values()) == 3  # " ab", "ab ", " ab "
