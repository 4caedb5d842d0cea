"""Ratings over HTTP for agents and reports (the customer rates through the widget's public API:
channels/widget/ratings_api.py).

GET /api/v1/accounts/{account_id}/conversations/{number}/rating      an agent reads it, or null
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from destek.conversations import service as conversations
from destek.db import MAX_INT32
from destek.deps import ActorDep, StateDep
from destek.ratings import service as ratings
from destek.ratings.schemas import RatingOut

router = APIRouter(prefix="/api/v1/accounts/{account_id}", tags=["conversations"])

Number = Annotated[
    int, Path(ge=1, le=MAX_INT32, description="The conversation's number in the account (#12 → 12)")
]


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
