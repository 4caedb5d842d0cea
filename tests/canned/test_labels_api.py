"""Labels as administrators manage them: create, recolour, rename, delete (and what conversations see)."""

from __future__ import annotations

import httpx

from destek.state import AppState
from tests.conversations.helpers import events_since, head, start_conversation
from tests.support.factories import Tenant


async def test_create_change_and_delete_labels(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    owner = tenant.owner.headers
    created = await client.post(
        tenant.url("/labels"), json={"name": "  VIP  Customer ", "color": "#FF0000"}, headers=owner
    )
    assert created.status_code == 201, created.text
    label = created.json()
    assert (label["name"], label["color"]) == ("vip customer", "#ff0000")
    taken = await client.post(tenant.url("/labels"), json={"name": "vip customer"}, headers=owner)
    assert taken.status_code == 409 and taken.json()["error"]["field"] == "name"
    bad = await client.post(tenant.url("/labels"), json={"name": "no <html>"}, headers=owner)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "name"
    bad_color = await client.post(tenant.url("/labels"), json={"name": "x", "color": "red"}, headers=owner)
    assert bad_color.status_code == 422

    started = await start_conversation(state, tenant)
    put = await client.put(
        tenant.url(f"/conversations/{started.number}/labels"),
        json={"labels": ["vip customer"]},
        headers=owner,
    )
    assert put.json()["labels"] == ["vip customer"]

    before = await head(state, tenant)
    renamed = await client.patch(tenant.url(f"/labels/{label['id']}"), json={"name": "vip"}, headers=owner)
    assert renamed.status_code == 200 and renamed.json()["name"] == "vip"
    detail = await client.get(tenant.url(f"/conversations/{started.number}"), headers=owner)
    assert detail.json()["labels"] == ["vip"]
    [event] = await events_since(state, tenant, before)
    assert event.type == "conversation.updated" and event.payload["conversation"]["labels"] == ["vip"]

    recoloured = await client.patch(
        tenant.url(f"/labels/{label['id']}"), json={"color": "#00aa00"}, headers=owner
    )
    assert recoloured.json()["color"] == "#00aa00"

    before = await head(state, tenant)
    assert (await client.delete(tenant.url(f"/labels/{label['id']}"), headers=owner)).status_code == 204
    detail = await client.get(tenant.url(f"/conversations/{started.number}"), headers=owner)
    assert detail.json()["labels"] == []
    [event] = await events_since(state, tenant, before)
    assert event.payload["changed"] == ["labels"] and event.payload["conversation"]["labels"] == []
    listed = await client.get(tenant.url("/labels"), headers=owner)
    assert listed.json()["items"] == []


async def test_agents_cannot_manage_labels(client: httpx.AsyncClient, tenant: Tenant) -> None:
    label = (
        await client.post(tenant.url("/labels"), json={"name": "bug"}, headers=tenant.owner.headers)
    ).json()
    agent = tenant.agent.headers
    responses = [
        await client.post(tenant.url("/labels"), json={"name": "mine"}, headers=agent),
        await client.patch(tenant.url(f"/labels/{label['id']}"), json={"name": "x"}, headers=agent),
        await client.delete(tenant.url(f"/labels/{label['id']}"), headers=agent),
    ]
    assert [r.status_code for r in responses] == [403, 403, 403]
    names = [
        item["name"] for item in (await client.get(tenant.url("/labels"), headers=agent)).json()["items"]
    ]
    assert names == ["bug"]


async def test_renaming_to_a_taken_name_is_409(client: httpx.AsyncClient, tenant: Tenant) -> None:
    owner = tenant.owner.headers
    await client.post(tenant.url("/labels"), json={"name": "vip"}, headers=owner)
    other = (await client.post(tenant.url("/labels"), json={"name": "other"}, headers=owner)).json()
    clash = await client.patch(tenant.url(f"/labels/{other['id']}"), json={"name": "VIP"}, headers=owner)
    # It was a 500: the taken name failed the flush outside the savepoint, and the transaction with it.
    assert clash.status_code == 409, clash.text
    assert clash.json()["error"] == {
        "code": "conflict",
        "message": "a label named 'vip' already exists",
        "field": "name",
    }
    listed = await client.get(tenant.url("/labels"), headers=owner)
    assert sorted(item["name"] for item in listed.json()["items"]) == ["other", "vip"]
