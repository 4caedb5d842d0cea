"""GET /conversations (filters, search, sorting, cursor) and GET /conversations/counts."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from destek.state import AppState
from tests.conversations.helpers import contact_writes, create_team, second_inbox, start_conversation
from tests.support.factories import Tenant


async def _numbers(
    client: httpx.AsyncClient, tenant: Tenant, headers: dict[str, str], **params: Any
) -> list[int]:
    response = await client.get(tenant.url("/conversations"), params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [item["number"] for item in response.json()["items"]]


async def test_list_rows_carry_contact_last_message_and_unread(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    started = await start_conversation(
        state, tenant, texts=("Merhaba", "Siparişim gelmedi " + "x" * 300), email="ayse@example.com"
    )
    response = await client.get(tenant.url("/conversations"), headers=tenant.agent.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["next_cursor"] is None
    [item] = body["items"]
    assert item["number"] == started.number
    assert item["status"] == "open"
    assert item["contact"] == {"id": started.contact_id, "name": "Ayşe Yılmaz", "email": "ayse@example.com"}
    preview = item["last_message"]
    assert preview["sender_type"] == "contact"
    assert preview["private"] is False
    assert preview["content"].startswith("Siparişim gelmedi xxx")
    assert len(preview["content"]) == 160
    assert preview["content"].endswith("…")
    assert item["unread_count"] == 2

    read = await client.post(
        tenant.url(f"/conversations/{started.number}/read"), headers=tenant.agent.headers
    )
    assert read.status_code == 200
    await contact_writes(state, started, "Hâlâ bekliyorum")
    reply = await client.post(
        tenant.url(f"/conversations/{started.number}/messages"),
        json={"content": "Bakıyorum"},
        headers=tenant.agent.headers,
    )
    assert reply.status_code == 201
    [item] = (await client.get(tenant.url("/conversations"), headers=tenant.agent.headers)).json()["items"]
    assert item["unread_count"] == 1
    assert item["last_message"]["sender_type"] == "agent"
    assert item["last_message"]["content"] == "Bakıyorum"


async def test_filters_and_search(client: httpx.AsyncClient, state: AppState, tenant: Tenant) -> None:
    owner, agent = tenant.owner.headers, tenant.agent.headers
    team_id = await create_team(state, tenant)
    plain = await start_conversation(state, tenant, name="Mehmet Demir", texts=("Kargo nerede?",))
    done = await start_conversation(state, tenant, name="Zeynep Kaya", email="zeynep@example.com")
    urgent = await start_conversation(state, tenant, name="Ali Veli", phone="+90 555 123 4567")
    url = tenant.url
    assert (
        await client.post(
            url(f"/conversations/{done.number}/status"), json={"status": "resolved"}, headers=owner
        )
    ).status_code == 200
    assert (
        await client.post(
            url(f"/conversations/{urgent.number}/priority"), json={"priority": "urgent"}, headers=owner
        )
    ).status_code == 200
    assert (
        await client.post(
            url(f"/conversations/{urgent.number}/assignment"),
            json={"assignee_id": tenant.agent.user_id, "team_id": team_id},
            headers=owner,
        )
    ).status_code == 200
    assert (
        await client.put(
            url(f"/conversations/{urgent.number}/labels"), json={"labels": ["Billing"]}, headers=owner
        )
    ).status_code == 200

    everyone = {plain.number, done.number, urgent.number}
    assert set(await _numbers(client, tenant, agent)) == everyone
    assert await _numbers(client, tenant, agent, status="resolved") == [done.number]
    assert set(await _numbers(client, tenant, agent, status=["open", "resolved"])) == everyone
    assert await _numbers(client, tenant, agent, assignee="me") == [urgent.number]
    assert await _numbers(client, tenant, owner, assignee="me") == []
    assert await _numbers(client, tenant, agent, assignee=str(tenant.agent.user_id)) == [urgent.number]
    assert set(await _numbers(client, tenant, agent, assignee="none")) == {plain.number, done.number}
    assert set(await _numbers(client, tenant, agent, assignee="any")) == everyone
    assert await _numbers(client, tenant, agent, priority=["urgent", "high"]) == [urgent.number]
    assert await _numbers(client, tenant, agent, label="billing") == [urgent.number]
    assert await _numbers(client, tenant, agent, label="other") == []
    assert await _numbers(client, tenant, agent, team_id=team_id) == [urgent.number]
    assert set(await _numbers(client, tenant, agent, inbox_id=tenant.inbox_id)) == everyone
    assert await _numbers(client, tenant, agent, contact_id=done.contact_id) == [done.number]
    # Text search: message content, contact name, e-mail, phone, "#number"; case-insensitive.
    assert await _numbers(client, tenant, agent, q="KARGO") == [plain.number]
    assert await _numbers(client, tenant, agent, q="zeynep kaya") == [done.number]
    assert await _numbers(client, tenant, agent, q="zeynep@example") == [done.number]
    assert await _numbers(client, tenant, agent, q="555 123") == [urgent.number]
    assert await _numbers(client, tenant, agent, q=f"#{urgent.number}") == [urgent.number]
    # Wildcards typed by the searcher are plain characters.
    assert await _numbers(client, tenant, agent, q="%") == []
    # Sorting.
    assert await _numbers(client, tenant, agent, sort="created") == [urgent.number, done.number, plain.number]
    # Only conversations waiting for a reply, the longest-waiting first.
    await client.post(
        url(f"/conversations/{plain.number}/messages"), json={"content": "Hemen"}, headers=agent
    )
    assert await _numbers(client, tenant, agent, sort="waiting") == [urgent.number]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "closed"}, "status"),
        ({"status": ["open", "nope"]}, "status"),
        ({"priority": "huge"}, "priority"),
        ({"assignee": "somebody"}, "assignee"),
        ({"sort": "name"}, "sort"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "WzEsMl0"}, "cursor"),  # valid base64 JSON, not ours
        ({"inbox_id": "abc"}, "inbox_id"),
    ],
)
async def test_bad_list_parameters_name_the_field(
    client: httpx.AsyncClient, tenant: Tenant, params: dict[str, Any], field: str
) -> None:
    response = await client.get(tenant.url("/conversations"), params=params, headers=tenant.agent.headers)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field


async def test_cursor_pages_return_every_conversation_once(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    made = [await start_conversation(state, tenant, name=f"Kişi {i}") for i in range(7)]
    for sort in ("last_activity", "created"):
        seen: list[int] = []
        cursor = None
        pages = 0
        while True:
            params: dict[str, Any] = {"limit": 3, "sort": sort}
            if cursor:
                params["cursor"] = cursor
            response = await client.get(
                tenant.url("/conversations"), params=params, headers=tenant.agent.headers
            )
            assert response.status_code == 200, response.text
            body = response.json()
            seen += [item["number"] for item in body["items"]]
            pages += 1
            cursor = body["next_cursor"]
            if cursor is None:
                break
        assert pages == 3
        assert seen == [c.number for c in reversed(made)]
    # A cursor belongs to its sort order.
    first = await client.get(tenant.url("/conversations"), params={"limit": 3}, headers=tenant.agent.headers)
    other = await client.get(
        tenant.url("/conversations"),
        params={"limit": 3, "sort": "created", "cursor": first.json()["next_cursor"]},
        headers=tenant.agent.headers,
    )
    assert other.status_code == 422
    assert other.json()["error"]["field"] == "cursor"


async def test_counts_per_status_mine_and_unassigned(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    owner = tenant.owner.headers
    a = await start_conversation(state, tenant)
    b = await start_conversation(state, tenant)
    c = await start_conversation(state, tenant)
    hidden_inbox = await second_inbox(state, tenant)
    await start_conversation(state, tenant, inbox_id=hidden_inbox)
    await client.post(
        tenant.url(f"/conversations/{a.number}/assignment"),
        json={"assignee_id": tenant.agent.user_id},
        headers=owner,
    )
    await client.post(
        tenant.url(f"/conversations/{b.number}/status"), json={"status": "pending"}, headers=owner
    )
    await client.post(
        tenant.url(f"/conversations/{c.number}/status"), json={"status": "resolved"}, headers=owner
    )

    response = await client.get(tenant.url("/conversations/counts"), headers=tenant.agent.headers)
    assert response.status_code == 200
    # The agent does not see the inbox they are not a member of.
    assert response.json() == {
        "open": 1,
        "pending": 1,
        "snoozed": 0,
        "resolved": 1,
        "mine": 1,
        "unassigned": 0,
    }
    response = await client.get(tenant.url("/conversations/counts"), headers=owner)
    assert response.json() == {
        "open": 2,
        "pending": 1,
        "snoozed": 0,
        "resolved": 1,
        "mine": 0,
        "unassigned": 1,
    }
    response = await client.get(
        tenant.url("/conversations/counts"), params={"inbox_id": hidden_inbox}, headers=owner
    )
    assert response.json() == {
        "open": 1,
        "pending": 0,
        "snoozed": 0,
        "resolved": 0,
        "mine": 0,
        "unassigned": 1,
    }


async def test_lists_show_nothing_of_other_tenants_or_hidden_inboxes(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, other_tenant: Tenant
) -> None:
    await start_conversation(state, other_tenant)
    await start_conversation(state, other_tenant)
    hidden = await start_conversation(state, tenant, inbox_id=await second_inbox(state, tenant))
    mine = await start_conversation(state, tenant)
    assert await _numbers(client, tenant, tenant.agent.headers) == [mine.number]
    assert await _numbers(client, tenant, tenant.owner.headers) == [mine.number, hidden.number]
    assert await _numbers(client, tenant, tenant.agent.headers, inbox_id=hidden.inbox_id) == []
    counts = await client.get(tenant.url("/conversations/counts"), headers=tenant.agent.headers)
    assert counts.json()["open"] == 1
    # A token of one account gets nothing of another account's URLs.
    for path in ("/conversations", "/conversations/counts", "/labels"):
        response = await client.get(other_tenant.url(path), headers=tenant.owner.headers)
        assert response.status_code == 404, path
    unauthenticated = await client.get(tenant.url("/conversations"))
    assert unauthenticated.status_code == 401
