"""The agent API route the dashboard adds: "I am viewing this" (a collision notice)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, ConfigDict, StrictBool

from destek.conversations import service as conversations
from destek.db import MAX_INT32
from destek.deps import ActorDep, StateDep
from destek.realtime.signals import send_viewing

router = APIRouter(prefix="/api/v1")

Number = Annotated[
    int, Path(ge=1, le=MAX_INT32, description="The conversation's number in the account (#12 → 12)")
]


class ViewingChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    viewing: StrictBool  # true/false only, never 0/1


@router.post(
    "/accounts/{account_id}/conversations/{number}/viewing",
    status_code=204,
    response_model=None,
    tags=["conversations"],
    summary="Tell other agents you have the conversation open (a collision notice; agents only)",
    description='Send `{"viewing": true}` when the conversation is opened and again every ~20 s while '
    'it stays open, `{"viewing": false}` when it is left. Never stored; never shown to the contact.',
)
async def viewing(number: Number, body: ViewingChange, state: StateDep, actor: ActorDep) -> Response:
    async with state.read() as session:
        conversation = await conversations.access_conversation(session, actor=actor, number=number)
    await send_viewing(
        state.bus, conversation=conversation, user_id=actor.user_id, name=actor.name, viewing=body.viewing
    )
    return Response(status_code=204)
