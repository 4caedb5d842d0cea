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


# What the product promises: one text gets the same vector whatever else is in the batch, its place
# in it, the batch's size and the number of BLAS threads: equal within float32 rounding, not bit for
# bit (a matrix product over another batch adds in another order). Seen: differences up to ~2e-7 per
# component; two texts that differ by a word or a question mark are 0.06 or more apart.
SAME_VECTOR_ATOL = 1e-5

TEXTS = [
    "Kargom nerede?",
    "I was charged twice",
    "Şifremi unuttum",
    "Siparişim pazartesi gelecekti ama hâlâ gelmedi, kargo takip numarası da çalışmıyor. Ne yapmalıyım?",
    "",
]


def assert_same_vectors(got: np.ndarray, expected: np.ndarray) -> None:
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=0, atol=SAME_VECTOR_ATOL)


def one_by_one(embedder: Embedder, texts: list[str]) -> np.ndarray:
    return np.concatenate([embedder.embed([text]) for text in texts])


def test_embeddings_are_deterministic(embedder: Embedder) -> None:
    alone = one_by_one(embedder, TEXTS)
    assert_same_vectors(embedder.embed(TEXTS), alone)
    assert_same_vectors(embedder.embed(TEXTS[::-1])[::-1], alone)
    # Among other texts, in batches large enough to be split into several forward passes.
    filler = [f"Message {i}: the parcel with order number {1000 + i} has not arrived yet" for i in range(40)]
    assert_same_vectors(embedder.embed([*filler, *TEXTS, *filler])[40:-40], alone)
    assert_same_vectors(embedder.embed(TEXTS * 10)[-len(TEXTS) :], alone)
    # The tolerance stays far below what tells two texts apart.
    apart = embedder.embed(["Kargom nerede?", "Kargom geldi mi?"])
    assert np.abs(apart[0] - apart[1]).max() > 1000 * SAME_VECTOR_ATOL


def test_use_vectors_do_not_depend_on_the_thread_count(use_embedder: UseEmbedder) -> None:
    two_threads = UseEmbedder(threads=2)
    batch = [*TEXTS, *(f"Order {i} was charged twice" for i in range(30))]
    assert_same_vectors(two_threads.embed(batch), use_embedder.embed(batch))
    assert_same_vectors(two_threads.embed(TEXTS), one_by_one(use_embedder, TEXTS))


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
