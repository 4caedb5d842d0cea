"""E-mail ingest throughput: varied mails through the real path (keep raw, parse, thread, store), beside
a ceiling measured in the same run.

    .venv/bin/python bench/email_ingest.py                     # PostgreSQL at 127.0.0.1 (a scratch database)
    .venv/bin/python bench/email_ingest.py --mails 2000 --concurrency 4   # four mailboxes at once
    .venv/bin/python bench/email_ingest.py --batch 1 --concurrency 8      # one mail per take (webhooks)
    DESTEK_DATABASE_URL=sqlite+aiosqlite:///x .venv/bin/python bench/email_ingest.py   # SQLite instead

The mails are the test corpus (tests/fixtures/mail: charsets, multiparts, attachments, Turkish, bounces,
auto-replies) with fresh Message-IDs and senders, plus replies that thread by In-Reply-To (some to a
mail of the same batch). They go through channels.intake.take_many (blob writes, parse, dedup,
contacts, threading, message and attachment rows, events, one transaction per batch) in the batches
the IMAP fetcher takes them in (fetcher.BATCH_MAILS), one mailbox after the other unless --concurrency.
Ceiling: the standard library's parser alone (email.parser with the default policy) plus raw driver
inserts of the same rows (a message row and an event row per mail), in the same batches (one
transaction each) at the same concurrency. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from email.parser import BytesParser
from email.policy import default
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from bench.chat_throughput import DEFAULT_PG, scratch_database
from destek.accounts import inboxes as inbox_service
from destek.accounts import service as accounts
from destek.app import build_state
from destek.channels import intake
from destek.channels import service as channels
from destek.channels.email.fetcher import BATCH_MAILS
from destek.channels.email.reading import read
from destek.channels.email.settings import EmailSettings
from destek.config import Settings
from destek.conversations.models import Conversation, Message
from destek.group_commit import GroupCommitter

CORPUS = ROOT / "tests" / "fixtures" / "mail"
ADDRESS = "destek@lokanta.com.tr"


def _with(raw: bytes, header: str, value: str) -> bytes:
    """The mail with one header replaced (or added at the top)."""
    head, sep, body = raw.partition(b"\r\n\r\n") if b"\r\n\r\n" in raw else raw.partition(b"\n\n")
    pattern = re.compile(
        rb"^" + header.encode() + rb":.*(?:\r?\n[ \t].*)*\r?\n?", re.IGNORECASE | re.MULTILINE
    )
    head = pattern.sub(b"", head + b"\n").rstrip(b"\r\n")
    return f"{header}: {value}\r\n".encode() + head + sep + body


def mails(n: int) -> list[bytes]:
    corpus = [p.read_bytes() for p in sorted(CORPUS.glob("*.eml"))]
    out: list[bytes] = []
    for i in range(n):
        raw = corpus[i % len(corpus)]
        raw = _with(raw, "Message-ID", f"<bench-{i}@musteri.test>")
        raw = _with(raw, "From", f"Müşteri {i % 300} <musteri{i % 300}@musteri.test>")
        if i % 4 == 3:  # a reply to the same customer's earlier mail
            raw = _with(raw, "In-Reply-To", f"<bench-{i - 300 if i >= 300 else i - 3}@musteri.test>")
        out.append(raw)
    return out


def batches(raws: list[bytes], size: int) -> list[list[bytes]]:
    return [raws[i : i + size] for i in range(0, len(raws), size)]


async def _parallel(items: list[list[bytes]], concurrency: int, work: Any) -> float:
    queue = list(reversed(items))
    started = time.perf_counter()

    async def worker() -> None:
        while queue:
            await work(queue.pop())

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started


async def destek_rate(
    url: str, raws: list[bytes], concurrency: int, workdir: str, batch: int
) -> tuple[float, dict[str, int]]:
    state = build_state(
        Settings(database_url=url, data_dir=Path(workdir), secret_key="bench-secret", run_consumers=False)  # type: ignore[arg-type]
    )
    # As a web node runs (app.running): concurrent writers share commits.
    lanes = 1 if state.settings.is_sqlite else state.settings.write_lanes
    state.group = GroupCommitter(state.db, state.bus, lanes=lanes)
    await state.group.start()
    async with state.uow() as session:
        account = await accounts.create_account(session, name="Bench")
        inbox = await inbox_service.create_inbox(
            session, account_id=account.id, name="Mail", channel_type="email"
        )
        await channels.configure(session, inbox=inbox, sealer=state.sealer, settings={"address": ADDRESS})
    settings = EmailSettings(address=ADDRESS)
    outcomes: dict[str, int] = {}

    async def take(chunk: list[bytes]) -> None:
        taken = await intake.take_many(
            state,
            inbox=inbox,
            kind="email",
            items=[intake.Item(raw, "bench") for raw in chunk],
            parser=lambda body: read(body, settings),
            content_type="message/rfc822",
        )
        for one in taken:
            outcomes[one.status] = outcomes.get(one.status, 0) + 1

    took = await _parallel(batches(raws, batch), concurrency, take)
    async with state.read() as session:  # what the agents see: replies joined their conversations
        outcomes["conversations"] = int(await session.scalar(select(func.count(Conversation.id))) or 0)
        outcomes["messages"] = int(await session.scalar(select(func.count(Message.id))) or 0)
    await state.group.stop()
    await state.db.dispose()
    return len(raws) / took, outcomes


@contextlib.asynccontextmanager
async def raw_tables(url: str) -> AsyncIterator[Any]:
    """A pool (PostgreSQL) or a connection (SQLite) with two plain tables shaped like messages and events."""
    if url.startswith("sqlite"):
        import aiosqlite

        path = url.split("///", 1)[1]
        async with aiosqlite.connect(path) as db:
            await db.execute(
                "CREATE TABLE raw_messages"
                " (id INTEGER PRIMARY KEY, external_id TEXT, content TEXT, attrs TEXT)"
            )
            await db.execute("CREATE TABLE raw_events (id INTEGER PRIMARY KEY, seq INTEGER, payload TEXT)")
            yield db
        return
    pool = await asyncpg.create_pool(
        url.replace("postgresql+asyncpg://", "postgresql://", 1), min_size=2, max_size=10
    )
    assert pool is not None
    async with pool.acquire() as conn:
        await conn.execute(
            "CREATE TABLE raw_messages"
            " (id bigserial PRIMARY KEY, external_id text, content text, attrs jsonb)"
        )
        await conn.execute("CREATE TABLE raw_events (id bigserial PRIMARY KEY, seq bigint, payload jsonb)")
    try:
        yield pool
    finally:
        await pool.close()


def _stdlib_rows(parser: BytesParser, raw: bytes) -> tuple[str, str, str, str]:
    """(Message-ID, text, attributes, event payload) as the standard library's parser gives them."""
    message = parser.parsebytes(raw)
    body = message.get_body(preferencelist=("plain", "html"))  # type: ignore[attr-defined]
    try:
        text = body.get_content() if body is not None else ""
    except (LookupError, UnicodeError):  # the stdlib gives up on an unknown charset: bytes as latin-1
        payload = body.get_payload(decode=True) if body is not None else b""
        text = payload.decode("latin-1") if isinstance(payload, bytes) else ""
    text = text.replace("\x00", "")  # PostgreSQL text takes no NUL
    attrs = json.dumps({"subject": str(message["subject"] or ""), "from": str(message["from"] or "")})
    return str(message["message-id"]), text, attrs, json.dumps({"content": text[:2000]})


async def ceiling_rate(url: str, raws: list[bytes], concurrency: int, batch: int) -> float:
    parser = BytesParser(policy=default)
    counter = iter(range(1, len(raws) + 1))
    async with raw_tables(url) as db:

        async def store(chunk: list[bytes]) -> None:
            rows = [_stdlib_rows(parser, raw) for raw in chunk]
            messages = [(external_id, text, attrs) for external_id, text, attrs, _ in rows]
            events = [(next(counter), payload) for *_, payload in rows]
            if url.startswith("sqlite"):
                await db.executemany(
                    "INSERT INTO raw_messages (external_id, content, attrs) VALUES (?, ?, ?)", messages
                )
                await db.executemany("INSERT INTO raw_events (seq, payload) VALUES (?, ?)", events)
                await db.commit()
                return
            async with db.acquire() as conn, conn.transaction():
                await conn.executemany(
                    "INSERT INTO raw_messages (external_id, content, attrs) VALUES ($1, $2, $3)", messages
                )
                await conn.executemany("INSERT INTO raw_events (seq, payload) VALUES ($1, $2)", events)

        chunks = batches(raws, batch)
        took = await _parallel(chunks, concurrency if not url.startswith("sqlite") else 1, store)
    return len(raws) / took


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mails", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=1, help="mailboxes taken in at once")
    parser.add_argument("--batch", type=int, default=BATCH_MAILS, help="mails per take (1: as webhooks)")
    args = parser.parse_args()
    base = os.environ.get("DESTEK_DATABASE_URL", DEFAULT_PG)
    raws = mails(args.mails)
    database = "sqlite" if base.startswith("sqlite") else "postgresql"
    with tempfile.TemporaryDirectory(prefix="destek-bench-") as workdir:
        async with scratch_database(base) as url:
            rate, outcomes = await destek_rate(url, raws, args.concurrency, workdir, args.batch)
        async with scratch_database(base) as url:
            ceiling = await ceiling_rate(url, raws, args.concurrency, args.batch)
    print(f"destek ingest: {rate:.0f} mails/s ({outcomes})")
    print(f"ceiling (stdlib parser + raw inserts): {ceiling:.0f} mails/s")
    result = {
        "mails_per_s": round(rate, 1),
        "ceiling_mails_per_s": round(ceiling, 1),
        "mails": len(raws),
        "batch": args.batch,
        "concurrency": args.concurrency,
        "database": database,
        "outcomes": outcomes,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
