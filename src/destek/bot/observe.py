"""What the bot understands of each question of an evaluation center, through the product's own path:
a fresh database, the center's articles imported as an administrator would, and for each question the
language, the request for a person, sentiment and urgency, and the help center's candidates with the
decision features. Observations are plain data, so calibration and policy can be tried on them
without running the models again (evaluate.py)."""

from __future__ import annotations

import asyncio
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from destek.bot.corpus import Center, Question


@dataclass(frozen=True, slots=True)
class Observation:
    center: str
    question: Question
    language: str  # the language the bot would speak
    detected: str | None  # the detector's answer over every language it knows
    asks_person: bool
    greeting: bool
    thanks: bool
    sentiment: str
    sentiment_score: float
    urgency: float
    urgent: bool
    upset: bool
    angry: bool
    articles: tuple[str, ...]  # the help center's article keys, in the ranking's order of rows
    values: tuple[tuple[float, ...], ...]  # per article: helpcenter.ranking.FEATURES
    asked: tuple[float, float, float]  # decide.question_features
    seconds: float  # CPU time to understand the question (language, sentiment, search, decision)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


ACCOUNT_LOCALE = "tr"
# What customers of these businesses write in; the detector's answer among them is recorded.
CUSTOMER_LANGUAGES = ("tr", "en", "de", "es", "ar", "fr", "ru", "it", "pt", "nl")


async def observe(center: Center) -> list[Observation]:
    from destek.accounts import credentials
    from destek.accounts import service as accounts
    from destek.app import build_state, running
    from destek.bot import intents, person
    from destek.bot import service as bot
    from destek.bot.decide import decide, question_features
    from destek.bot.insights import upset
    from destek.config import Settings
    from destek.helpcenter import indexing, transfer
    from destek.helpcenter.models import Article
    from destek.helpcenter.search import ranked
    from destek.migrate import upgrade
    from destek.nlp.registry import get_language_detector, get_sentiment_analyzer

    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite+aiosqlite:///{Path(scratch) / 'evaluate.db'}"
        await asyncio.to_thread(upgrade, url)  # alembic runs its own event loop
        settings = Settings(database_url=url, data_dir=Path(scratch), run_consumers=False, rate_limits=False)
        async with running(build_state(settings), web=False) as state:
            indexing.prepare_embeddings([d.translation for d in center.bundle.documents])
            async with state.uow() as session:
                account = await accounts.create_account(session, name=center.name, locale=ACCOUNT_LOCALE)
                owner = await credentials.create_user(
                    session, email="owner@evaluation.example.com", name="Owner", password=None
                )
                await accounts.add_member(session, account_id=account.id, user_id=owner.id, role="owner")
                actor = await accounts.actor_for(session, account_id=account.id, user_id=owner.id)
                await transfer.import_documents(session, actor=actor, documents=center.bundle)
                account_id = account.id
            async with state.read() as session:
                keys = {row[0]: row[1] for row in await session.execute(select(Article.id, Article.key))}
                candidates = await bot.candidate_languages(
                    session, account_id=account_id, account_locale=ACCOUNT_LOCALE
                )
            detector = get_language_detector()
            analyzer = get_sentiment_analyzer()
            observed: list[Observation] = []
            for question in center.questions:
                started = time.process_time()
                text = question.text
                language, _ = bot.choose_language(text, fallbacks=[ACCOUNT_LOCALE], candidates=candidates)
                feeling = analyzer.analyze(text, language)
                async with state.read() as session:
                    await decide(session, account_id=account_id, question=text, language=language)
                    seconds = time.process_time() - started
                    found = await ranked(session, account_id=account_id, query=text, prefer=language)
                detected = detector.detect(text, CUSTOMER_LANGUAGES)
                observed.append(
                    Observation(
                        center=center.name,
                        question=question,
                        language=language,
                        detected=detected.language if detected.reliable else None,
                        asks_person=person.asks_for_person(text),
                        greeting=intents.is_greeting(text),
                        thanks=intents.is_thanks(text),
                        sentiment=feeling.label,
                        sentiment_score=feeling.score,
                        urgency=feeling.urgency,
                        urgent=feeling.urgent,
                        upset=upset(feeling),
                        angry=feeling.angry,
                        articles=tuple(keys[a] for a in found.index.articles) if found else (),
                        values=tuple(tuple(float(v) for v in row) for row in found.ranking.values)
                        if found
                        else (),
                        asked=question_features(
                            text, foreign=language not in {str(x) for x in found.index.locales}
                        )
                        if found
                        else (0.0, 0.0, 0.0),
                        seconds=seconds,
                    )
                )
            return observed
