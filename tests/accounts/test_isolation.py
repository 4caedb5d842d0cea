"""Tenant isolation: nothing of another account is visible or changeable, whatever the path or id."""

from __future__ import annotations

import re

import httpx

from tests.accounts.helpers import CSRF, error, login
from tests.support.factories import Tenant


async def _seed(client: httpx.AsyncClient, tenant: Tenant) -> dict[str, int]:
    """A team, a contact and a token in the account; their ids."""
    owner = tenant.owner.headers
    team = (await client.post(tenant.url("/teams"), json={"name": "L1"}, headers=owner)).json()
    contact = (await client.post(tenant.url("/contacts"), json={"name": "Can"}, headers=owner)).json()
    tokens = (await client.get(tenant.url("/tokens"), headers=owner)).json()
    return {"team": team["id"], "contact": contact["id"], "token": tokens[0]["id"]}


def _requests(base: str, ids: dict[str, int], inbox_id: int, user_id: int) -> list[tuple[str, str, object]]:
    return [
        ("GET", base, None),
        ("PATCH", base, {"name": "Taken"}),
        ("GET", f"{base}/tokens", None),
        ("POST", f"{base}/tokens", {"name": "backdoor"}),
        ("DELETE", f"{base}/tokens/{ids['token']}", None),
        ("GET", f"{base}/agents", None),
        ("PATCH", f"{base}/agents/{user_id}", {"active": False}),
        ("POST", f"{base}/agents/{user_id}/one-time-password", None),
        ("GET", f"{base}/invitations", None),
        ("POST", f"{base}/invitations", {"email": "spy@example.com", "name": "Spy"}),
        ("GET", f"{base}/teams", None),
        ("POST", f"{base}/teams", {"name": "Spies"}),
        ("GET", f"{base}/teams/{ids['team']}", None),
        ("PATCH", f"{base}/teams/{ids['team']}", {"name": "Spies"}),
        ("DELETE", f"{base}/teams/{ids['team']}", None),
        ("PUT", f"{base}/teams/{ids['team']}/members", {"user_ids": []}),
        ("GET", f"{base}/inboxes", None),
        ("POST", f"{base}/inboxes", {"name": "Spy", "channel_type": "widget"}),
        ("GET", f"{base}/inboxes/{inbox_id}", None),
        ("PATCH", f"{base}/inboxes/{inbox_id}", {"rotate_secret": True}),
        ("PUT", f"{base}/inboxes/{inbox_id}/members", {"user_ids": []}),
        ("GET", f"{base}/contacts", None),
        ("POST", f"{base}/contacts", {"name": "Spy"}),
        ("GET", f"{base}/contacts/{ids['contact']}", None),
        ("PATCH", f"{base}/contacts/{ids['contact']}", {"name": "Spy"}),
        ("DELETE", f"{base}/contacts/{ids['contact']}", None),
        ("GET", f"{base}/contacts/{ids['contact']}/identities", None),
    ]


async def test_other_accounts_path_is_404_by_token_and_by_cookie(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    ids = await _seed(client, other_tenant)
    requests = _requests(other_tenant.url(""), ids, other_tenant.inbox_id, other_tenant.agent.user_id)
    for method, url, body in requests:
        response = await client.request(method, url, json=body, headers=tenant.owner.headers)
        assert response.status_code == 404, (method, url, response.text)
        assert response.json()["error"]["code"] == "not_found"

    await login(client, tenant.owner.email)
    for method, url, body in requests:
        response = await client.request(method, url, json=body, headers=CSRF)
        assert response.status_code == 404, (method, url, response.text)

    # Nothing changed over there.
    other = other_tenant.owner.headers
    assert (await client.get(other_tenant.url(f"/teams/{ids['team']}"), headers=other)).json()["name"] == "L1"
    assert (
        await client.get(other_tenant.url(f"/contacts/{ids['contact']}"), headers=other)
    ).status_code == 200
    assert len((await client.get(other_tenant.url("/tokens"), headers=other)).json()) == 2
    assert len((await client.get(other_tenant.url("/agents"), headers=other)).json()) == 2


async def test_other_accounts_ids_in_own_path_are_404(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    ids = await _seed(client, other_tenant)
    own = tenant.url("")
    # Only the requests that name another account's object by id.
    requests = [
        r
        for r in _requests(own, ids, other_tenant.inbox_id, other_tenant.agent.user_id)
        if re.match(r"/[a-z]+/\d+", r[1].removeprefix(own))
    ]
    assert len(requests) == 14
    for method, url, body in requests:
        response = await client.request(method, url, json=body, headers=tenant.owner.headers)
        assert response.status_code == 404, (method, url, response.text)
    # Another account's agents cannot be put in this account's team or inbox.
    team = (
        await client.post(tenant.url("/teams"), json={"name": "Ours"}, headers=tenant.owner.headers)
    ).json()
    for url in (
        tenant.url(f"/teams/{team['id']}/members"),
        tenant.url(f"/inboxes/{tenant.inbox_id}/members"),
    ):
        response = await client.put(
            url, json={"user_ids": [other_tenant.agent.user_id]}, headers=tenant.owner.headers
        )
        assert error(response, 404)["field"] == "user_ids"
