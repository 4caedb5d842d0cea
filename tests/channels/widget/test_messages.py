"""Sending and reading messages: idempotent retries, paging, and bad input named by field."""

from __future__ import annotations

import asyncio

import httpx

from destek.conversations.models import Conversation, Message
from destek.state import AppState
from tests.channels.widget.helpers import agent_writes, bearer, count, start, visitor
from tests.support.factories import Tenant


async def test_a_retry_with_the_same_client_message_id_stores_one_message(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    me = await visitor(client, tenant)
    started = await start(client, tenant, me["token"])
    url = tenant.public(f"/conversations/{started['conversation']['id']}/messages")
    body = {"content": "Are you there?", "client_message_id": "0b9a6f0e-3c1d-4d0b-9f6a-2f1e0c8d7a11"}
    first = await client.post(url, json=body, headers=bearer(me["token"]))
    retry = await client.post(url, json=body, headers=bearer(me["token"]))
    assert first.status_code == 201
    assert retry.status_code == 200
    assert retry.json() == first.json()
    assert first.json()["client_message_id"] == body["client_message_id"]
    assert await count(state, Message) == 2  # the first message of the conversation, and this one
    listed = (await client.get(url, headers=bearer(me["token"]))).json()
    assert [m["content"] for m in listed] == ["Merhaba, siparişim gelmedi", "Are you there?"]


async def test_paging_back_and_forward(client: httpx.AsyncClient, state: AppState, tenant: Tenant) -> None:
    me = await visitor(client, tenant)
    started = await start(client, tenant, me["token"], "m0")
    conversation_id = started["conversation"]["id"]
    url = tenant.public(f"/conversations/{conversation_id}/messages")
    for i in range(1, 5):
        await agent_writes(state, tenant, conversation_id, f"m{i}")
    newest = (await client.get(url, params={"limit": 2}, headers=bearer(me["token"]))).json()
    assert [m["content"] for m in newest] == ["m3", "m4"]
    older = (
        await client.get(url, params={"limit": 2, "before": newest[0]["id"]}, headers=bearer(me["token"]))
    ).json()
    assert [m["content"] for m in older] == ["m1", "m2"]
    since = (await client.get(url, params={"after": older[0]["id"]}, headers=bearer(me["token"]))).json()
    assert [m["content"] for m in since] == ["m2", "m3", "m4"]


async def test_a_contact_writing_to_a_resolved_conversation_reopens_it(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    me = await visitor(client, tenant)
    started = await start(client, tenant, me["token"])
    conversation_id = started["conversation"]["id"]
    async with state.uow() as session:
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        conversation.status = "resolved"
    url = tenant.public(f"/conversations/{conversation_id}")
    assert (await client.get(url, headers=bearer(me["token"]))).json()["status"] == "resolved"
    sent = await client.post(
        f"{url}/messages", json={"content": "One more thing"}, headers=bearer(me["token"])
    )
    assert sent.status_code == 201
    assert (await client.get(url, headers=bearer(me["token"]))).json()["status"] == "open"


BAD_MESSAGES: list[tuple[dict[str, object], str]] = [
    ({"content": ""}, "content"),
    ({"content": "   \n "}, "content"),
    ({}, "content"),
    ({"content": "x" * 20_001}, "content"),
    ({"content": 5}, "content"),
    ({"content": "hi", "client_message_id": "has spaces"}, "client_message_id"),
    ({"content": "hi", "client_message_id": "emoji-🙂"}, "client_message_id"),
    ({"content": "hi", "client_message_id": "x" * 65}, "client_message_id"),
    ({"content": "hi", "client_message_id": ""}, "client_message_id"),
    ({"content": "hi", "attachment_ids": ["abc"]}, "attachment_ids.0"),
    ({"content": "hi", "attachment_ids": list(range(1, 12))}, "attachment_ids"),
]


async def test_bad_messages_are_refused_naming_the_field(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    me = await visitor(client, tenant)
    started = await start(client, tenant, me["token"])
    url = tenant.public(f"/conversations/{started['conversation']['id']}/messages")
    for body, field in BAD_MESSAGES:
        response = await client.post(url, json=body, headers=bearer(me["token"]))
        assert response.status_code == 422, (body, response.text)
        assert response.json()["error"]["code"] == "invalid"
        assert response.json()["error"]["field"] == field, (body, response.json())
    assert await count(state, Message) == 1


async def test_an_empty_first_message_starts_nothing(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    me = await visitor(client, tenant)
    response = await client.post(
        tenant.public("/conversations"), json={"message": {"content": " "}}, headers=bearer(me["token"])
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "message.content"
    assert await count(state, Conversation) == 0


async def test_an_unknown_attachment_id_is_404_naming_the_field(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    me = await visitor(client, tenant)
    started = await start(client, tenant, me["token"])
    url = tenant.public(f"/conversations/{started['conversation']['id']}/messages")
    response = await client.post(
        url, json={"content": "see file", "attachment_ids": [999]}, headers=bearer(me["token"])
    )
    assert response.status_code == 404
    assert response.json()["error"]["field"] == "attachment_ids"
    assert await count(state, Message) == 1


async def test_bad_paging_is_refused_naming_the_parameter(client: httpx.AsyncClient, tenant: Tenant) -> None:
    me = await visitor(client, tenant)
    started = await start(client, tenant, me["token"])
    url = tenant.public(f"/conversations/{started['conversation']['id']}/messages")
    cases: list[tuple[dict[str, int | str], str]] = [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"before": "x"}, "before"),
        ({"after": -1}, "after"),
        ({"after": 2**63}, "after"),
        ({"before": 1, "after": 2}, "after"),
    ]
    for params, field in cases:
        response = await client.get(url, params=params, headers=bearer(me["token"]))
        assert response.status_code == 422, params
        assert response.json()["error"]["field"] == field, params


async def test_retrying_the_start_of_a_conversation_starts_it_once(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    me = await visitor(client, tenant)
    body = {"message": {"content": "QR menü açılmıyor", "client_message_id": "first-7d1c"}}
    first = await client.post(tenant.public("/conversations"), json=body, headers=bearer(me["token"]))
    retry = await client.post(tenant.public("/conversations"), json=body, headers=bearer(me["token"]))
    assert first.status_code == 201
    assert retry.status_code == 200
    assert retry.json()["conversation"]["id"] == first.json()["conversation"]["id"]
    assert retry.json()["message"]["id"] == first.json()["message"]["id"]
    assert await count(state, Conversation) == 1
    assert await count(state, Message) == 1
    # Another customer's identical client id is theirs alone: it starts their own conversation.
    other = await visitor(client, tenant)
    theirs = await client.post(tenant.public("/conversations"), json=body, headers=bearer(other["token"]))
    assert theirs.status_code == 201
    assert theirs.json()["conversation"]["id"] != first.json()["conversation"]["id"]


async def test_validation_messages_carry_no_pydantic_wording(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    me = await visitor(client, tenant)
    started = await start(client, tenant, me["token"])
    url = tenant.public(f"/conversations/{started['conversation']['id']}/messages")
    response = await client.post(url, json={"content": " "}, headers=bearer(me["token"]))
    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "invalid",
        "message": "content: a message needs content or at least one attachment",
        "field": "content",
        "errors": [{"field": "content", "message": "a message needs content or at least one attachment"}],
    }
    first = await client.post(
        tenant.public("/conversations"), json={"message": {"content": ""}}, headers=bearer(me["token"])
    )
    assert first.json()["error"]["message"] == (
        "message.content: a message needs content or at least one attachment"
    )


async def test_concurrent_retries_of_create_conversation_start_one_conversation(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    me = await visitor(client, tenant)
    body = {"message": {"content": "Hello?", "client_message_id": "c0ffee00-1111-4222-8333-444455556666"}}

    async def create() -> httpx.Response:
        return await client.post(tenant.public("/conversations"), json=body, headers=bearer(me["token"]))

    responses = await asyncio.gather(create(), create(), create())
    assert sorted(r.status_code for r in responses) == [200, 200, 201], [r.text for r in responses]
    assert len({r.json()["conversation"]["id"] for r in responses}) == 1
    assert await count(state, Conversation) == 1
    assert await count(state, Message) == 1
