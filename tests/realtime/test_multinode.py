"""Two `destek serve` processes sharing PostgreSQL and Redis, as in a multi-node deployment."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from destek.config import Settings
from destek.state import AppState
from tests.support.factories import Tenant, make_contact
from tests.support.factories_fixtures import make_settings
from tests.support.server import WsClient, free_port, node_environment, subscribe

# Several nodes need what they share: PostgreSQL and Redis.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.parametrize("db_url", ["postgresql"], indirect=True),
    pytest.mark.parametrize("bus_url", ["redis"], indirect=True),
]


@pytest.fixture
def settings(db_url: str, bus_url: str | None, tmp_path: Path) -> Settings:
    # One contact sends 60 messages in a few seconds (a load test, not a customer): limits scaled up.
    return make_settings(db_url, tmp_path, bus_url, catchup_seconds=1.0, rate_limit_scale=10.0)


class Node:
    def __init__(self, settings: Settings, tmp_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = node_environment(settings, tmp_path, DESTEK_RATE_LIMIT_SCALE=str(settings.rate_limit_scale))
        self.log = (tmp_path / f"node-{self.port}.log").open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "destek", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    async def wait_ready(self) -> None:
        async with httpx.AsyncClient() as http:
            for _ in range(200):
                if self.process.poll() is not None:
                    raise AssertionError(f"node exited with {self.process.returncode}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(f"{self.url}/healthz")).status_code == 200:
                        return
                await asyncio.sleep(0.05)
        raise AssertionError("node did not become ready")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


@pytest.fixture
async def nodes(settings: Settings, state: AppState, tmp_path: Path) -> AsyncIterator[list[Node]]:
    started = [Node(settings, tmp_path), Node(settings, tmp_path)]
    try:
        await asyncio.gather(*(node.wait_ready() for node in started))
        yield started
    finally:
        for node in started:
            node.stop()


async def _contact_socket(node: Node, tenant: Tenant, token: str, since: int | None) -> WsClient:
    client, first = await subscribe(
        node.url,
        "/api/v1/public/ws",
        {"type": "subscribe", "inbox": tenant.inbox_token, "token": token, "since": since},
    )
    assert first["type"] == "subscribed", first
    return client


async def _agent_socket(node: Node, tenant: Tenant, since: int | None = None) -> WsClient:
    client, first = await subscribe(
        node.url,
        "/ws",
        {"type": "subscribe", "account_id": tenant.account_id, "token": tenant.owner.token, "since": since},
    )
    assert first["type"] == "subscribed", first
    return client


async def test_messages_cross_nodes_live(nodes: list[Node], state: AppState, tenant: Tenant) -> None:
    a, b = nodes
    contact = await make_contact(state, tenant)
    async with httpx.AsyncClient() as http:
        created = await http.post(
            f"{a.url}{tenant.public('/conversations')}",
            headers=contact.headers,
            json={"message": {"content": "Siparişim görünmüyor"}},
        )
        assert created.status_code == 201, created.text
        conversation_id = created.json()["conversation"]["id"]
        customer = await _contact_socket(a, tenant, contact.token, since=None)
        agent = await _agent_socket(b, tenant)

        sent = await http.post(
            f"{a.url}{tenant.public(f'/conversations/{conversation_id}/messages')}",
            headers=contact.headers,
            json={"content": "Sipariş no 4411", "client_message_id": "c-1"},
        )
        assert sent.status_code == 201, sent.text
        seen = await agent.recv_type("event")
        assert seen["event"]["message"]["content"] == "Sipariş no 4411"

        number = seen["event"]["message"]["conversation_number"]
        reply = await http.post(
            f"{b.url}{tenant.url(f'/conversations/{number}/messages')}",
            headers=tenant.owner.headers,
            json={"content": "Kontrol ediyorum", "client_message_id": "a-1"},
        )
        assert reply.status_code == 201, reply.text
        # The customer's app hears its own message (other devices of theirs stay in step), then the reply.
        own = await customer.recv_type("event")
        assert own["event"]["message"]["content"] == "Sipariş no 4411"
        got = await customer.recv_type("event")
        assert got["event"]["message"]["content"] == "Kontrol ediyorum"
        assert got["event"]["message"]["sender"]["type"] == "agent"
        await customer.close()
        await agent.close()


async def test_killing_a_node_mid_stream_loses_and_doubles_nothing(
    nodes: list[Node], state: AppState, tenant: Tenant
) -> None:
    a, b = nodes
    contact = await make_contact(state, tenant)
    total = 60
    async with httpx.AsyncClient(timeout=5) as http:
        created = await http.post(
            f"{a.url}{tenant.public('/conversations')}", headers=contact.headers, json={}
        )
        assert created.status_code == 201, created.text
        conversation_id = created.json()["conversation"]["id"]
        path = tenant.public(f"/conversations/{conversation_id}/messages")
        watcher = await _agent_socket(b, tenant)  # an agent watching from the surviving node
        customer = await _contact_socket(a, tenant, contact.token, since=None)

        async def post_with_failover(i: int, node: list[Node]) -> None:
            body = {"content": f"satır {i}", "client_message_id": f"cm-{i}"}
            for _attempt in range(50):
                try:
                    response = await http.post(f"{node[0].url}{path}", headers=contact.headers, json=body)
                    if response.status_code in (200, 201):
                        return
                except httpx.HTTPError:
                    pass
                node[0] = b  # the app fails over and retries with the same client message id
                await asyncio.sleep(0.05)
            raise AssertionError(f"message {i} was never accepted")

        current = [a]
        received: list[dict[str, Any]] = []

        async def read_customer() -> None:
            client = customer
            while len(received) < total:
                try:
                    frame = await client.recv(timeout=10)
                except ConnectionClosed:
                    # Node A died: reconnect to node B from the last seq seen.
                    client = await _contact_socket(b, tenant, contact.token, since=client.last_seq)
                    continue
                if frame["type"] == "event" and frame["event"]["type"] == "message.created":
                    received.append(frame)
            await client.close()

        reader = asyncio.create_task(read_customer())
        for i in range(total):
            if i == total // 2:
                a.kill()
            await post_with_failover(i, current)
        await asyncio.wait_for(reader, timeout=30)

        contents = [f["event"]["message"]["content"] for f in received]
        assert contents == [f"satır {i}" for i in range(total)]
        watched: list[str] = []
        while len(watched) < total:
            frame = await watcher.recv_type("event", timeout=10)
            if frame["event"]["type"] == "message.created":
                watched.append(frame["event"]["message"]["content"])
        assert watched == contents
        # Nothing doubled. (The nodes run their consumers: the language and mood analysis of the
        # customer's messages may still update the conversation, so only messages are counted.)
        assert await watcher.no_event_within(0.5, kind="message.created")
        stored = await http.get(f"{b.url}{path}?limit=100", headers=contact.headers)
        assert stored.status_code == 200, stored.text
        assert [m["content"] for m in stored.json()] == contents
        await watcher.close()
