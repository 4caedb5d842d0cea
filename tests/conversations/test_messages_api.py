"""Agents' replies and notes: posting, idempotent retries, concurrency, paging, quick replies."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from destek.conversations.models import Message
from destek.state import AppState
from tests.conversations.helpers import count_rows, events_since, head, start_conversation
from tests.support.factories import Tenant


async def test_reply_is_created_listed_and_logged(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    started = await start_conversation(state, tenant)
    before = await head(state, tenant)
    response = await client.post(
        tenant.url(f"/conversations/{started.number}/messages"),
        json={"content": "Merhaba, nasıl yardımcı olabilirim?", "client_message_id": "a-1"},
        headers=tenant.agent.headers,
    )
    assert response.status_code == 201, response.text
    message = response.json()
    assert message["content"] == "Merhaba, nasıl yardımcı olabilirim?"
    assert message["direction"] == "out"
    assert message["private"] is False
    assert message["content_type"] == "text"
    assert message["client_message_id"] == "a-1"
    assert message["conversation_number"] == started.number
    assert message["sender"]["type"] == "agent"
    assert message["sender"]["id"] == tenant.agent.user_id
    assert message["sender"]["name"].startswith("Agent ")
    assert message["attachments"] == []

    listed = await client.get(
        tenant.url(f"/conversations/{started.number}/messages"), headers=tenant.agent.headers
    )
    assert listed.status_code == 200
    assert [m["content"] for m in listed.json()["items"]] == ["Merhaba", message["content"]]
    assert listed.json()["has_more"] is False
    assert listed.json()["items"][1] == message

    events = await events_since(state, tenant, before)
    assert [e.type for e in events] == ["message.created"]
    assert events[0].private is False
    assert events[0].payload["message"] == message
    # The first human reply stops the clock.
    detail = await client.get(tenant.url(f"/conversations/{started.number}"), headers=tenant.agent.headers)
    assert detail.json()["first_reply_at"] is not None
    assert detail.json()["waiting_since"] is None


async def test_private_note_is_for_agents_only(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    started = await start_conversation(state, tenant)
    before = await head(state, tenant)
    response = await client.post(
        tenant.url(f"/conversations/{started.number}/messages"),
        json={"content": "Müşteri iade istiyor, L2'ye aktarıyorum", "private": True},
        headers=tenant.agent.headers,
    )
    assert response.status_code == 201
    note = response.json()
    assert note["private"] is True
    [event] = await events_since(state, tenant, before)
    assert event.type == "message.created"
    assert event.private is True
    assert event.payload["message"]["id"] == note["id"]
    # The contact's view of the log does not have it.
    assert await events_since(state, tenant, before, contact_id=started.contact_id) == []
    listed = await client.get(
        tenant.url(f"/conversations/{started.number}/messages"), headers=tenant.agent.headers
    )
    assert [m["private"] for m in listed.json()["items"]] == [False, True]
    # A note is no reply: the contact is still waiting.
    detail = await client.get(tenant.url(f"/conversations/{started.number}"), headers=tenant.agent.headers)
    assert detail.json()["first_reply_at"] is None
    assert detail.json()["waiting_since"] is not None


async def test_quick_replies(client: httpx.AsyncClient, state: AppState, tenant: Tenant) -> None:
    started = await start_conversation(state, tenant)
    url = tenant.url(f"/conversations/{started.number}/messages")
    replies = [{"title": "Evet", "value": "yes"}, {"title": "Hayır", "value": "no"}]
    response = await client.post(
        url, json={"content": "Sorununuz çözüldü mü?", "quick_replies": replies}, headers=tenant.agent.headers
    )
    assert response.status_code == 201
    assert response.json()["content_type"] == "quick_replies"
    assert response.json()["content_attributes"] == {"quick_replies": replies}
    note = await client.post(
        url, json={"content": "x", "private": True, "quick_replies": replies}, headers=tenant.agent.headers
    )
    assert note.status_code == 422
    assert note.json()["error"]["field"] == "quick_replies"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"content": ""}, "content"),
        ({"content": "   \n"}, "content"),
        ({}, "content"),
        ({"content": "x" * 20_001}, "content"),
        ({"content": "hi", "client_message_id": "has space"}, "client_message_id"),
        ({"content": "hi", "client_message_id": "x" * 65}, "client_message_id"),
        ({"content": "hi", "quick_replies": [{"title": "", "value": "v"}]}, "quick_replies.0.title"),
        ({"content": "hi", "attachment_ids": [999_999]}, "attachment_ids"),
        ({"content": "hi", "private": "perhaps"}, "private"),
    ],
)
async def test_bad_messages_name_the_field(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, body: dict[str, Any], field: str
) -> None:
    started = await start_conversation(state, tenant)
    before = await head(state, tenant)
    response = await client.post(
        tenant.url(f"/conversations/{started.number}/messages"), json=body, headers=tenant.agent.headers
    )
    assert response.status_code in (404, 422), response.text
    assert response.json()["error"]["field"] == field
    assert await count_rows(state, Message) == 1
    assert await head(state, tenant) == before


async def test_retry_with_the_same_client_id_returns_the_first_message(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    started = await start_conversation(state, tenant)
    url = tenant.url(f"/conversations/{started.number}/messages")
    first = await client.post(
        url, json={"content": "Tek", "client_message_id": "k-1"}, headers=tenant.agent.headers
    )
    assert first.status_code == 201
    before = await head(state, tenant)
    retry = await client.post(
        url, json={"content": "Tek (again)", "client_message_id": "k-1"}, headers=tenant.agent.headers
    )
    assert retry.status_code == 200
    assert retry.json() == first.json()
    assert await head(state, tenant) == before  # no second event
    assert await count_rows(state, Message) == 2  # the contact's and one reply
    # Concurrent retries: still one row.
    results = await asyncio.gather(
        *[
            client.post(
                url, json={"content": "Çift", "client_message_id": "k-2"}, headers=tenant.agent.headers
            )
            for _ in range(5)
        ]
    )
    assert sorted(r.status_code for r in results) == [200, 200, 200, 200, 201]
    assert len({r.json()["id"] for r in results}) == 1
    assert await count_rows(state, Message) == 3


async def test_concurrent_posts_keep_order_and_gap_free_seqs(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    started = await start_conversation(state, tenant)
    url = tenant.url(f"/conversations/{started.number}/messages")
    results = await asyncio.gather(
        *[
            client.post(
                url, json={"content": f"m{i}", "client_message_id": f"c-{i}"}, headers=tenant.agent.headers
            )
            for i in range(20)
        ]
    )
    assert [r.status_code for r in results] == [201] * 20, [r.text for r in results if r.status_code != 201]
    ids = [r.json()["id"] for r in results]
    assert len(set(ids)) == 20

    listed = await client.get(
        tenant.url(f"/conversations/{started.number}/messages"),
        params={"limit": 100},
        headers=tenant.agent.headers,
    )
    listed_ids = [m["id"] for m in listed.json()["items"]][1:]
    assert listed_ids == sorted(ids)

    events = await events_since(state, tenant, 0)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert len(events) == await head(state, tenant)
    created = [e.payload["message"]["id"] for e in events if e.type == "message.created"][1:]
    # The log tells the messages in the order of their ids: a client applying it keeps that order.
    assert created == sorted(ids)


async def test_paging_messages(client: httpx.AsyncClient, state: AppState, tenant: Tenant) -> None:
    started = await start_conversation(state, tenant, texts=tuple(f"m{i}" for i in range(5)))
    url = tenant.url(f"/conversations/{started.number}/messages")
    headers = tenant.agent.headers
    newest = await client.get(url, params={"limit": 2}, headers=headers)
    assert [m["content"] for m in newest.json()["items"]] == ["m3", "m4"]
    assert newest.json()["has_more"] is True
    older = await client.get(
        url, params={"limit": 2, "before": newest.json()["items"][0]["id"]}, headers=headers
    )
    assert [m["content"] for m in older.json()["items"]] == ["m1", "m2"]
    assert older.json()["has_more"] is True
    oldest = await client.get(
        url, params={"limit": 2, "before": older.json()["items"][0]["id"]}, headers=headers
    )
    assert [m["content"] for m in oldest.json()["items"]] == ["m0"]
    assert oldest.json()["has_more"] is False
    newer = await client.get(
        url, params={"limit": 3, "after": oldest.json()["items"][0]["id"]}, headers=headers
    )
    assert [m["content"] for m in newer.json()["items"]] == ["m1", "m2", "m3"]
    assert newer.json()["has_more"] is True
    last = await client.get(url, params={"after": newer.json()["items"][-1]["id"]}, headers=headers)
    assert [m["content"] for m in last.json()["items"]] == ["m4"]
    assert last.json()["has_more"] is False
    for params, field in [
        ({"before": 1, "after": 1}, "after"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"before": "x"}, "before"),
    ]:
        response = await client.get(url, params=params, headers=headers)
        assert response.status_code == 422, params
        assert response.json()["error"]["field"] == field


async def test_session_cookie_needs_the_csrf_header_to_post(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    from destek.accounts import credentials
    from destek.accounts import service as accounts
    from destek.deps import SESSION_COOKIE

    started = await start_conversation(state, tenant)
    async with state.uow() as session:
        user = await accounts.get_user(session, user_id=tenant.agent.user_id)
        cookie = await credentials.create_login_session(session, user=user, days=1)
    url = tenant.url(f"/conversations/{started.number}/messages")
    client.cookies.set(SESSION_COOKIE, cookie)
    try:
        refused = await client.post(url, json={"content": "hi"})
        assert refused.status_code == 403
        sent = await client.post(url, json={"content": "hi"}, headers={"X-Requested-With": "fetch"})
        assert sent.status_code == 201
        assert (await client.get(url)).status_code == 200
    finally:
        client.cookies.clear()
