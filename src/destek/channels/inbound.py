"""Taking in what a channel received: one path for every channel, one message or a mailbox's batch.

A message is stored once (the provider's id is its idempotency key across the account's inboxes: the
same mail fetched twice, or sent to two of our inboxes, is one message), from the contact the channel
names (contacts/senders.py: one person across channels), in the conversation it answers: the
conversation of a stored message it replies to (the latest such message, one earlier in the same batch
included), then a conversation number the channel found (an e-mail subject's marker), but only ever
one of the same contact, else, for chat channels, the contact's latest unresolved conversation in the
inbox, else a new one. Status receipts move our messages' delivery status forwards.

A batch is looked up in a few queries (its senders, the messages it replies to, the numbers it names)
and written in a few statements (conversations/posting.py), whatever its size.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts.models import Inbox
from destek.channels import registry
from destek.channels.base import InboundMessage, StatusUpdate
from destek.contacts import senders
from destek.contacts.models import Contact
from destek.conversations import delivery as message_delivery
from destek.conversations import posting
from destek.conversations import service as conversations
from destek.conversations.attachments import received_file
from destek.conversations.models import Attachment, Conversation, Message
from destek.state import AppState

_REPLIES_KEPT = 50  # of a long References header, the latest ids


@dataclass(frozen=True, slots=True)
class Received:
    message: Message
    conversation: Conversation
    new: bool  # False: the provider's id was already stored (a redelivery)


async def receive_message(
    session: AsyncSession,
    *,
    state: AppState,
    inbox: Inbox,
    item: InboundMessage,
    deduplicated: bool = False,
) -> Received:
    """One message (see receive_messages)."""
    return (
        await receive_messages(session, state=state, inbox=inbox, items=[item], deduplicated=deduplicated)
    )[0]


async def receive_messages(
    session: AsyncSession,
    *,
    state: AppState,
    inbox: Inbox,
    items: Sequence[InboundMessage],
    deduplicated: bool = False,
) -> list[Received]:
    """Each item stored in its conversation, in the order given. `deduplicated`: the caller has
    checked the provider ids against the store already (intake's records of them)."""
    ids = [item.external_id[:200] for item in items]
    stored = {} if deduplicated else await _stored(session, inbox.account_id, ids)
    first: dict[str, int] = {}  # external id -> the batch's first item with it
    fresh = [
        i
        for i, external_id in enumerate(ids)
        if external_id not in stored and first.setdefault(external_id, i) == i
    ]
    contacts = await senders.from_channel_many(
        session,
        inbox=inbox,
        senders=[
            senders.Sender(
                items[i].contact.identifier,
                items[i].contact.name,
                items[i].contact.email,
                items[i].contact.phone,
            )
            for i in fresh
        ],
    )
    threads = await _Threads.load(session, inbox, [items[i] for i in fresh], contacts)
    targets = [threads.place(items[i], ids[i], contact) for i, contact in zip(fresh, contacts, strict=True)]
    await threads.create(session, inbox)
    conversation_of = [threads.resolve(target) for target in targets]
    files, data = _files([items[i] for i in fresh], conversation_of, contacts)
    # The files' bytes are written while the rows go in; both are done before this returns.
    writing = asyncio.create_task(state.blobs.put_many(data))
    try:
        posted = await _post(session, items, fresh, ids, conversation_of, contacts, files)
        await writing
    except BaseException:
        if not writing.done():
            writing.cancel()
        with contextlib.suppress(BaseException):
            await writing
        for key, _ in data:
            await state.blobs.delete(key)
        raise
    out: dict[int, Received] = {}
    for i, (message, new) in zip(fresh, posted, strict=True):
        out[i] = Received(message, await _conversation(session, message, conversation_of), new=new)
    for i, external_id in enumerate(ids):
        if i in out:
            continue
        if external_id in stored:
            message = stored[external_id]
            out[i] = Received(message, await _conversation(session, message, []), new=False)
        else:
            earlier = out[first[external_id]]
            out[i] = Received(earlier.message, earlier.conversation, new=False)
    return [out[i] for i in range(len(items))]


async def _post(
    session: AsyncSession,
    items: Sequence[InboundMessage],
    fresh: list[int],
    ids: list[str],
    conversation_of: list[Conversation],
    contacts: list[Contact],
    files: list[list[Attachment]],
) -> list[tuple[Message, bool]]:
    return await posting.post_messages(
        session,
        [
            posting.NewMessage(
                conversation=conversation,
                sender_type="contact",
                sender_id=contact.id,
                content=_content(items[i], bool(received)),
                content_attributes=_attributes(items[i]),
                received=received,
                external_id=ids[i],
                sender_name=contact.name,
            )
            for i, conversation, contact, received in zip(
                fresh, conversation_of, contacts, files, strict=True
            )
        ],
    )


async def _stored(session: AsyncSession, account_id: int, ids: list[str]) -> dict[str, Message]:
    rows = await session.scalars(
        select(Message)
        .where(Message.account_id == account_id, Message.external_id.in_(set(ids)))
        .order_by(Message.id.desc())
    )
    return {str(m.external_id): m for m in rows}  # the first stored wins


async def _conversation(session: AsyncSession, message: Message, known: list[Conversation]) -> Conversation:
    for conversation in known:  # posting may have followed a merge: the message says where it went
        if conversation.id == message.conversation_id:
            return conversation
    found = await session.get(Conversation, message.conversation_id)
    assert found is not None
    return found


def _content(item: InboundMessage, has_files: bool) -> str:
    return item.text if item.text.strip() or has_files else (item.subject or "(no text)")


def _attributes(item: InboundMessage) -> dict[str, object]:
    attributes = dict(item.attributes)
    if item.automatic:
        attributes["automatic"] = item.automatic  # never answered automatically (bot, auto-replies)
    return attributes


@dataclass(slots=True)
class _New:
    """A conversation this batch starts (created once the batch is placed)."""

    contact: Contact
    subject: str
    conversation: Conversation | None = None


Target = Conversation | _New


class _Threads:
    """Where each message of a batch goes: the lookups done once for the batch, then placed in order,
    so a reply to a mail earlier in the same batch joins that mail's conversation."""

    def __init__(self, inbox: Inbox) -> None:
        self.chat = not registry.get(inbox.channel_type).capabilities.subject
        self.inbox_id = inbox.id
        self.replied: dict[str, list[tuple[int, Conversation]]] = {}  # external id -> (message id, conv.)
        self.numbered: dict[int, Conversation] = {}
        self.open: dict[int, Conversation] = {}  # contact id -> latest unresolved (chat channels)
        self.placed: dict[
            str, tuple[int, Target, int]
        ] = {}  # this batch: external id -> (order, where, contact)
        self.latest: dict[int, Target] = {}  # this batch: contact id -> where its last message went
        self.new: list[_New] = []

    @classmethod
    async def load(
        cls, session: AsyncSession, inbox: Inbox, items: list[InboundMessage], contacts: list[Contact]
    ) -> _Threads:
        threads = cls(inbox)
        account_id = inbox.account_id
        replies = {r[:200] for item in items for r in list(item.replies_to)[-_REPLIES_KEPT:]}
        if replies:
            rows = await session.execute(
                select(Message.external_id, Message.id, Conversation)
                .join(Conversation, Message.conversation_id == Conversation.id)
                .where(Message.account_id == account_id, Message.external_id.in_(replies))
            )
            for external_id, message_id, conversation in rows:
                threads.replied.setdefault(str(external_id), []).append((int(message_id), conversation))
        numbers = {item.thread_number for item in items if item.thread_number is not None}
        if numbers:
            found = await session.scalars(
                select(Conversation).where(
                    Conversation.account_id == account_id, Conversation.number.in_(numbers)
                )
            )
            threads.numbered = {c.number: c for c in found}
        if threads.chat and contacts:
            found = await session.scalars(
                select(Conversation)
                .where(
                    Conversation.inbox_id == inbox.id,
                    Conversation.contact_id.in_({c.id for c in contacts}),
                    Conversation.status != "resolved",
                    Conversation.merged_into_id.is_(None),
                )
                .order_by(Conversation.last_activity_at)
            )
            threads.open = {c.contact_id: c for c in found}  # the latest activity last, so it wins
        return threads

    def place(self, item: InboundMessage, external_id: str, contact: Contact) -> Target:
        target = self._find(item, contact)
        if target is None:
            target = _New(contact, (item.subject or "")[:300])
            self.new.append(target)
        self.placed[external_id] = (len(self.placed), target, contact.id)
        self.latest[contact.id] = target
        return target

    def _find(self, item: InboundMessage, contact: Contact) -> Target | None:
        best: tuple[tuple[int, int], Target] | None = None
        for reply in list(item.replies_to)[-_REPLIES_KEPT:]:
            reply = reply[:200]
            placed = self.placed.get(reply)
            if placed is not None and placed[2] == contact.id:  # newer than anything stored
                rank = (1, placed[0])
                if best is None or rank > best[0]:
                    best = rank, placed[1]
            for message_id, conversation in self.replied.get(reply, []):
                # never another contact's conversation, whatever the headers say
                if conversation.contact_id == contact.id and (best is None or (0, message_id) > best[0]):
                    best = (0, message_id), conversation
        if best is not None:
            return best[1]
        if item.thread_number is not None:
            numbered = self.numbered.get(item.thread_number)
            if numbered is not None and numbered.contact_id == contact.id:
                return numbered
        if self.chat:
            latest = self.latest.get(contact.id)
            if isinstance(latest, _New) or (latest is not None and latest.inbox_id == self.inbox_id):
                return latest
            return self.open.get(contact.id)
        return None

    async def create(self, session: AsyncSession, inbox: Inbox) -> None:
        created = await conversations.create_conversations(
            session,
            inbox=inbox,
            new=[conversations.NewConversation(n.contact, n.subject) for n in self.new],
        )
        for new, conversation in zip(self.new, created, strict=True):
            new.conversation = conversation

    @staticmethod
    def resolve(target: Target) -> Conversation:
        if isinstance(target, _New):
            assert target.conversation is not None
            return target.conversation
        return target


def _files(
    items: list[InboundMessage], conversation_of: list[Conversation], contacts: list[Contact]
) -> tuple[list[list[Attachment]], list[tuple[str, bytes]]]:
    """Each message's received files (rows not added yet) and the bytes to write under their keys."""
    files: list[list[Attachment]] = []
    data: list[tuple[str, bytes]] = []
    for item, conversation, contact in zip(items, conversation_of, contacts, strict=True):
        files.append([])
        for file in item.attachments:
            row = received_file(
                conversation=conversation,
                uploader_id=contact.id,
                filename=file.filename,
                content_type=file.content_type,
                data=file.data,
                content_id=file.content_id,
                inline=file.inline,
            )
            files[-1].append(row)
            data.append((row.blob_key, file.data))
    return files, data


async def receive_status(session: AsyncSession, *, account_id: int, item: StatusUpdate) -> bool:
    message = await message_delivery.by_external_id(
        session, account_id=account_id, external_id=item.external_id
    )
    if message is None or message.direction != "out":
        return False
    return await message_delivery.set_status(session, message=message, status=item.status, reason=item.reason)
