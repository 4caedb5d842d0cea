"""Language, sentiment and urgency of every incoming contact message, stored on the conversation for
agents; urgency raises its priority (never lowers it) through the conversations service."""

from __future__ import annotations

import logging

from destek.accounts.models import Account
from destek.bot import service as bot
from destek.consumers.offload import off_loop
from destek.consumers.runner import Step
from destek.contacts.models import Contact
from destek.conversations import bot_writes
from destek.conversations import service as conversations
from destek.conversations.models import PRIORITY_RANK
from destek.events.models import EventRow
from destek.nlp.protocols import Sentiment
from destek.state import AppState

log = logging.getLogger(__name__)


UPSET_URGENCY = 0.4


def upset(feeling: Sentiment) -> bool:
    """Angry or pressed, not merely describing a problem ("I can't log in" reads negative to a model
    but is an ordinary question): urgent, or negative with some urgency or a strong marker."""
    if feeling.urgent:
        return True
    strong = any(reason.startswith("marker:") for reason in feeling.reasons)
    return feeling.label == "negative" and (feeling.urgency >= UPSET_URGENCY or strong)


def feel(text: str, language: str) -> Sentiment | None:
    """The message's sentiment, urgency and anger; None when the model fails (the bot goes on)."""
    from destek.nlp.registry import get_sentiment_analyzer

    try:
        return get_sentiment_analyzer().analyze(text, language)
    except Exception:  # a model failure must not silence the bot
        log.warning("sentiment analysis failed", exc_info=True)
        return None


def priority_for(feeling: Sentiment) -> str | None:
    """urgent: business blocked, money lost, threats to leave; high: an upset customer."""
    if feeling.urgent:
        return "urgent"
    if upset(feeling):
        return "high"
    return None


class Insights:
    name = "insights"

    def wants(self, event: EventRow) -> bool:
        if event.type != "message.created" or event.private or event.conversation_id is None:
            return False
        message = event.payload.get("message") or {}
        return (message.get("sender") or {}).get("type") == "contact" and bool(
            str(message.get("content") or "").strip()
        )

    async def tick(self, state: AppState) -> None:
        return None

    async def handle(self, step: Step) -> None:
        from destek.nlp.registry import get_sentiment_analyzer

        event = step.event
        text = str(event.payload["message"].get("content") or "")
        async with step.state.read() as session:
            conversation = await conversations.get_conversation(
                session, account_id=event.account_id, conversation_id=event.conversation_id or 0
            )
            if conversation is None:
                return
            account = await session.get(Account, event.account_id)
            contact = await session.get(Contact, conversation.contact_id)
            candidates = await bot.candidate_languages(
                session,
                account_id=event.account_id,
                account_locale=account.locale if account else None,
                contact_locale=contact.locale if contact else None,
            )

        def analyse() -> tuple[str, bool, Sentiment | None]:
            language, detected = bot.choose_language(
                text, fallbacks=[contact.locale if contact else None], candidates=candidates
            )
            try:
                return language, detected, get_sentiment_analyzer().analyze(text, language)
            except Exception:
                log.warning("sentiment analysis failed", exc_info=True)
                return language, detected, None

        # Models run in a worker thread: the event loop keeps serving requests meanwhile.
        language, detected, feeling = await off_loop(analyse)
        async with step.uow() as write:
            conversation = await conversations.get_conversation(
                write, account_id=event.account_id, conversation_id=event.conversation_id or 0
            )
            if conversation is None:
                return
            await bot_writes.set_insights(
                write,
                conversation=conversation,
                language=language if detected or conversation.language is None else None,
                sentiment=feeling.label if feeling else None,
                urgency=feeling.urgency if feeling else None,
            )
            wanted = priority_for(feeling) if feeling else None
            if wanted and PRIORITY_RANK[wanted] > PRIORITY_RANK.get(conversation.priority, 0):
                await conversations.set_priority(write, conversation=conversation, priority=wanted)
