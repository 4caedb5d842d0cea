"""An external bot: a real HTTP server receives signed deliveries and answers through the API."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import uvicorn
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from destek.config import Settings
from destek.deliveries.models import Delivery
from destek.deliveries.signing import verify
from destek.state import AppState
from tests.bot.helpers import conversation, seen, settle
from tests.support.factories import Tenant, make_contact
from tests.support.factories_fixtures import make_settings
from tests.support.server import free_port, serving

SECRET = "external-bot-secret-1234"


@pytest.fixture
def settings(db_url: str, tmp_path: Any) -> Settings:
    return make_settings(
        db_url,
        tmp_path,
        run_consumers=True,
        catchup_seconds=0.2,
        bot_webhook_backoff_scale=0.01,
        bot_webhook_allow_private=True,  # the test's bot runs on 127.0.0.1
    )


@dataclass
class ExternalBotServer:
    """Fails the first delivery (to be retried), then answers every message through Destek's API."""

    destek: str
    token: str
    received: list[dict[str, Any]] = field(default_factory=list)
    verified: list[bool] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    url: str = ""

    async def hook(self, request: Request) -> JSONResponse:
        body = await request.body()
        ok = verify(
            SECRET,
            request.headers.get("x-destek-timestamp", ""),
            body,
            request.headers.get("x-destek-signature", ""),
        )
        self.verified.append(ok)
        if not ok:
            return JSONResponse({"error": "bad signature"}, status_code=401)
        payload = json.loads(body)
        self.received.append(payload)
        if len(self.received) == 1:
            return JSONResponse({"error": "warming up"}, status_code=503)
        self.tasks.append(asyncio.create_task(self.answer(payload)))
        return JSONResponse({"ok": True})

    async def answer(self, payload: dict[str, Any]) -> None:
        text = payload["message"]["content"]
        headers = {"Authorization": f"Bearer {self.token}"}
        async with httpx.AsyncClient(base_url=self.destek) as http:
            if "person" in text:
                response = await http.post(
                    urlsplit(payload["handoff_url"]).path,
                    json={"reason": "asked for a person", "note": "wants a refund for order 1234"},
                    headers=headers,
                )
            else:
                response = await http.post(
                    urlsplit(payload["reply_url"]).path,
                    json={
                        "content": f"External bot here: you said {text!r}",
                        "client_message_id": f"x-{payload['message']['id']}",
                    },
                    headers=headers,
                )
            assert response.status_code in (200, 201), response.text


@contextlib.asynccontextmanager
async def external_bot(destek: str, token: str) -> AsyncIterator[ExternalBotServer]:
    bot = ExternalBotServer(destek=destek, token=token)
    port = free_port()
    app = Starlette(routes=[Route("/hook", bot.hook, methods=["POST"])])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 (uvicorn offers no event to wait on)
        await asyncio.sleep(0.01)
    bot.url = f"http://127.0.0.1:{port}/hook"
    try:
        yield bot
    finally:
        for pending in bot.tasks:
            await pending
        server.should_exit = True
        await asyncio.wait_for(task, timeout=10)


async def wait_for(predicate: Any, timeout: float = 15.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await predicate():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_signed_retried_reply_and_handoff(state: AppState, tenant: Tenant) -> None:
    async with (
        serving(state) as destek,
        external_bot(destek, tenant.owner.token) as bot,
        httpx.AsyncClient(base_url=destek) as client,
    ):
        response = await client.patch(
            tenant.url(f"/inboxes/{tenant.inbox_id}/bot"),
            json={"enabled": True, "mode": "external", "webhook_url": bot.url, "webhook_secret": SECRET},
            headers=tenant.owner.headers,
        )
        assert response.status_code == 200, response.text
        assert response.json()["webhook_secret"] is None and response.json()["webhook_secret_set"] is True
        contact = await make_contact(state, tenant)
        response = await client.post(
            tenant.public("/conversations"),
            json={"message": {"content": "Hello bot"}},
            headers=contact.headers,
        )
        cid = response.json()["conversation"]["id"]

        async def replied() -> bool:
            return any(m["sender"]["type"] == "bot" for m in await seen(client, contact, cid))

        await wait_for(replied)
        messages = await seen(client, contact, cid)
        assert messages[-1]["content"] == "External bot here: you said 'Hello bot'"
        assert bot.verified == [True, True]  # the first try failed (503) and was retried
        first, second = bot.received
        assert first["message"]["content"] == "Hello bot" and first == second | {
            "delivery_id": first["delivery_id"]
        }
        assert first["conversation"]["id"] == cid and first["contact"]["id"] == contact.contact_id
        async with state.read() as session:
            [delivery] = list(await session.scalars(select(Delivery)))
            assert delivery.status == "delivered" and delivery.attempts == 2
            assert delivery.last_status_code == 200
        found = await conversation(state, cid)
        assert found.first_reply_at is None  # a bot's reply is not a person's

        await client.post(
            tenant.public(f"/conversations/{cid}/messages"),
            json={"content": "I want a person"},
            headers=contact.headers,
        )

        async def handed() -> bool:
            return (await conversation(state, cid)).handed_over_at is not None

        await wait_for(handed)
        await settle(state)
        messages = await seen(client, contact, cid)
        assert "I'm passing you to a person from our team. They will answer here." in [
            m["content"] for m in messages
        ]
        number = (await conversation(state, cid)).number
        notes = [
            m
            for m in (
                await client.get(
                    tenant.url(f"/conversations/{number}/messages"), headers=tenant.owner.headers
                )
            ).json()["items"]
            if m["private"]
        ]
        assert "wants a refund for order 1234" in notes[0]["content"]
        # After the handoff the bot may not speak, and gets no more deliveries.
        response = await client.post(
            tenant.url(f"/conversations/{number}/bot_messages"),
            json={"content": "still me"},
            headers=tenant.owner.headers,
        )
        assert response.status_code == 409
        await client.post(
            tenant.public(f"/conversations/{cid}/messages"),
            json={"content": "hello?"},
            headers=contact.headers,
        )
        await settle(state)
        await asyncio.sleep(0.5)  # a delivery would be on its way by now
        assert len(bot.received) == 3


async def test_bad_signature_is_what_a_bot_refuses() -> None:
    body = b'{"a":1}'
    import time

    from destek.deliveries.signing import sign

    now = str(int(time.time()))
    assert verify(SECRET, now, body, sign(SECRET, now, body))
    assert not verify(SECRET, now, body + b" ", sign(SECRET, now, body))
    assert not verify("another-secret-12345", now, body, sign(SECRET, now, body))
    old = str(int(time.time()) - 3600)
    assert not verify(SECRET, old, body, sign(SECRET, old, body))  # a replay
