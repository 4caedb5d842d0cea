"""Example questions suggested from conversations: when an agent resolves a conversation in which they
sent a link to a help-center article, the customer's question is offered to the article's authors
as an example question for it (they add it, and search and the bot find the article from it, or
dismiss it). The consumer reads conversations through their service; nothing is added on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts.service import Actor, require_admin
from destek.consumers.runner import Step
from destek.conversations import listing
from destek.conversations import service as conversations
from destek.errors import NotFound
from destek.events.models import EventRow
from destek.helpcenter.models import Article, QuestionSuggestion, Translation
from destek.state import AppState

# A link to an article of the public help center: /hc/<account>/<locale>/articles/<id>[-slug]
ARTICLE_LINK = re.compile(r"/hc/(\d+)/([a-z]{2,3}(?:-[a-z0-9]{2,8})?)/articles/(\d+)")
MIN_CHARS, MAX_CHARS = 3, 300
MAX_MESSAGES = 200


@dataclass(frozen=True, slots=True)
class Suggested:
    article_id: int
    locale: str
    question: str


def suggestion_from(account_id: int, thread: list[tuple[str, str]]) -> Suggested | None:
    """(sender type, text) of a resolved conversation, in order → the customer's question that an
    agent answered with an article of this account: the last customer message before the agent's
    first article link. None when no agent sent one, or the question is not a question-sized text."""
    question = ""
    for sender, text in thread:
        if sender == "contact" and text.strip():
            question = text
        elif sender == "agent":
            for found in ARTICLE_LINK.finditer(text):
                if int(found.group(1)) != account_id:
                    continue
                tidy = " ".join(question.split())
                if not MIN_CHARS <= len(tidy) <= MAX_CHARS:
                    return None
                return Suggested(article_id=int(found.group(3)), locale=found.group(2), question=tidy)
    return None


async def record(
    session: AsyncSession, *, account_id: int, suggested: Suggested, conversation_id: int
) -> bool:
    """Store the suggestion unless the article is another account's or gone, the translation already
    has the question, or it was suggested before."""
    article = await session.get(Article, suggested.article_id)
    if article is None or article.account_id != account_id:
        return False
    translation = await session.scalar(
        select(Translation).where(
            Translation.article_id == article.id, Translation.locale == suggested.locale
        )
    )
    if translation is None:
        return False
    folded = suggested.question.casefold()
    if folded in {q.casefold() for q in translation.questions or []}:
        return False
    known = await session.scalars(
        select(QuestionSuggestion.text).where(
            QuestionSuggestion.article_id == article.id, QuestionSuggestion.locale == suggested.locale
        )
    )
    if folded in {text.casefold() for text in known}:
        return False
    session.add(
        QuestionSuggestion(
            account_id=account_id,
            article_id=article.id,
            locale=suggested.locale,
            text=suggested.question,
            conversation_id=conversation_id,
        )
    )
    await session.flush()
    return True


async def list_for(session: AsyncSession, *, account_id: int, article_id: int) -> list[QuestionSuggestion]:
    rows = await session.scalars(
        select(QuestionSuggestion)
        .where(QuestionSuggestion.account_id == account_id, QuestionSuggestion.article_id == article_id)
        .order_by(QuestionSuggestion.id)
    )
    return list(rows)


async def get(
    session: AsyncSession, *, account_id: int, article_id: int, suggestion_id: int
) -> QuestionSuggestion:
    found = await session.get(QuestionSuggestion, suggestion_id)
    if found is None or found.account_id != account_id or found.article_id != article_id:
        raise NotFound(f"suggestion {suggestion_id} not found")
    return found


async def forget(session: AsyncSession, *, actor: Actor, suggestion: QuestionSuggestion) -> None:
    """Dismissed, or added to the article: gone from the list."""
    require_admin(actor)
    await session.execute(delete(QuestionSuggestion).where(QuestionSuggestion.id == suggestion.id))


class QuestionSuggester:
    """The consumer: a conversation resolved by an agent → maybe one suggestion."""

    name = "question_suggestions"

    def wants(self, event: EventRow) -> bool:
        if event.type != "conversation.updated" or event.conversation_id is None:
            return False
        conversation = event.payload.get("conversation") or {}
        return "status" in (event.payload.get("changed") or []) and conversation.get("status") == "resolved"

    async def tick(self, state: AppState) -> None:
        return None

    async def handle(self, step: Step) -> None:
        event = step.event
        async with step.state.read() as session:
            conversation = await conversations.get_conversation(
                session, account_id=event.account_id, conversation_id=event.conversation_id or 0
            )
            if conversation is None or conversation.bot_resolved:
                return  # the bot's own answers need no suggestion: it found the article already
            messages = await listing.list_messages(
                session, conversation=conversation, include_private=False, after_id=0, limit=MAX_MESSAGES
            )
        thread = [(m.sender_type, m.content or "") for m in messages]
        suggested = suggestion_from(event.account_id, thread)
        if suggested is None:
            return
        async with step.uow() as write:
            await record(
                write, account_id=event.account_id, suggested=suggested, conversation_id=conversation.id
            )
