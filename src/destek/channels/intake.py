"""Taking raw inbound items (a mail, a webhook body, a mailbox's batch of new mails) all the way in,
losing nothing.

The raw bytes are written to the blob store first. Then the adapter's parser turns them into items, and
one transaction stores the messages and statuses (channels/inbound.py) with the records that say so
(channels.models.InboundRecord). A parser that fails, or a store that fails, leaves a `failed` record
with the error and the raw bytes, listed for admins and processed again on request; the items after it
go on (a batch that fails is taken again item by item, to find the one). A provider id already
recorded in the account is a duplicate: taken once, whichever inbox or node saw it first (the record's
unique key settles a race).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts.models import Inbox
from destek.channels import registry
from destek.channels import service as channels
from destek.channels.base import InboundMessage, InboundRequest, Parsed, StatusUpdate
from destek.channels.inbound import receive_messages, receive_status
from destek.channels.models import InboundRecord
from destek.errors import NotFound
from destek.state import AppState

log = logging.getLogger(__name__)

BIG = 256 * 1024  # parse bigger items in a thread, so one large mail does not stall the event loop


Parser = Callable[[bytes], Parsed]


@dataclass(slots=True)
class Taken:
    status: str  # processed | duplicate | ignored | failed
    record_id: int | None = None
    message_ids: list[int] = field(default_factory=list)
    conversation_ids: list[int] = field(default_factory=list)
    error: str = ""


async def _parse(parser: Parser, raw: bytes) -> Parsed:
    return await asyncio.to_thread(parser, raw) if len(raw) > BIG else parser(raw)


@dataclass(frozen=True, slots=True)
class Item:
    """One raw inbound item and where it came from (an IMAP UID, a webhook's address)."""

    raw: bytes
    source: str


async def take(
    state: AppState,
    *,
    inbox: Inbox,
    kind: str,
    raw: bytes,
    source: str,
    parser: Parser,
    content_type: str = "",
) -> Taken:
    """Take one item in (see take_many)."""
    items = [Item(raw, source)]
    return (
        await take_many(state, inbox=inbox, kind=kind, items=items, parser=parser, content_type=content_type)
    )[0]


async def take_many(
    state: AppState,
    *,
    inbox: Inbox,
    kind: str,
    items: Sequence[Item],
    parser: Parser,
    content_type: str = "",
) -> list[Taken]:
    """Take items in, in the order given, stored in one transaction (a mailbox's new mails). If that
    fails, each is taken on its own, so one bad item is listed as failed and the others go in."""
    keys = [secrets.token_hex(16) for _ in items]  # the blob store fans out by the key's first characters
    # The raw bytes are written while they are parsed; nothing is stored before they are kept.
    writing = asyncio.create_task(
        state.blobs.put_many([(key, item.raw) for key, item in zip(keys, items, strict=True)])
    )
    batch = _Batch(inbox, kind, content_type, items, keys)
    failures: list[tuple[int, Exception]] = []
    try:
        for index, item in enumerate(items):
            try:
                batch.parsed[index] = await _parse(parser, item.raw)
            except Exception as exc:
                log.warning(
                    "inbox %s: could not parse an inbound %s item from %s",
                    inbox.id,
                    kind,
                    item.source,
                    exc_info=True,
                )
                failures.append((index, exc))
    finally:
        await writing
    if failures:
        await _failed(state, batch, failures)
    if batch.parsed:
        try:
            # Concurrent takes share commits (group_commit.py); one sender's items keep one lane. A batch
            # of several senders takes the inbox's lane and may meet a sender's lane at a row: a
            # deadlock that PostgreSQL breaks fails one unit, which is then taken item by item.
            await state.grouped(lambda session: batch.store(session, state), key=batch.lane())
        except Exception as exc:
            if len(batch.parsed) == 1:
                index = next(iter(batch.parsed))
                if isinstance(exc, IntegrityError):
                    batch.taken[index] = Taken(status="duplicate")  # another node or inbox took it just now
                else:
                    log.exception(
                        "inbox %s: could not store an inbound %s item from %s",
                        inbox.id,
                        kind,
                        items[index].source,
                    )
                    batch.taken.pop(index, None)  # its message ids were rolled back
                    await _failed(state, batch, [(index, exc)])
            else:  # find the one that fails: each on its own
                for index in sorted(batch.parsed):
                    await state.blobs.delete(keys[index])  # the single take keeps its own copy
                    keys[index] = ""
                    batch.taken[index] = await take(
                        state,
                        inbox=inbox,
                        kind=kind,
                        raw=items[index].raw,
                        source=items[index].source,
                        parser=_parsed_already(batch.parsed[index]),
                        content_type=content_type,
                    )
    for index, taken in batch.taken.items():
        if taken.status == "duplicate" and keys[index]:
            await state.blobs.delete(keys[index])
    return [batch.taken[i] for i in range(len(items))]


def _parsed_already(parsed: Parsed) -> Parser:
    return lambda _raw: parsed


class _Batch:
    def __init__(
        self, inbox: Inbox, kind: str, content_type: str, items: Sequence[Item], keys: list[str]
    ) -> None:
        self.inbox = inbox
        self.kind = kind
        self.content_type = content_type
        self.items = items
        self.keys = keys
        self.parsed: dict[int, Parsed] = {}
        self.taken: dict[int, Taken] = {}

    def record(
        self, index: int, status: str, *, external_id: str | None = None, error: str = ""
    ) -> dict[str, Any]:
        """The values of the item's InboundRecord."""
        taken = self.taken.get(index)
        return {
            "account_id": self.inbox.account_id,
            "inbox_id": self.inbox.id,
            "kind": self.kind,
            "source": self.items[index].source[:200],
            "external_id": external_id,
            "blob_key": self.keys[index],
            "content_type": self.content_type[:200],
            "size": len(self.items[index].raw),
            "status": status,
            "error": error,
            "message_id": taken.message_ids[0] if taken and taken.message_ids else None,
            "conversation_id": taken.conversation_ids[0] if taken and taken.conversation_ids else None,
        }

    def lane(self) -> int:
        senders = {
            i.contact.identifier
            for p in self.parsed.values()
            for i in p.items
            if isinstance(i, InboundMessage)
        }
        return zlib.crc32(senders.pop().encode()) if len(senders) == 1 else self.inbox.id

    async def store(self, session: AsyncSession, state: AppState) -> None:
        ids = {i: p.external_id[:200] for i, p in self.parsed.items() if p.external_id}
        seen: dict[str, int] = {}
        if ids:
            rows = await session.execute(
                select(InboundRecord.external_id, InboundRecord.id).where(
                    InboundRecord.account_id == self.inbox.account_id,
                    InboundRecord.kind == self.kind,
                    InboundRecord.external_id.in_(set(ids.values())),
                )
            )
            seen = {str(external_id): int(record_id) for external_id, record_id in rows}
        taking: list[int] = []
        again: dict[int, int] = {}  # an id twice in this batch: the later item -> the first
        first: dict[str, int] = {}
        for index in sorted(self.parsed):
            external_id = ids.get(index)
            if external_id is not None and external_id in seen:
                self.taken[index] = Taken(status="duplicate", record_id=seen[external_id])
            elif external_id is not None and external_id in first:
                self.taken[index] = Taken(status="duplicate")
                again[index] = first[external_id]
            else:
                if external_id is not None:
                    first[external_id] = index
                self.taken[index] = Taken(status="processed")
                taking.append(index)
        messages = [
            (index, item)
            for index in taking
            for item in self.parsed[index].items
            if isinstance(item, InboundMessage)
        ]
        # The record's unique key already stands for the request's own id (a mail's Message-ID).
        received = await receive_messages(
            session,
            state=state,
            inbox=self.inbox,
            items=[item for _, item in messages],
            deduplicated=all(item.external_id == self.parsed[index].external_id for index, item in messages),
        )
        for (index, _item), got in zip(messages, received, strict=True):
            if got.new:
                self.taken[index].message_ids.append(got.message.id)
                self.taken[index].conversation_ids.append(got.conversation.id)
        for index in taking:
            for item in self.parsed[index].items:
                if isinstance(item, StatusUpdate):
                    await receive_status(session, account_id=self.inbox.account_id, item=item)
        for index in taking:
            taken = self.taken[index]
            if not taken.message_ids and not self.parsed[index].items:
                taken.status = "ignored"
        values = [self.record(i, self.taken[i].status, external_id=ids.get(i)) for i in taking]
        for index, record_id in zip(taking, await _insert_records(session, values), strict=True):
            self.taken[index].record_id = record_id
        for index, earlier in again.items():
            self.taken[index].record_id = self.taken[earlier].record_id


async def _insert_records(session: AsyncSession, values: list[dict[str, Any]]) -> list[int]:
    """Insert the records (one statement, however many); their ids in the same order."""
    if not values:
        return []
    inserted = await session.scalars(
        insert(InboundRecord).returning(InboundRecord.id, sort_by_parameter_order=True), values
    )
    return [int(i) for i in inserted]


async def _failed(state: AppState, batch: _Batch, failures: list[tuple[int, Exception]]) -> None:
    async with state.uow() as session:
        values = []
        for index, error in failures:
            reason = f"{type(error).__name__}: {error}"[:500]
            values.append(batch.record(index, "failed", error=reason))
            batch.taken[index] = Taken(status="failed", error=reason)
        for (index, _error), record_id in zip(failures, await _insert_records(session, values), strict=True):
            batch.taken[index].record_id = record_id


async def parser_for(state: AppState, *, inbox: Inbox, content_type: str, url: str = "") -> Parser:
    """The inbox adapter's parser of a stored or received body (its settings and secrets opened now)."""
    adapter = registry.get(inbox.channel_type)
    async with state.read() as session:
        context = await channels.context(session, state=state, inbox=inbox)

    def parse(raw: bytes) -> Parsed:
        headers = {"content-type": content_type} if content_type else {}
        request = InboundRequest(method="POST", url=url, headers=headers, query={}, body=raw)
        return adapter.parse(request, context)

    return parse


async def retake(state: AppState, *, account_id: int, record_id: int) -> Taken:
    """Process a failed record again (after a fix, or a changed setting); it is replaced by the outcome."""
    async with state.read() as session:
        record = await session.get(InboundRecord, record_id)
        if record is None or record.account_id != account_id:
            raise NotFound(f"inbound item {record_id} not found")
        inbox = await session.get(Inbox, record.inbox_id)
        if inbox is None:
            raise NotFound(f"inbound item {record_id} not found")
        if record.status != "failed":
            return Taken(status=record.status, record_id=record.id)
        raw = await state.blobs.get(record.blob_key)
        kind, source, content_type = record.kind, record.source, record.content_type
    taken = await take(
        state,
        inbox=inbox,
        kind=kind,
        raw=raw,
        source=source,
        parser=await parser_for(state, inbox=inbox, content_type=content_type),
        content_type=content_type,
    )
    if taken.status != "failed":
        async with state.uow() as session:
            old = await session.get(InboundRecord, record_id)
            if old is not None:
                blob = old.blob_key
                await session.delete(old)
        await state.blobs.delete(blob)
    else:
        async with state.uow() as session:
            new = await session.get(InboundRecord, taken.record_id)
            old = await session.get(InboundRecord, record_id)
            if new is not None and old is not None:  # keep one failed record: the first, with the new error
                old.error = new.error
                blob = new.blob_key
                await session.delete(new)
        await state.blobs.delete(blob)
        taken.record_id = record_id
    return taken


async def failed_records(session: AsyncSession, *, account_id: int, limit: int = 100) -> list[InboundRecord]:
    return list(
        await session.scalars(
            select(InboundRecord)
            .where(InboundRecord.account_id == account_id, InboundRecord.status == "failed")
            .order_by(InboundRecord.id.desc())
            .limit(limit)
        )
    )
