"""The channel adapter contract: what the core calls on every channel, never a vendor's name.

An adapter declares its kind, what it can do (capabilities) and its settings (a pydantic model plus
the names of its secret fields, kept sealed in channels.models.ChannelConfig). It turns a verified
inbound request into typed inbound items (messages, delivery statuses, contact details), and sends one
outbound message, answering with a delivery outcome: delivered (with the provider's id), retry later
(transient, maybe with a delay) or failed for good (with the reason). docs/channels/README.md explains
it for whoever adds the next channel.

Adapters are registered in channels/registry.py; nothing outside channels/ imports a channel package.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from pydantic import BaseModel

from destek.deliveries.outcome import Delivered, Failed, Outcome, RetryLater

if TYPE_CHECKING:
    from fastapi import APIRouter
    from sqlalchemy.ext.asyncio import AsyncSession

    from destek.accounts.models import Inbox
    from destek.consumers.runner import Consumer
    from destek.state import AppState

__all__ = [
    "Capabilities",
    "ChannelAdapter",
    "ChannelContext",
    "ContactDetails",
    "Delivered",
    "Failed",
    "Inbound",
    "InboundAttachment",
    "InboundMessage",
    "InboundRequest",
    "Outbound",
    "OutboundAttachment",
    "Outcome",
    "Parsed",
    "RetryLater",
    "StatusUpdate",
    "Unverified",
]


@dataclass(frozen=True, slots=True)
class Capabilities:
    sends: bool = False  # the core delivers agents' and the bot's replies through `send`
    attachments: bool = False
    quick_replies: bool = False
    templates: bool = False
    edits: bool = False
    read_receipts: bool = False
    reply_window: dt.timedelta | None = None  # e.g. WhatsApp's 24 hours; None: no window
    subject: bool = False  # conversations have a subject line (e-mail)
    cc: bool = False  # messages may copy other people (e-mail)


class Unverified(Exception):
    """An inbound request whose signature, token or challenge does not check out: 401/403, nothing
    stored. The message says what is wrong without revealing the expected value."""

    def __init__(self, message: str, *, status_code: int = 401) -> None:
        super().__init__(message)
        self.status_code = status_code


@dataclass(frozen=True, slots=True)
class InboundRequest:
    """A webhook call as received, before anything is parsed: the raw body is what signatures cover."""

    method: str
    url: str
    headers: Mapping[str, str]  # lowercased names
    query: Mapping[str, str]
    body: bytes


@dataclass(frozen=True, slots=True)
class InboundAttachment:
    filename: str
    content_type: str
    data: bytes
    content_id: str | None = None  # an e-mail's inline image, referenced from its HTML by cid:
    inline: bool = False


@dataclass(frozen=True, slots=True)
class ContactDetails:
    """Who wrote, as the channel knows them. `identifier` is the channel's own id for the person (an
    e-mail address, a phone number, a Telegram user id): one contact per (inbox's channel, identifier)."""

    identifier: str
    name: str = ""
    email: str | None = None
    phone: str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class InboundMessage:
    external_id: str  # the provider's id: the same id twice is one message
    contact: ContactDetails
    text: str
    html: str | None = None
    subject: str | None = None
    attachments: Sequence[InboundAttachment] = ()
    # Provider ids this message answers (an e-mail's In-Reply-To and References; a quoted message).
    replies_to: Sequence[str] = ()
    sent_at: dt.datetime | None = None
    # A conversation number the channel found (an e-mail subject's marker): used only when that
    # conversation is the same contact's.
    thread_number: int | None = None
    # Why the message must never be answered automatically (auto_reply, bounce, list), or None.
    automatic: str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)  # channel details kept on the message


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    """The provider's receipt for a message we sent: sent, delivered, read, or failed with a reason."""

    external_id: str
    status: str
    reason: str = ""
    at: dt.datetime | None = None


Inbound = InboundMessage | StatusUpdate | ContactDetails


@dataclass(frozen=True, slots=True)
class Parsed:
    """What one inbound request (a webhook body, a mail) holds."""

    external_id: str | None  # the request's own provider id, if it has one (a mail's Message-ID)
    items: Sequence[Inbound]


@dataclass(frozen=True, slots=True)
class OutboundAttachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Outbound:
    """One message to send, with what the adapter needs to thread it and to address the contact."""

    delivery_id: int
    idempotency_key: str
    message_id: int
    conversation_id: int
    conversation_number: int
    subject: str
    sender_name: str  # the agent's name, or the bot's
    recipient: ContactDetails
    text: str
    html: str | None = None
    attachments: Sequence[OutboundAttachment] = ()
    quick_replies: Sequence[str] = ()
    # Provider ids of the conversation's earlier messages, oldest first (for e-mail threading).
    thread: Sequence[str] = ()
    attributes: Mapping[str, Any] = field(default_factory=dict)  # the message's own (an e-mail's cc)
    last_inbound: Mapping[str, Any] = field(default_factory=dict)  # the contact's last message's
    account_id: int = 0


@dataclass(frozen=True, slots=True)
class ChannelContext:
    """What an adapter gets besides the message: the inbox's channel settings (validated) and its
    secrets (opened), the inbox, and the app for anything it needs to reach (settings, blobs)."""

    inbox_id: int
    account_id: int
    inbox_name: str
    settings: BaseModel
    secrets: Mapping[str, str]
    state: AppState


class ChannelAdapter(Protocol):
    kind: ClassVar[str]
    label: ClassVar[str]  # shown in Settings: "E-mail", "In-app chat"
    capabilities: ClassVar[Capabilities]
    settings_model: ClassVar[type[BaseModel]]
    secret_fields: ClassVar[tuple[str, ...]]  # write-only, sealed at rest

    def routers(self) -> Sequence[APIRouter]:
        """The adapter's own HTTP routes (public chat API, webhooks); mounted once at start."""
        ...

    def consumers(self) -> Sequence[Consumer]:
        """The adapter's own consumers of the event log (an IMAP fetcher, reminders); run by every
        process that runs consumers, one active runner each across nodes."""
        ...

    async def verify(self, request: InboundRequest, context: ChannelContext) -> None:
        """Raise Unverified unless the request is the provider's (signature, token, challenge)."""
        ...

    def parse(self, request: InboundRequest, context: ChannelContext) -> Parsed:
        """The verified request's messages, statuses and contact details (CPU only: no I/O here, it may
        run in a thread, and again later on the stored body). Invalid input: errors.Invalid."""
        ...

    async def send(self, outbound: Outbound, context: ChannelContext) -> Outcome:
        """Send one message. Never raises for the provider's trouble: says retry later or failed."""
        ...

    async def check(self, context: ChannelContext) -> str | None:
        """Settings' "Test connection": None when the credentials work, else what is wrong."""
        ...

    async def validate(
        self, session: AsyncSession, *, inbox: Inbox, settings: BaseModel, secrets: Mapping[str, str]
    ) -> None:
        """Checks that need more than the settings model (another row, a key's format), on save:
        errors.Invalid naming `settings.<field>` or `secrets.<name>`. `secrets` are all of them, opened."""
        ...
