"""Agents: list, change role, deactivate and reactivate (joining is by invitation: test_invitations.py)."""

from __future__ import annotations

import httpx

from destek.accounts import credentials
from destek.accounts import service as accounts
from destek.state import AppState
from tests.accounts.helpers import error, field_error, login
from tests.support.factories import PASSWORD, Tenant


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
        "never_logged_in": True,
    }
    assert by_id[tenant.agent.user_id]["role"] == "agent"
    assert by_id[tenant.agent.user_id]["team_ids"] == [team["id"]]


async def test_update_role(client: httpx.AsyncClient, tenant: Tenant) -> None:
    url = tenant.url(f"/agents/{tenant.agent.user_id}")
    response = await client.patch(url, json={"role": "admin"}, headers=tenant.owner.headers)
    assert response.status_code == 200
    assert response.json()["role"] == "admin"
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
    # JSON booleans only: 0 and 1 are not "false" and "true".
    field_error(await client.patch(agent_url, json={"active": 0}, headers=owner), "active")
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

    # A person's name is theirs: the administrators change only their place in the account.
    field_error(await client.patch(agent_url, json={"name": "Renamed"}, headers=owner), "name")


async def test_an_admin_cannot_demote_or_deactivate_an_owner(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    # Two owners, so that demoting one would not break the "one active owner" rule.
    async with state.uow() as session:
        second = await credentials.create_user(
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


async def test_deactivated_agent_loses_tokens_and_sessions(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, other_tenant: Tenant
) -> None:
    await login(client, tenant.agent.email)
    assert (await client.get(tenant.url("/contacts"))).status_code == 200
    url = tenant.url(f"/agents/{tenant.agent.user_id}")

    response = await client.patch(url, json={"active": False}, headers=tenant.owner.headers)
    assert response.status_code == 200
    assert response.json()["active"] is False
    # The token says why (401), not "account not found".
    refused = error(await client.get(tenant.url("/contacts"), headers=tenant.agent.headers), 401)
    assert "deactivated" in refused["message"]
    error(await client.get("/api/v1/profile", headers=tenant.agent.headers), 401)
    # Active nowhere now: the login session ended, and logging in again is refused with a reason.
    error(await client.get(tenant.url("/contacts")), 401)
    error(await client.get("/api/v1/profile"), 401)
    again = await client.post("/api/v1/auth/login", json={"email": tenant.agent.email, "password": PASSWORD})
    assert error(again, 401)["code"] == "deactivated"
    assert "set-cookie" not in again.headers
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
    await login(client, tenant.agent.email)


async def test_deactivated_in_one_account_still_works_in_another(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, other_tenant: Tenant
) -> None:
    async with state.uow() as session:
        await accounts.add_member(
            session, account_id=other_tenant.account_id, user_id=tenant.agent.user_id, role="agent"
        )
    await login(client, tenant.agent.email)
    deactivated = await client.patch(
        tenant.url(f"/agents/{tenant.agent.user_id}"), json={"active": False}, headers=tenant.owner.headers
    )
    assert deactivated.status_code == 200
    # The session lives on for the other account; here it is refused, with the reason.
    assert error(await client.get(tenant.url("/contacts")), 403)["code"] == "deactivated"
    assert (await client.get(other_tenant.url("/contacts"))).status_code == 200
    profile = (await client.get("/api/v1/profile")).json()
    assert [a["id"] for a in profile["accounts"]] == [other_tenant.account_id]
