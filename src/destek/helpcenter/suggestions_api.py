"""Agent API of the example questions suggested from conversations (helpcenter/suggestions.py):
administrators list an article's suggestions, add one to the article, or dismiss it."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Response
from pydantic import BaseModel

from destek.accounts.service import require_admin
from destek.consumers.offload import off_loop
from destek.deps import ActorDep, StateDep
from destek.helpcenter import indexing, service, suggestions
from destek.helpcenter.api import ObjectId
from destek.helpcenter.models import QuestionSuggestion
from destek.helpcenter.schemas import TranslationOut

router = APIRouter(prefix="/api/v1/accounts/{account_id}", tags=["help center"])


class QuestionSuggestionOut(BaseModel):
    id: int
    article_id: int
    locale: str
    text: str
    conversation_id: int | None
    created_at: dt.datetime


def suggestion_out(found: QuestionSuggestion) -> QuestionSuggestionOut:
    return QuestionSuggestionOut(
        id=found.id,
        article_id=found.article_id,
        locale=found.locale,
        text=found.text,
        conversation_id=found.conversation_id,
        created_at=found.created_at,
    )


@router.get(
    "/articles/{article_id}/question_suggestions",
    response_model=list[QuestionSuggestionOut],
    summary="Example questions suggested for an article from resolved conversations (admins)",
    description="When an agent resolves a conversation in which they sent a link to the article, the "
    "customer's question is suggested here, oldest first, until it is added or dismissed.",
)
async def list_suggestions(
    article_id: ObjectId, state: StateDep, actor: ActorDep
) -> list[QuestionSuggestionOut]:
    require_admin(actor)
    async with state.read() as session:
        await service.get_article(session, account_id=actor.account_id, article_id=article_id)
        rows = await suggestions.list_for(session, account_id=actor.account_id, article_id=article_id)
        return [suggestion_out(row) for row in rows]


@router.post(
    "/articles/{article_id}/question_suggestions/{suggestion_id}/accept",
    response_model=TranslationOut,
    summary="Add a suggested question to the article's example questions (admins)",
    description="Added to the translation in the suggestion's language, which is searched with it at "
    "once; the suggestion is gone. 422 when that translation has 30 example questions already.",
)
async def accept_suggestion(
    article_id: ObjectId, suggestion_id: ObjectId, state: StateDep, actor: ActorDep
) -> TranslationOut:
    require_admin(actor)
    async with state.read() as session:  # embed before the write transaction (SQLite's write lock)
        article = await service.get_article(session, account_id=actor.account_id, article_id=article_id)
        found = await suggestions.get(
            session, account_id=actor.account_id, article_id=article_id, suggestion_id=suggestion_id
        )
        texts = await service.question_texts(
            session, article=article, locale=found.locale, question=found.text
        )
    await off_loop(lambda: indexing.prepare_texts(texts))
    async with state.uow() as session:
        article = await service.get_article(session, account_id=actor.account_id, article_id=article_id)
        found = await suggestions.get(
            session, account_id=actor.account_id, article_id=article_id, suggestion_id=suggestion_id
        )
        translation = await service.add_question(
            session, actor=actor, article=article, locale=found.locale, question=found.text
        )
        await suggestions.forget(session, actor=actor, suggestion=found)
        return service.translation_out(translation)


@router.delete(
    "/articles/{article_id}/question_suggestions/{suggestion_id}",
    status_code=204,
    summary="Dismiss a suggested question (admins)",
    description="204 also when it is gone already (added or dismissed by someone else); another "
    "account's suggestion or article is a 404.",
)
async def dismiss_suggestion(
    article_id: ObjectId, suggestion_id: ObjectId, state: StateDep, actor: ActorDep
) -> Response:
    require_admin(actor)
    async with state.uow() as session:
        await service.get_article(session, account_id=actor.account_id, article_id=article_id)
        if await session.get(QuestionSuggestion, suggestion_id) is not None:
            found = await suggestions.get(
                session, account_id=actor.account_id, article_id=article_id, suggestion_id=suggestion_id
            )
            await suggestions.forget(session, actor=actor, suggestion=found)
    return Response(status_code=204)
