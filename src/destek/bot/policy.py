"""What the bot does with a customer's message, once it has understood it: one pure function that the
engine (engine.py) and the evaluation (evaluate.py) both use, so what is measured is what runs.

The order: a request for a person is handed over at once; a really angry customer too. Otherwise the
help center comes first: an answer it is sure of is given, also to an urgent problem (which then raises
the conversation's priority and offers a person beside the answer, rather than a silent handover).
What the help center cannot answer goes to a person, urgent first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ActionKind = Literal["answer", "handoff", "hello", "thanks"]


@dataclass(frozen=True, slots=True)
class Action:
    kind: ActionKind
    reason: str  # for a handoff: asked, angry, urgent, low_confidence; "" otherwise
    urgent: bool = False  # raise the conversation's priority (and offer a person with an answer)


def act(
    *,
    asks_person: bool,
    greeting: bool,
    thanks: bool,
    urgent: bool,
    angry: bool,
    confidence: float,
    threshold: float,
) -> Action:
    if asks_person:
        return Action("handoff", "asked", urgent)
    if thanks:
        return Action("thanks", "")
    if greeting:
        return Action("hello", "")
    if angry:
        return Action("handoff", "angry", urgent)
    if confidence >= threshold:
        return Action("answer", "", urgent)
    return Action("handoff", "urgent" if urgent else "low_confidence", urgent)
