"""The order in which the bot decides (bot/policy.py): a person when asked or when the customer is
really angry; otherwise the help center first, urgent or not; a person when it is not sure."""

from __future__ import annotations

from typing import Any

from destek.bot.policy import Action, act


def decide(**given: Any) -> Action:
    values: dict[str, Any] = {
        "asks_person": False,
        "greeting": False,
        "thanks": False,
        "urgent": False,
        "angry": False,
        "confidence": 0.0,
        "threshold": 0.9,
    }
    return act(**{**values, **given})


def test_a_request_for_a_person_wins_even_over_a_sure_answer() -> None:
    assert decide(asks_person=True, confidence=0.99) == Action("handoff", "asked")
    assert decide(asks_person=True, urgent=True) == Action("handoff", "asked", urgent=True)


def test_an_urgent_problem_the_help_center_answers_gets_the_answer_and_a_raised_priority() -> None:
    assert decide(urgent=True, confidence=0.95) == Action("answer", "", urgent=True)
    assert decide(urgent=True, confidence=0.5) == Action("handoff", "urgent", urgent=True)


def test_only_real_anger_hands_over_before_the_help_center() -> None:
    assert decide(angry=True, confidence=0.99) == Action("handoff", "angry")
    assert decide(confidence=0.95) == Action("answer", "")
    assert decide(confidence=0.2) == Action("handoff", "low_confidence")


def test_greetings_and_thanks_are_not_questions() -> None:
    assert decide(greeting=True).kind == "hello"
    assert decide(thanks=True).kind == "thanks"
