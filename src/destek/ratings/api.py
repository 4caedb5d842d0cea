"""Ratings over HTTP: the customer rates (public client API); agents and reports read.

PUT /api/v1/public/inboxes/{inbox_token}/conversations/{id}/rating   the contact rates or re-rates
GET /api/v1/public/inboxes/{inbox_token}/conversations/{id}/rating   its own rating, or null
GET /api/v1/accounts/{account_id}/conversations/{number}/rating      an agent reads it, or null
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from destek.channels.widget.access import CONTACT_ERRORS, CredentialsDep, ObjectId, visitor_conversation
from destek.channels.widget.api import PREFIX as PUBLIC_PREFIX
from destek.conversations import service as conversations
from destek.db import MAX_INT32
from destek.deps import ActorDep, StateDep
from destek.ratings import service as ratings
from destek.ratings.schemas import PublicRatingOut, RatingIn, RatingOut

public_router = APIRouter(prefix=PUBLIC_PREFIX, tags=["public client API"])
router = APIRouter(prefix="/api/v1/accounts/{account_id}", tags=["conversations"])

Number = Annotated[
    int, Path(ge=1, le=MAX_INT32, description="The conversation's number in the account (#12 → 12)")
]


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


@router.get(
    "/conversations/{number}/rating",
    response_model=RatingOut | None,
    summary="The customer's rating of a conversation; null when not rated",
)
async def get_rating(number: Number, state: StateDep, actor: ActorDep) -> RatingOut | None:
    async with state.read() as session:
        conversation = await conversations.access_conversation(session, actor=actor, number=number)
        rating = await ratings.get_rating(session, conversation=conversation)
        return ratings.rating_out(rating, conversation=conversation) if rating is not None else None
