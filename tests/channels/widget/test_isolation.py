"""A customer sees only their own conversations, in the inbox their token belongs to."""

from __future__ import annotations

import httpx

from destek.accounts import inboxes as inbox_service
from destek.conversations.models import Attachment, Message
from destek.state import AppState
from tests.channels.widget.helpers import bearer, count, start, stored_files, visitor
from tests.support.factories import Tenant


async def test_another_contacts_conversation_is_404_everywhere(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    alice = await visitor(client, tenant, name="Alice")
    bob = await visitor(client, tenant, name="Bob")
    theirs = await start(client, tenant, alice["token"], "Alice's secret problem")
    base = tenant.public(f"/conversations/{theirs['conversation']['id']}")
    as_bob = bearer(bob["token"])

    calls = [
        await client.get(base, headers=as_bob),
        await client.get(f"{base}/messages", headers=as_bob),
        await client.post(f"{base}/messages", json={"content": "hi"}, headers=as_bob),
        await client.post(
            f"{base}/attachments", files={"file": ("a.txt", b"x", "text/plain")}, headers=as_bob
        ),
        await client.post(f"{base}/read", headers=as_bob),
        await client.post(f"{base}/typing", json={"typing": True}, headers=as_bob),
    ]
    for response in calls:
        assert response.status_code == 404, response.request.url
        assert response.json()["error"]["code"] == "not_found"
        assert "Alice" not in response.text
    assert (await client.get(tenant.public("/conversations"), headers=as_bob)).json() == []
    assert await count(state, Message) == 1
    assert await count(state, Attachment) == 0
    assert stored_files(state) == []


async def test_an_unknown_conversation_is_404(client: httpx.AsyncClient, tenant: Tenant) -> None:
    me = await visitor(client, tenant)
    for conversation_id in ("999999", str(2**63 - 1)):
        response = await client.get(
            tenant.public(f"/conversations/{conversation_id}"), headers=bearer(me["token"])
        )
        assert response.status_code == 404


async def test_another_inbox_of_the_same_account_is_closed_to_the_token(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    async with state.uow() as session:
        second = await inbox_service.create_inbox(
            session, account_id=tenant.account_id, name="Second app", channel_type="api"
        )
        second_token = second.public_token
    me = await visitor(client, tenant)
    started = await start(client, tenant, me["token"])
    elsewhere = f"/api/v1/public/inboxes/{second_token}"
    refused = await client.get(f"{elsewhere}/conversations", headers=bearer(me["token"]))
    assert refused.status_code == 401
    assert "another inbox" in refused.json()["error"]["message"]
    refused = await client.get(
        f"{elsewhere}/conversations/{started['conversation']['id']}", headers=bearer(me["token"])
    )
    assert refused.status_code == 401

    # The same person identified in the second inbox does not see the first inbox's conversations.
    there = await client.post(f"{elsewhere}/contacts", json={}, headers=bearer(me["token"]))
    assert there.status_code == 201
    listed = await client.get(f"{elsewhere}/conversations", headers=bearer(there.json()["token"]))
    assert listed.json() == []


async def test_a_token_of_another_tenant_is_401(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    ours = await visitor(client, tenant)
    started = await start(client, tenant, ours["token"])
    conversation = f"/conversations/{started['conversation']['id']}"
    for method, path in [
        ("GET", "/contact"),
        ("PATCH", "/contact"),
        ("GET", "/conversations"),
        ("POST", "/conversations"),
        ("GET", conversation),
        ("GET", f"{conversation}/messages"),
        ("POST", f"{conversation}/read"),
    ]:
        response = await client.request(
            method,
            other_tenant.public(path),
            json={} if method != "GET" else None,
            headers=bearer(ours["token"]),
        )
        assert response.status_code == 401, (method, path, response.text)
        assert response.json()["error"]["code"] == "unauthorized"


async def test_no_token_or_a_forged_one_is_401(client: httpx.AsyncClient, tenant: Tenant) -> None:
    me = await visitor(client, tenant)
    body, _mac = me["token"].split(".")
    forged = f"{body}.{'A' * 43}"
    for headers in ({}, bearer("nonsense"), bearer(forged), {"Authorization": f"Basic {me['token']}"}):
        response = await client.get(tenant.public("/conversations"), headers=headers)
        assert response.status_code == 401, headers
        assert "token" in response.json()["error"]["message"]
