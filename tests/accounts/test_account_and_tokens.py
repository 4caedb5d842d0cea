"""The account's settings and its API tokens."""

from __future__ import annotations

import httpx

from tests.accounts.helpers import error, field_error
from tests.support.factories import Tenant


async def test_account_read_and_admin_update(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.get(tenant.url(""), headers=tenant.agent.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == tenant.account_id
    assert body["locale"] == "en"
    assert body["timezone"] == "UTC"

    changed = await client.patch(
        tenant.url(""),
        json={"name": "  Acme Türkiye ", "locale": "tr-TR", "timezone": "Europe/Istanbul"},
        headers=tenant.owner.headers,
    )
    assert changed.status_code == 200
    assert changed.json() == {
        "id": tenant.account_id,
        "name": "Acme Türkiye",
        "locale": "tr-TR",
        "timezone": "Europe/Istanbul",
        "require_second_factor": False,
    }
    # Only what is sent changes.
    again = await client.patch(tenant.url(""), json={"locale": "en"}, headers=tenant.owner.headers)
    assert again.json()["timezone"] == "Europe/Istanbul"
    assert (await client.get(tenant.url(""), headers=tenant.agent.headers)).json() == again.json()


async def test_account_update_refuses_agents_and_bad_input(client: httpx.AsyncClient, tenant: Tenant) -> None:
    refused = await client.patch(tenant.url(""), json={"name": "Mine now"}, headers=tenant.agent.headers)
    assert "administrator" in error(refused, 403)["message"]

    owner = tenant.owner.headers
    bad_zone = await client.patch(tenant.url(""), json={"timezone": "Mars/Olympus"}, headers=owner)
    assert "Mars/Olympus" in field_error(bad_zone, "timezone")["message"]
    field_error(
        await client.patch(tenant.url(""), json={"timezone": "../etc/passwd"}, headers=owner), "timezone"
    )
    field_error(await client.patch(tenant.url(""), json={"locale": "english!"}, headers=owner), "locale")
    field_error(await client.patch(tenant.url(""), json={"name": ""}, headers=owner), "name")
    field_error(await client.patch(tenant.url(""), json={"name": "   "}, headers=owner), "name")
    assert (await client.get(tenant.url(""), headers=owner)).json()["timezone"] == "UTC"


async def test_tokens_list_create_use_and_revoke(client: httpx.AsyncClient, tenant: Tenant) -> None:
    owner, agent = tenant.owner.headers, tenant.agent.headers
    listed = await client.get(tenant.url("/tokens"), headers=owner)
    assert listed.status_code == 200
    # An administrator sees every token of the account, an agent only their own; never a secret.
    assert sorted(t["user_id"] for t in listed.json()) == sorted([tenant.owner.user_id, tenant.agent.user_id])
    assert all(
        set(t) == {"id", "name", "prefix", "user_id", "created_at", "last_used_at"} for t in listed.json()
    )
    mine = (await client.get(tenant.url("/tokens"), headers=agent)).json()
    assert [t["user_id"] for t in mine] == [tenant.agent.user_id]
    assert tenant.agent.token.startswith(mine[0]["prefix"])

    created = await client.post(tenant.url("/tokens"), json={"name": " CRM sync "}, headers=agent)
    assert created.status_code == 201
    assert created.headers["cache-control"] == "no-store"
    token = created.json()
    assert token["name"] == "CRM sync"
    assert token["user_id"] == tenant.agent.user_id
    assert token["token"].startswith("dtk_")
    assert token["token"].startswith(token["prefix"])
    new = {"Authorization": f"Bearer {token['token']}"}
    assert (await client.get(tenant.url("/contacts"), headers=new)).status_code == 200
    assert "token" not in (await client.get(tenant.url("/tokens"), headers=agent)).json()[-1]

    assert (await client.delete(tenant.url(f"/tokens/{token['id']}"), headers=agent)).status_code == 204
    revoked = await client.get(tenant.url("/contacts"), headers=new)
    assert "revoked" in error(revoked, 401)["message"]
    assert token["id"] not in [
        t["id"] for t in (await client.get(tenant.url("/tokens"), headers=owner)).json()
    ]
    # Revoking twice, or an unknown token: not found.
    error(await client.delete(tenant.url(f"/tokens/{token['id']}"), headers=agent), 404)
    error(await client.delete(tenant.url("/tokens/99999"), headers=agent), 404)


async def test_agent_cannot_revoke_others_tokens_but_admin_can(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    owner_tokens = (await client.get(tenant.url("/tokens"), headers=tenant.owner.headers)).json()
    owner_token_id = next(t["id"] for t in owner_tokens if t["user_id"] == tenant.owner.user_id)
    agent_token_id = next(t["id"] for t in owner_tokens if t["user_id"] == tenant.agent.user_id)
    error(await client.delete(tenant.url(f"/tokens/{owner_token_id}"), headers=tenant.agent.headers), 404)
    assert (await client.get(tenant.url(""), headers=tenant.owner.headers)).status_code == 200

    revoked = await client.delete(tenant.url(f"/tokens/{agent_token_id}"), headers=tenant.owner.headers)
    assert revoked.status_code == 204
    error(await client.get(tenant.url(""), headers=tenant.agent.headers), 401)


async def test_token_bad_input_and_missing_auth(client: httpx.AsyncClient, tenant: Tenant) -> None:
    field_error(await client.post(tenant.url("/tokens"), json={}, headers=tenant.owner.headers), "name")
    field_error(
        await client.post(tenant.url("/tokens"), json={"name": "  "}, headers=tenant.owner.headers), "name"
    )
    field_error(
        await client.post(tenant.url("/tokens"), json={"name": "x" * 101}, headers=tenant.owner.headers),
        "name",
    )
    field_error(await client.delete(tenant.url("/tokens/abc"), headers=tenant.owner.headers), "token_id")
    error(await client.get(tenant.url("/tokens")), 401)
    error(await client.post(tenant.url("/tokens"), json={"name": "x"}), 401)
    error(await client.get(tenant.url("/tokens"), headers={"Authorization": "Bearer dtk_forged"}), 401)
    error(await client.get(tenant.url("/tokens"), headers={"Authorization": "Basic dXNlcjpwYXNz"}), 401)
