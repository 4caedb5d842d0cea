"""Delivering replies through the inbox's channel: a consumer of the event log.

Every public message of an agent or the bot, in an inbox whose adapter sends, becomes one outbox row
(deliveries/, kind "channel", idempotency key "message:<id>", one lane per conversation so replies
arrive in the order they were written). The attempt is claimed before the adapter is called; the
outcome moves the message's delivery status (conversations/delivery.py): pending → sent, or failed
with the provider's reason; transient trouble is retried with the shared backoff.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from destek.accounts.models import Inbox, User
from destek.channels import registry
from destek.channels import service as channels
from destek.channels.base import ContactDetails, Outbound, OutboundAttachment
from destek.consumers.runner import Step
from destek.contacts.models import Contact, ContactIdentity
from destek.conversations import delivery as message_delivery
from destek.conversations.models import Attachment, Conversation, Message
from destek.deliveries import outbox
from destek.deliveries.dispatch import Dispatcher
from destek.deliveries.models import Delivery
from destek.deliveries.outcome import Delivered, Failed, Outcome, RetryLater
from destek.events.models import EventRow
from destek.state import AppState

log = logging.getLogger(__name__)

KIND = "channel"
BOT_NAME = "Destek"


def is_public_reply(event: EventRow) -> bool:
    """A public message of an agent or the bot: what reaches the customer."""
    if event.type != "message.created" or event.private or event.conversation_id is None:
        return False
    message = event.payload.get("message") or {}
    return (message.get("sender") or {}).get("type") in ("agent", "bot")


class ChannelDelivery:
    name = "channel_delivery"

    def __init__(self) -> None:
        self._dispatch = Dispatcher(KIND, self.attempt, pool=8, on_interrupted=self._interrupted)

    def wants(self, event: EventRow) -> bool:
        return is_public_reply(event)

    async def handle(self, step: Step) -> None:
        event = step.event
        message_id = int(event.payload["message"]["id"])
        async with step.state.read() as session:
            inbox = await session.get(Inbox, event.inbox_id)
            if inbox is None or not registry.get(inbox.channel_type).capabilities.sends:
                return
        async with step.uow() as write:
            delivery = await outbox.enqueue(
                write,
                account_id=event.account_id,
                kind=KIND,
                key=f"message:{message_id}",
                lane=f"conversation:{event.conversation_id}",
                target=f"inbox:{inbox.id}",
                inbox_id=inbox.id,
                conversation_id=event.conversation_id,
                message_id=message_id,
                event_seq=event.seq,
            )
            message = await write.get(Message, message_id)
            if delivery is None or message is None:
                return
            await message_delivery.set_status(write, message=message, status="pending")
            delivery_id, lane = delivery.id, delivery.lane
        self._dispatch.spawn(step.state, delivery_id, lane)

    async def tick(self, state: AppState) -> None:
        await self._dispatch.tick(state)

    async def _interrupted(self, session: Any, delivery: Delivery) -> None:
        await self._mark(session, delivery, Failed(delivery.last_error))

    async def idle(self) -> None:
        await self._dispatch.idle()

    async def close(self) -> None:
        await self._dispatch.close()

    async def attempt(self, state: AppState, delivery_id: int) -> bool:
        async with state.uow() as session:  # the claim is committed before anything leaves
            delivery = await outbox.claim(session, delivery_id=delivery_id)
            if delivery is None:
                return False
            built = await _outbound(session, state, delivery)
        if built is None:
            outcome: Outcome = Failed("the message, its conversation or its inbox no longer exists")
        else:
            outbound, adapter, context = built
            try:
                outcome = await adapter.send(outbound, context)
            except Exception as exc:  # an adapter's bug: not retried blindly, it may have sent
                log.exception("channel delivery %s: the %s adapter crashed", delivery_id, adapter.kind)
                outcome = Failed(f"internal error in the {adapter.kind} channel: {type(exc).__name__}")
        async with state.uow() as session:
            delivery = await session.get(Delivery, delivery_id, with_for_update=True, populate_existing=True)
            if delivery is None or delivery.status != "sending":
                return False
            outbox.record(delivery, outcome, scale=state.settings.delivery_backoff_scale)
            await self._mark(session, delivery, outcome)
        return isinstance(outcome, Delivered)

    async def _mark(self, session: Any, delivery: Delivery, outcome: Outcome) -> None:
        message = await session.get(Message, delivery.message_id) if delivery.message_id else None
        if message is None:
            return
        if isinstance(outcome, Delivered):
            await message_delivery.set_status(
                session, message=message, status="sent", external_id=outcome.provider_id
            )
        elif isinstance(outcome, Failed) or delivery.status == "failed":
            await message_delivery.set_status(
                session, message=message, status="failed", reason=outcome.reason
            )
        elif isinstance(outcome, RetryLater):
            log.info("channel delivery %s: retrying later (%s)", delivery.id, outcome.reason)


async def _outbound(session: Any, state: AppState, delivery: Delivery) -> tuple[Outbound, Any, Any] | None:
    message = await session.get(Message, delivery.message_id) if delivery.message_id else None
    inbox = await session.get(Inbox, delivery.inbox_id) if delivery.inbox_id else None
    if message is None or inbox is None:
        return None
    conversation = await session.get(Conversation, message.conversation_id)
    contact = await session.get(Contact, conversation.contact_id) if conversation else None
    if conversation is None or contact is None:
        return None
    identity = await session.scalar(
        select(ContactIdentity.source_id)
        .where(ContactIdentity.contact_id == contact.id, ContactIdentity.inbox_id == inbox.id)
        .order_by(ContactIdentity.id.desc())
        .limit(1)
    )
    earlier = (
        await session.execute(
            select(Message.external_id, Message.sender_type, Message.content_attributes)
            .where(
                Message.conversation_id == conversation.id,
                Message.id < message.id,
                Message.private.is_(False),
            )
            .order_by(Message.id)
        )
    ).all()
    thread = [str(row[0]) for row in earlier if row[0]]
    last_inbound: dict[str, Any] = next(
        (dict(row[2] or {}) for row in reversed(earlier) if row[1] == "contact"), {}
    )
    sender_name = BOT_NAME
    if message.sender_type == "agent" and message.sender_id:
        sender_name = await session.scalar(select(User.name).where(User.id == message.sender_id)) or ""
    files = list(
        await session.scalars(
            select(Attachment).where(Attachment.message_id == message.id).order_by(Attachment.id)
        )
    )
    attachments = [
        OutboundAttachment(
            filename=a.filename, content_type=a.content_type, data=await state.blobs.get(a.blob_key)
        )
        for a in files
    ]
    outbound = Outbound(
        delivery_id=delivery.id,
        idempotency_key=delivery.key,
        message_id=message.id,
        conversation_id=conversation.id,
        conversation_number=conversation.number,
        subject=conversation.subject,
        sender_name=sender_name,
        recipient=ContactDetails(
            identifier=str(identity or contact.email or contact.phone or ""),
            name=contact.name,
            email=contact.email,
            phone=contact.phone,
        ),
        text=message.content,
        attachments=attachments,
        quick_replies=[str(q) for q in (message.content_attributes.get("quick_replies") or [])],
        thread=thread,
        attributes=dict(message.content_attributes),
        last_inbound=last_inbound,
        account_id=message.account_id,
    )
    adapter = registry.get(inbox.channel_type)
    context = await channels.context(session, state=state, inbox=inbox)
    return outbound, adapter, context
