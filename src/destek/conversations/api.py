"""Agent API: conversations (list, counts, detail, status, priority, assignment, labels, read).

Messages, attachments and typing are in messages_api.py, mounted on this router.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query

from destek.conversations import labels as conversation_labels
from destek.conversations import listing, outputs
from destek.conversations import service as conversations
from destek.conversations.messages_api import router as messages_router
from destek.conversations.schemas import (
    AssignmentChange,
    ConversationCounts,
    ConversationDetail,
    ConversationOut,
    ConversationPage,
    LabelList,
    LabelOut,
    LabelsChange,
    Priority,
    PriorityChange,
    Status,
    StatusChange,
)
from destek.db import MAX_ID, MAX_INT32
from destek.deps import ActorDep, StateDep
from destek.errors import Invalid

router = APIRouter(prefix="/api/v1/accounts/{account_id}", tags=["conversations"])

Number = Annotated[
    int, Path(ge=1, le=MAX_INT32, description="The conversation's number in the account (#12 → 12)")
]


@router.get(
    "/conversations",
    response_model=ConversationPage,
    summary="List conversations, newest activity first, with filters and a cursor",
)
async def list_conversations(
    state: StateDep,
    actor: ActorDep,
    status: Annotated[
        list[Status] | None, Query(description="open, pending, snoozed or resolved; repeat for several")
    ] = None,
    assignee: Annotated[
        str | None,
        Query(
            max_length=20,
            pattern=r"^(me|none|any|[0-9]{0,19})$",
            description="me, none, any or an agent's user id",
        ),
    ] = None,
    team_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    inbox_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    label: Annotated[str | None, Query(max_length=64)] = None,
    priority: Annotated[
        list[Priority] | None, Query(description="none, low, medium, high or urgent; repeat for several")
    ] = None,
    contact_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    q: Annotated[
        str | None,
        Query(max_length=200, description="Text in messages, the contact's name, e-mail or phone, or #12"),
    ] = None,
    sort: Annotated[
        Literal["last_activity", "waiting", "created"],
        Query(description="waiting: longest-waiting first, only conversations waiting for a reply"),
    ] = "last_activity",
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    cursor: Annotated[
        str | None, Query(max_length=300, description="next_cursor of the previous page")
    ] = None,
) -> ConversationPage:
    filters = listing.ConversationFilter(
        status=list[str](status or []),
        assignee=assignee,
        team_id=team_id,
        inbox_id=inbox_id,
        label=label,
        priority=list[str](priority or []),
        contact_id=contact_id,
        q=q,
        sort=sort,
    )
    async with state.read() as session:
        rows, next_cursor = await listing.list_conversations(
            session, actor=actor, filters=filters, cursor=cursor, limit=limit
        )
        items = await listing.conversation_items(session, rows)
    return ConversationPage(items=items, next_cursor=next_cursor)


@router.get(
    "/conversations/counts",
    response_model=ConversationCounts,
    summary="How many conversations are in each status, mine and unassigned (inbox sidebar)",
)
async def conversation_counts(
    state: StateDep,
    actor: ActorDep,
    inbox_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    team_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> ConversationCounts:
    async with state.read() as session:
        return await listing.status_counts(session, actor=actor, inbox_id=inbox_id, team_id=team_id)


@router.get(
    "/conversations/{number}",
    response_model=ConversationDetail,
    summary="One conversation with its contact (device, app, attributes) and inbox",
)
async def get_conversation(number: Number, state: StateDep, actor: ActorDep) -> ConversationDetail:
    async with state.read() as session:
        conversation = await conversations.access_conversation(session, actor=actor, number=number)
        return await listing.conversation_detail(session, conversation)


@router.post(
    "/conversations/{number}/status",
    response_model=ConversationOut,
    summary="Open, set pending, snooze (until a time) or resolve a conversation",
)
async def set_status(number: Number, body: StatusChange, state: StateDep, actor: ActorDep) -> ConversationOut:
    async with state.uow() as session:
        conversation = await conversations.access_conversation(
            session, actor=actor, number=number, for_update=True
        )
        await conversations.set_status(
            session, conversation=conversation, status=body.status, snoozed_until=body.snoozed_until
        )
        return await outputs.conversation_out(session, conversation)


@router.post(
    "/conversations/{number}/priority",
    response_model=ConversationOut,
    summary="Set a conversation's priority",
)
async def set_priority(
    number: Number, body: PriorityChange, state: StateDep, actor: ActorDep
) -> ConversationOut:
    async with state.uow() as session:
        conversation = await conversations.access_conversation(
            session, actor=actor, number=number, for_update=True
        )
        await conversations.set_priority(session, conversation=conversation, priority=body.priority)
        return await outputs.conversation_out(session, conversation)


@router.post(
    "/conversations/{number}/assignment",
    response_model=ConversationOut,
    summary="Assign to an agent and/or a team (null unassigns; a field left out stays)",
)
async def set_assignment(
    number: Number, body: AssignmentChange, state: StateDep, actor: ActorDep
) -> ConversationOut:
    changes: dict[str, Any] = body.model_dump(include=body.model_fields_set)
    if not changes:
        raise Invalid("send assignee_id and/or team_id (null to unassign)", field="assignee_id")
    async with state.uow() as session:
        conversation = await conversations.access_conversation(
            session, actor=actor, number=number, for_update=True
        )
        await conversations.assign(session, conversation=conversation, **changes)
        return await outputs.conversation_out(session, conversation)


@router.put(
    "/conversations/{number}/labels",
    response_model=ConversationOut,
    summary="Set a conversation's labels (new names are added to the account)",
)
async def set_labels(number: Number, body: LabelsChange, state: StateDep, actor: ActorDep) -> ConversationOut:
    async with state.uow() as session:
        conversation = await conversations.access_conversation(
            session, actor=actor, number=number, for_update=True
        )
        await conversation_labels.set_labels(session, conversation=conversation, labels=body.labels)
        return await outputs.conversation_out(session, conversation)


@router.get("/labels", response_model=LabelList, summary="The account's labels", tags=["labels"])
async def list_labels(state: StateDep, actor: ActorDep) -> LabelList:
    async with state.read() as session:
        labels = await conversation_labels.list_labels(session, account_id=actor.account_id)
    return LabelList(items=[LabelOut.model_validate(label) for label in labels])


@router.post(
    "/conversations/{number}/read",
    response_model=ConversationOut,
    summary="The agent has read the conversation: the contact's messages become read",
)
async def mark_read(number: Number, state: StateDep, actor: ActorDep) -> ConversationOut:
    async with state.uow() as session:
        conversation = await conversations.access_conversation(
            session, actor=actor, number=number, for_update=True
        )
        await conversations.mark_read(
            session, conversation=conversation, reader_type="agent", reader_id=actor.user_id
        )
        return await outputs.conversation_out(session, conversation)


# Mounted last, so its routes share this router's prefix and tags.
router.include_router(messages_router)
