"""Agent API: canned responses (saved replies) and the account's labels (create, change, delete)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from destek.canned import labels as label_admin
from destek.canned import service as canned
from destek.canned.models import CannedResponse
from destek.canned.schemas import (
    CannedResponseCreate,
    CannedResponseList,
    CannedResponseOut,
    CannedResponseUpdate,
    LabelCreate,
    LabelUpdate,
)
from destek.conversations.schemas import LabelOut
from destek.db import MAX_ID
from destek.deps import ActorDep, StateDep

router = APIRouter(prefix="/api/v1/accounts/{account_id}")

CannedId = Annotated[int, Path(ge=1, le=MAX_ID)]
LabelId = Annotated[int, Path(ge=1, le=MAX_ID)]


def canned_out(row: CannedResponse, rendered: str | None = None) -> CannedResponseOut:
    return CannedResponseOut(
        id=row.id,
        short_code=row.short_code,
        title=row.title,
        content=row.content,
        rendered=rendered,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


@router.get(
    "/canned_responses",
    response_model=CannedResponseList,
    tags=["canned responses"],
    summary="Canned responses, searched by short-code prefix or text; rendered for a conversation",
    description="With `conversation_id` (the conversation's id, not its number) each item's `rendered` "
    "is its content with the variables filled in for that conversation and for you.",
)
async def list_canned(
    state: StateDep,
    actor: ActorDep,
    q: Annotated[
        str | None,
        Query(max_length=200, description="A short-code prefix (/ref) or text in the title or content"),
    ] = None,
    conversation_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> CannedResponseList:
    async with state.read() as session:
        values = None
        if conversation_id is not None:
            conversation = await canned.visible_conversation(
                session, actor=actor, conversation_id=conversation_id
            )
            values = await canned.variables_for(session, conversation=conversation, agent_name=actor.name)
        rows = await canned.search(session, account_id=actor.account_id, q=q, limit=limit)
    return CannedResponseList(
        items=[canned_out(r, canned.render(r.content, values) if values is not None else None) for r in rows]
    )


@router.post(
    "/canned_responses",
    response_model=CannedResponseOut,
    status_code=201,
    tags=["canned responses"],
    summary="Create a canned response (administrators)",
    responses={409: {"description": "Another canned response has this short code"}},
)
async def create_canned(body: CannedResponseCreate, state: StateDep, actor: ActorDep) -> CannedResponseOut:
    async with state.uow() as session:
        row = await canned.create(
            session, actor=actor, short_code=body.short_code, title=body.title, content=body.content
        )
        return canned_out(row)


@router.get(
    "/canned_responses/{canned_id}",
    response_model=CannedResponseOut,
    tags=["canned responses"],
    summary="One canned response",
)
async def get_canned(canned_id: CannedId, state: StateDep, actor: ActorDep) -> CannedResponseOut:
    async with state.read() as session:
        return canned_out(await canned.get(session, account_id=actor.account_id, canned_id=canned_id))


@router.patch(
    "/canned_responses/{canned_id}",
    response_model=CannedResponseOut,
    tags=["canned responses"],
    summary="Change a canned response's short code, title or content (administrators)",
    responses={409: {"description": "Another canned response has this short code"}},
)
async def update_canned(
    canned_id: CannedId, body: CannedResponseUpdate, state: StateDep, actor: ActorDep
) -> CannedResponseOut:
    async with state.uow() as session:
        row = await canned.update(
            session,
            actor=actor,
            canned_id=canned_id,
            short_code=body.short_code,
            title=body.title,
            content=body.content,
        )
        return canned_out(row)


@router.delete(
    "/canned_responses/{canned_id}",
    status_code=204,
    response_model=None,
    tags=["canned responses"],
    summary="Delete a canned response (administrators)",
)
async def delete_canned(canned_id: CannedId, state: StateDep, actor: ActorDep) -> Response:
    async with state.uow() as session:
        await canned.delete(session, actor=actor, canned_id=canned_id)
    return Response(status_code=204)


# --- labels -----------------------------------------------------------------------------------------


@router.post(
    "/labels",
    response_model=LabelOut,
    status_code=201,
    tags=["labels"],
    summary="Create a label (administrators)",
    responses={409: {"description": "A label of this name exists"}},
)
async def create_label(body: LabelCreate, state: StateDep, actor: ActorDep) -> LabelOut:
    async with state.uow() as session:
        label = await label_admin.create_label(
            session, actor=actor, name=body.name, color=body.color, description=body.description
        )
        return LabelOut.model_validate(label)


@router.patch(
    "/labels/{label_id}",
    response_model=LabelOut,
    tags=["labels"],
    summary="Rename a label or change its colour or description (administrators)",
    responses={409: {"description": "A label of this name exists"}},
)
async def update_label(label_id: LabelId, body: LabelUpdate, state: StateDep, actor: ActorDep) -> LabelOut:
    async with state.uow() as session:
        label = await label_admin.update_label(
            session,
            actor=actor,
            label_id=label_id,
            name=body.name,
            color=body.color,
            description=body.description,
        )
        return LabelOut.model_validate(label)


@router.delete(
    "/labels/{label_id}",
    status_code=204,
    response_model=None,
    tags=["labels"],
    summary="Delete a label; it is taken off every conversation (administrators)",
)
async def delete_label(label_id: LabelId, state: StateDep, actor: ActorDep) -> Response:
    async with state.uow() as session:
        await label_admin.delete_label(session, actor=actor, label_id=label_id)
    return Response(status_code=204)
