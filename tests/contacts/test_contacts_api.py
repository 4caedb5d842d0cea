"""Agent API for contacts: create, search with a cursor, read, change, delete, identities."""

from __future__ import annotations

from typing import Any

import httpx

from destek.accounts import inboxes as inbox_service
from destek.accounts.models import Inbox
from destek.contacts import service as contacts
from destek.contacts.schemas import ContactCreate
from destek.state import AppState
from tests.support.factories import Tenant, make_contact


def _error(response: httpx.Response, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()["error"]
    if field is not None:
        assert body["field"] == field, body
    return body


async def test_create_read_and_update(client: httpx.AsyncClient, tenant: Tenant) -> None:
    created = await client.post(
        tenant.url("/contacts"),
        json={
            "name": "Ayşe Yılmaz",
            "email": "ayse@example.com",
            "phone": "+90 532 000 00 00",
            "identifier": "user-42",
            "locale": "tr",
            "attributes": {"plan": "gold", "orders": 3},
        },
        headers=tenant.agent.headers,
    )
    assert created.status_code == 201
    contact = created.json()
    assert contact["identifier"] == "user-42"
    assert contact["email"] == "ayse@example.com"
    assert contact["attributes"] == {"plan": "gold", "orders": 3}
    assert contact["device"] == {}
    url = tenant.url(f"/contacts/{contact['id']}")
    assert (await client.get(url, headers=tenant.agent.headers)).json() == contact

    changed = await client.patch(
        url, json={"name": "Ayşe Y.", "attributes": {"orders": 4, "vip": True}}, headers=tenant.agent.headers
    )
    assert changed.status_code == 200
    body = changed.json()
    assert body["name"] == "Ayşe Y."
    assert body["email"] == "ayse@example.com"  # not sent, not changed
    assert body["attributes"] == {"plan": "gold", "orders": 4, "vip": True}
    assert body["updated_at"] >= contact["updated_at"]
    assert (await client.get(url, headers=tenant.owner.headers)).json() == body


async def test_bad_input_and_duplicate_identifier(client: httpx.AsyncClient, tenant: Tenant) -> None:
    url, headers = tenant.url("/contacts"), tenant.owner.headers
    _error(await client.post(url, json={"email": "not-an-email"}, headers=headers), 422, "email")
    _error(await client.post(url, json={"phone": "call me"}, headers=headers), 422, "phone")
    _error(await client.post(url, json={"locale": "Türkçe"}, headers=headers), 422, "locale")
    _error(await client.post(url, json={"identifier": ""}, headers=headers), 422, "identifier")
    _error(await client.post(url, json={"attributes": {"nested": {"no": 1}}}, headers=headers), 422)
    assert (await client.post(url, json={"identifier": "u1"}, headers=headers)).status_code == 201
    duplicate = await client.post(url, json={"identifier": "u1", "name": "Twin"}, headers=headers)
    assert "u1" in _error(duplicate, 409, "identifier")["message"]

    contact = (await client.post(url, json={"name": "Can"}, headers=headers)).json()
    _error(
        await client.patch(f"{url}/{contact['id']}", json={"email": "nope"}, headers=headers), 422, "email"
    )
    _error(await client.get(f"{url}/99999", headers=headers), 404)
    _error(await client.patch(f"{url}/99999", json={"name": "X"}, headers=headers), 404)
    _error(await client.get(f"{url}/abc", headers=headers), 422, "contact_id")
    _error(await client.get(url, params={"limit": 0}, headers=headers), 422, "limit")
    _error(await client.get(url, params={"limit": 101}, headers=headers), 422, "limit")
    _error(await client.get(url, params={"cursor": "garbage"}, headers=headers), 422, "cursor")
    _error(await client.get(url, params={"q": "x" * 201}, headers=headers), 422, "q")
    _error(await client.get(url), 401)
    _error(await client.post(url, json={"name": "X"}), 401)


async def test_search_and_cursor_pagination(client: httpx.AsyncClient, tenant: Tenant) -> None:
    url, headers = tenant.url("/contacts"), tenant.agent.headers
    people = [
        {"name": "Ayşe Yılmaz", "email": "ayse@example.com"},
        {"name": "Mehmet Demir", "phone": "+90 555 123 45 67"},
        {"name": "John Smith", "email": "john@shop.example", "identifier": "crm-77"},
        {"name": "100% Real", "email": "real@example.com"},
        {"name": "Zoe", "email": "zoe@example.com"},
    ]
    ids = []
    for person in people:
        ids.append((await client.post(url, json=person, headers=headers)).json()["id"])

    async def names(**params: Any) -> list[str]:
        response = await client.get(url, params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [c["name"] for c in response.json()["items"]]

    assert await names(q="ayşe") == ["Ayşe Yılmaz"]
    assert await names(q="SHOP.EXAMPLE") == ["John Smith"]
    assert await names(q="123 45") == ["Mehmet Demir"]
    assert await names(q="crm-7") == ["John Smith"]
    assert await names(q="100%") == ["100% Real"]  # % is matched literally, not as a wildcard
    assert await names(q="%") == ["100% Real"]
    assert await names(q="_") == []
    assert await names(q="nobody") == []

    # Newest first, two by two, until next_cursor is null.
    seen: list[int] = []
    cursor: str | None = None
    for _ in range(5):
        params: dict[str, Any] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await client.get(url, params=params, headers=headers)).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(ids, reverse=True)
    exact = (await client.get(url, params={"limit": 5}, headers=headers)).json()
    assert len(exact["items"]) == 5
    assert exact["next_cursor"] is None
    filtered = (await client.get(url, params={"q": "example.com", "limit": 1}, headers=headers)).json()
    assert filtered["next_cursor"] is not None
    rest = await names(q="example.com", cursor=filtered["next_cursor"])
    assert [filtered["items"][0]["name"], *rest] == ["Zoe", "100% Real", "Ayşe Yılmaz"]


async def test_delete_is_for_admins(client: httpx.AsyncClient, state: AppState, tenant: Tenant) -> None:
    person = await make_contact(state, tenant, name="Leaving Soon")
    url = tenant.url(f"/contacts/{person.contact_id}")
    refused = await client.delete(url, headers=tenant.agent.headers)
    assert "administrator" in _error(refused, 403)["message"]
    assert (await client.get(url, headers=tenant.agent.headers)).status_code == 200

    assert (await client.delete(url, headers=tenant.owner.headers)).status_code == 204
    _error(await client.get(url, headers=tenant.owner.headers), 404)
    _error(await client.delete(url, headers=tenant.owner.headers), 404)
    # The customer's app can no longer act as the deleted contact.
    gone = await client.post(
        tenant.public("/conversations"), json={"message": {"content": "hi"}}, headers=person.headers
    )
    _error(gone, 401)


async def test_identities_by_inbox_the_agent_may_see(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    person = await make_contact(state, tenant, identifier="user-9")
    async with state.uow() as session:
        vip = await inbox_service.create_inbox(
            session, account_id=tenant.account_id, name="VIP", channel_type="api"
        )
        inbox = await session.get(Inbox, vip.id)
        assert inbox is not None
        await contacts.identify(
            session, inbox=inbox, data=ContactCreate(identifier="user-9"), identifier_hash=None, existing=None
        )
        vip_id = vip.id
    url = tenant.url(f"/contacts/{person.contact_id}/identities")

    as_owner = await client.get(url, headers=tenant.owner.headers)
    assert as_owner.status_code == 200
    assert [(i["inbox_id"], i["source_id"]) for i in as_owner.json()] == [
        (tenant.inbox_id, "user:user-9"),
        (vip_id, "user:user-9"),
    ]
    assert set(as_owner.json()[0]) == {"id", "inbox_id", "source_id", "created_at"}
    # The agent works only in the app chat inbox.
    as_agent = await client.get(url, headers=tenant.agent.headers)
    assert [i["inbox_id"] for i in as_agent.json()] == [tenant.inbox_id]
    _error(await client.get(tenant.url("/contacts/99999/identities"), headers=tenant.owner.headers), 404)


async def test_other_accounts_contacts_are_404(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = await make_contact(state, other_tenant, name="Someone Else", identifier="shared-id")
    ours = await client.post(
        tenant.url("/contacts"), json={"identifier": "shared-id"}, headers=tenant.owner.headers
    )
    assert ours.status_code == 201  # identifiers are unique per account, not across accounts
    own_url = tenant.url(f"/contacts/{theirs.contact_id}")
    for method, url in (
        ("GET", own_url),
        ("PATCH", own_url),
        ("DELETE", own_url),
        ("GET", own_url + "/identities"),
        ("GET", other_tenant.url("/contacts")),
        ("POST", other_tenant.url("/contacts")),
        ("GET", other_tenant.url(f"/contacts/{theirs.contact_id}")),
    ):
        response = await client.request(method, url, json={"name": "Spy"}, headers=tenant.owner.headers)
        assert response.status_code == 404, (method, url, response.text)
    listed = (
        await client.get(tenant.url("/contacts"), params={"q": "someone"}, headers=tenant.owner.headers)
    ).json()
    assert listed["items"] == []
    mine = await client.get(
        other_tenant.url(f"/contacts/{theirs.contact_id}"), headers=other_tenant.owner.headers
    )
    assert mine.json()["name"] == "Someone Else"
