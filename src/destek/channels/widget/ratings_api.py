"""The customer rates a resolved conversation, in the widget or a native app (public client API).

PUT /api/v1/public/inboxes/{inbox_token}/conversations/{id}/rating   the contact rates or re-rates
GET /api/v1/public/inboxes/{inbox_token}/conversations/{id}/rating   its own rating, or null
"""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from destek.channels.widget.access import CONTACT_ERRORS, CredentialsDep, ObjectId, visitor_conversation
from destek.channels.widget.api import PREFIX
from destek.deps import StateDep
from destek.ratings import service as ratings
from destek.ratings.schemas import PublicRatingOut, RatingIn

public_router = APIRouter(prefix=PREFIX, tags=["public client API"])


@public_router.put(
    "/conversations/{conversation_id}/rating",
    operation_id="public_rate_conversation",
    status_code=status.HTTP_201_CREATED,
    response_model=PublicRatingOut,
    responses={
        **CONTACT_ERRORS,
        200: {"model": PublicRatingOut, "description": "The rating existed and was changed (or kept)"},
        409: {
            "model": CONTACT_ERRORS[401]["model"],
            "description": "The conversation is not resolved yet, or the rating is too old to change",
        },
    },
    summary="Rate a resolved conversation (1–5, optional comment)",
    description="One rating per conversation. Ask for it when the conversation is resolved (the "
    "`conversation.updated` event with status `resolved`). The customer may change it for "
    f"{ratings.EDIT_WINDOW.days} days (`editable_until`); a reopened conversation keeps its rating.",
)
async def rate_conversation(
    state: StateDep, creds: CredentialsDep, conversation_id: ObjectId, body: RatingIn, response: Response
) -> PublicRatingOut:
    async with state.uow() as session:
        who, conversation = await visitor_conversation(
            session, key=state.settings.secret, creds=creds, conversation_id=conversation_id
        )
        rating, created = await ratings.rate(
            session, conversation=conversation, contact=who.contact, data=body
        )
        if not created:
            response.status_code = status.HTTP_200_OK
        return ratings.public_out(rating)


@public_router.get(
    "/conversations/{conversation_id}/rating",
    operation_id="public_get_rating",
    response_model=PublicRatingOut | None,
    responses=CONTACT_ERRORS,
    summary="The customer's rating of a conversation; null when not rated",
)
async def get_public_rating(
    state: StateDep, creds: CredentialsDep, conversation_id: ObjectId
) -> PublicRatingOut | None:
    async with state.read() as session:
        _who, conversation = await visitor_conversation(
            session, key=state.settings.secret, creds=creds, conversation_id=conversation_id
        )
        rating = await ratings.get_rating(session, conversation=conversation)
        return ratings.public_out(rating) if rating is not None else None
