"""Taking one raw inbound item (a mail, a webhook body) all the way in, losing nothing.

The raw bytes are written to the blob store first. Then the adapter's parser turns them into items, and
one transaction stores the messages and statuses (channels/inbound.py) with the record that says so
(channels.models.InboundRecord). A parser that fails, or a store that fails, leaves a `failed` record
with the error and the raw bytes, listed for admins and processed again on request; the items after it
go on. A provider id already recorded in the account is a duplicate: taken once, whichever inbox or
node saw it first (the record's unique key settles a race).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts.models import Inbox
from destek.channels import registry
from destek.channels import service as channels
from destek.channels.base import InboundMessage, InboundRequest, Parsed, StatusUpdate
from destek.channels.inbound import receive_message, receive_status
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


async def _apply(session: AsyncSession, state: AppState, inbox: Inbox, parsed: Parsed, taken: Taken) -> None:
    for item in parsed.items:
        if isinstance(item, InboundMessage):
            # The record's unique key already stands for the request's own id (a mail's Message-ID).
            known = parsed.external_id is not None and item.external_id == parsed.external_id
            received = await receive_message(session, state=state, inbox=inbox, item=item, deduplicated=known)
            if received.new:
                taken.message_ids.append(received.message.id)
                taken.conversation_ids.append(received.conversation.id)
        elif isinstance(item, StatusUpdate):
            await receive_status(session, account_id=inbox.account_id, item=item)


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
    key = secrets.token_hex(16)  # the blob store fans out by the key's first characters
    await state.blobs.put(key, raw)

    def record(
        status: str, *, external_id: str | None = None, error: str = "", taken: Taken | None = None
    ) -> InboundRecord:
        return InboundRecord(
            account_id=inbox.account_id,
            inbox_id=inbox.id,
            kind=kind,
            source=source[:200],
            external_id=external_id,
            blob_key=key,
            content_type=content_type[:200],
            size=len(raw),
            status=status,
            error=error,
            message_id=taken.message_ids[0] if taken and taken.message_ids else None,
            conversation_id=taken.conversation_ids[0] if taken and taken.conversation_ids else None,
        )

    async def failed(error: Exception) -> Taken:
        reason = f"{type(error).__name__}: {error}"[:500]
        async with state.uow() as session:
            row = record("failed", error=reason)
            session.add(row)
            await session.flush()
            return Taken(status="failed", record_id=row.id, error=reason)

    try:
        parsed = await _parse(parser, raw)
    except Exception as exc:
        log.warning(
            "inbox %s: could not parse an inbound %s item from %s", inbox.id, kind, source, exc_info=True
        )
        return await failed(exc)
    external_id = parsed.external_id[:200] if parsed.external_id else None

    async def store(session: AsyncSession) -> Taken:
        taken = Taken(status="processed")
        if external_id is not None:
            seen = await session.scalar(
                select(InboundRecord.id).where(
                    InboundRecord.account_id == inbox.account_id,
                    InboundRecord.kind == kind,
                    InboundRecord.external_id == external_id,
                )
            )
            if seen is not None:
                return Taken(status="duplicate", record_id=int(seen))
        await _apply(session, state, inbox, parsed, taken)
        if not taken.message_ids and not parsed.items:
            taken.status = "ignored"
        row = record(taken.status, external_id=external_id, taken=taken)
        session.add(row)
        await session.flush()
        taken.record_id = row.id
        return taken

    try:
        # Concurrent items share commits (group_commit.py); one sender's items keep one lane, so two
        # lanes never wait on each other's contact and conversation rows.
        taken = await state.grouped(store, key=_lane(parsed))
    except IntegrityError:
        taken = Taken(status="duplicate")  # another node or inbox took it at the same moment
    except Exception as exc:
        log.exception("inbox %s: could not store an inbound %s item from %s", inbox.id, kind, source)
        return await failed(exc)
    if taken.status == "duplicate":
        await state.blobs.delete(key)
    return taken


def _lane(parsed: Parsed) -> int:
    sender = next((i.contact.identifier for i in parsed.items if isinstance(i, InboundMessage)), "")
    return zlib.crc32(sender.encode())


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
