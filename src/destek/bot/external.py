"""External bots: each customer message of an inbox in "external" mode is POSTed to the bot's URL,
signed, retried with backoff, every delivery logged (bot_deliveries: status and a short error, never the
response body). Deliveries run in a bounded background pool, one at a time per URL, so a dead endpoint
delays only its own inbox. When a delivery fails for good, or the bot has not answered within
`bot_webhook_reply_seconds`, the conversation is handed over to a person with a note. The bot answers
through the API (POST .../bot_messages) and hands over with POST .../handoff.

Signature: HMAC-SHA256 with the inbox's bot secret over `timestamp + "." + raw body`, sent as
`X-Destek-Signature: sha256=<hex>` with `X-Destek-Timestamp: <unix seconds>`. Verify both, and refuse
timestamps more than 5 minutes old (replays). docs/bot.md has a verification example.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import hmac
import json
import logging
import time
from typing import Any

import httpx
from sqlalchemy import select

from destek.accounts.models import Account, Inbox
from destek.bot import handoffs, netguard
from destek.bot.models import BotDelivery
from destek.bot.settings import BotSettings
from destek.consumers.runner import Step
from destek.contacts.models import Contact
from destek.conversations import service as conversations
from destek.conversations.models import Message
from destek.db import utcnow
from destek.events.models import EventRow
from destek.state import AppState

log = logging.getLogger(__name__)

TIMEOUT = 5.0
MAX_ATTEMPTS = 8
BACKOFF = (0, 5, 30, 120, 600, 1800, 3600, 3 * 3600)  # seconds before attempt n (1-based index - 1)
USER_AGENT = "Destek-Bot-Webhook/1"
POOL = 8  # deliveries in flight at once (one at a time per URL)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, timestamp: str, body: bytes, signature: str, *, tolerance: int = 300) -> bool:
    """What the receiving bot does (also used in tests and docs)."""
    try:
        age = abs(time.time() - int(timestamp))
    except ValueError:
        return False
    return age <= tolerance and hmac.compare_digest(sign(secret, timestamp, body), signature)


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=BACKOFF[min(attempts, len(BACKOFF) - 1)])


class ExternalBot:
    name = "bot_webhook"

    def __init__(self) -> None:
        self._client: httpx.AsyncClient | None = None
        self._slots = asyncio.Semaphore(POOL)
        self._url_locks: dict[str, asyncio.Lock] = {}
        self._inflight: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    def wants(self, event: EventRow) -> bool:
        if event.type != "message.created" or event.private or event.conversation_id is None:
            return False
        message = event.payload.get("message") or {}
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
            exists = await write.scalar(
                select(BotDelivery.id).where(
                    BotDelivery.account_id == event.account_id, BotDelivery.message_id == message["id"]
                )
            )
            if exists is not None:
                return
            delivery = BotDelivery(
                account_id=event.account_id,
                inbox_id=inbox.id,
                conversation_id=conversation.id,
                message_id=message["id"],
                event_seq=event.seq,
                url=str(settings.webhook_url),
                payload=payload,
                status="pending",
                attempts=0,
                next_attempt_at=utcnow(),
                last_error="",
            )
            write.add(delivery)
            await write.flush()
            delivery_id, url = delivery.id, delivery.url
        self._spawn(step.state, delivery_id, url)  # after commit, in the background

    def _spawn(self, state: AppState, delivery_id: int, url: str) -> None:
        if delivery_id in self._inflight:
            return
        self._inflight.add(delivery_id)
        task = asyncio.create_task(self._deliver(state, delivery_id, url), name=f"bot-delivery-{delivery_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, state: AppState, delivery_id: int, url: str) -> None:
        lock = self._url_locks.setdefault(url, asyncio.Lock())
        try:
            async with lock, self._slots:  # one at a time per URL, POOL at most overall
                await self.attempt(state, delivery_id)
        except Exception:
            log.exception("external bot delivery %s: attempt crashed", delivery_id)
        finally:
            self._inflight.discard(delivery_id)

    async def idle(self) -> None:
        """Wait for the deliveries in flight (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def tick(self, state: AppState) -> None:
        """Start the retries that are due; hand over conversations the bot left unanswered."""
        async with state.read() as session:
            due = list(
                (
                    await session.execute(
                        select(BotDelivery.id, BotDelivery.url)
                        .where(BotDelivery.status == "pending", BotDelivery.next_attempt_at <= utcnow())
                        .order_by(BotDelivery.next_attempt_at)
                        .limit(50)
                    )
                ).all()
            )
            cutoff = utcnow() - dt.timedelta(seconds=state.settings.bot_webhook_reply_seconds)
            waiting = list(
                await session.scalars(
                    select(BotDelivery.id)
                    .where(BotDelivery.status == "delivered", BotDelivery.delivered_at <= cutoff)
                    .limit(50)
                )
            )
        for delivery_id, url in due:
            self._spawn(state, int(delivery_id), str(url))
        for delivery_id in waiting:
            await self._check_answered(state, int(delivery_id))

    async def _check_answered(self, state: AppState, delivery_id: int) -> None:
        """A delivered message the bot has had time to answer: done, or handed over to a person."""
        async with state.uow() as session:  # a handoff's events are notified after commit
            delivery = await session.get(BotDelivery, delivery_id, with_for_update=True)
            if delivery is None or delivery.status != "delivered":
                return
            delivery.status = "answered"
            answered = await session.scalar(
                select(Message.id)
                .where(
                    Message.conversation_id == delivery.conversation_id,
                    Message.sender_type.in_(("bot", "agent")),
                    Message.id > delivery.message_id,
                )
                .limit(1)
            )
            if answered is None:
                delivery.status = "unanswered"
                await self._hand_over(state, session, delivery, "bot_silent")

    async def _hand_over(self, state: AppState, session: Any, delivery: BotDelivery, reason: str) -> None:
        conversation = await conversations.get_conversation(
            session, account_id=delivery.account_id, conversation_id=delivery.conversation_id
        )
        if conversation is None:
            return
        await conversations.lock_conversation(session, conversation)
        if conversation.handed_over_at is not None:
            return
        inbox = await session.get(Inbox, delivery.inbox_id)
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
                state, account_id=delivery.account_id, inbox_id=delivery.inbox_id
            ),
            key=f"webhook-{delivery.id}",
            account_locale=account_locale,
        )

    async def attempt(self, state: AppState, delivery_id: int) -> bool:
        """One try: POST to the checked address, then log the outcome. True when the bot accepted it."""
        async with state.read() as session:
            delivery = await session.get(BotDelivery, delivery_id)
            if delivery is None or delivery.status != "pending":
                return False
            inbox = await session.get(Inbox, delivery.inbox_id)
            settings = BotSettings.of(inbox.settings if inbox else None)
            url, payload = delivery.url, dict(delivery.payload)
        secret = settings.webhook_secret or ""
        payload["delivery_id"] = delivery_id
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        timestamp = str(int(time.time()))
        status: int | None = None
        error = ""
        blocked = False
        try:
            # Resolved and checked now, and the request sent to that very address (DNS rebinding).
            target = await netguard.check(url, allow_private=state.settings.bot_webhook_allow_private)
            client = self._client or httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False)
            self._client = client
            response = await client.post(
                target.url,
                content=body,
                headers={
                    "Host": target.host_header,
                    "Content-Type": "application/json",
                    "User-Agent": USER_AGENT,
                    "X-Destek-Timestamp": timestamp,
                    "X-Destek-Signature": sign(secret, timestamp, body),
                    "X-Destek-Delivery": str(delivery_id),
                },
                extensions={"sni_hostname": target.host},
            )
            status = response.status_code
            if not 200 <= status < 300:
                error = f"HTTP {status}"  # the body is not kept: it may hold anything
        except netguard.BlockedAddress as exc:
            error, blocked = f"blocked: {exc}"[:500], True
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}"[:500]
        async with state.uow() as session:  # a handoff's events are notified after commit
            delivery = await session.get(BotDelivery, delivery_id, with_for_update=True)
            if delivery is None or delivery.status != "pending":
                return False
            delivery.attempts += 1
            delivery.last_status_code = status
            delivery.last_error = error
            if not error:
                delivery.status = "delivered"
                delivery.delivered_at = utcnow()
                delivery.next_attempt_at = None
            elif blocked or delivery.attempts >= MAX_ATTEMPTS:
                delivery.status = "failed"
                delivery.next_attempt_at = None
                log.warning("external bot delivery %s failed for good: %s", delivery_id, error)
                await self._hand_over(state, session, delivery, "bot_unreachable")
            else:
                wait = _backoff(delivery.attempts).total_seconds() * state.settings.bot_webhook_backoff_scale
                delivery.next_attempt_at = utcnow() + dt.timedelta(seconds=wait)
        return not error

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._client is not None:
            await self._client.aclose()
            self._client = None
