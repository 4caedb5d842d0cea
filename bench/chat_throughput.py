"""Chat throughput, latency and idle-socket memory of a running Destek server, beside ceilings.

    .venv/bin/python bench/chat_throughput.py            # PostgreSQL at 127.0.0.1 (a scratch database)
    DESTEK_DATABASE_URL=sqlite+aiosqlite:///var/bench.db .venv/bin/python bench/chat_throughput.py

It starts what it needs: a scratch database (migrated), a `destek serve` process, N contacts and M
agents over real websockets. Figures, each beside a ceiling measured in the same run:
- msgs_per_s: messages posted by contacts over HTTP, committed, and delivered to every agent's
  socket, per second; ceiling: the same rows inserted by a raw driver loop (one commit per row, the
  same concurrency), and a raw `websockets` broadcast of the same frames to the same sockets.
- p50_ms / p99_ms: post → delivery to an agent's socket at a fixed offered rate.
- kib_per_idle_socket: server memory per idle, subscribed contact socket; ceiling: a bare
  `websockets` server holding the same number of sockets.
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from websockets.asyncio.client import ClientConnection, connect

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from destek.accounts import credentials
from destek.accounts import inboxes as inbox_service
from destek.accounts import service as accounts
from destek.accounts.models import Inbox
from destek.app import build_state
from destek.config import Settings
from destek.contacts import service as contacts
from destek.contacts.schemas import ContactCreate
from destek.conversations import service as conversations
from destek.migrate import upgrade

DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
BODY = "Merhaba, ödeme sayfasında kart bilgilerimi girdim ama sipariş onaylanmadı. Yardım eder misiniz?"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def raise_fd_limit() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


# --- the scratch database -------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def scratch_database(base_url: str) -> AsyncIterator[str]:
    if base_url.startswith("sqlite"):
        directory = tempfile.mkdtemp(prefix="destek-bench-")
        url = f"sqlite+aiosqlite:///{directory}/bench.db"
        await asyncio.to_thread(upgrade, url)
        yield url
        return
    name = f"destek_bench_{uuid.uuid4().hex[:8]}"
    admin = base_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    conn = await asyncpg.connect(admin)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    url = base_url.rpartition("/")[0] + "/" + name
    try:
        await asyncio.to_thread(upgrade, url)
        yield url
    finally:
        conn = await asyncpg.connect(admin)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


async def seed(url: str, contacts_n: int, workdir: str) -> dict[str, Any]:
    state = build_state(Settings(database_url=url, data_dir=Path(workdir), secret_key="bench-secret"))  # type: ignore[arg-type]
    people = []
    async with state.uow() as session:
        account = await accounts.create_account(session, name="Bench")
        owner = await credentials.create_user(session, email="bench@example.com", name="Bench", password=None)
        await accounts.add_member(session, account_id=account.id, user_id=owner.id, role="owner")
        inbox = await inbox_service.create_inbox(
            session, account_id=account.id, name="App", channel_type="widget"
        )
        _t, token = await credentials.create_api_token(
            session, account_id=account.id, user_id=owner.id, name="b"
        )
        info = {"account_id": account.id, "token": token, "inbox": inbox.public_token, "inbox_id": inbox.id}
    for start in range(0, contacts_n, 500):
        async with state.uow() as session:
            inbox_row = await session.get(Inbox, info["inbox_id"])
            assert inbox_row is not None
            for i in range(start, min(contacts_n, start + 500)):
                contact = await contacts.identify(
                    session,
                    inbox=inbox_row,
                    data=ContactCreate(name=f"c{i}", identifier=f"u{i}"),
                    identifier_hash=None,
                    existing=None,
                )
                conversation = await conversations.create_conversation(
                    session, inbox=inbox_row, contact=contact
                )
                token = contacts.contact_token(state.settings.secret, contact=contact, inbox=inbox_row)
                people.append({"token": token, "conversation_id": conversation.id})
    await state.db.dispose()
    info["contacts"] = people
    return info


# --- the server -------------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def destek_server(url: str, workdir: str) -> AsyncIterator[tuple[str, int]]:
    port = free_port()
    env = {
        **os.environ,
        "DESTEK_DATABASE_URL": url,
        "DESTEK_SECRET_KEY": "bench-secret",
        "DESTEK_DATA_DIR": workdir,
        "DESTEK_WS_QUEUE_SIZE": "100000",
        # The load comes from one address and a few contacts: what is measured is the write path, not
        # the abuse limits (which would refuse a customer sending this much).
        "DESTEK_RATE_LIMITS": "false",
    }
    env.pop("DESTEK_REDIS_URL", None)
    log = open(Path(workdir) / "server.log", "w")  # noqa: SIM115, ASYNC230 (closed in finally)
    process = subprocess.Popen(
        [sys.executable, "-m", "destek", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as http:
            for _ in range(300):
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(f"{base}/healthz")).status_code == 200:
                        break
                await asyncio.sleep(0.05)
            else:
                raise RuntimeError("the server did not start")
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(15)
        log.close()
        print(f"server log: {log.name}", file=sys.stderr)


class AgentWatcher:
    """An agent socket that notes when each client message id first arrives."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.arrivals: dict[str, float] = {}
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for raw in self.ws:
            frame = json.loads(raw)
            if frame.get("type") == "event" and frame["event"]["type"] == "message.created":
                cmid = frame["event"]["message"].get("client_message_id")
                if cmid:
                    self.arrivals.setdefault(cmid, time.perf_counter())


async def agent_watchers(base: str, info: dict[str, Any], count: int) -> list[AgentWatcher]:
    watchers = []
    for _ in range(count):
        ws = await connect(base.replace("http", "ws") + "/ws", max_size=None)
        await ws.send(
            json.dumps({"type": "subscribe", "account_id": info["account_id"], "token": info["token"]})
        )
        assert json.loads(await ws.recv())["type"] == "subscribed"
        watchers.append(AgentWatcher(ws))
    return watchers


async def wait_delivered(watchers: list[AgentWatcher], ids: set[str], timeout: float = 120) -> float:
    deadline = time.perf_counter() + timeout
    while any(not ids <= w.arrivals.keys() for w in watchers):
        if time.perf_counter() > deadline:
            missing = [len(ids - w.arrivals.keys()) for w in watchers]
            states = [repr(w.task.exception()) if w.task.done() else "reading" for w in watchers]
            raise RuntimeError(f"messages that never reached each agent: {missing}; sockets: {states}")
        await asyncio.sleep(0.01)
    return max(max(w.arrivals[i] for i in ids) for w in watchers)


RETRIES = [0]


class RawClient:
    """A minimal HTTP/1.1 keep-alive client: httpx costs more CPU per request than the server under
    test, and on a 2-core machine the client would be what is measured."""

    def __init__(self, base: str) -> None:
        host_port = base.split("://", 1)[1]
        self.host, port = host_port.split(":")
        self.port = int(port)
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, token: str, body: dict[str, Any]) -> int:
        payload = json.dumps(body).encode()
        request = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
        ).encode() + payload
        for _attempt in range(5):
            try:
                if self.writer is None:
                    self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
                assert self.reader is not None
                self.writer.write(request)
                head = await self.reader.readuntil(b"\r\n\r\n")
                status = int(head.split(b" ", 2)[1])
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await self.reader.readexactly(length)
                return status
            except (OSError, asyncio.IncompleteReadError, ValueError):
                RETRIES[0] += 1
                await self.close()
        raise RuntimeError(f"POST {path} failed five times")

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


async def post(client: RawClient, info: dict[str, Any], person: dict[str, Any], cmid: str) -> None:
    """Post as an app does: a failed request is retried with the same client message id."""
    path = f"/api/v1/public/inboxes/{info['inbox']}/conversations/{person['conversation_id']}/messages"
    status = await client.post(path, person["token"], {"content": BODY, "client_message_id": cmid})
    if status not in (200, 201):
        raise RuntimeError(f"post failed: {status}")


async def throughput(
    base: str,
    info: dict[str, Any],
    watchers: list[AgentWatcher],
    total: int,
    concurrency: int,
    label: str = "t",
) -> float:
    """Messages/s from the first post to the last delivery to every agent, `concurrency` in flight."""
    people = info["contacts"]
    ids = [f"{label}-{i}" for i in range(total)]  # fresh ids: a reused one would be an idempotent retry
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(total):
        queue.put_nowait(i)

    async def worker() -> None:
        client = RawClient(base)
        while not queue.empty():
            i = queue.get_nowait()
            await post(client, info, people[i % len(people)], ids[i])
        await client.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    end = await wait_delivered(watchers, set(ids))
    return total / (end - start)


async def latency(
    base: str,
    info: dict[str, Any],
    watchers: list[AgentWatcher],
    rate: float,
    seconds: float,
    label: str = "l",
) -> list[float]:
    """Post → first agent socket, at a fixed offered rate (open loop: sends do not wait on answers)."""
    people = info["contacts"]
    count = int(rate * seconds)
    sent: dict[str, float] = {}
    idle: list[RawClient] = []

    async def one(i: int) -> None:
        client = idle.pop() if idle else RawClient(base)
        cmid = f"{label}-{i}"
        sent[cmid] = time.perf_counter()
        await post(client, info, people[i % len(people)], cmid)
        idle.append(client)

    start = time.perf_counter()
    tasks = []
    for i in range(count):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i)))
    await asyncio.gather(*tasks)
    await wait_delivered(watchers, set(sent))
    for client in idle:
        await client.close()
    watcher = watchers[0]
    return [(watcher.arrivals[c] - t) * 1000 for c, t in sent.items()]


async def idle_sockets(base: str, pid: int, info: dict[str, Any], count: int) -> float:
    people = info["contacts"]
    before = rss_kib(pid)
    sockets = []
    url = base.replace("http", "ws") + "/api/v1/public/ws"
    for start in range(0, count, 200):
        batch = await asyncio.gather(*(connect(url) for _ in range(start, min(count, start + 200))))
        for j, ws in enumerate(batch):
            person = people[(start + j) % len(people)]
            await ws.send(json.dumps({"type": "subscribe", "inbox": info["inbox"], "token": person["token"]}))
        for ws in batch:
            assert json.loads(await ws.recv())["type"] == "subscribed"
        sockets.extend(batch)
    await asyncio.sleep(2)
    after = rss_kib(pid)
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    return (after - before) / count


# --- ceilings ---------------------------------------------------------------------------------------


async def raw_insert_ceiling(url: str, total: int, concurrency: int) -> float:
    """The same message rows, one commit each, straight through the driver."""
    row = ("in", "contact", BODY)
    if url.startswith("sqlite"):
        import sqlite3

        path = url.split(":///", 1)[1] + ".raw"
        db = sqlite3.connect(path, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute(
            "CREATE TABLE raw (id INTEGER PRIMARY KEY, direction TEXT, sender TEXT, content TEXT, ts TEXT)"
        )
        start = time.perf_counter()
        for _ in range(total):
            db.execute(
                "INSERT INTO raw (direction, sender, content, ts) VALUES (?, ?, ?, datetime('now'))", row
            )
        elapsed = time.perf_counter() - start
        db.close()
        return total / elapsed
    dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    pool = await asyncpg.create_pool(dsn, min_size=concurrency, max_size=concurrency)
    async with pool.acquire() as conn:
        await conn.execute(
            "CREATE TABLE raw (id bigserial PRIMARY KEY, direction text, sender text, content text, "
            "ts timestamptz DEFAULT now())"
        )
    remaining = list(range(total))

    async def worker() -> None:
        async with pool.acquire() as conn:
            while remaining:
                remaining.pop()
                await conn.execute("INSERT INTO raw (direction, sender, content) VALUES ($1, $2, $3)", *row)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - start
    await pool.close()
    return total / elapsed


RAW_SERVER = r"""
import asyncio, sys, json
from websockets.asyncio.server import serve, broadcast
clients = set()
async def handler(ws):
    clients.add(ws)
    try:
        async for message in ws:
            if message == "go":
                frame, n = json.loads(await ws.recv())
                for i in range(n):
                    broadcast(clients, frame.replace("CMID", f"r-{i}"))
                    if i % 50 == 0:
                        await asyncio.sleep(0)
    finally:
        clients.discard(ws)
async def main():
    async with serve(handler, "127.0.0.1", int(sys.argv[1]), max_size=None, compression=None):
        print("ready", flush=True)
        await asyncio.Future()
asyncio.run(main())
"""


@contextlib.asynccontextmanager
async def raw_ws_server() -> AsyncIterator[tuple[str, int]]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", RAW_SERVER, str(port)], stdout=subprocess.PIPE)
    assert process.stdout is not None
    await asyncio.to_thread(process.stdout.readline)
    try:
        yield f"ws://127.0.0.1:{port}", process.pid
    finally:
        process.terminate()
        process.wait(10)


async def raw_broadcast_ceiling(agents: int, total: int) -> float:
    """A bare websockets server broadcasting frames of the same size to the same number of sockets."""
    frame = json.dumps(
        {
            "type": "event",
            "seq": 1,
            "event": {
                "type": "message.created",
                "message": {
                    "content": BODY,
                    "client_message_id": "CMID",
                    "sender": {"type": "contact", "name": "c1"},
                },
            },
        }
    )
    async with raw_ws_server() as (url, _pid):
        sockets = [await connect(url, max_size=None, compression=None) for _ in range(agents)]
        counts = [0] * agents
        done = asyncio.Event()

        async def read(k: int) -> None:
            async for _ in sockets[k]:
                counts[k] += 1
                if counts[k] == total and all(c == total for c in counts):
                    done.set()

        readers = [asyncio.create_task(read(k)) for k in range(agents)]
        start = time.perf_counter()
        await sockets[0].send("go")
        await sockets[0].send(json.dumps([frame, total]))
        await asyncio.wait_for(done.wait(), timeout=120)
        elapsed = time.perf_counter() - start
        for task in readers:
            task.cancel()
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    return total / elapsed


async def raw_idle_ceiling(count: int) -> float:
    async with raw_ws_server() as (url, pid):
        before = rss_kib(pid)
        sockets = []
        for start in range(0, count, 200):
            sockets.extend(
                await asyncio.gather(*(connect(url) for _ in range(start, min(count, start + 200))))
            )
        await asyncio.sleep(2)
        after = rss_kib(pid)
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    return (after - before) / count


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contacts", type=int, default=200)
    parser.add_argument("--agents", type=int, default=5)
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--rate", type=float, default=1000.0, help="offered messages/s for the latency run")
    parser.add_argument("--rate-seconds", type=float, default=5.0)
    parser.add_argument("--idle", type=int, default=10000, help="idle contact sockets for the memory figure")
    args = parser.parse_args()
    raise_fd_limit()
    base_url = os.environ.get("DESTEK_DATABASE_URL", DEFAULT_PG)
    workdir = tempfile.mkdtemp(prefix="destek-bench-")
    async with scratch_database(base_url) as url:
        info = await seed(url, args.contacts, workdir)
        print(f"seeded {args.contacts} contacts on {url.split('://')[0]}", file=sys.stderr)
        async with destek_server(url, workdir) as (base, pid):
            watchers = await agent_watchers(base, info, args.agents)
            await throughput(base, info, watchers, 200, args.concurrency, label="warm")
            for w in watchers:
                w.arrivals.clear()
            msgs_per_s = await throughput(base, info, watchers, args.messages, args.concurrency)
            print(f"throughput: {msgs_per_s:.0f} msgs/s", file=sys.stderr)
            for w in watchers:
                w.arrivals.clear()
            latencies = await latency(base, info, watchers, args.rate, args.rate_seconds)
            print(
                f"latency at {args.rate:.0f}/s: p50 {percentile(latencies, 50):.1f} ms, "
                f"p99 {percentile(latencies, 99):.1f} ms",
                file=sys.stderr,
            )
            # The same at half the measured capacity: what agents feel on a busy but not saturated server.
            half_rate = max(10.0, round(msgs_per_s / 2))
            for w in watchers:
                w.arrivals.clear()
            calm = await latency(base, info, watchers, half_rate, args.rate_seconds, label="half")
            print(
                f"latency at {half_rate:.0f}/s: p50 {percentile(calm, 50):.1f} ms, "
                f"p99 {percentile(calm, 99):.1f} ms",
                file=sys.stderr,
            )
            for w in watchers:
                await w.ws.close()
            kib_idle = await idle_sockets(base, pid, info, args.idle)
            print(f"idle: {kib_idle:.1f} KiB per socket with {args.idle}", file=sys.stderr)
        ceiling_insert = await raw_insert_ceiling(url, args.messages, args.concurrency)
    ceiling_broadcast = await raw_broadcast_ceiling(args.agents, args.messages)
    ceiling_idle = await raw_idle_ceiling(args.idle)
    result = {
        "msgs_per_s": round(msgs_per_s, 1),
        "ceiling_msgs_per_s": round(ceiling_insert, 1),
        "ceiling_broadcast_msgs_per_s": round(ceiling_broadcast, 1),
        "p50_ms": round(percentile(latencies, 50), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
        "offered_rate": args.rate,
        "half_capacity_rate": half_rate,
        "p50_ms_at_half_capacity": round(percentile(calm, 50), 2),
        "p99_ms_at_half_capacity": round(percentile(calm, 99), 2),
        "kib_per_idle_socket": round(kib_idle, 2),
        "ceiling_kib_per_idle_socket": round(ceiling_idle, 2),
        "idle_sockets": args.idle,
        "agents": args.agents,
        "contacts": args.contacts,
        "database": url.split("+")[0].split(":")[0],
        "client_retries": RETRIES[0],
    }
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
