"""Agent API: an inbox's channel (settings, write-only secrets, test connection), what came in and
could not be stored (listed, downloaded raw, processed again), and what went out (the delivery log,
retrying a failed reply)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from destek.accounts import inboxes as inbox_service
from destek.accounts.service import require_admin
from destek.channels import intake, outbound, registry
from destek.channels import service as channels
from destek.channels.models import InboundRecord
from destek.channels.schemas import (
    ChannelIn,
    ChannelOut,
    CheckOut,
    DeliveryOut,
    InboundRecordOut,
    OutboundStart,
    RetakeOut,
)
from destek.contacts import senders
from destek.contacts import service as contacts
from destek.conversations import delivery as message_delivery
from destek.conversations import outputs, posting
from destek.conversations import service as conversations
from destek.conversations.models import Message
from destek.conversations.schemas import ConversationOut
from destek.db import MAX_ID
from destek.deliveries import outbox
from destek.deps import ActorDep, StateDep
from destek.errors import Conflict, Invalid, NotFound
from destek.state import AppState

router = APIRouter(prefix="/api/v1/accounts/{account_id}", tags=["channels"])

InboxId = Annotated[int, Path(ge=1, le=MAX_ID)]
RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]
MessageId = Annotated[int, Path(ge=1, le=MAX_ID)]
Number = Annotated[int, Path(ge=1, le=2_147_483_647)]


def _out(state: AppState, inbox_id: int, kind: str, inbox_token: str, view: dict[str, object]) -> ChannelOut:
    base = state.settings.public_url.rstrip("/")
    return ChannelOut.model_validate(
        {**view, "inbox_id": inbox_id, "kind": kind, "webhook_url": f"{base}/hooks/{kind}/{inbox_token}"}
    )


@router.get("/inboxes/{inbox_id}/channel", response_model=ChannelOut, summary="The inbox's channel settings")
async def get_channel(inbox_id: InboxId, state: StateDep, actor: ActorDep) -> ChannelOut:
    require_admin(actor)
    async with state.read() as session:
        inbox = await inbox_service.access_inbox(session, actor=actor, inbox_id=inbox_id)
        config = await channels.get_config(session, inbox_id=inbox.id)
        view = channels.public_view(registry.get(inbox.channel_type), config, state.sealer)
        return _out(state, inbox.id, inbox.channel_type, inbox.public_token, view)


@router.put(
    "/inboxes/{inbox_id}/channel",
    response_model=ChannelOut,
    summary="Set the inbox's channel settings and secrets (administrators)",
)
async def put_channel(inbox_id: InboxId, body: ChannelIn, state: StateDep, actor: ActorDep) -> ChannelOut:
    require_admin(actor)
    async with state.uow() as session:
        inbox = await inbox_service.access_inbox(session, actor=actor, inbox_id=inbox_id)
        config = await channels.configure(
            session, inbox=inbox, sealer=state.sealer, settings=body.settings, secrets=body.secrets
        )
        view = channels.public_view(registry.get(inbox.channel_type), config, state.sealer)
        return _out(state, inbox.id, inbox.channel_type, inbox.public_token, view)


@router.post(
    "/inboxes/{inbox_id}/channel/check",
    response_model=CheckOut,
    summary="Test the channel's connection with its saved settings (administrators)",
)
async def check_channel(inbox_id: InboxId, state: StateDep, actor: ActorDep) -> CheckOut:
    require_admin(actor)
    async with state.read() as session:
        inbox = await inbox_service.access_inbox(session, actor=actor, inbox_id=inbox_id)
        context = await channels.context(session, state=state, inbox=inbox)
    problem = await registry.get(inbox.channel_type).check(context)
    async with state.uow() as session:
        await channels.set_problem(session, inbox_id=inbox.id, problem=problem or "")
    return CheckOut(ok=problem is None, problem=problem)


@router.get(
    "/inbound/failed",
    response_model=list[InboundRecordOut],
    summary="Inbound items (mails, webhook bodies) that could not be stored, newest first (administrators)",
)
async def failed_inbound(
    state: StateDep, actor: ActorDep, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[InboundRecordOut]:
    require_admin(actor)
    async with state.read() as session:
        rows = await intake.failed_records(session, account_id=actor.account_id, limit=limit)
        return [InboundRecordOut.model_validate(r) for r in rows]


@router.get(
    "/inbound/{record_id}/raw",
    summary="The raw bytes of an inbound item as received (administrators)",
    response_class=Response,
    responses={200: {"content": {"message/rfc822": {}, "application/octet-stream": {}}}},
)
async def inbound_raw(record_id: RecordId, state: StateDep, actor: ActorDep) -> Response:
    require_admin(actor)
    async with state.read() as session:
        record = await session.get(InboundRecord, record_id)
        if record is None or record.account_id != actor.account_id:
            raise NotFound(f"inbound item {record_id} not found")
        key, kind = record.blob_key, record.kind
    data = await state.blobs.get(key)
    media, suffix = ("message/rfc822", "eml") if kind == "email" else ("application/octet-stream", "bin")
    disposition = f'attachment; filename="inbound-{record_id}.{suffix}"'
    return Response(data, media_type=media, headers={"Content-Disposition": disposition})


@router.post(
    "/inbound/{record_id}/retry",
    response_model=RetakeOut,
    summary="Process a failed inbound item again (administrators)",
)
async def retry_inbound(record_id: RecordId, state: StateDep, actor: ActorDep) -> RetakeOut:
    require_admin(actor)
    taken = await intake.retake(state, account_id=actor.account_id, record_id=record_id)
    return RetakeOut(
        status=taken.status, record_id=taken.record_id, message_ids=taken.message_ids, error=taken.error
    )


@router.post(
    "/conversations/{number}/messages/{message_id}/retry",
    status_code=202,
    response_model=None,
    summary="Send a reply whose delivery failed once more",
    responses={409: {"description": "The message did not fail"}},
)
async def retry_message(number: Number, message_id: MessageId, state: StateDep, actor: ActorDep) -> Response:
    async with state.uow() as session:
        conversation = await conversations.access_conversation(session, actor=actor, number=number)
        message = await session.get(Message, message_id)
        if message is None or message.conversation_id != conversation.id:
            raise NotFound(f"message {message_id} not found")
        delivery = await outbox.for_message(
            session, account_id=actor.account_id, kind=outbound.KIND, message_id=message.id
        )
        if delivery is None or message.status != "failed":
            raise Conflict(f"message {message_id} did not fail: nothing to retry")
        await outbox.redeliver(session, account_id=actor.account_id, delivery_id=delivery.id)
        await message_delivery.set_status(session, message=message, status="pending", retry=True)
    return Response(status_code=202)


@router.get(
    "/deliveries",
    response_model=list[DeliveryOut],
    summary="The delivery log: what left the server, its attempts and outcome, newest first (administrators)",
)
async def list_deliveries(
    state: StateDep,
    actor: ActorDep,
    kind: Annotated[Literal["channel", "bot_webhook", "push", "reply_email"] | None, Query()] = None,
    inbox_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    status: Annotated[Literal["pending", "sending", "delivered", "failed"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[DeliveryOut]:
    require_admin(actor)
    async with state.read() as session:
        rows = await outbox.listing(
            session,
            account_id=actor.account_id,
            kinds=[kind] if kind else None,
            status=status,
            inbox_id=inbox_id,
            limit=limit,
        )
        return [DeliveryOut.model_validate(r) for r in rows]


@router.post(
    "/conversations",
    status_code=201,
    response_model=ConversationOut,
    summary="Start a conversation by writing first (e-mail inboxes): the mail is sent to the contact",
    responses={422: {"description": "The inbox cannot send first, or the contact has no address"}},
)
async def start_conversation(body: OutboundStart, state: StateDep, actor: ActorDep) -> ConversationOut:
    async with state.uow() as session:
        inbox = await inbox_service.access_inbox(session, actor=actor, inbox_id=body.inbox_id)
        known = None
        if body.contact_id is not None:
            known = await contacts.get_contact(
                session, account_id=actor.account_id, contact_id=body.contact_id
            )
        capabilities = registry.get(inbox.channel_type).capabilities
        if not (capabilities.sends and capabilities.subject):
            raise Invalid("only e-mail inboxes can start a conversation by writing first", field="inbox_id")
        if known is not None:
            contact = known
            address = body.email or contact.email
            if not address:
                raise Invalid(
                    f"contact {contact.id} has no e-mail address: give one in `email`", field="email"
                )
        elif body.email is not None:
            address = str(body.email)
            contact = await senders.from_channel(
                session, inbox=inbox, source_id=address.lower(), name=body.name, email=address
            )
        else:
            raise Invalid("say whom to write to: contact_id or email", field="email")
        conversation = await conversations.create_conversation(
            session, inbox=inbox, contact=contact, subject=body.subject
        )
        email = {"to": [str(address)], "bcc": [str(a) for a in body.bcc]}
        if body.cc:
            email["cc"] = [str(a) for a in body.cc]
        await posting.post_message(
            session,
            conversation=conversation,
            sender_type="agent",
            sender_id=actor.user_id,
            content=body.content,
            content_attributes={"email": email},
            sender_name=actor.name,
            status="pending",
        )
        return await outputs.conversation_out(session, conversation)
