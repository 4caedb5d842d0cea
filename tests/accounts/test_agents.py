"""Agents: list, add (new or existing login), change role or name, deactivate and reactivate."""

from __future__ import annotations

import httpx

from destek.accounts import service as accounts
from destek.state import AppState
from tests.accounts.helpers import CSRF, error, field_error, login
from tests.support.factories import Tenant


async def test_list_agents_with_roles_and_teams(client: httpx.AsyncClient, tenant: Tenant) -> None:
    team = (await client.post(tenant.url("/teams"), json={"name": "L1"}, headers=tenant.owner.headers)).json()
    await client.put(
        tenant.url(f"/teams/{team['id']}/members"),
        json={"user_ids": [tenant.agent.user_id]},
        headers=tenant.owner.headers,
    )
    response = await client.get(tenant.url("/agents"), headers=tenant.agent.headers)
    assert response.status_code == 200
    by_id = {a["id"]: a for a in response.json()}
    assert by_id[tenant.owner.user_id] == {
        "id": tenant.owner.user_id,
        "email": tenant.owner.email,
        "name": "Owner " + tenant.owner.email.removeprefix("owner").split("@")[0],
        "role": "owner",
        "active": True,
        "team_ids": [],
    }
    assert by_id[tenant.agent.user_id]["role"] == "agent"
    assert by_id[tenant.agent.user_id]["team_ids"] == [team["id"]]


async def test_add_new_agent_who_can_then_log_in(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.post(
        tenant.url("/agents"),
        json={"email": "Zeynep@Example.com", "name": "Zeynep", "role": "admin", "password": "s3cret-pass"},
        headers=tenant.owner.headers,
    )
    assert response.status_code == 201
    agent = response.json()
    assert agent["email"] == "zeynep@example.com"
    assert agent["role"] == "admin"
    assert agent["active"] is True
    assert agent["team_ids"] == []
    profile = (await login(client, "zeynep@example.com", "s3cret-pass")).json()
    assert [(a["id"], a["role"]) for a in profile["accounts"]] == [(tenant.account_id, "admin")]
    assert agent["id"] in [a["id"] for a in (await client.get(tenant.url("/agents"), headers=CSRF)).json()]


async def test_add_existing_login_from_another_account(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    body = {"email": other_tenant.agent.email, "name": "Ignored, the login keeps its name"}
    response = await client.post(tenant.url("/agents"), json=body, headers=tenant.owner.headers)
    assert response.status_code == 201
    assert response.json()["id"] == other_tenant.agent.user_id
    assert response.json()["role"] == "agent"
    assert response.json()["name"] != body["name"]

    again = await client.post(tenant.url("/agents"), json=body, headers=tenant.owner.headers)
    assert "already an agent" in error(again, 409)["message"]
    assert again.json()["error"]["field"] == "email"
    # The shared login's password cannot be set from another account.
    with_password = {"email": other_tenant.owner.email, "name": "X", "password": "takeover-attempt"}
    field_error(
        await client.post(tenant.url("/agents"), json=with_password, headers=tenant.owner.headers), "password"
    )


async def test_add_agent_bad_input_and_permissions(client: httpx.AsyncClient, tenant: Tenant) -> None:
    owner = tenant.owner.headers
    good = {"email": "new@example.com", "name": "New", "role": "agent"}
    field_error(
        await client.post(tenant.url("/agents"), json={**good, "email": "not-an-email"}, headers=owner),
        "email",
    )
    field_error(
        await client.post(tenant.url("/agents"), json={**good, "role": "king"}, headers=owner), "role"
    )
    field_error(
        await client.post(tenant.url("/agents"), json={"email": "n@example.com"}, headers=owner), "name"
    )
    field_error(await client.post(tenant.url("/agents"), json={**good, "name": ""}, headers=owner), "name")
    field_error(
        await client.post(tenant.url("/agents"), json={**good, "password": "short"}, headers=owner),
        "password",
    )

    refused = await client.post(tenant.url("/agents"), json=good, headers=tenant.agent.headers)
    assert "administrator" in error(refused, 403)["message"]
    # An admin (not an owner) cannot make owners.
    admin = await client.post(
        tenant.url("/agents"), json={**good, "role": "admin", "password": "admin-pass-1"}, headers=owner
    )
    assert admin.status_code == 201
    await login(client, "new@example.com", "admin-pass-1")
    owner_by_admin = await client.post(
        tenant.url("/agents"), json={"email": "o@example.com", "name": "O", "role": "owner"}, headers=CSRF
    )
    assert "owner" in error(owner_by_admin, 403)["message"]


async def test_update_role_and_name(client: httpx.AsyncClient, tenant: Tenant) -> None:
    url = tenant.url(f"/agents/{tenant.agent.user_id}")
    response = await client.patch(
        url, json={"role": "admin", "name": " Ali Veli "}, headers=tenant.owner.headers
    )
    assert response.status_code == 200
    assert response.json()["role"] == "admin"
    assert response.json()["name"] == "Ali Veli"
    # Now an admin, the agent can do admin things.
    created = await client.post(
        tenant.url("/teams"), json={"name": "Tech", "tier": 2}, headers=tenant.agent.headers
    )
    assert created.status_code == 201
    unchanged = await client.patch(url, json={}, headers=tenant.owner.headers)
    assert unchanged.json() == response.json()


async def test_update_agent_bad_input_and_guards(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, other_tenant: Tenant
) -> None:
    owner = tenant.owner.headers
    agent_url = tenant.url(f"/agents/{tenant.agent.user_id}")
    field_error(await client.patch(agent_url, json={"role": "boss"}, headers=owner), "role")
    field_error(await client.patch(agent_url, json={"active": "maybe"}, headers=owner), "active")
    field_error(await client.patch(agent_url, json={"name": ""}, headers=owner), "name")
    field_error(await client.patch(agent_url, json={"name": "  "}, headers=owner), "name")
    refused = await client.patch(agent_url, json={"role": "admin"}, headers=tenant.agent.headers)
    assert "administrator" in error(refused, 403)["message"]

    owner_url = tenant.url(f"/agents/{tenant.owner.user_id}")
    field_error(await client.patch(owner_url, json={"active": False}, headers=owner), "active")
    assert (
        "owner"
        in field_error(await client.patch(owner_url, json={"role": "admin"}, headers=owner), "role")[
            "message"
        ]
    )
    error(await client.patch(tenant.url("/agents/99999"), json={"role": "agent"}, headers=owner), 404)
    error(
        await client.patch(tenant.url(f"/agents/{other_tenant.agent.user_id}"), json={}, headers=owner), 404
    )

    # A login shared with another account is renamed only by its person.
    async with state.uow() as session:
        await accounts.add_member(
            session, account_id=tenant.account_id, user_id=other_tenant.agent.user_id, role="agent"
        )
    shared = tenant.url(f"/agents/{other_tenant.agent.user_id}")
    assert (
        "another account"
        in error(await client.patch(shared, json={"name": "Renamed"}, headers=owner), 403)["message"]
    )
    assert (await client.patch(shared, json={"role": "admin"}, headers=owner)).status_code == 200


async def test_an_admin_cannot_demote_or_deactivate_an_owner(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    # Two owners, so that demoting one would not break the "one active owner" rule.
    async with state.uow() as session:
        second = await accounts.create_user(
            session, email="second-owner@example.com", name="Second Owner", password="second-pass-1"
        )
        await accounts.add_member(session, account_id=tenant.account_id, user_id=second.id, role="owner")
    made_admin = await client.patch(
        tenant.url(f"/agents/{tenant.agent.user_id}"), json={"role": "admin"}, headers=tenant.owner.headers
    )
    assert made_admin.status_code == 200
    admin = tenant.agent.headers
    for owner_id in (tenant.owner.user_id, second.id):
        url = tenant.url(f"/agents/{owner_id}")
        for change in ({"role": "agent"}, {"role": "admin"}, {"active": False}):
            refused = await client.patch(url, json=change, headers=admin)
            assert "only an owner can change an owner" in error(refused, 403)["message"], change
    listed = (await client.get(tenant.url("/agents"), headers=tenant.owner.headers)).json()
    owners = {
        a["id"]: (a["role"], a["active"]) for a in listed if a["id"] in (tenant.owner.user_id, second.id)
    }
    assert owners == {tenant.owner.user_id: ("owner", True), second.id: ("owner", True)}
    # An owner still may.
    demoted = await client.patch(
        tenant.url(f"/agents/{second.id}"), json={"role": "admin"}, headers=tenant.owner.headers
    )
    assert demoted.status_code == 200


async def test_deactivated_agent_loses_tokens_and_sessions(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await login(client, tenant.agent.email)
    assert (await client.get(tenant.url("/contacts"))).status_code == 200
    url = tenant.url(f"/agents/{tenant.agent.user_id}")

    response = await client.patch(url, json={"active": False}, headers=tenant.owner.headers)
    assert response.status_code == 200
    assert response.json()["active"] is False
    # The account is gone for them: their token and their login session alike.
    error(await client.get(tenant.url("/contacts"), headers=tenant.agent.headers), 404)
    error(await client.get(tenant.url("/contacts")), 404)
    error(await client.post(tenant.url("/contacts"), json={"name": "X"}, headers=CSRF), 404)
    assert (await client.get("/api/v1/profile")).json()["accounts"] == []
    error(await client.get("/api/v1/profile", headers=tenant.agent.headers), 401)
    # Still listed (as inactive) for the administrators; cannot be put in a team.
    listed = {
        a["id"]: a for a in (await client.get(tenant.url("/agents"), headers=tenant.owner.headers)).json()
    }
    assert listed[tenant.agent.user_id]["active"] is False
    team = (await client.post(tenant.url("/teams"), json={"name": "L1"}, headers=tenant.owner.headers)).json()
    members = await client.put(
        tenant.url(f"/teams/{team['id']}/members"),
        json={"user_ids": [tenant.agent.user_id]},
        headers=tenant.owner.headers,
    )
    assert "deactivated" in field_error(members, "user_ids")["message"]

    await client.patch(url, json={"active": True}, headers=tenant.owner.headers)
    assert (await client.get(tenant.url("/contacts"), headers=tenant.agent.headers)).status_code == 200
    assert (await client.get(tenant.url("/contacts"))).status_code == 200
