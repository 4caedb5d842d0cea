"""Rate a conversation (its contact only), read a rating. One rating per conversation; the customer may
change it for a while (EDIT_WINDOW), after which it is final, so reports do not shift under managers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from destek.contacts.models import Contact
from destek.conversations.models import Conversation
from destek.db import utcnow
from destek.errors import Conflict
from destek.events import log
from destek.events.schemas import ConversationRated
from destek.ratings.models import ConversationRating
from destek.ratings.schemas import PublicRatingOut, RatingIn, RatingOut

EDIT_WINDOW = dt.timedelta(days=7)


def editable_until(rating: ConversationRating) -> dt.datetime:
    return rating.created_at + EDIT_WINDOW


def rating_out(rating: ConversationRating, *, conversation: Conversation) -> RatingOut:
    return RatingOut(
        id=rating.id,
        conversation_id=rating.conversation_id,
        conversation_number=conversation.number,
        inbox_id=rating.inbox_id,
        contact_id=rating.contact_id,
        assignee_id=rating.assignee_id,
        team_id=rating.team_id,
        score=rating.score,
        comment=rating.comment,
        created_at=rating.created_at,
        updated_at=rating.updated_at,
        editable_until=editable_until(rating),
    )


def public_out(rating: ConversationRating) -> PublicRatingOut:
    return PublicRatingOut(
        conversation_id=rating.conversation_id,
        score=rating.score,
        comment=rating.comment,
        created_at=rating.created_at,
        updated_at=rating.updated_at,
        editable_until=editable_until(rating),
    )


async def get_rating(session: AsyncSession, *, conversation: Conversation) -> ConversationRating | None:
    return await session.scalar(
        select(ConversationRating).where(ConversationRating.conversation_id == conversation.id)
    )


async def rate(
    session: AsyncSession, *, conversation: Conversation, contact: Contact, data: RatingIn
) -> tuple[ConversationRating, bool]:
    """The contact rates its conversation (or changes its rating); returns (rating, created).

    The caller has checked that the conversation is the contact's (access.visitor_conversation).
    """
    now = utcnow()
    rating = await get_rating(session, conversation=conversation)
    if rating is None:
        if conversation.status != "resolved":
            raise Conflict(
                "only a resolved conversation can be rated: wait until the team resolves it",
                field="conversation_id",
            )
        rating = ConversationRating(
            account_id=conversation.account_id,
            conversation_id=conversation.id,
            inbox_id=conversation.inbox_id,
            contact_id=contact.id,
            assignee_id=conversation.assignee_id,
            team_id=conversation.team_id,
            score=data.score,
            comment=data.comment,
            created_at=now,
            updated_at=now,
        )
        session.add(rating)
        await session.flush()
        created = True
    else:
        if now > editable_until(rating):
            raise Conflict(
                f"this rating can no longer be changed: it was given more than {EDIT_WINDOW.days} days ago",
                field="score",
            )
        if rating.score == data.score and rating.comment == data.comment:
            return rating, False
        rating.score = data.score
        rating.comment = data.comment
        rating.updated_at = now
        created = False
    log.record(
        session,
        ConversationRated(rating=rating_out(rating, conversation=conversation), created=created),
        account_id=conversation.account_id,
        conversation_id=conversation.id,
        contact_id=conversation.contact_id,
        inbox_id=conversation.inbox_id,
    )
    return rating, created
