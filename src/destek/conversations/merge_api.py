"""Agent API: merge a conversation into another of the same contact (see merge.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field, model_validator

from destek.conversations import merge as merging
from destek.conversations import outputs
from destek.conversations import service as conversations
from destek.conversations.schemas import ConversationOut
from destek.db import MAX_ID, MAX_INT32
from destek.deps import ActorDep, StateDep

router = APIRouter(prefix="/api/v1/accounts/{account_id}", tags=["conversations"])

Number = Annotated[
    int, Path(ge=1, le=MAX_INT32, description="The conversation's number in the account (#12 → 12)")
]


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    into_conversation_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, strict=True, description="The target conversation's id"
    )
    into_number: int | None = Field(
        default=None, ge=1, le=MAX_INT32, strict=True, description="Or the target's number (#14 → 14)"
    )

    @model_validator(mode="after")
    def _one_target(self) -> MergeIn:
        if (self.into_conversation_id is None) == (self.into_number is None):
            raise ValueError("give into_conversation_id or into_number (one of them)")
        return self


class MergeOut(BaseModel):
    source: ConversationOut  # resolved, merged_into_id set
    target: ConversationOut  # its thread now includes the source's messages


@router.post(
    "/conversations/{number}/merge",
    response_model=MergeOut,
    summary="Merge this conversation into another of the same contact",
    description="The conversation is resolved and marked merged; nothing is deleted. The target's "
    "message list then includes its messages, in the order they were written. Both get a private note. "
    "Refused: into itself (422), into another contact's (422), into a merged conversation (409), "
    "when already merged (409).",
    responses={409: {"description": "One of the two is merged already"}},
)
async def merge_conversation(number: Number, body: MergeIn, state: StateDep, actor: ActorDep) -> MergeOut:
    async with state.uow() as session:
        source = await conversations.access_conversation(session, actor=actor, number=number)
        target = await merging.access_target(
            session, actor=actor, conversation_id=body.into_conversation_id, number=body.into_number
        )
        merging.check_merge(source, target)
        source, target = await merging.lock_both(session, actor=actor, source=source, target=target)
        await merging.merge(session, actor=actor, source=source, target=target)
        source_out, target_out = await outputs.conversations_out(session, [source, target])
    return MergeOut(source=source_out, target=target_out)
