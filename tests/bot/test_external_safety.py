"""External bots: where a webhook may point (SSRF), and what happens when the bot fails or stays silent."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from destek.accounts.models import Inbox
from destek.bot import service as bot
from destek.config import Settings
from destek.deliveries import netguard
from destek.deliveries.models import Delivery
from destek.state import AppState
from tests.bot.helpers import agent_messages, bot_texts, conversation, seen
from tests.support.factories import Tenant, make_contact
from tests.support.factories_fixtures import make_settings
from tests.support.server import free_port

SECRET = "external-bot-secret-1234"
Hook = Callable[[Request], Awaitable[PlainTextResponse]]


@pytest.fixture
def settings(db_url: str, tmp_path: Any) -> Settings:
    return make_settings(
        db_url,
        tmp_path,
        run_consumers=True,
        catchup_seconds=0.1,
        bot_webhook_backoff_scale=0.0001,
        bot_webhook_allow_private=True,  # the test bots run on 127.0.0.1
        bot_webhook_reply_seconds=1.0,
    )


@contextlib.asynccontextmanager
async def hook_server(hooks: dict[str, Hook]) -> AsyncIterator[str]:
    port = free_port()
    app = Starlette(routes=[Route(path, hook, methods=["POST"]) for path, hook in hooks.items()])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 (uvicorn offers no event to wait on)
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=10)


async def external(state: AppState, tenant: Tenant, url: str) -> None:
    """Configure an external bot directly (as an older install or a rebinding DNS would have it)."""
    async with state.uow() as session:
        inbox = await session.get(Inbox, tenant.inbox_id)
        assert inbox is not None
        await bot.enable_builtin(
            session, inbox=inbox, mode="external", webhook_url=url, webhook_secret=SECRET
        )


async def wait_for(predicate: Callable[[], Awaitable[bool]], timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await predicate():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def ask(client: httpx.AsyncClient, state: AppState, tenant: Tenant, text: str) -> tuple[Any, int]:
    contact = await make_contact(state, tenant)
    response = await client.post(
        tenant.public("/conversations"), json={"message": {"content": text}}, headers=contact.headers
    )
    assert response.status_code == 201, response.text
    return contact, int(response.json()["conversation"]["id"])


async def handed_over_note(client: httpx.AsyncClient, state: AppState, tenant: Tenant, cid: int) -> str:
    async def handed() -> bool:
        return (await conversation(state, cid)).handed_over_at is not None

    await wait_for(handed)
    number = (await conversation(state, cid)).number
    notes = [m["content"] for m in await agent_messages(client, tenant, number) if m["private"]]
    assert notes
    return notes[0]


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.1:8080/hook",
        "http://localhost:8080/hook",
        "http://10.1.2.3/hook",
        "http://192.168.1.10/hook",
        "http://[::1]/hook",
        "http://0.0.0.0/hook",
        "http://[::ffff:169.254.169.254]/",
    ],
)
async def test_webhook_url_must_be_public(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(state.settings, "bot_webhook_allow_private", False)
    response = await client.patch(
        tenant.url(f"/inboxes/{tenant.inbox_id}/bot"),
        json={"mode": "external", "webhook_url": url, "webhook_secret": SECRET},
        headers=tenant.owner.headers,
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["field"] == "webhook_url" and "public internet" in error["message"]
    shown = (
        await client.get(tenant.url(f"/inboxes/{tenant.inbox_id}/bot"), headers=tenant.owner.headers)
    ).json()
    assert shown["webhook_url"] is None


def test_private_targets_allowed_by_setting_but_never_metadata_or_multicast() -> None:
    def why(address: str, allow: bool) -> str | None:
        return netguard.forbidden(ipaddress.ip_address(address), allow_private=allow)

    assert why("127.0.0.1", True) is None and why("10.0.0.5", True) is None
    assert why("127.0.0.1", False) == "a loopback address"
    assert why("169.254.1.1", False) == "a link-local address"
    assert why("100.64.0.1", False) == "a private address"
    assert why("93.184.215.14", False) is None
    for address in ("169.254.169.254", "::ffff:169.254.169.254", "fd00:ec2::254"):
        assert why(address, True) == "a cloud metadata address"
    assert why("224.0.0.1", True) == "a multicast address"
    assert why("240.0.0.1", True) == "a reserved address"


async def test_address_is_checked_again_when_delivering(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    received: list[bytes] = []

    async def hook(request: Request) -> PlainTextResponse:
        received.append(await request.body())
        return PlainTextResponse("ok")

    async with hook_server({"/hook": hook}) as base:
        await external(state, tenant, f"{base}/hook")  # stored as if it had once resolved publicly
        monkeypatch.setattr(state.settings, "bot_webhook_allow_private", False)
        contact, cid = await ask(client, state, tenant, "Where is my order?")
        note = await handed_over_note(client, state, tenant, cid)
    assert received == []  # never connected
    assert "the external bot could not be reached" in note
    async with state.read() as session:
        [delivery] = list(await session.scalars(select(Delivery)))
    assert delivery.status == "failed" and delivery.attempts == 1
    assert delivery.last_error.startswith("blocked: the webhook host 127.0.0.1 is a loopback address")
    assert "I'm passing you to a person from our team. They will answer here." in bot_texts(
        await seen(client, contact, cid)
    )


async def test_failing_bot_is_retried_then_handed_over_without_keeping_its_answer(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    calls: list[int] = []

    async def hook(request: Request) -> PlainTextResponse:
        calls.append(1)
        return PlainTextResponse("Traceback: db password=hunter2", status_code=500)

    async with hook_server({"/hook": hook}) as base:
        await external(state, tenant, f"{base}/hook")
        _contact, cid = await ask(client, state, tenant, "Where is my order?")
        note = await handed_over_note(client, state, tenant, cid)
    assert len(calls) == 8  # retried with backoff, then given up
    assert "the external bot could not be reached" in note and "Where is my order?" in note
    async with state.read() as session:
        [delivery] = list(await session.scalars(select(Delivery)))
    assert delivery.status == "failed" and delivery.last_status_code == 500
    assert delivery.last_error == "HTTP 500"  # the body is never stored


async def test_silent_bot_hands_over_after_the_reply_time(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    async def hook(request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")  # accepted, and never answered

    async with hook_server({"/hook": hook}) as base:
        await external(state, tenant, f"{base}/hook")
        _contact, cid = await ask(client, state, tenant, "Where is my order?")
        note = await handed_over_note(client, state, tenant, cid)
    assert "the external bot did not answer in time" in note
    async with state.read() as session:
        [delivery] = list(await session.scalars(select(Delivery)))
    assert delivery.status == "unanswered"


async def test_a_hanging_bot_does_not_hold_up_another_accounts_bot(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, other_tenant: Tenant
) -> None:
    release = asyncio.Event()
    slow: list[float] = []
    fast: list[float] = []

    async def slow_hook(request: Request) -> PlainTextResponse:
        slow.append(asyncio.get_running_loop().time())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(release.wait(), timeout=15)
        return PlainTextResponse("ok")

    async def fast_hook(request: Request) -> PlainTextResponse:
        fast.append(asyncio.get_running_loop().time())
        return PlainTextResponse("ok")

    async with hook_server({"/slow": slow_hook, "/fast": fast_hook}) as base:
        await external(state, tenant, f"{base}/slow")
        await external(state, other_tenant, f"{base}/fast")
        await ask(client, state, tenant, "first, to the hanging bot")

        async def hanging() -> bool:
            return bool(slow)

        await wait_for(hanging)
        await ask(client, state, other_tenant, "second, to the quick bot")

        async def delivered() -> bool:
            return bool(fast)

        await wait_for(delivered, timeout=10)
        release.set()
    # Delivered while the first request still hung (in sequence it would wait for its 5 s timeout).
    assert fast[0] - slow[0] < 4.5
