"""The figures of a set of evaluation questions: how the ranker ordered the articles for each
(Outcome) and what the bot's answers, handoffs and signals came to (metrics)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from destek.bot import decide
from destek.bot.corpus import Question
from destek.bot.observe import Observation
from destek.bot.policy import Action
from destek.helpcenter import ranking
from destek.lib.logistic import Model


@dataclass(frozen=True, slots=True)
class Outcome:
    """A question as the ranker and the calibration see it."""

    top: str | None
    top3: tuple[str, ...]
    features: tuple[float, ...]


def outcome(observation: Observation, ranker: Model) -> Outcome:
    if not observation.values:
        return Outcome(None, (), (0.0,) * len(decide.FEATURES))
    values = np.array(observation.values, dtype=np.float64)
    scores = ranker.probabilities(values)
    order = np.argsort(-scores, kind="stable")
    ranked = ranking.Ranking(
        values=values,
        scores=scores,
        order=order,
        doc_of=np.zeros(len(values), dtype=np.intp),
        semantic=np.zeros(0, dtype=np.float32),
        text=np.zeros(0, dtype=np.float32),
    )
    top3 = tuple(observation.articles[int(i)] for i in order[:3])
    return Outcome(top3[0], top3, decide.features(ranked, observation.asked))


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def metrics(
    observations: Sequence[Observation], actions: Sequence[Action], outcomes: Sequence[Outcome]
) -> dict[str, Any]:
    """The figures of one set of questions, what the bot did with them and how it ranked the articles."""
    rows = list(zip(observations, actions, outcomes, strict=True))

    def count(predicate: Any) -> int:
        return sum(1 for o, a, r in rows if predicate(o, a, r))

    def right(o: Observation, a: Action, r: Outcome) -> bool:
        return a.kind == "answer" and r.top is not None and r.top == o.question.article

    answerable = count(lambda o, a, r: o.question.kind == "answerable")
    out_of_scope = count(lambda o, a, r: o.question.kind == "out_of_scope")
    human = count(lambda o, a, r: o.question.kind == "human")
    answered = count(lambda o, a, r: a.kind == "answer")
    urgent_predicted = count(lambda o, a, r: o.urgent)
    urgent_hits = count(lambda o, a, r: o.urgent and o.question.urgent)
    angry_hits = count(lambda o, a, r: o.angry and o.question.angry)
    seconds = sorted(o.seconds for o in observations)
    by_language: dict[str, dict[str, float | None]] = {}
    for language in sorted({o.question.lang for o in observations}):
        mine = count(lambda o, a, r, x=language: o.question.lang == x and o.question.kind == "answerable")
        by_language[language] = {
            "answered_right": _share(
                count(lambda o, a, r, x=language: o.question.lang == x and right(o, a, r)), mine
            ),
            "search_top1": _share(
                count(lambda o, a, r, x=language: o.question.lang == x and r.top == o.question.article), mine
            ),
        }
    return {
        "questions": len(rows),
        "answerable": answerable,
        "answered_right": _share(count(right), answerable),
        "precision": _share(count(right), answered),
        "out_of_scope_answered": _share(
            count(lambda o, a, r: o.question.kind == "out_of_scope" and a.kind == "answer"), out_of_scope
        ),
        "person_recognised": _share(
            count(lambda o, a, r: o.question.kind == "human" and o.asks_person), human
        ),
        "person_false": count(lambda o, a, r: o.asks_person and o.question.kind != "human"),
        "search_top1": _share(
            count(lambda o, a, r: r.top is not None and r.top == o.question.article), answerable
        ),
        "search_top3": _share(count(lambda o, a, r: o.question.article in r.top3), answerable),
        "sentiment_accuracy": _share(count(lambda o, a, r: o.sentiment == o.question.sentiment), len(rows)),
        "urgent_recall": _share(urgent_hits, count(lambda o, a, r: o.question.urgent)),
        "urgent_precision": _share(urgent_hits, urgent_predicted),
        "angry_recall": _share(angry_hits, count(lambda o, a, r: o.question.angry)),
        "angry_precision": _share(angry_hits, count(lambda o, a, r: o.angry)),
        "praise_urgent": count(lambda o, a, r: o.urgent and o.question.sentiment == "positive"),
        "how_to_urgent": count(lambda o, a, r: o.urgent and _how_to(o.question)),
        "handoffs": _count(a.reason for a in actions if a.kind == "handoff"),
        "by_language": by_language,
        "cpu_ms_p95": round(1000 * seconds[min(len(seconds) - 1, math.ceil(0.95 * len(seconds)) - 1)], 2)
        if seconds
        else None,
        "cpu_ms_median": round(1000 * statistics.median(seconds), 2) if seconds else None,
    }


def _how_to(question: Question) -> bool:
    """A plain question the help center answers, asked calmly."""
    return question.kind == "answerable" and question.sentiment == "neutral" and not question.urgent


def _count(values: Any) -> dict[str, int]:
    found: dict[str, int] = {}
    for value in values:
        found[value] = found.get(value, 0) + 1
    return dict(sorted(found.items()))
