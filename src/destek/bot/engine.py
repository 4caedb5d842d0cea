"""The builtin bot: a consumer of conversation and message events of inboxes whose bot is enabled.

It acts only while the conversation is in its hands: once handed over, or once an agent has replied,
it stays silent (except to store the email address it asked for). Heavy work (language detection,
sentiment, retrieval) runs before the write transaction; the writes and the consumer's cursor commit
together, so an event is applied once even across a crash or a restart.
"""

from __future__ import annotations

import logging
from typing import Any

from destek.accounts.models import Account, Inbox
from destek.bot import handoffs, intents, person, texts
from destek.bot import service as bot
from destek.bot.decide import Decision, decide
from destek.bot.insights import feel
from destek.bot.policy import act
from destek.bot.settings import BotSettings
from destek.consumers.offload import off_loop
from destek.consumers.runner import Step
from destek.contacts.models import Contact
from destek.conversations import bot_writes
from destek.conversations import service as conversations
from destek.conversations.models import Conversation
from destek.db import utcnow
from destek.events.models import EventRow
from destek.nlp.protocols import Sentiment
from destek.state import AppState

log = logging.getLogger(__name__)

MAX_FAILURES = 2
SNIPPET = 280


def _contact_message(event: EventRow) -> dict[str, Any] | None:
    if event.type != "message.created" or event.private:
        return None
    message = event.payload.get("message") or {}
    sender = message.get("sender") or {}
    if (message.get("content_attributes") or {}).get("automatic"):
        return None  # an auto-reply, a bounce, a mailing list: never answered automatically
    return message if sender.get("type") == "contact" else None


class BuiltinBot:
    name = "bot"

    def wants(self, event: EventRow) -> bool:
        if event.inbox_id is None or event.conversation_id is None:
            return False
        return event.type == "conversation.created" or _contact_message(event) is not None

    async def tick(self, state: AppState) -> None:
        return None

    async def handle(self, step: Step) -> None:
        event = step.event
        async with step.state.read() as session:
            inbox = await session.get(Inbox, event.inbox_id)
            if inbox is None:
                return
            settings = BotSettings.of(inbox.settings)
            if not settings.enabled or settings.mode != "builtin":
                return
            conversation = await conversations.get_conversation(
                session, account_id=event.account_id, conversation_id=event.conversation_id or 0
            )
            if conversation is None or not settings.handles(conversation.created_at):
                return
            account = await session.get(Account, event.account_id)
            contact = await session.get(Contact, conversation.contact_id)
            account_locale = account.locale if account else "en"
            candidates = await bot.candidate_languages(
                session,
                account_id=event.account_id,
                account_locale=account_locale,
                contact_locale=contact.locale if contact else None,
            )
            fallbacks: list[str | None] = [contact.locale if contact else None, conversation.language]
            if event.type == "conversation.created":
                if await bot.first_contact_automatic(session, conversation_id=conversation.id):
                    return  # opened by an auto-reply or a mailing list: nobody to greet
                # Greet in the language of the first message when it came with the conversation.
                first = await bot.first_contact_text(session, conversation_id=conversation.id)
                language, _ = await off_loop(
                    lambda: bot.choose_language(
                        first, fallbacks=[*fallbacks, account_locale], candidates=candidates
                    )
                )
                async with step.uow() as write:
                    await self._greet(write, event, settings, language)
                return
            message = _contact_message(event)
            assert message is not None
            text = str(message.get("content") or "")
            bot_session = await bot.get_session(session, conversation_id=conversation.id)
            if bot_session is not None and bot_session.awaiting_email:
                async with step.uow() as write:
                    await self._capture_email(write, event, text)
                return
            if not await self._in_charge(session, conversation, bot_session):
                return
            known = bot_session.language if bot_session else None
            options = await bot.last_options(session, conversation_id=conversation.id)
            choice = intents.chosen(text, options)
            # Models run in a worker thread: the event loop keeps serving requests meanwhile.
            language, _ = await off_loop(
                lambda: bot.choose_language(
                    None if choice else text,  # a button's title says nothing about the language
                    fallbacks=[known, *fallbacks, account_locale],
                    candidates=candidates,
                )
            )
            feeling = await off_loop(lambda: feel(text, language)) if choice is None else None
            decision: Decision | None = None
            angry = feeling is not None and feeling.angry
            if choice is None and not intents.small_talk(text) and not angry:
                decision = await decide(
                    session,
                    account_id=event.account_id,
                    question=text,
                    language=language,
                    base_url=step.state.settings.public_url,
                )
        online = await handoffs.agents_online(step.state, account_id=event.account_id, inbox_id=inbox.id)
        async with step.uow() as write:
            await self._answer(
                write,
                event,
                settings,
                text=text,
                language=language,
                choice=choice,
                feeling=feeling,
                decision=decision,
                online=online,
                account_locale=account_locale,
            )

    async def skipped(self, state: AppState, event: EventRow) -> None:
        """The bot failed on a customer's message for good: a person answers instead of nobody."""
        message = _contact_message(event)
        if message is None:
            return
        async with state.uow() as session:
            inbox = await session.get(Inbox, event.inbox_id)
            conversation = await conversations.get_conversation(
                session, account_id=event.account_id, conversation_id=event.conversation_id or 0
            )
            if inbox is None or conversation is None:
                return
            settings = BotSettings.of(inbox.settings)
            if not settings.enabled or settings.mode != "builtin":
                return
            await conversations.lock_conversation(session, conversation)
            bot_session = await bot.get_session(session, conversation_id=conversation.id)
            if not await self._in_charge(session, conversation, bot_session):
                return
            account = await session.get(Account, event.account_id)
            account_locale = account.locale if account else "en"
            known = bot_session.language if bot_session else None
            language = known or conversation.language or account_locale
            await handoffs.hand_over(
                session,
                conversation=conversation,
                settings=settings,
                handoff=handoffs.Handoff(
                    reason="bot_failed",
                    language=language[:2],
                    question=str(message.get("content") or ""),
                    sentiment=conversation.sentiment,
                    urgency=conversation.urgency,
                ),
                online=await handoffs.agents_online(state, account_id=event.account_id, inbox_id=inbox.id),
                key=f"{event.seq}-skipped",
                account_locale=account_locale,
            )

    async def _in_charge(self, session: Any, conversation: Conversation, bot_session: Any) -> bool:
        if conversation.handed_over_at is not None:
            return False
        if bot_session is not None and bot_session.stage == "handed_over":
            return False
        return not await conversations.has_agent_reply(session, conversation_id=conversation.id)

    async def _greet(self, session: Any, event: EventRow, settings: BotSettings, language: str) -> None:
        conversation = await conversations.get_conversation(
            session, account_id=event.account_id, conversation_id=event.conversation_id or 0
        )
        if conversation is None or await bot.get_session(session, conversation_id=conversation.id):
            return
        await bot.open_session(session, conversation=conversation, language=language)
        # Started with a question already (the widget sends the first message with the conversation):
        # greet briefly and answer it, without a menu that the question has made moot.
        asked = await conversations.has_contact_message(session, conversation_id=conversation.id)
        menu = [] if asked else bot.topic_menu(settings, language)
        await bot.say(
            session,
            conversation=conversation,
            text=texts.greeting(settings, language, with_menu=bool(menu)),
            key=f"{event.seq}-greeting",
            quick_replies=menu,
        )

    async def _capture_email(self, session: Any, event: EventRow, text: str) -> None:
        conversation = await conversations.get_conversation(
            session, account_id=event.account_id, conversation_id=event.conversation_id or 0
        )
        if conversation is None:
            return
        bot_session = await bot.get_session(session, conversation_id=conversation.id)
        if bot_session is None or not bot_session.awaiting_email:
            return
        if await conversations.has_agent_reply(session, conversation_id=conversation.id):
            bot_session.awaiting_email = False  # a person has taken over: they ask for themselves
            return
        await bot.capture_email(
            session, conversation=conversation, bot_session=bot_session, text=text, key=str(event.seq)
        )

    async def _answer(
        self,
        session: Any,
        event: EventRow,
        settings: BotSettings,
        *,
        text: str,
        language: str,
        choice: str | None,
        feeling: Sentiment | None,
        decision: Decision | None,
        online: bool,
        account_locale: str,
    ) -> None:
        conversation = await conversations.get_conversation(
            session, account_id=event.account_id, conversation_id=event.conversation_id or 0
        )
        if conversation is None:
            return
        # Lock the conversation's row first (PostgreSQL; SQLite's writers queue anyway), then check again:
        # an agent's reply or a handoff either committed before (and is seen here) or waits for the
        # bot's post to commit. Without the lock, one committing in between let the bot speak after it.
        await conversations.lock_conversation(session, conversation)
        bot_session = await bot.get_session(session, conversation_id=conversation.id)
        if not await self._in_charge(session, conversation, bot_session):
            return
        if bot_session is None:
            bot_session = await bot.open_session(session, conversation=conversation, language=language)
        bot_session.language = language
        bot_session.updated_at = utcnow()
        key = str(event.seq)

        async def handoff(reason: str) -> None:
            await handoffs.hand_over(
                session,
                conversation=conversation,
                settings=settings,
                handoff=handoffs.Handoff(
                    reason=reason,
                    language=language,
                    question=bot_session.last_question if choice else text,
                    sentiment=feeling.label if feeling else conversation.sentiment,
                    urgency=feeling.urgency if feeling else conversation.urgency,
                    closest=_closest(decision, settings) if not choice else None,
                ),
                online=online,
                key=key,
                account_locale=account_locale,
            )

        if choice == bot.PERSON_VALUE:
            return await handoff("asked")
        if choice is None and intents.is_thanks(text) and bot_session.stage == "answered":
            choice = bot.SOLVED_YES  # "thanks!" after an answer: it helped
        if choice is None:
            action = act(
                asks_person=person.asks_for_person(text),
                greeting=intents.is_greeting(text),
                thanks=intents.is_thanks(text),
                urgent=feeling is not None and feeling.urgent,
                angry=feeling is not None and feeling.angry,
                confidence=decision.confidence if decision is not None and decision.hit is not None else 0.0,
                threshold=settings.answer_threshold,
            )
            if action.kind == "hello":
                # "merhaba", "hi": not a question. Offer the topics instead of handing over.
                await bot.say(
                    session,
                    conversation=conversation,
                    text=texts.t(language, texts.HOW_CAN_I_HELP),
                    key=f"{key}-hello",
                    quick_replies=bot.topic_menu(settings, language),
                )
                return None
            if action.kind == "thanks":
                return None  # a thank-you with nothing to answer: nothing to say
            if action.kind == "handoff":
                if action.reason == "low_confidence":
                    bot_session.last_question = text
                return await handoff(action.reason)
        if choice is not None and choice.startswith(bot.TOPIC_PREFIX):
            topic = settings.topic(choice.removeprefix(bot.TOPIC_PREFIX))
            if topic is not None:
                await bot_writes.set_topic(session, conversation=conversation, topic=topic.id)
                if topic.team_id and conversation.team_id is None:
                    await conversations.assign(session, conversation=conversation, team_id=topic.team_id)
                await bot.say(
                    session,
                    conversation=conversation,
                    text=texts.t(language, texts.TOPIC_CHOSEN).replace("{topic}", topic.label(language)),
                    key=f"{key}-topic",
                )
            return None
        if choice == bot.SOLVED_YES and bot_session.stage == "answered":
            bot_session.stage = "resolved"
            await bot.say(
                session, conversation=conversation, text=texts.t(language, texts.RESOLVED), key=f"{key}-yes"
            )
            await bot_writes.resolve_by_bot(session, conversation=conversation)
            return None
        if choice == bot.SOLVED_NO:
            bot_session.failures += 1
            return await handoff("not_solved")
        if choice is not None:
            return None  # an old button pressed again: nothing new to say
        if bot_session.stage == "answered":
            bot_session.failures += 1  # asked again instead of "yes": the last answer did not help
            if bot_session.failures >= MAX_FAILURES:
                bot_session.last_question = text
                return await handoff("repeated")
        bot_session.last_question = text
        assert decision is not None and decision.hit is not None  # act() answers only with a hit
        hit = decision.hit
        snippet = hit.snippet if len(hit.snippet) <= SNIPPET else hit.snippet[: SNIPPET - 1].rstrip() + "…"
        intro = texts.t(language, texts.ANSWER_INTRO)
        if hit.locale.split("-")[0] != language:
            # The help center lacks the customer's language: the closest article, and a word on why.
            intro = f"{intro} {texts.only_in(hit.locale.split('-')[0], language)}"
        await bot.say(
            session,
            conversation=conversation,
            text=f"{intro}\n\n{hit.title}\n{snippet}\n\n{hit.url}",
            key=f"{key}-answer",
            attributes={
                "article": {"id": hit.article_id, "locale": hit.locale, "title": hit.title, "url": hit.url},
                "confidence": round(decision.confidence, 3),
                "threshold": settings.answer_threshold,
            },
        )
        await bot.say(
            session,
            conversation=conversation,
            text=texts.t(language, texts.ASK_SOLVED),
            key=f"{key}-solved",
            # Urgent: a person is one tap away beside the answer (and insights raised the priority).
            quick_replies=bot.solved_menu(language, person=feeling is not None and feeling.urgent),
        )
        bot_session.stage = "answered"
        bot_session.offered = [
            *bot_session.offered,
            {
                "article_id": hit.article_id,
                "title": hit.title,
                "url": hit.url,
                "p": round(decision.confidence, 3),
            },
        ]
        return None


def _closest(decision: Decision | None, settings: BotSettings) -> dict[str, Any] | None:
    """What the help center had for the question, for the agents' note: why the bot did not answer."""
    if decision is None or decision.hit is None:
        return None
    hit = decision.hit
    return {
        "article_id": hit.article_id,
        "title": hit.title,
        "url": hit.url,
        "confidence": round(decision.confidence, 3),
        "threshold": settings.answer_threshold,
    }
