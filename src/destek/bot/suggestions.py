"""Reply suggestions for an agent: help-center articles, answers from similar resolved conversations,
canned responses — all about the customer's last message."""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict

import numpy as np
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from destek.canned import service as canned
from destek.consumers.offload import off_loop
from destek.conversations.models import Conversation, Message
from destek.helpcenter.search import search as search_articles
from destek.nlp.text import words

SIMILAR_SCAN = 300  # recent resolved conversations compared
MIN_SIMILARITY = 0.55
_STOP = frozenset(
    {"the", "and", "for", "with", "you", "your", "have", "this", "that", "what", "when", "how", "can"}
    | {"not", "are", "was", "but", "icin", "nasil", "neden", "gibi", "daha"}
)


class ArticleSuggestion(BaseModel):
    article_id: int
    title: str
    url: str
    snippet: str
    locale: str
    score: float


class ReplySuggestion(BaseModel):
    conversation_number: int
    question: str
    answer: str
    similarity: float


class CannedSuggestion(BaseModel):
    id: int
    short_code: str
    title: str
    content: str


class Suggestions(BaseModel):
    question: str  # the customer's last message the suggestions are for ("" when none)
    articles: list[ArticleSuggestion]
    replies: list[ReplySuggestion]
    canned: list[CannedSuggestion]


class _VectorCache:
    """Embeddings of past questions by message id (messages never change their text)."""

    def __init__(self, size: int = 20_000) -> None:
        self.size = size
        self.items: OrderedDict[int, np.ndarray] = OrderedDict()
        self.lock = threading.Lock()  # filled from worker threads

    def get_many(self, ids_texts: list[tuple[int, str]]) -> np.ndarray:
        with self.lock:
            return self._get_many(ids_texts)

    def _get_many(self, ids_texts: list[tuple[int, str]]) -> np.ndarray:
        from destek.nlp.registry import get_embedder

        missing = [(i, t) for i, t in ids_texts if i not in self.items]
        if missing:
            vectors = get_embedder().embed([t for _i, t in missing])
            for (i, _t), vector in zip(missing, vectors, strict=True):
                self.items[i] = vector
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return np.stack([self.items[i] for i, _t in ids_texts])


@functools.cache
def _cache() -> _VectorCache:
    return _VectorCache()


async def last_customer_message(session: AsyncSession, *, conversation: Conversation) -> str:
    content = await session.scalar(
        select(Message.content)
        .where(Message.conversation_id == conversation.id, Message.sender_type == "contact")
        .order_by(Message.id.desc())
        .limit(1)
    )
    return content or ""


async def _similar_replies(
    session: AsyncSession, *, conversation: Conversation, question: str, inbox_ids: frozenset[int] | None
) -> list[ReplySuggestion]:
    from destek.nlp.registry import get_embedder

    query = (
        select(Conversation.id, Conversation.number)
        .where(
            Conversation.account_id == conversation.account_id,
            Conversation.status == "resolved",
            Conversation.id != conversation.id,
            Conversation.first_reply_at.is_not(None),
        )
        .order_by(Conversation.resolved_at.desc())
        .limit(SIMILAR_SCAN)
    )
    if inbox_ids is not None:
        query = query.where(Conversation.inbox_id.in_(inbox_ids))
    numbers = dict((await session.execute(query)).all())
    if not numbers:
        return []
    rows = (
        await session.execute(
            select(Message.id, Message.conversation_id, Message.sender_type, Message.content)
            .where(
                Message.conversation_id.in_(list(numbers)),
                Message.private.is_(False),
                Message.sender_type.in_(("contact", "agent")),
            )
            .order_by(Message.conversation_id, Message.id)
        )
    ).all()
    # Each conversation's customer question and the first human answer after it.
    pairs: dict[int, tuple[int, str, str]] = {}
    question_of: dict[int, tuple[int, str]] = {}
    for message_id, conversation_id, sender, content in rows:
        if conversation_id in pairs or not content.strip():
            continue
        if sender == "contact":
            question_of[conversation_id] = (message_id, content)
        elif conversation_id in question_of:
            qid, qtext = question_of[conversation_id]
            pairs[conversation_id] = (qid, qtext, content)
    if not pairs:
        return []
    items = list(pairs.items())
    wanted = [(qid, text) for _c, (qid, text, _a) in items]
    # Up to MAX past questions to embed: model work, in a worker thread (the event loop stays free).
    matrix, vector = await off_loop(lambda: (_cache().get_many(wanted), get_embedder().embed([question])[0]))
    scores = matrix @ vector
    order = np.argsort(-scores)[:3]
    found: list[ReplySuggestion] = []
    for index in order:
        score = float(scores[index])
        if score < MIN_SIMILARITY:
            break
        conversation_id, (_qid, text, answer) = items[int(index)]
        found.append(
            ReplySuggestion(
                conversation_number=numbers[conversation_id],
                question=text[:300],
                answer=answer[:2000],
                similarity=round(score, 3),
            )
        )
    return found


async def _canned(session: AsyncSession, *, account_id: int, question: str) -> list[CannedSuggestion]:
    keys = [w for w in dict.fromkeys(words(question)) if len(w) >= 4 and w not in _STOP][:6]
    counts: dict[int, int] = {}
    found: dict[int, CannedSuggestion] = {}
    for key in keys:
        for item in await canned.search(session, account_id=account_id, q=key, limit=5):
            counts[item.id] = counts.get(item.id, 0) + 1
            found[item.id] = CannedSuggestion(
                id=item.id, short_code=item.short_code, title=item.title, content=item.content
            )
    ranked = sorted(found, key=lambda i: (-counts[i], found[i].short_code))
    return [found[i] for i in ranked[:3]]


async def suggest(
    session: AsyncSession, *, conversation: Conversation, inbox_ids: frozenset[int] | None, base_url: str = ""
) -> Suggestions:
    question = await last_customer_message(session, conversation=conversation)
    if not question.strip():
        return Suggestions(question="", articles=[], replies=[], canned=[])
    hits = await search_articles(
        session,
        account_id=conversation.account_id,
        query=question,
        locale=conversation.language,
        limit=3,
        base_url=base_url,
    )
    if not hits and conversation.language:
        hits = await search_articles(
            session, account_id=conversation.account_id, query=question, limit=3, base_url=base_url
        )
    return Suggestions(
        question=question,
        articles=[
            ArticleSuggestion(
                article_id=h.article_id,
                title=h.title,
                url=h.url,
                snippet=h.snippet,
                locale=h.locale,
                score=round(h.score, 4),
            )
            for h in hits
        ],
        replies=await _similar_replies(
            session, conversation=conversation, question=question, inbox_ids=inbox_ids
        ),
        canned=await _canned(session, account_id=conversation.account_id, question=question),
    )
