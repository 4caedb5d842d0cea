"""Fit and measure the bot's answer calibration on the labelled set in bot/data/.

    .venv/bin/python -m destek.bot.calibration          # fit, print precision/coverage, write weights
    .venv/bin/python -m destek.bot.calibration --check  # measure the shipped weights only

The set: FAQ articles in English and Turkish (data/faq.json) and questions (data/calibration.jsonl),
each labelled with the article that answers it or null when none does (out of scope). A question is
a positive example when the search's top hit is its article. A logistic regression over
decide.FEATURES (numpy, L2, Newton steps) maps the features to a probability; the report gives, per
threshold, the precision of the answers the bot would give and the share of answerable questions it
would answer (coverage), by leave-one-out cross-validation so the figures are not measured on the
questions the weights were fitted on.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

DATA = Path(__file__).parent / "data"
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)
L2 = 0.1


@dataclass(frozen=True, slots=True)
class Example:
    question: str
    language: str
    article: str | None  # the key of the article that answers it
    features: tuple[float, ...]
    top: str | None  # the key of the search's top hit
    correct: bool  # the top hit is the right article


def faq() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads((DATA / "faq.json").read_text())
    return data


def questions() -> list[dict[str, Any]]:
    return [
        json.loads(line) for line in (DATA / "calibration.jsonl").read_text().splitlines() if line.strip()
    ]


async def load_faq(state: Any, *, account_id: int, owner_id: int) -> dict[int, str]:
    """Create the FAQ articles (published) through the help-center service; {article id: key}."""
    from destek.accounts import service as accounts
    from destek.helpcenter import service as helpcenter
    from destek.helpcenter.schemas import ArticleCreate, TranslationIn

    keys: dict[int, str] = {}
    async with state.uow() as session:
        actor = await accounts.actor_for(session, account_id=account_id, user_id=owner_id)
        for item in faq():
            data = ArticleCreate(
                key=item["key"],
                translations={
                    locale: TranslationIn(**item[locale], status="published") for locale in ("en", "tr")
                },
            )
            article, _translations = await helpcenter.create_article(session, actor=actor, data=data)
            keys[article.id] = item["key"]
    return keys


async def examples(state: Any, *, account_id: int, keys: dict[int, str]) -> list[Example]:
    from destek.bot.decide import decide

    found: list[Example] = []
    for row in questions():
        async with state.read() as session:
            decision = await decide(
                session, account_id=account_id, question=row["q"], language=row["language"]
            )
        top = keys.get(decision.hit.article_id) if decision.hit else None
        found.append(
            Example(
                question=row["q"],
                language=row["language"],
                article=row["article"],
                features=decision.features,
                top=top,
                correct=top is not None and top == row["article"],
            )
        )
    return found


def fit(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], l2: float = L2) -> npt.NDArray[np.float64]:
    """Logistic regression by Newton's method; returns [bias, *weights]."""
    design = np.hstack([np.ones((len(x), 1)), x])
    w = np.zeros(design.shape[1])
    penalty = np.eye(design.shape[1]) * l2
    penalty[0, 0] = 0.0  # the bias is not shrunk
    for _ in range(50):
        p = 1 / (1 + np.exp(-design @ w))
        gradient = design.T @ (p - y) + penalty @ w
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def predict(w: npt.NDArray[np.float64], x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    result: npt.NDArray[np.float64] = 1 / (1 + np.exp(-(w[0] + x @ w[1:])))
    return result


def report(found: list[Example], p: npt.NDArray[np.float64]) -> list[dict[str, float]]:
    """Precision (answers that were right) and coverage (answerable questions answered right)."""
    answerable = sum(1 for e in found if e.article is not None)
    rows = []
    for threshold in THRESHOLDS:
        answered = [e for e, q in zip(found, p, strict=True) if q >= threshold]
        right = sum(1 for e in answered if e.correct)
        wrong_oos = sum(1 for e in answered if e.article is None)
        rows.append(
            {
                "threshold": threshold,
                "answered": len(answered),
                "precision": right / len(answered) if answered else 1.0,
                "coverage": right / answerable if answerable else 0.0,
                "out_of_scope_answered": wrong_oos,
            }
        )
    return rows


def cross_validated(found: list[Example]) -> npt.NDArray[np.float64]:
    x = np.array([e.features for e in found], dtype=np.float64)
    y = np.array([1.0 if e.correct else 0.0 for e in found])
    p = np.zeros(len(found))
    for i in range(len(found)):
        mask = np.arange(len(found)) != i
        p[i] = predict(fit(x[mask], y[mask]), x[i : i + 1])[0]
    return p


async def run(*, write: bool) -> dict[str, Any]:
    from destek.accounts import credentials
    from destek.accounts import service as accounts
    from destek.app import build_state, running
    from destek.bot.decide import FEATURES, WEIGHTS_FILE, _model, probability
    from destek.config import Settings
    from destek.migrate import upgrade

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/calibration.db"
        await asyncio.to_thread(upgrade, url)
        settings = Settings(database_url=url, data_dir=Path(tmp), run_consumers=False)
        async with running(build_state(settings)) as state:
            async with state.uow() as session:
                account = await accounts.create_account(session, name="Calibration")
                owner = await credentials.create_user(
                    session, email="owner@calibration.example.com", name="Owner", password=None
                )
                await accounts.add_member(session, account_id=account.id, user_id=owner.id, role="owner")
                account_id, owner_id = account.id, owner.id
            keys = await load_faq(state, account_id=account_id, owner_id=owner_id)
            found = await examples(state, account_id=account_id, keys=keys)
    x = np.array([e.features for e in found], dtype=np.float64)
    y = np.array([1.0 if e.correct else 0.0 for e in found])
    result: dict[str, Any] = {
        "examples": len(found),
        "answerable": sum(1 for e in found if e.article is not None),
        "top_hit_correct": int(y.sum()),
    }
    if write:
        w = fit(x, y)
        result["cross_validated"] = report(found, cross_validated(found))
        from destek.helpcenter.search import embedder
        from destek.nlp.embedders import USE_NAME

        fitted = {
            "features": list(FEATURES),
            "bias": round(float(w[0]), 4),
            "weights": [round(float(v), 4) for v in w[1:]],
            "fitted_on": result["examples"],
            "cross_validated": result["cross_validated"],
        }
        # One calibration per embedder: the top level is the Universal Sentence Encoder's (the default),
        # `by_embedder` holds the others (the lexical fallback without the `nlp` extra).
        name = embedder().name
        stored: dict[str, Any] = json.loads(WEIGHTS_FILE.read_text()) if WEIGHTS_FILE.exists() else {}
        others = dict(stored.get("by_embedder") or {})
        if name == USE_NAME:
            stored = {**fitted, "embedder": name}
        else:
            others[name] = fitted
        if others:
            stored["by_embedder"] = others
        WEIGHTS_FILE.write_text(json.dumps(stored, indent=2) + "\n")
        _model.cache_clear()
    result["shipped"] = report(found, np.array([probability(e.features) for e in found]))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="measure the shipped weights; write nothing")
    args = parser.parse_args()
    result = asyncio.run(run(write=not args.check))
    print(
        f"{result['examples']} questions, {result['answerable']} answerable;"
        f" top hit right: {result['top_hit_correct']}"
    )
    for name in ("cross_validated", "shipped"):
        if name in result:
            print(name)
            for row in result[name]:
                print(
                    f"  p >= {row['threshold']:.2f}: answers {row['answered']:3d},"
                    f" precision {row['precision']:.1%}, coverage {row['coverage']:.1%},"
                    f" out-of-scope answered {row['out_of_scope_answered']}"
                )


if __name__ == "__main__":
    main()
