"""The public client API, continued: the contact's conversations, messages, files, receipts, typing.

Mounted by api.py under /api/v1/public/inboxes/{inbox_token}. Every route needs the contact token;
a conversation of anyone else (another contact, another inbox) is 404.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Response, UploadFile, status
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from destek.channels.widget.access import (
    CONTACT_ERRORS,
    CredentialsDep,
    ObjectId,
    error_response,
    visitor,
    visitor_conversation,
)
from destek.channels.widget.schemas import (
    ConversationCreatedOut,
    ConversationCreateIn,
    ConversationSummaryOut,
    TypingIn,
)
from destek.contacts.models import Contact
from destek.conversations import attachments, listing, outputs, posting
from destek.conversations import service as conversations
from destek.conversations.models import Conversation, Message
from destek.conversations.schemas import AttachmentOut, MessageCreate, PublicConversationOut, PublicMessageOut
from destek.db import MAX_ID
from destek.deps import StateDep
from destek.errors import Invalid
from destek.ratelimit.guards import LIMIT_MESSAGES, LIMIT_UPLOADS, LimitedRoute
from destek.realtime.signals import send_typing

router = APIRouter(route_class=LimitedRoute)

RETRY_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "model": PublicMessageOut,
        "description": "A retry: a message with this client_message_id already exists in the "
        "conversation; it is returned unchanged and nothing new is stored",
    },
    409: error_response("An agent's message of this conversation has this client_message_id"),
}

MessageId = Annotated[int | None, Query(ge=1, le=MAX_ID)]


def _public(conversation: Conversation) -> PublicConversationOut:
    return PublicConversationOut.model_validate(conversation, from_attributes=True)


async def _public_messages(session: AsyncSession, messages: list[Message]) -> list[PublicMessageOut]:
    return [PublicMessageOut.of(m) for m in await outputs.messages_out(session, messages)]


async def _post(
    session: AsyncSession, conversation: Conversation, contact: Contact, body: MessageCreate
) -> tuple[PublicMessageOut, bool]:
    message, created = await posting.post_message(
        session,
        conversation=conversation,
        sender_type="contact",
        sender_id=contact.id,
        sender_name=contact.name,
        content=body.content,
        client_message_id=body.client_message_id,
        attachment_ids=body.attachment_ids,
    )
    return (await _public_messages(session, [message]))[0], created


@router.get(
    "/conversations",
    operation_id="public_list_conversations",
    response_model=list[ConversationSummaryOut],
    responses=CONTACT_ERRORS,
    summary="The customer's conversations in this inbox",
    description="Newest activity first, each with its last message for a preview.",
)
async def list_conversations(state: StateDep, creds: CredentialsDep) -> list[ConversationSummaryOut]:
    async with state.read() as session:
        who = await visitor(session, key=state.settings.secret, creds=creds)
        rows = await listing.contact_conversations(session, contact=who.contact, inbox_id=who.inbox.id)
        # One small query per conversation: a customer has few conversations in one inbox.
        last: list[Message] = []
        for conversation in rows:
            last.extend(
                await listing.list_messages(
                    session, conversation=conversation, include_private=False, limit=1
                )
            )
        previews = {m.conversation_id: m for m in await _public_messages(session, last)}
        return [
            ConversationSummaryOut(**_public(c).model_dump(), last_message=previews.get(c.id)) for c in rows
        ]


@router.post(
    "/conversations",
    operation_id="public_create_conversation",
    dependencies=[LIMIT_MESSAGES],
    status_code=status.HTTP_201_CREATED,
    response_model=ConversationCreatedOut,
    summary="Start a conversation, usually with its first message",
    description="The message is optional (a conversation may start with an upload: create it empty, "
    "upload, then send). With a first message that has a `client_message_id`, a retry answers 200 with "
    "the conversation that message started, and creates nothing.",
    responses={
        **CONTACT_ERRORS,
        200: {"model": ConversationCreatedOut, "description": "A retry: the conversation already started"},
        409: RETRY_RESPONSE[409],
    },
)
async def create_conversation(
    state: StateDep, creds: CredentialsDep, body: ConversationCreateIn, response: Response
) -> ConversationCreatedOut:
    async with state.uow() as session:
        who = await visitor(session, key=state.settings.secret, creds=creds)
        if body.message is not None and body.message.client_message_id is not None:
            # Concurrent retries queue on the contact's row, so only the first misses the lookup.
            await session.execute(select(Contact.id).where(Contact.id == who.contact.id).with_for_update())
            earlier = await posting.find_contact_message(
                session,
                contact_id=who.contact.id,
                inbox_id=who.inbox.id,
                client_message_id=body.message.client_message_id,
            )
            if earlier is not None:
                first, started = earlier
                response.status_code = status.HTTP_200_OK
                return ConversationCreatedOut(
                    conversation=_public(started), message=(await _public_messages(session, [first]))[0]
                )
        conversation = await conversations.create_conversation(
            session, inbox=who.inbox, contact=who.contact, custom_attributes=body.custom_attributes
        )
        message = None
        if body.message is not None:
            message, _created = await _post(session, conversation, who.contact, body.message)
        return ConversationCreatedOut(conversation=_public(conversation), message=message)


@router.get(
    "/conversations/{conversation_id}",
    operation_id="public_get_conversation",
    response_model=PublicConversationOut,
    responses=CONTACT_ERRORS,
    summary="One conversation of the customer",
)
async def get_conversation(
    state: StateDep, creds: CredentialsDep, conversation_id: ObjectId
) -> PublicConversationOut:
    async with state.read() as session:
        _who, conversation = await visitor_conversation(
            session, key=state.settings.secret, creds=creds, conversation_id=conversation_id
        )
        return _public(conversation)


@router.get(
    "/conversations/{conversation_id}/messages",
    operation_id="public_list_messages",
    response_model=list[PublicMessageOut],
    responses=CONTACT_ERRORS,
    summary="Messages of a conversation, oldest first",
    description="Without a cursor: the newest `limit` messages. `before=<message id>` pages back in "
    "history; `after=<message id>` fetches what came since (e.g. after a reconnect). Agents' private "
    "notes are never included.",
)
async def list_messages(
    state: StateDep,
    creds: CredentialsDep,
    conversation_id: ObjectId,
    before: MessageId = None,
    after: MessageId = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> list[PublicMessageOut]:
    if before is not None and after is not None:
        raise Invalid("give before or after, not both", field="after")
    async with state.read() as session:
        _who, conversation = await visitor_conversation(
            session, key=state.settings.secret, creds=creds, conversation_id=conversation_id
        )
        rows = await listing.list_messages(
            session,
            conversation=conversation,
            include_private=False,
            before_id=before,
            after_id=after,
            limit=limit,
        )
        return await _public_messages(session, rows)


@router.post(
    "/conversations/{conversation_id}/messages",
    operation_id="public_send_message",
    dependencies=[LIMIT_MESSAGES],
    status_code=status.HTTP_201_CREATED,
    response_model=PublicMessageOut,
    responses={**CONTACT_ERRORS, **RETRY_RESPONSE},
    summary="Send a message",
    description="Give every message a `client_message_id` (a UUID made when the user taps send) and "
    "retry with the same one until an answer arrives: the message is stored once. `attachment_ids` are "
    "ids from POST .../attachments of this conversation, not yet sent. A resolved conversation reopens.",
)
async def post_message(
    state: StateDep, creds: CredentialsDep, conversation_id: ObjectId, body: MessageCreate, response: Response
) -> PublicMessageOut:

    async def write(session: AsyncSession) -> tuple[PublicMessageOut, bool]:
        who, conversation = await visitor_conversation(
            session, key=state.settings.secret, creds=creds, conversation_id=conversation_id
        )
        return await _post(session, conversation, who.contact, body)

    # The hot path: concurrent posts from many customers share one commit (group_commit.py).
    message, created = await state.grouped(write, key=conversation_id)
    if not created:
        response.status_code = status.HTTP_200_OK
    return message


@router.post(
    "/conversations/{conversation_id}/attachments",
    operation_id="public_upload_attachment",
    dependencies=[LIMIT_UPLOADS],
    status_code=status.HTTP_201_CREATED,
    response_model=AttachmentOut,
    responses={
        **CONTACT_ERRORS,
        413: error_response("The file is larger than the server's limit"),
        415: error_response("The file's type is not accepted (or it claims to be an image and is not one)"),
    },
    summary="Upload a file, to send it with a message",
    description="multipart/form-data with one part named `file`. Then send a message with "
    "`attachment_ids: [id]`. The `url` (relative to the server) downloads it without a token.",
)
async def upload_attachment(
    state: StateDep,
    creds: CredentialsDep,
    conversation_id: ObjectId,
    file: Annotated[UploadFile, File(description="The file; its type is checked from its bytes")],
) -> AttachmentOut:
    async with state.uow() as session:
        who, conversation = await visitor_conversation(
            session, key=state.settings.secret, creds=creds, conversation_id=conversation_id
        )
        data = await attachments.read_upload(file, limit=state.settings.max_upload_bytes)
        stored = await attachments.store_attachment(
            session,
            settings=state.settings,
            blobs=state.blobs,
            conversation=conversation,
            uploader_type="contact",
            uploader_id=who.contact.id,
            filename=file.filename or "file",
            content_type=file.content_type,
            data=data,
        )
        return attachments.attachment_out(stored)


@router.post(
    "/conversations/{conversation_id}/read",
    operation_id="public_mark_read",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=CONTACT_ERRORS,
    summary="The customer has seen the conversation",
    description="Marks every message of agents and the bot so far as read, and tells the agents.",
)
async def mark_read(state: StateDep, creds: CredentialsDep, conversation_id: ObjectId) -> None:
    async with state.uow() as session:
        who, conversation = await visitor_conversation(
            session, key=state.settings.secret, creds=creds, conversation_id=conversation_id
        )
        await conversations.mark_read(
            session, conversation=conversation, reader_type="contact", reader_id=who.contact.id
        )


@router.post(
    "/conversations/{conversation_id}/typing",
    operation_id="public_typing",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=CONTACT_ERRORS,
    summary="The customer started or stopped typing",
    description="Shown live to the agents viewing the conversation; never stored. Send true at most "
    "every few seconds while typing, and false when the user stops.",
)
async def typing(state: StateDep, creds: CredentialsDep, conversation_id: ObjectId, body: TypingIn) -> None:
    async with state.read() as session:
        who, conversation = await visitor_conversation(
            session, key=state.settings.secret, creds=creds, conversation_id=conversation_id
        )
    await send_typing(
        state.bus,
        conversation=conversation,
        sender_type="contact",
        sender_id=who.contact.id,
        name=who.contact.name,
        typing=body.typing,
    )
