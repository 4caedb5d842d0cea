"""Reaching a customer who left the chat: an agent's (or the bot's) reply they have not read is pushed
to their phone after `push_after_seconds`, and mailed after `email_after_minutes` when the inbox names
an e-mail inbox and the contact gave an address (reach.py). Both are outbox rows (deliveries/) due
at that time, so a restart loses none; when one comes due, a reply read in the meantime is skipped.

One mail carries every reply not yet read or mailed, and its Message-ID is the newest reply's (stored on
that message), so the customer's answer by e-mail threads back into this very conversation.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import select

from destek.accounts.models import Account, Inbox, User
from destek.channels import registry
from destek.channels import service as channels
from destek.channels.base import ContactDetails, Outbound
from destek.channels.outbound import is_public_reply
from destek.channels.widget.pushing import Pusher
from destek.channels.widget.reach import ReachSettings
from destek.consumers.runner import Step
from destek.contacts.models import Contact
from destek.conversations.models import Conversation, Message
from destek.db import utcnow
from destek.deliveries import outbox
from destek.deliveries.dispatch import Dispatcher
from destek.deliveries.models import Delivery
from destek.deliveries.outcome import Delivered, Failed, Outcome, Skipped
from destek.events.models import EventRow
from destek.push import devices
from destek.push.outcome import PushMessage
from destek.state import AppState

log = logging.getLogger(__name__)

EMAIL, PUSH = "reply_email", "push"
BOT_NAME = "Destek"
TEXTS = {
    "en": {
        "subject": "New reply from {inbox}",
        "intro": "You have a new reply from {inbox}:",
        "outro": "Reply to this e-mail, or continue in the chat:",
        "outro_no_link": "Reply to this e-mail to continue the conversation.",
    },
    "tr": {
        "subject": "{inbox} ekibinden yeni yanıt",
        "intro": "{inbox} ekibinden yeni bir yanıtınız var:",
        "outro": "Bu e-postayı yanıtlayabilir ya da sohbete devam edebilirsiniz:",
        "outro_no_link": "Görüşmeye devam etmek için bu e-postayı yanıtlayabilirsiniz.",
    },
}


def _unread(conversation: Conversation, message: Message) -> bool:
    read = conversation.contact_last_read_at
    return read is None or read < message.created_at


class Notifier:
    name = "notify"

    def __init__(self) -> None:
        self._dispatch = {EMAIL: Dispatcher(EMAIL, self._email), PUSH: Dispatcher(PUSH, self._push)}
        self._pusher = Pusher()

    def wants(self, event: EventRow) -> bool:
        return is_public_reply(event)

    async def handle(self, step: Step) -> None:
        event = step.event
        message_id = int(event.payload["message"]["id"])
        async with step.state.read() as session:
            inbox = await session.get(Inbox, event.inbox_id)
            if inbox is None or registry.get(inbox.channel_type).capabilities.sends:
                return  # the channel itself delivers (e-mail): nothing to catch up on
            context = await channels.context(session, state=step.state, inbox=inbox)
            conversation = await session.get(Conversation, event.conversation_id)
            contact = await session.get(Contact, conversation.contact_id) if conversation else None
            if conversation is None or contact is None:
                return
            device_list = await devices.of_contact(session, inbox_id=inbox.id, contact_id=contact.id)
        settings = context.settings
        assert isinstance(settings, ReachSettings)
        now = utcnow()
        wanted: list[tuple[str, dt.datetime]] = []
        if device_list and (
            "fcm_service_account" in context.secrets or "apns_private_key" in context.secrets
        ):
            wanted.append((PUSH, now + dt.timedelta(seconds=settings.push_after_seconds)))
        if settings.email_inbox_id is not None and contact.email:
            wanted.append((EMAIL, now + dt.timedelta(minutes=settings.email_after_minutes)))
        if not wanted:
            return
        async with step.uow() as write:
            for kind, due in wanted:
                await outbox.enqueue(
                    write,
                    account_id=event.account_id,
                    kind=kind,
                    key=f"message:{message_id}",
                    lane=f"conversation:{conversation.id}",
                    target=f"contact:{contact.id}",
                    inbox_id=inbox.id,
                    conversation_id=conversation.id,
                    message_id=message_id,
                    event_seq=event.seq,
                    due_at=due,
                )

    async def tick(self, state: AppState) -> None:
        for dispatcher in self._dispatch.values():
            await dispatcher.tick(state)

    async def idle(self) -> None:
        for dispatcher in self._dispatch.values():
            await dispatcher.idle()

    async def close(self) -> None:
        for dispatcher in self._dispatch.values():
            await dispatcher.close()
        await self._pusher.close()

    async def _finish(self, state: AppState, delivery_id: int, outcome: Outcome, **payload: Any) -> None:
        async with state.uow() as session:
            delivery = await session.get(Delivery, delivery_id, with_for_update=True, populate_existing=True)
            if delivery is None or delivery.status != "sending":
                return
            outbox.record(delivery, outcome, scale=state.settings.delivery_backoff_scale)
            if payload:
                delivery.payload = {**delivery.payload, **payload}
            if isinstance(outcome, Delivered) and outcome.provider_id and delivery.kind == EMAIL:
                newest = await session.get(Message, payload.get("last_message_id") or delivery.message_id)
                if newest is not None and newest.external_id is None:
                    newest.external_id = outcome.provider_id[:200]  # the customer's answer threads here

    # --- e-mail ----------------------------------------------------------------------------------

    async def _email(self, state: AppState, delivery_id: int) -> None:
        async with state.uow() as session:
            delivery = await outbox.claim(session, delivery_id=delivery_id)
            if delivery is None:
                return
            built = await self._mail(session, state, delivery)
        if isinstance(built, (Skipped, Failed)):
            await self._finish(state, delivery_id, built)
            return
        outbound, adapter, context, last_id = built
        try:
            outcome = await adapter.send(outbound, context)
        except Exception as exc:  # an adapter's bug: not repeated, it may have sent
            log.exception("reply e-mail %s: the adapter crashed", delivery_id)
            outcome = Failed(f"internal error: {type(exc).__name__}")
        await self._finish(state, delivery_id, outcome, last_message_id=last_id)

    async def _mail(self, session: Any, state: AppState, delivery: Delivery) -> Any:
        message = await session.get(Message, delivery.message_id)
        conversation = await session.get(Conversation, delivery.conversation_id)
        inbox = await session.get(Inbox, delivery.inbox_id)
        if message is None or conversation is None or inbox is None:
            return Failed("the reply, its conversation or its inbox no longer exists")
        if not _unread(conversation, message):
            return Skipped("read in the app")
        mailed = await session.scalars(
            select(Delivery.payload).where(
                Delivery.kind == EMAIL,
                Delivery.conversation_id == conversation.id,
                Delivery.status == "delivered",
            )
        )
        last_mailed = max((int((p or {}).get("last_message_id") or 0) for p in mailed), default=0)
        if last_mailed >= message.id:
            return Skipped("sent with an earlier e-mail")
        contact = await session.get(Contact, conversation.contact_id)
        settings = (await channels.context(session, state=state, inbox=inbox)).settings
        assert isinstance(settings, ReachSettings)
        mail_inbox = await session.get(Inbox, settings.email_inbox_id) if settings.email_inbox_id else None
        if contact is None or not contact.email:
            return Skipped("the contact has no e-mail address")
        if (
            mail_inbox is None
            or mail_inbox.account_id != inbox.account_id
            or mail_inbox.channel_type != "email"
        ):
            return Failed(f"inbox {settings.email_inbox_id} is not an e-mail inbox of this account")
        replies = list(
            await session.scalars(
                select(Message)
                .where(
                    Message.conversation_id == conversation.id,
                    Message.private.is_(False),
                    Message.sender_type.in_(("agent", "bot")),
                    Message.id > last_mailed,
                    Message.created_at
                    > (conversation.contact_last_read_at or dt.datetime.min.replace(tzinfo=dt.UTC)),
                )
                .order_by(Message.id)
            )
        )
        newest = replies[-1] if replies else message
        names = await _sender_names(session, replies or [message])
        account = await session.get(Account, inbox.account_id)
        language = (conversation.language or contact.locale or (account.locale if account else "en") or "en")[
            :2
        ]
        texts = TEXTS.get(language, TEXTS["en"])
        brand = inbox.name
        lines = [texts["intro"].format(inbox=brand), ""]
        for reply in replies or [message]:
            lines += [f"{names.get(reply.id, BOT_NAME)}:", reply.content, ""]
        link = str(settings.chat_url) if settings.chat_url else ""
        lines.append(f"{texts['outro']} {link}" if link else texts["outro_no_link"])
        earlier = [
            str(p["provider_id"])
            for p in (
                await session.execute(
                    select(Delivery.provider_id.label("provider_id")).where(
                        Delivery.kind == EMAIL,
                        Delivery.conversation_id == conversation.id,
                        Delivery.status == "delivered",
                        Delivery.provider_id.is_not(None),
                    )
                )
            ).mappings()
        ]
        outbound = Outbound(
            delivery_id=delivery.id,
            idempotency_key=delivery.key,
            message_id=newest.id,
            conversation_id=conversation.id,
            conversation_number=conversation.number,
            subject=conversation.subject,
            sender_name=names.get(newest.id, BOT_NAME),
            recipient=ContactDetails(identifier=contact.email, name=contact.name, email=contact.email),
            text="\n".join(lines),
            thread=earlier,
            attributes={"email": {"to": [contact.email], "subject": texts["subject"].format(inbox=brand)}},
            account_id=inbox.account_id,
        )
        context = await channels.context(session, state=state, inbox=mail_inbox)
        return outbound, registry.get("email"), context, newest.id

    # --- push ------------------------------------------------------------------------------------

    async def _push(self, state: AppState, delivery_id: int) -> None:
        async with state.uow() as session:
            delivery = await outbox.claim(session, delivery_id=delivery_id)
            if delivery is None:
                return
            message = await session.get(Message, delivery.message_id)
            conversation = await session.get(Conversation, delivery.conversation_id)
            inbox = await session.get(Inbox, delivery.inbox_id)
            if message is None or conversation is None or inbox is None:
                outcome: Outcome = Failed("the reply, its conversation or its inbox no longer exists")
            elif not _unread(conversation, message):
                outcome = Skipped("read in the app")
            else:
                outcome = Skipped("no device")
            device_list = (
                await devices.of_contact(session, inbox_id=inbox.id, contact_id=conversation.contact_id)
                if inbox is not None and conversation is not None
                else []
            )
            context = await channels.context(session, state=state, inbox=inbox) if inbox is not None else None
            names = await _sender_names(session, [message]) if message is not None else {}
        if (
            context is None
            or message is None
            or conversation is None
            or inbox is None
            or isinstance(outcome, Failed)
        ):
            await self._finish(state, delivery_id, outcome)
            return
        if (isinstance(outcome, Skipped) and outcome.reason == "read in the app") or not device_list:
            await self._finish(state, delivery_id, outcome)
            return
        push = PushMessage(
            title=names.get(message.id, inbox.name) or inbox.name,
            body=message.content or "📎",
            data={
                "destek": "1",
                "conversation_id": str(conversation.id),
                "message_id": str(message.id),
                "inbox": inbox.public_token,
            },
            collapse_key=f"conversation-{conversation.id}",
        )
        outcome = await self._pusher.push(
            state, inbox_id=inbox.id, context=context, targets=device_list, push=push
        )
        await self._finish(state, delivery_id, outcome)


async def _sender_names(session: Any, messages: list[Message]) -> dict[int, str]:
    user_ids = {m.sender_id for m in messages if m.sender_type == "agent" and m.sender_id}
    users: dict[int, str] = {}
    if user_ids:
        users = dict(
            {
                int(r[0]): str(r[1])
                for r in await session.execute(select(User.id, User.name).where(User.id.in_(user_ids)))
            }
        )
    return {
        m.id: users.get(m.sender_id or 0, BOT_NAME) if m.sender_type == "agent" else BOT_NAME
        for m in messages
    }
