"""What the builtin bot would do with a message, without a conversation: for an administrator's
"Try the bot" box (Settings → Inbox → Bot) and the API behind it. The same steps as the engine
(engine.py) — language, sentiment, a request for a person, the help center's best article and how sure
the bot is of it, then policy.act — and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from destek.bot import intents, person
from destek.bot import service as bot
from destek.bot.decide import decide
from destek.bot.insights import feel
from destek.bot.policy import Action, act
from destek.bot.settings import BotSettings
from destek.consumers.offload import off_loop
from destek.helpcenter.search import SearchHit, search
from destek.nlp.protocols import Sentiment

CANDIDATES = 5


@dataclass(frozen=True, slots=True)
class Trial:
    language: str
    feeling: Sentiment | None
    asks_person: bool
    action: Action
    confidence: float  # that `article` answers the question (0 when the help center was not asked)
    threshold: float
    article: SearchHit | None  # the article the bot would answer with, or was least unsure of
    candidates: list[SearchHit]  # the help center's best articles for the question


async def trial(
    session: AsyncSession,
    *,
    account_id: int,
    account_locale: str,
    settings: BotSettings,
    text: str,
    base_url: str = "",
) -> Trial:
    candidates_languages = await bot.candidate_languages(
        session, account_id=account_id, account_locale=account_locale
    )
    language, _ = await off_loop(
        lambda: bot.choose_language(text, fallbacks=[account_locale], candidates=candidates_languages)
    )
    feeling = await off_loop(lambda: feel(text, language))
    angry = feeling is not None and feeling.angry
    confidence, article = 0.0, None
    if not intents.small_talk(text) and not angry:
        decision = await decide(
            session, account_id=account_id, question=text, language=language, base_url=base_url
        )
        confidence, article = decision.confidence, decision.hit
    asks_person = person.asks_for_person(text)
    action = act(
        asks_person=asks_person,
        greeting=intents.is_greeting(text),
        thanks=intents.is_thanks(text),
        urgent=feeling is not None and feeling.urgent,
        angry=angry,
        confidence=confidence if article is not None else 0.0,
        threshold=settings.answer_threshold,
    )
    hits = await search(session, account_id=account_id, query=text, limit=CANDIDATES, base_url=base_url)
    return Trial(
        language=language,
        feeling=feeling,
        asks_person=asks_person,
        action=action,
        confidence=round(confidence, 4),
        threshold=settings.answer_threshold,
        article=article,
        candidates=hits,
    )
