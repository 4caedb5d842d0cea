"""`destek serve` on a real socket: request heads over max_header_bytes get 431, bodies over their limit
413, and what is within the limits (pipelined requests, websockets) works as before."""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from destek.config import Settings
from destek.state import AppState
from tests.support.factories import Tenant, make_contact
from tests.support.server import free_port, node_environment, subscribe

# The limits live in the server process, not in the database: one backend is enough.
pytestmark = [pytest.mark.slow, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

KiB = 1024
HEAD_LIMIT = Settings().max_header_bytes  # the default: 64 KiB


@pytest.fixture
def server(settings: Settings, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """A `destek serve` subprocess on the tests' database, with the default limits."""
    port = free_port()
    with (tmp_path / "serve.log").open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "destek", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=node_environment(settings, tmp_path, DESTEK_RUN_CONSUMERS="false"),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process, port
        finally:
            process.terminate()
            process.wait(10)


@pytest.fixture
async def port(server: tuple[subprocess.Popen[bytes], int], state: AppState, tmp_path: Path) -> int:
    """The server's port, once it answers."""
    process, port = server
    async with httpx.AsyncClient() as http:
        for _ in range(300):
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                    return port
            await asyncio.sleep(0.05)
    raise AssertionError("destek serve did not answer")


class Answer:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def error(self) -> dict[str, Any]:
        error: dict[str, Any] = json.loads(self.body)["error"]
        return error


async def _read_answer(reader: asyncio.StreamReader) -> Answer:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines if line)}
    body = await asyncio.wait_for(reader.readexactly(int(headers.get("content-length", "0"))), 10)
    return Answer(int(status_line.split()[1]), headers, body)


class Connection:
    """A raw TCP connection to the server: bytes out, HTTP answers in."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    async def send(self, *parts: bytes) -> None:
        """Each part flushed before the next, as a slow client would send them."""
        for part in parts:
            self.writer.write(part)
            await self.writer.drain()

    async def answer(self) -> Answer:
        return await _read_answer(self.reader)

    async def closed_by_server(self) -> bool:
        with contextlib.suppress(ConnectionError):
            return await asyncio.wait_for(self.reader.read(), 5) == b""
        return True


@contextlib.asynccontextmanager
async def connect(port: int) -> AsyncIterator[Connection]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        yield Connection(reader, writer)
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


async def _ask(port: int, *parts: bytes) -> Answer:
    async with connect(port) as connection:
        await connection.send(*parts)
        return await connection.answer()


def _get(path: str, headers: str = "") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n".encode()


async def test_200_kb_of_headers_get_431_and_a_normal_request_200(port: int) -> None:
    many = "".join(f"X-Padding-{i}: {'v' * 90}\r\n" for i in range(2000))  # ~200 KB of headers
    one = f"Cookie: {'c' * 200 * KiB}\r\n"  # one value that never ends within the limit
    for headers in (many, one):
        async with connect(port) as connection:
            await connection.send(_get("/healthz", headers))
            answer = await connection.answer()
            assert answer.status == 431
            assert answer.headers["connection"] == "close"
            assert answer.error()["code"] == "headers_too_large"
            assert str(HEAD_LIMIT) in answer.error()["message"]
            assert await connection.closed_by_server()
    # A head sent slowly, a piece at a time, is counted across the pieces.
    pieces = [_get("/healthz")[:-2], *[f"X-Slow: {'s' * 8 * KiB}\r\n".encode()] * 10]
    assert (await _ask(port, *pieces)).status == 431

    assert (await _ask(port, _get("/healthz"))).status == 200
    # Just under the limit is still a request.
    near = _get("/healthz", f"X-Padding: {'v' * 1000}\r\n" * 64)
    assert HEAD_LIMIT - 1024 < len(near) < HEAD_LIMIT
    assert (await _ask(port, near)).status == 200


async def test_a_body_read_with_its_head_is_not_counted_as_head(port: int, tenant: Tenant) -> None:
    body = json.dumps({"name": "x" * 300 * KiB}).encode()  # well past the head limit, within the body's
    request = (
        f"POST /api/v1/public/inboxes/{tenant.inbox_token}/contacts HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    answer = await _ask(port, request + body)
    assert answer.status == 422  # read and validated: the name is too long
    assert answer.error()["field"] == "name"


async def test_pipelined_requests_beyond_the_limit_in_one_write_are_all_answered(port: int) -> None:
    count = 2000  # ~70 KB of small requests, more than the head limit, sent at once
    async with connect(port) as connection:
        await connection.send(_get("/no-such-page") * count)
        statuses = [(await connection.answer()).status for _ in range(count)]
    assert statuses == [404] * count


async def test_bodies_over_the_limit_get_413_from_the_real_server(port: int, tenant: Tenant) -> None:
    path = f"/api/v1/public/inboxes/{tenant.inbox_token}/contacts"
    # A declared 50 MiB: answered before a byte of the body is sent.
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {50 * 1024 * KiB}\r\n\r\n"
    ).encode()
    answer = await _ask(port, head)
    assert answer.status == 413 and answer.error()["code"] == "too_large"

    # Chunked, 2 MiB: refused once it passes 1 MiB. The server drops the rest as it comes, so the
    # client reads its answer, and the connection serves the next request.
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    ).encode()
    chunk = b"%x\r\n%s\r\n" % (64 * KiB, b" " * 64 * KiB)
    async with connect(port) as connection:
        await connection.send(head, *[chunk] * 32, b"0\r\n\r\n")
        answer = await connection.answer()
        assert answer.status == 413 and answer.error()["code"] == "too_large"
        await connection.send(_get("/healthz"))
        assert (await connection.answer()).status == 200


async def test_a_websocket_upgrade_still_works(port: int, state: AppState, tenant: Tenant) -> None:
    contact = await make_contact(state, tenant)
    client, first = await subscribe(
        f"http://127.0.0.1:{port}",
        "/api/v1/public/ws",
        {"type": "subscribe", "inbox": tenant.inbox_token, "token": contact.token, "since": None},
    )
    assert first["type"] == "subscribed", first
    await client.ws.send(json.dumps({"type": "ping"}))
    assert (await client.recv_type("pong"))["type"] == "pong"
    await client.close()
