"""External bots: each customer message of an inbox in "external" mode is POSTed to the bot's URL,
through the shared outbox (deliveries/): signed, retried with backoff, every delivery logged (status and
a short error, never the response body), one at a time per URL in a bounded pool, so a dead endpoint
delays only its own inbox. When a delivery fails for good, or the bot has not answered within
`bot_webhook_reply_seconds`, the conversation is handed over to a person with a note. The bot answers
through the API (POST .../bot_messages) and hands over with POST .../handoff.

Signature (deliveries/signing.py): HMAC-SHA256 with the inbox's bot secret over `timestamp + "." + raw
body`, sent as `X-Destek-Signature: sha256=<hex>` with `X-Destek-Timestamp: <unix seconds>`. Verify both,
and refuse timestamps more than 5 minutes old (replays). docs/bot.md has a verification example.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import httpx
from sqlalchemy import select

from destek.accounts.models import Account, Inbox
from destek.bot import handoffs
from destek.bot.settings import BotSettings
from destek.consumers.runner import Step
from destek.contacts.models import Contact
from destek.conversations import service as conversations
from destek.conversations.models import Message
from destek.db import utcnow
from destek.deliveries import http, outbox
from destek.deliveries.dispatch import Dispatcher
from destek.deliveries.models import Delivery
from destek.events.models import EventRow
from destek.state import AppState

log = logging.getLogger(__name__)

KIND = "bot_webhook"
USER_AGENT = "Destek-Bot-Webhook/1"
POOL = 8  # deliveries in flight at once (one at a time per URL)


class ExternalBot:
    name = "bot_webhook"

    def __init__(self) -> None:
        self._client: httpx.AsyncClient | None = None
        # One at a time per URL: a dead bot holds up only its own inbox.
        self._dispatch = Dispatcher(KIND, self.attempt, pool=POOL, throttle=lambda _lane, url: url)

    def wants(self, event: EventRow) -> bool:
        if event.type != "message.created" or event.private or event.conversation_id is None:
            return False
        message = event.payload.get("message") or {}
        if (message.get("content_attributes") or {}).get("automatic"):
            return False  # an auto-reply, a bounce, a mailing list: never answered automatically
        return (message.get("sender") or {}).get("type") == "contact"

    async def handle(self, step: Step) -> None:
        event = step.event
        message = event.payload["message"]
        async with step.state.read() as session:
            inbox = await session.get(Inbox, event.inbox_id)
            if inbox is None:
                return
            settings = BotSettings.of(inbox.settings)
            if not settings.enabled or settings.mode != "external" or settings.webhook_url is None:
                return
            conversation = await conversations.get_conversation(
                session, account_id=event.account_id, conversation_id=event.conversation_id or 0
            )
            if conversation is None or conversation.handed_over_at is not None:
                return
            if not settings.handles(conversation.created_at):
                return
            if await conversations.has_agent_reply(session, conversation_id=conversation.id):
                return
            contact = await session.get(Contact, conversation.contact_id)
        base = step.state.settings.public_url.rstrip("/")
        api = f"{base}/api/v1/accounts/{event.account_id}/conversations/{conversation.number}"
        payload: dict[str, Any] = {
            "event": "message.created",
            "account_id": event.account_id,
            "inbox_id": inbox.id,
            "conversation": {
                "id": conversation.id,
                "number": conversation.number,
                "status": conversation.status,
                "language": conversation.language,
                "topic": conversation.topic,
            },
            "contact": {
                "id": contact.id if contact else None,
                "name": contact.name if contact else "",
                "email": contact.email if contact else None,
                "locale": contact.locale if contact else None,
            },
            "message": {
                "id": message["id"],
                "content": message.get("content", ""),
                "content_type": message.get("content_type", "text"),
                "created_at": message.get("created_at"),
                "attachments": message.get("attachments", []),
            },
            "reply_url": f"{api}/bot_messages",
            "handoff_url": f"{api}/handoff",
        }
        async with step.uow() as write:
            delivery = await outbox.enqueue(
                write,
                account_id=event.account_id,
                kind=KIND,
                key=f"message:{message['id']}",
                lane=f"conversation:{conversation.id}",
                target=str(settings.webhook_url),
                payload=payload,
                inbox_id=inbox.id,
                conversation_id=conversation.id,
                message_id=message["id"],
                event_seq=event.seq,
            )
            if delivery is None:
                return
            delivery_id, url = delivery.id, delivery.target
        self._dispatch.spawn(step.state, delivery_id, url)  # after commit, in the background

    async def idle(self) -> None:
        """Wait for the deliveries in flight (tests, shutdown)."""
        await self._dispatch.idle()

    async def tick(self, state: AppState) -> None:
        """Start the retries that are due; hand over conversations the bot left unanswered."""
        await self._dispatch.tick(state)
        async with state.read() as session:
            cutoff = utcnow() - dt.timedelta(seconds=state.settings.bot_webhook_reply_seconds)
            waiting = list(
                await session.scalars(
                    select(Delivery.id)
                    .where(
                        Delivery.kind == KIND, Delivery.status == "delivered", Delivery.delivered_at <= cutoff
                    )
                    .limit(50)
                )
            )
        for delivery_id in waiting:
            await self._check_answered(state, int(delivery_id))

    async def _check_answered(self, state: AppState, delivery_id: int) -> None:
        """A delivered message the bot has had time to answer: done, or handed over to a person."""
        async with state.uow() as session:  # a handoff's events are notified after commit
            delivery = await session.get(Delivery, delivery_id, with_for_update=True)
            if delivery is None or delivery.status != "delivered":
                return
            delivery.status = "answered"
            answered = await session.scalar(
                select(Message.id)
                .where(
                    Message.conversation_id == delivery.conversation_id,
                    Message.sender_type.in_(("bot", "agent")),
                    Message.id > (delivery.message_id or 0),
                )
                .limit(1)
            )
            if answered is None:
                delivery.status = "unanswered"
                await self._hand_over(state, session, delivery, "bot_silent")

    async def _hand_over(self, state: AppState, session: Any, delivery: Delivery, reason: str) -> None:
        conversation = await conversations.get_conversation(
            session, account_id=delivery.account_id, conversation_id=delivery.conversation_id or 0
        )
        if conversation is None:
            return
        await conversations.lock_conversation(session, conversation)
        if conversation.handed_over_at is not None:
            return
        inbox = await session.get(Inbox, delivery.inbox_id) if delivery.inbox_id else None
        account = await session.get(Account, delivery.account_id)
        account_locale = account.locale if account else "en"
        language = (conversation.language or account_locale or "en")[:2]
        await handoffs.hand_over(
            session,
            conversation=conversation,
            settings=BotSettings.of(inbox.settings if inbox else None),
            handoff=handoffs.Handoff(
                reason=reason,
                language=language,
                question=str((delivery.payload.get("message") or {}).get("content", "")),
                sentiment=conversation.sentiment,
                urgency=conversation.urgency,
            ),
            online=await handoffs.agents_online(
                state, account_id=delivery.account_id, inbox_id=delivery.inbox_id or 0
            ),
            key=f"webhook-{delivery.id}",
            account_locale=account_locale,
        )

    async def attempt(self, state: AppState, delivery_id: int) -> bool:
        """One try: POST to the checked address, then log the outcome. True when the bot accepted it."""
        async with state.uow() as session:  # the claim is committed before anything leaves
            delivery = await outbox.claim(session, delivery_id=delivery_id)
            if delivery is None:
                return False
            inbox = await session.get(Inbox, delivery.inbox_id) if delivery.inbox_id else None
            settings = BotSettings.of(inbox.settings if inbox else None)
            url, payload = delivery.target, dict(delivery.payload)
        payload["delivery_id"] = delivery_id
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        self._client = self._client or http.client()
        outcome = await http.post_signed(
            self._client,
            url,
            body,
            secret=settings.webhook_secret or "",
            allow_private=state.settings.bot_webhook_allow_private,
            headers={"User-Agent": USER_AGENT, "X-Destek-Delivery": str(delivery_id)},
        )
        async with state.uow() as session:  # a handoff's events are notified after commit
            delivery = await session.get(Delivery, delivery_id, with_for_update=True, populate_existing=True)
            if delivery is None or delivery.status != "sending":
                return False
            status = outbox.record(delivery, outcome, scale=state.settings.bot_webhook_backoff_scale)
            if status == "failed":
                log.warning("external bot delivery %s failed for good: %s", delivery_id, delivery.last_error)
                await self._hand_over(state, session, delivery, "bot_unreachable")
        return status == "delivered"

    async def close(self) -> None:
        await self._dispatch.close()
        if self._client is not None:
            await self._client.aclose()
            self._client = None
