"""Which consumers a process runs."""

from __future__ import annotations

from destek.consumers.runner import Consumer, Consumers
from destek.state import AppState


def default_consumers() -> list[Consumer]:
    from destek.bot.engine import BuiltinBot
    from destek.bot.external import ExternalBot
    from destek.bot.insights import Insights
    from destek.channels import registry as channels
    from destek.helpcenter.suggestions import QuestionSuggester
    from destek.scheduling.runner import TimerRunner

    return [
        Insights(),
        BuiltinBot(),
        ExternalBot(),
        QuestionSuggester(),
        *channels.consumers(),
        TimerRunner(),
    ]


async def start_consumers(state: AppState, consumers: list[Consumer] | None = None) -> Consumers:
    running = Consumers(state, consumers if consumers is not None else default_consumers())
    await running.start()
    return running
