"""Teams: tiers L1/L2/L3, members, and who may change them."""

from __future__ import annotations

import httpx

from tests.accounts.helpers import error, field_error
from tests.support.factories import Tenant


async def test_team_lifecycle(client: httpx.AsyncClient, tenant: Tenant) -> None:
    owner = tenant.owner.headers
    created = await client.post(
        tenant.url("/teams"),
        json={"name": " Mobile app ", "tier": 2, "description": "iOS and Android"},
        headers=owner,
    )
    assert created.status_code == 201
    team = created.json()
    assert team["name"] == "Mobile app"
    assert (team["tier"], team["tier_name"]) == (2, "technical")
    assert team["description"] == "iOS and Android"
    assert team["member_ids"] == []
    general = (await client.post(tenant.url("/teams"), json={"name": "Front desk"}, headers=owner)).json()
    assert (general["tier"], general["tier_name"]) == (1, "general")

    # Agents read teams; the list is by tier, then name.
    listed = await client.get(tenant.url("/teams"), headers=tenant.agent.headers)
    assert [t["id"] for t in listed.json()] == [general["id"], team["id"]]
    url = tenant.url(f"/teams/{team['id']}")
    assert (await client.get(url, headers=tenant.agent.headers)).json() == team

    members = await client.put(
        url + "/members", json={"user_ids": [tenant.agent.user_id, tenant.owner.user_id]}, headers=owner
    )
    assert members.status_code == 200
    assert members.json()["member_ids"] == sorted([tenant.agent.user_id, tenant.owner.user_id])
    # PUT replaces the whole list.
    members = await client.put(url + "/members", json={"user_ids": [tenant.agent.user_id]}, headers=owner)
    assert members.json()["member_ids"] == [tenant.agent.user_id]
    listed = {t["id"]: t for t in (await client.get(tenant.url("/teams"), headers=owner)).json()}
    assert listed[team["id"]]["member_ids"] == [tenant.agent.user_id]

    changed = await client.patch(url, json={"tier": 3, "name": "Engineering"}, headers=owner)
    assert changed.status_code == 200
    assert (changed.json()["tier"], changed.json()["tier_name"], changed.json()["name"]) == (
        3,
        "engineering",
        "Engineering",
    )
    assert changed.json()["description"] == "iOS and Android"
    assert changed.json()["member_ids"] == [tenant.agent.user_id]

    assert (await client.delete(url, headers=owner)).status_code == 204
    error(await client.get(url, headers=owner), 404)
    error(await client.delete(url, headers=owner), 404)
    agents = (await client.get(tenant.url("/agents"), headers=owner)).json()
    assert all(a["team_ids"] == [] for a in agents)


async def test_team_bad_input(client: httpx.AsyncClient, tenant: Tenant) -> None:
    owner = tenant.owner.headers
    field_error(
        await client.post(tenant.url("/teams"), json={"name": "L4", "tier": 4}, headers=owner), "tier"
    )
    field_error(
        await client.post(tenant.url("/teams"), json={"name": "L0", "tier": 0}, headers=owner), "tier"
    )
    field_error(await client.post(tenant.url("/teams"), json={"tier": 1}, headers=owner), "name")
    field_error(await client.post(tenant.url("/teams"), json={"name": "   "}, headers=owner), "name")
    field_error(await client.post(tenant.url("/teams"), json={"name": "x" * 101}, headers=owner), "name")

    team = (await client.post(tenant.url("/teams"), json={"name": "Billing"}, headers=owner)).json()
    other = (await client.post(tenant.url("/teams"), json={"name": "Refunds"}, headers=owner)).json()
    duplicate = await client.post(tenant.url("/teams"), json={"name": "Billing"}, headers=owner)
    assert error(duplicate, 409)["field"] == "name"
    url = tenant.url(f"/teams/{other['id']}")
    assert error(await client.patch(url, json={"name": "Billing"}, headers=owner), 409)["field"] == "name"
    field_error(await client.patch(url, json={"tier": 4}, headers=owner), "tier")
    field_error(await client.patch(url, json={"name": " "}, headers=owner), "name")
    assert (await client.get(url, headers=owner)).json()["name"] == "Refunds"

    members = tenant.url(f"/teams/{team['id']}/members")
    field_error(await client.put(members, json={}, headers=owner), "user_ids")
    field_error(await client.put(members, json={"user_ids": ["abc"]}, headers=owner), "user_ids.0")
    field_error(await client.put(members, json={"user_ids": [0]}, headers=owner), "user_ids.0")
    unknown = await client.put(members, json={"user_ids": [99999]}, headers=owner)
    assert error(unknown, 404)["field"] == "user_ids"
    error(await client.get(tenant.url("/teams/99999"), headers=owner), 404)
    field_error(await client.get(tenant.url("/teams/x"), headers=owner), "team_id")


async def test_team_changes_are_for_admins(client: httpx.AsyncClient, tenant: Tenant) -> None:
    team = (
        await client.post(tenant.url("/teams"), json={"name": "Billing"}, headers=tenant.owner.headers)
    ).json()
    agent = tenant.agent.headers
    url = tenant.url(f"/teams/{team['id']}")
    for response in (
        await client.post(tenant.url("/teams"), json={"name": "Mine"}, headers=agent),
        await client.patch(url, json={"name": "Mine"}, headers=agent),
        await client.delete(url, headers=agent),
        await client.put(url + "/members", json={"user_ids": [tenant.agent.user_id]}, headers=agent),
    ):
        assert "administrator" in error(response, 403)["message"]
    assert (await client.get(url, headers=agent)).json() == team
    error(await client.get(tenant.url("/teams")), 401)
