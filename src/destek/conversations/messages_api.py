"""Agent API: a conversation's messages and notes, attachment uploads, typing. Mounted by api.py."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Path, Query, Response, UploadFile
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts.models import Inbox
from destek.conversations import listing, outputs, posting
from destek.conversations import service as conversations
from destek.conversations.attachments import attachment_out, read_upload, store_attachment
from destek.conversations.schemas import (
    AgentMessageCreate,
    AttachmentOut,
    MessageOut,
    MessagePage,
    TypingChange,
)
from destek.db import MAX_ID, MAX_INT32
from destek.deps import ActorDep, StateDep
from destek.errors import Invalid
from destek.realtime.signals import send_typing

router = APIRouter()

Number = Annotated[
    int, Path(ge=1, le=MAX_INT32, description="The conversation's number in the account (#12 → 12)")
]


@router.get(
    "/conversations/{number}/messages",
    response_model=MessagePage,
    summary="A page of messages and notes, oldest first (the newest page without before/after)",
)
async def list_messages(
    number: Number,
    state: StateDep,
    actor: ActorDep,
    before: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Messages older than this message id")
    ] = None,
    after: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Messages newer than this message id")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> MessagePage:
    if before is not None and after is not None:
        raise Invalid("give before or after, not both", field="after")
    async with state.read() as session:
        conversation = await conversations.access_conversation(session, actor=actor, number=number)
        # One more than asked tells whether there is more beyond this page.
        rows = await listing.list_messages(
            session,
            conversation=conversation,
            include_private=True,
            before_id=before,
            after_id=after,
            limit=limit + 1,
        )
        has_more = len(rows) > limit
        if has_more:
            rows = rows[:limit] if after is not None else rows[1:]
        items = await outputs.messages_out(session, rows, numbers={conversation.id: conversation.number})
    return MessagePage(items=items, has_more=has_more)


async def _channel_sends(session: AsyncSession, inbox_id: int) -> bool:
    """Whether the inbox's channel delivers replies itself (e-mail): they start as pending."""
    from destek.channels import registry  # channels build on conversations: looked up at call time

    inbox = await session.get(Inbox, inbox_id)
    return inbox is not None and registry.get(inbox.channel_type).capabilities.sends


async def _require_email_inbox(session: AsyncSession, inbox_id: int) -> None:
    from destek.channels import registry  # channels build on conversations: looked up at call time

    inbox = await session.get(Inbox, inbox_id)
    if inbox is None or not registry.get(inbox.channel_type).capabilities.cc:
        raise Invalid("to, cc, bcc and subject are for conversations of e-mail inboxes", field="email")


@router.post(
    "/conversations/{number}/messages",
    response_model=MessageOut,
    status_code=201,
    summary="Reply to the contact, or write a private note (private: true)",
    description="Send a `client_message_id` to make retries safe: a retry answers 200 with the first "
    "message and changes nothing. Attachments are uploaded first (POST .../attachments), then "
    "listed in `attachment_ids`. `quick_replies` offers the contact buttons to answer with.",
    responses={
        200: {
            "model": MessageOut,
            "description": "A retry: the message first sent with this client_message_id",
        },
        409: {
            "description": "The conversation was merged into another (write there), or another sender "
            "used this client_message_id"
        },
    },
)
async def post_message(
    number: Number, body: AgentMessageCreate, response: Response, state: StateDep, actor: ActorDep
) -> MessageOut:
    content_type = "text"
    attributes: dict[str, Any] = {}
    if body.quick_replies:
        if body.private:
            raise Invalid("a private note cannot offer quick replies", field="quick_replies")
        content_type = "quick_replies"
        attributes = {"quick_replies": [reply.model_dump() for reply in body.quick_replies]}
    if body.email is not None:
        if body.private:
            raise Invalid("a private note is not sent: it takes no e-mail recipients", field="email")
        attributes["email"] = body.email.stored()

    async def write(session: AsyncSession) -> tuple[MessageOut, bool]:
        conversation = await conversations.access_conversation(
            session, actor=actor, number=number, for_update=True
        )
        sends = await _channel_sends(session, conversation.inbox_id)
        if body.email is not None:
            await _require_email_inbox(session, conversation.inbox_id)
        message, created = await posting.post_message(
            session,
            conversation=conversation,
            sender_type="agent",
            sender_id=actor.user_id,
            content=body.content,
            private=body.private,
            client_message_id=body.client_message_id,
            content_type=content_type,
            content_attributes=attributes,
            attachment_ids=body.attachment_ids,
            sender_name=actor.name,
            status="pending" if sends and not body.private else "sent",
        )
        out = (await outputs.messages_out(session, [message], numbers={conversation.id: number}))[0]
        return out, created

    async with state.read() as session:
        # Refuse a foreign number before queueing, and learn the id that picks the commit lane.
        found = await conversations.access_conversation(session, actor=actor, number=number)
    # The hot path: concurrent posts share one commit (see group_commit.py).
    out, created = await state.grouped(write, key=found.id)
    if not created:
        response.status_code = 200
    return out


@router.post(
    "/conversations/{number}/attachments",
    response_model=AttachmentOut,
    status_code=201,
    summary="Upload a file to send with a message (then pass its id in attachment_ids)",
    responses={413: {"description": "The file is too large"}, 415: {"description": "Type not accepted"}},
)
async def upload_attachment(
    number: Number,
    file: Annotated[UploadFile, File(description="The file; images are checked to be real images")],
    state: StateDep,
    actor: ActorDep,
) -> AttachmentOut:
    # Read (bounded) before the transaction: nothing is stored for a refused file.
    data = await read_upload(file, limit=state.settings.max_upload_bytes)
    async with state.uow() as session:
        conversation = await conversations.access_conversation(session, actor=actor, number=number)
        attachment = await store_attachment(
            session,
            settings=state.settings,
            blobs=state.blobs,
            conversation=conversation,
            uploader_type="agent",
            uploader_id=actor.user_id,
            filename=file.filename or "file",
            content_type=file.content_type,
            data=data,
        )
        return attachment_out(attachment)


@router.post(
    "/conversations/{number}/typing",
    status_code=204,
    response_model=None,
    summary="Tell the contact (or, for a note, other agents) that the agent is typing",
)
async def typing(number: Number, body: TypingChange, state: StateDep, actor: ActorDep) -> Response:
    async with state.read() as session:
        conversation = await conversations.access_conversation(session, actor=actor, number=number)
    await send_typing(
        state.bus,
        conversation=conversation,
        sender_type="agent",
        sender_id=actor.user_id,
        name=actor.name,
        typing=body.typing,
        private=body.private,
    )
    return Response(status_code=204)
