from __future__ import annotations

import subprocess
import sys

import numpy as np

from destek.nlp.embedders import LexicalEmbedder, UseEmbedder
from destek.nlp.protocols import Embedder


def cos(embedder: Embedder, a: str, b: str) -> float:
    va, vb = embedder.embed([a, b])
    return float(va @ vb)


def test_rows_are_unit_length_float32_of_the_declared_size(embedder: Embedder) -> None:
    vectors = embedder.embed(["Şifremi unuttum", "Where is my parcel?", "", "   "])
    assert vectors.shape == (4, embedder.dimensions)
    assert vectors.dtype == np.float32
    norms = np.linalg.norm(vectors[:2], axis=1)
    assert np.allclose(norms, 1.0, atol=1e-5)
    assert embedder.embed([]).shape == (0, embedder.dimensions)


def test_embeddings_are_deterministic(embedder: Embedder) -> None:
    texts = ["Kargom nerede?", "I was charged twice"]
    assert np.array_equal(embedder.embed(texts), embedder.embed(list(reversed(texts)))[::-1])


def test_use_matches_meaning_across_turkish_and_english(use_embedder: UseEmbedder) -> None:
    same = cos(use_embedder, "Şifremi unuttum", "I forgot my password")
    unrelated = cos(use_embedder, "Şifremi unuttum", "Do you deliver on weekends?")
    assert same > 0.5
    assert same > unrelated + 0.3


def test_use_is_not_thrown_by_shouting(use_embedder: UseEmbedder) -> None:
    assert cos(use_embedder, "ŞİFREMİ UNUTTUM", "Şifremi unuttum") > 0.95
    assert cos(use_embedder, "I FORGOT MY PASSWORD", "I forgot my password") > 0.95


def test_lexical_ignores_case_and_turkish_letters(lexical_embedder: LexicalEmbedder) -> None:
    assert cos(lexical_embedder, "Şifremi UNUTTUM", "sifremi unuttum") > 0.999
    related = cos(lexical_embedder, "şifremi unuttum", "şifremi nasıl sıfırlarım")
    unrelated = cos(lexical_embedder, "şifremi unuttum", "kargo ücreti ne kadar")
    assert related > unrelated + 0.2


def test_lexical_vectors_do_not_depend_on_the_process_hash_seed(lexical_embedder: LexicalEmbedder) -> None:
    code = (
        "import sys; from destek.nlp.embedders import LexicalEmbedder; "
        "sys.stdout.write(LexicalEmbedder().embed(['Kargom nerede?']).tobytes().hex())"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={"PYTHONHASHSEED": seed, "PATH": ""},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert outputs == {lexical_embedder.embed(["Kargom nerede?"]).tobytes().hex()}
