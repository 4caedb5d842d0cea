"""The inbox's bot token: an external bot replies and hands over with it, in its own inbox only, and it
opens nothing else; only administrators make one, and it is never shown again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from destek.accounts.models import Inbox
from destek.config import Settings
from destek.state import AppState
from tests.bot.helpers import agent_messages, conversation, seen
from tests.bot.test_external import SECRET, external_bot, wait_for
from tests.support.factories import Tenant, make_contact, open_conversation
from tests.support.factories_fixtures import make_settings
from tests.support.server import serving
from tests.web_settings.helpers import log_in

HOOK = {"mode": "external", "webhook_url": "http://127.0.0.1:9/hook", "webhook_secret": "s" * 20}


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    # The bot stays off (nothing is delivered) except in the end-to-end test, with a bot on 127.0.0.1.
    return make_settings(
        db_url,
        tmp_path,
        run_consumers=True,
        catchup_seconds=0.2,
        bot_webhook_backoff_scale=0.01,
        bot_webhook_allow_private=True,
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def make_token(client: httpx.AsyncClient, tenant: Tenant, inbox_id: int | None = None) -> str:
    inbox = inbox_id or tenant.inbox_id
    response = await client.post(tenant.url(f"/inboxes/{inbox}/bot/token"), headers=tenant.owner.headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"token", "prefix", "created_at"}
    assert body["token"].startswith(f"dtb_{inbox}_") and body["token"].startswith(body["prefix"])
    assert len(body["token"]) > len(body["prefix"]) + 30
    assert response.headers["cache-control"] == "no-store"
    token: str = body["token"]
    return token


async def new_conversation(client: httpx.AsyncClient, state: AppState, tenant: Tenant) -> int:
    """A customer writes in the tenant's inbox; the conversation's number."""
    contact = await make_contact(state, tenant)
    started = await open_conversation(client, contact, "Where is my order?")
    return (await conversation(state, started["conversation"]["id"])).number


async def second_inbox(client: httpx.AsyncClient, tenant: Tenant) -> Tenant:
    """Another inbox of the same account, as a Tenant whose inbox is that one."""
    response = await client.post(
        tenant.url("/inboxes"),
        json={"name": "Second app", "channel_type": "api"},
        headers=tenant.owner.headers,
    )
    assert response.status_code == 201, response.text
    inbox = response.json()
    return Tenant(
        tenant.account_id, tenant.owner, tenant.agent, inbox["id"], inbox["public_token"], inbox["secret"]
    )


def refused(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert (
        response.json()["error"]["code"] == {401: "unauthorized", 403: "forbidden", 404: "not_found"}[status]
    )


async def test_the_bot_replies_and_hands_over_with_its_token(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    token = await make_token(client, tenant)
    number = await new_conversation(client, state, tenant)
    conv = tenant.url(f"/conversations/{number}")

    reply = {"content": "Your parcel is on its way.", "client_message_id": "reply-1"}
    response = await client.post(f"{conv}/bot_messages", json=reply, headers=bearer(token))
    assert response.status_code == 201, response.text
    assert response.json()["sender"]["type"] == "bot"
    again = await client.post(f"{conv}/bot_messages", json=reply, headers=bearer(token))
    assert again.status_code == 200 and again.json()["id"] == response.json()["id"]  # a safe retry

    response = await client.post(
        f"{conv}/handoff", json={"reason": "asked for a refund", "note": "order 1234"}, headers=bearer(token)
    )
    assert response.status_code == 200, response.text
    assert response.json()["handed_over_at"] is not None
    messages = await agent_messages(client, tenant, number)
    assert next(m["content"] for m in messages if m["sender"]["type"] == "bot") == reply["content"]
    assert any(m["private"] and "order 1234" in m["content"] for m in messages)
    # Handed over: the bot may not speak any more, token or not.
    response = await client.post(f"{conv}/bot_messages", json={"content": "still me"}, headers=bearer(token))
    assert response.status_code == 409


async def test_an_external_bot_answers_with_the_bot_token(state: AppState, tenant: Tenant) -> None:
    """Over real HTTP, as in test_external.py, but the bot holds the bot token and no agent's token."""
    async with serving(state) as destek, httpx.AsyncClient(base_url=destek) as client:
        token = await make_token(client, tenant)
        async with external_bot(destek, token) as bot:
            response = await client.patch(
                tenant.url(f"/inboxes/{tenant.inbox_id}/bot"),
                json={"enabled": True, "mode": "external", "webhook_url": bot.url, "webhook_secret": SECRET},
                headers=tenant.owner.headers,
            )
            assert response.status_code == 200, response.text
            contact = await make_contact(state, tenant)
            started = await open_conversation(client, contact, "Hello bot")
            cid = started["conversation"]["id"]

            async def replied() -> bool:
                return any(m["sender"]["type"] == "bot" for m in await seen(client, contact, cid))

            await wait_for(replied)
            assert (await seen(client, contact, cid))[-1][
                "content"
            ] == "External bot here: you said 'Hello bot'"
            await client.post(
                contact.tenant.public(f"/conversations/{cid}/messages"),
                json={"content": "I want a person"},
                headers=contact.headers,
            )

            async def handed() -> bool:
                return (await conversation(state, cid)).handed_over_at is not None

            await wait_for(handed)
            notes = await agent_messages(client, tenant, (await conversation(state, cid)).number)
            assert any(m["private"] and "wants a refund for order 1234" in m["content"] for m in notes)


async def test_a_token_works_in_its_own_inbox_only(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, other_tenant: Tenant
) -> None:
    token = await make_token(client, tenant)
    number = await new_conversation(client, state, tenant)
    second = await second_inbox(client, tenant)
    second_token = await make_token(client, tenant, second.inbox_id)
    second_number = await new_conversation(client, state, second)
    theirs = await make_token(client, other_tenant)
    hello = {"content": "Hello from the bot"}

    # The second inbox's token, on a conversation of the first: not found (it sees its inbox alone).
    for path, body in (("bot_messages", hello), ("handoff", {})):
        url = tenant.url(f"/conversations/{number}/{path}")
        refused(await client.post(url, json=body, headers=bearer(second_token)), 404)
        # Another account's bot token is no credential here at all.
        refused(await client.post(url, json=body, headers=bearer(theirs)), 401)
    # The same token in its own inbox works; so does the first one in the first.
    url = tenant.url(f"/conversations/{second_number}/bot_messages")
    assert (await client.post(url, json=hello, headers=bearer(second_token))).status_code == 201
    refused(await client.post(url, json=hello, headers=bearer(token)), 404)
    url = tenant.url(f"/conversations/{number}/bot_messages")
    assert (await client.post(url, json=hello, headers=bearer(token))).status_code == 201
    # Our token on the other account's path, on a conversation number it has.
    other_number = await new_conversation(client, state, other_tenant)
    url = other_tenant.url(f"/conversations/{other_number}/bot_messages")
    refused(await client.post(url, json=hello, headers=bearer(token)), 401)
    assert (await client.post(url, json=hello, headers=bearer(theirs))).status_code == 201


async def test_rotated_and_revoked_tokens_stop_working(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    number = await new_conversation(client, state, tenant)
    url = tenant.url(f"/conversations/{number}/bot_messages")
    hello = {"content": "Hello"}
    first = await make_token(client, tenant)
    second = await make_token(client, tenant)  # rotates
    assert second != first
    refused(await client.post(url, json=hello, headers=bearer(first)), 401)
    assert "replaced or revoked" in (await client.post(url, json=hello, headers=bearer(first))).text
    assert (await client.post(url, json=hello, headers=bearer(second))).status_code == 201
    # Changing the bot's settings keeps the token.
    bot_url = tenant.url(f"/inboxes/{tenant.inbox_id}/bot")
    patched = await client.patch(
        bot_url, json={**HOOK, "expected_reply_minutes": 30}, headers=tenant.owner.headers
    )
    assert patched.status_code == 200, patched.text
    assert (await client.post(url, json=hello, headers=bearer(second))).status_code == 201

    token_url = tenant.url(f"/inboxes/{tenant.inbox_id}/bot/token")
    response = await client.delete(token_url, headers=tenant.owner.headers)
    assert response.status_code == 204
    refused(await client.post(url, json=hello, headers=bearer(second)), 401)
    refused(await client.post(url.replace("bot_messages", "handoff"), json={}, headers=bearer(second)), 401)
    assert (await client.get(bot_url, headers=tenant.owner.headers)).json()["has_token"] is False
    assert (await client.delete(token_url, headers=tenant.owner.headers)).status_code == 204  # idempotent
    # Made up or malformed ones.
    for fake in (
        "dtb_",
        f"dtb_{tenant.inbox_id}",
        f"dtb_{tenant.inbox_id}_",
        f"dtb_x{tenant.inbox_id}_abc",
        f"dtb_{tenant.inbox_id}_{'A' * 43}",
        "dtb_99999999999999999999_abc",
        f"{second}x",
    ):
        refused(await client.post(url, json=hello, headers=bearer(fake)), 401)


async def test_a_bot_token_opens_nothing_else(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    token = await make_token(client, tenant)
    number = await new_conversation(client, state, tenant)
    conv = f"/conversations/{number}"
    inbox = f"/inboxes/{tenant.inbox_id}"
    for method, path, body in (
        ("GET", "/conversations", None),
        ("GET", conv, None),
        ("GET", f"{conv}/messages", None),
        ("POST", f"{conv}/messages", {"content": "as an agent"}),
        ("GET", f"{conv}/suggestions", None),
        ("POST", f"{conv}/status", {"status": "resolved"}),
        ("GET", "/contacts", None),
        ("GET", "/inboxes", None),
        ("GET", f"{inbox}/bot", None),
        ("PATCH", f"{inbox}/bot", {"enabled": True}),
        ("POST", f"{inbox}/bot/token", None),  # it cannot make itself a successor
        ("DELETE", f"{inbox}/bot/token", None),
        ("GET", "/tokens", None),
        ("GET", "", None),
    ):
        response = await client.request(method, tenant.url(path), json=body, headers=bearer(token))
        assert response.status_code == 401, f"{method} {path}: {response.status_code} {response.text}"
        assert response.json()["error"]["code"] == "unauthorized"
    # The refusals were the token's: the same requests with the owner's token pass.
    assert (await client.get(tenant.url("/conversations"), headers=tenant.owner.headers)).status_code == 200
    assert (await client.get(tenant.url(conv), headers=tenant.owner.headers)).status_code == 200


async def test_only_administrators_make_or_revoke_bot_tokens(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, other_tenant: Tenant
) -> None:
    url = tenant.url(f"/inboxes/{tenant.inbox_id}/bot/token")
    refused(await client.post(url, headers=tenant.agent.headers), 403)
    refused(await client.delete(url, headers=tenant.agent.headers), 403)
    # Another account's administrator: that inbox does not exist for them.
    foreign = other_tenant.url(f"/inboxes/{tenant.inbox_id}/bot/token")
    refused(await client.post(foreign, headers=other_tenant.owner.headers), 404)
    token = await make_token(client, tenant)
    refused(await client.delete(foreign, headers=other_tenant.owner.headers), 404)
    # Agents still hand over (as before), and still may not speak as the bot with their own token.
    number = await new_conversation(client, state, tenant)
    conv = tenant.url(f"/conversations/{number}")
    response = await client.post(f"{conv}/bot_messages", json={"content": "x"}, headers=tenant.agent.headers)
    refused(response, 403)
    assert (await client.post(f"{conv}/handoff", json={}, headers=tenant.agent.headers)).status_code == 200
    # Nothing of that touched the token.
    response = await client.post(f"{conv}/bot_messages", json={"content": "late"}, headers=bearer(token))
    assert response.status_code == 409  # handed over: accepted as the bot, refused for the state


async def test_the_token_and_its_hash_are_never_shown_again(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    bot_url = tenant.url(f"/inboxes/{tenant.inbox_id}/bot")
    before = await client.get(bot_url, headers=tenant.owner.headers)
    assert before.json()["has_token"] is False and before.json()["token_prefix"] is None
    patched = await client.patch(bot_url, json=HOOK, headers=tenant.owner.headers)
    assert patched.status_code == 200, patched.text
    response = await client.post(f"{bot_url}/token", headers=tenant.owner.headers)
    created = response.json()
    token = created["token"]
    async with state.read() as session:
        inbox = await session.get(Inbox, tenant.inbox_id)
        assert inbox is not None
        digest = inbox.settings["bot"]["token_secret_sha256"]
    assert len(digest) == 64 and token not in str(inbox.settings)  # only the hash is stored

    shown = await client.get(bot_url, headers=tenant.owner.headers)
    body = shown.json()
    assert body["has_token"] is True and body["token_prefix"] == created["prefix"]
    assert body["token_created_at"] == created["created_at"]
    assert "token_secret_sha256" not in body
    changed = await client.patch(bot_url, json={"expected_reply_minutes": 15}, headers=tenant.owner.headers)
    assert changed.json()["has_token"] is True
    pages = [shown, changed]
    for who in (tenant.owner, tenant.agent):
        pages.append(await client.get(tenant.url("/inboxes"), headers=who.headers))
        pages.append(await client.get(tenant.url(f"/inboxes/{tenant.inbox_id}"), headers=who.headers))
    pages.append(await client.get(tenant.public()))  # the widget's view of the inbox
    openapi = await client.get("/openapi.json")
    assert "token_secret_sha256" not in openapi.text
    await log_in(client, tenant.owner.email)
    page = await client.get(
        f"/app/{tenant.account_id}/settings/inboxes/{tenant.inbox_id}", headers={"Accept-Language": "tr"}
    )
    assert page.status_code == 200
    assert 'data-testid="bot-token"' in page.text and "Bot anahtarı" in page.text
    assert f"<code>{created['prefix']}…</code>" in page.text
    pages.append(page)
    for response in pages:
        assert response.status_code == 200, response.text
        where = f"{response.request.method} {response.request.url.path}"
        assert token not in response.text and digest not in response.text, f"{where} shows the token"
        assert token[len(created["prefix"]) :] not in response.text, where


async def test_the_settings_page_offers_a_token_to_external_bots(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await log_in(client, tenant.owner.email)
    page_url = f"/app/{tenant.account_id}/settings/inboxes/{tenant.inbox_id}"
    token_api = f"/api/v1/accounts/{tenant.account_id}/inboxes/{tenant.inbox_id}/bot/token"
    page = (await client.get(page_url)).text
    assert 'data-testid="bot-token"' not in page  # the builtin bot needs none
    csrf = {"X-Requested-With": "destek"}
    response = await client.patch(tenant.url(f"/inboxes/{tenant.inbox_id}/bot"), json=HOOK, headers=csrf)
    assert response.status_code == 200, response.text
    page = (await client.get(page_url)).text
    assert "No token yet." in page and ">Generate token</button>" in page and ">Revoke</button>" not in page
    assert f'data-api="{token_api}" data-method="POST" data-then="secret" data-secret-key="token"' in page
    # The page's own request (session cookie and X-Requested-With) makes one; then it offers both.
    response = await client.post(token_api, headers=csrf)
    assert response.status_code == 201, response.text
    page = (await client.get(page_url)).text
    assert ">Regenerate</button>" in page and ">Revoke</button>" in page and "No token yet." not in page
    assert f'data-api="{token_api}" data-method="DELETE"' in page
    assert (await client.delete(token_api, headers=csrf)).status_code == 204
    # Without X-Requested-With a cookie request is refused, as everywhere.
    refused(await client.post(token_api), 403)
