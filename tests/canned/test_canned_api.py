"""Canned responses through the agent API: CRUD, permissions, search, rendering for a conversation."""

from __future__ import annotations

from typing import Any

import httpx

from destek.state import AppState
from tests.conversations.helpers import second_inbox, start_conversation
from tests.support.factories import Tenant


async def _create(client: httpx.AsyncClient, tenant: Tenant, **body: Any) -> httpx.Response:
    return await client.post(tenant.url("/canned_responses"), json=body, headers=tenant.owner.headers)


async def test_admin_creates_changes_and_deletes(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await _create(
        client, tenant, short_code=" Refund ", title="Refund policy", content="Hi {{contact.first_name}}"
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["short_code"] == "refund"  # trimmed and lower-cased
    assert created["rendered"] is None
    url = tenant.url(f"/canned_responses/{created['id']}")

    changed = await client.patch(
        url, json={"title": "Refunds", "content": "New text"}, headers=tenant.owner.headers
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["title"], changed.json()["content"], changed.json()["short_code"]) == (
        "Refunds",
        "New text",
        "refund",
    )
    fetched = await client.get(url, headers=tenant.agent.headers)
    assert fetched.status_code == 200 and fetched.json()["title"] == "Refunds"

    assert (await client.delete(url, headers=tenant.owner.headers)).status_code == 204
    assert (await client.get(url, headers=tenant.owner.headers)).status_code == 404
    listed = await client.get(tenant.url("/canned_responses"), headers=tenant.owner.headers)
    assert listed.json()["items"] == []


async def test_agents_read_but_do_not_write(client: httpx.AsyncClient, tenant: Tenant) -> None:
    created = (await _create(client, tenant, short_code="hello", title="Hello", content="Hello!")).json()
    agent = tenant.agent.headers
    listed = await client.get(tenant.url("/canned_responses"), headers=agent)
    assert [item["short_code"] for item in listed.json()["items"]] == ["hello"]
    body = {"short_code": "mine", "title": "Mine", "content": "x"}
    refused = [
        await client.post(tenant.url("/canned_responses"), json=body, headers=agent),
        await client.patch(
            tenant.url(f"/canned_responses/{created['id']}"), json={"title": "x"}, headers=agent
        ),
        await client.delete(tenant.url(f"/canned_responses/{created['id']}"), headers=agent),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403]
    assert all(r.json()["error"]["code"] == "forbidden" for r in refused)
    still = await client.get(tenant.url(f"/canned_responses/{created['id']}"), headers=agent)
    assert still.json()["title"] == "Hello"


async def test_short_codes_are_checked_and_unique(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    assert (await _create(client, tenant, short_code="refund", title="A", content="a")).status_code == 201
    taken = await _create(client, tenant, short_code="REFUND", title="B", content="b")
    assert taken.status_code == 409
    assert taken.json()["error"]["field"] == "short_code"
    # Another account may use the same short code.
    theirs = await client.post(
        other_tenant.url("/canned_responses"),
        json={"short_code": "refund", "title": "B", "content": "b"},
        headers=other_tenant.owner.headers,
    )
    assert theirs.status_code == 201
    for bad in ("", "has space", "ümlaut", "-dash-first", "x" * 51):
        response = await _create(client, tenant, short_code=bad, title="T", content="c")
        assert response.status_code == 422, bad
    second = (await _create(client, tenant, short_code="other", title="O", content="o")).json()
    clash = await client.patch(
        tenant.url(f"/canned_responses/{second['id']}"),
        json={"short_code": "refund"},
        headers=tenant.owner.headers,
    )
    assert clash.status_code == 409 and clash.json()["error"]["field"] == "short_code"
    empty = await _create(client, tenant, short_code="empty", title="E", content="")
    assert empty.status_code == 422


async def test_search_by_prefix_then_text(client: httpx.AsyncClient, tenant: Tenant) -> None:
    for code, title, content in [
        ("shipping", "Shipping times", "Orders ship in 2 days"),
        ("refund", "Refund policy", "We refund within 14 days"),
        ("ref-link", "Referral link", "Invite friends"),
        ("thanks", "Thank you", "Thanks for the refund request"),
        ("pct", "Discount", "Save 100% today"),
    ]:
        assert (
            await _create(client, tenant, short_code=code, title=title, content=content)
        ).status_code == 201

    async def codes(q: str) -> list[str]:
        response = await client.get(
            tenant.url("/canned_responses"), params={"q": q}, headers=tenant.agent.headers
        )
        assert response.status_code == 200, response.text
        return [item["short_code"] for item in response.json()["items"]]

    assert await codes("") == ["pct", "ref-link", "refund", "shipping", "thanks"]
    assert await codes("/ref") == ["ref-link", "refund", "thanks"]  # codes first, then text
    # Short-code prefix first, then text in the title or content.
    assert await codes("refund") == ["refund", "thanks"]
    assert await codes("FRIENDS") == ["ref-link"]
    assert await codes("100%") == ["pct"]
    assert await codes("%") == ["pct"]  # a plain character, not a wildcard
    assert await codes("nothing like it") == []


async def test_rendered_for_a_conversation(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    started = await start_conversation(state, tenant, name="Ayşe Yılmaz", email="ayse@example.com")
    content = (
        "Hi {{contact.first_name}} ({{ contact.name }}, {{contact.email}}), I am {{agent.name}} from "
        "{{account.name}} about #{{conversation.number}}. {{contact.phone}} {{unknown}}"
    )
    await _create(client, tenant, short_code="hi", title="Hi", content=content)
    response = await client.get(
        tenant.url("/canned_responses"), params={"conversation_id": started.id}, headers=tenant.agent.headers
    )
    assert response.status_code == 200, response.text
    [item] = response.json()["items"]
    assert item["content"] == content
    account = (await client.get(tenant.url(""), headers=tenant.agent.headers)).json()["name"]
    agent_name = (await client.get(tenant.url("/agents"), headers=tenant.agent.headers)).json()
    name = next(a["name"] for a in agent_name if a["id"] == tenant.agent.user_id)
    assert item["rendered"] == (
        f"Hi Ayşe (Ayşe Yılmaz, ayse@example.com), I am {name} from {account} about #{started.number}. "
        "{{contact.phone}} {{unknown}}"
    )

    # A missing value is empty, never the placeholder.
    anonymous = await start_conversation(state, tenant, name="")
    await _create(
        client, tenant, short_code="mail", title="Mail", content="[{{contact.first_name}}|{{contact.email}}]"
    )
    response = await client.get(
        tenant.url("/canned_responses"),
        params={"conversation_id": anonymous.id, "q": "mail"},
        headers=tenant.agent.headers,
    )
    rendered = {item["short_code"]: item["rendered"] for item in response.json()["items"]}
    assert rendered["mail"] == "[|]"


async def test_rendering_needs_a_conversation_the_agent_may_see(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    hidden_inbox = await second_inbox(state, tenant)
    hidden = await start_conversation(state, tenant, inbox_id=hidden_inbox)
    await _create(client, tenant, short_code="hi", title="Hi", content="Hi {{contact.name}}")
    response = await client.get(
        tenant.url("/canned_responses"), params={"conversation_id": hidden.id}, headers=tenant.agent.headers
    )
    assert response.status_code == 404
    assert response.json()["error"]["field"] == "conversation_id"
    assert "Ayşe" not in response.text
    # The admin sees every inbox.
    response = await client.get(
        tenant.url("/canned_responses"), params={"conversation_id": hidden.id}, headers=tenant.owner.headers
    )
    assert response.json()["items"][0]["rendered"] == "Hi Ayşe Yılmaz"
