"""The cross-account takeover, step by step: an administrator of account A must not gain the login of
a person of account B (B's owner included). Every step that should refuse does, and B's owner keeps
their password. On SQLite and PostgreSQL (the db_url fixture), by an owner and by a plain admin."""

from __future__ import annotations

import httpx
import pytest

from tests.accounts.helpers import CSRF, error, login
from tests.support.factories import PASSWORD, Tenant


@pytest.mark.parametrize("attacker_role", ["owner", "admin"])
async def test_an_admin_of_one_account_cannot_take_over_a_person_of_another(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant, attacker_role: str
) -> None:
    attacker = tenant.owner.headers
    if attacker_role == "admin":
        promoted = await client.patch(
            tenant.url(f"/agents/{tenant.agent.user_id}"), json={"role": "admin"}, headers=attacker
        )
        assert promoted.status_code == 200
        attacker = tenant.agent.headers
    victim = other_tenant.owner

    # 1. "Add them by their e-mail": there is no such route any more; an invitation is all one gets,
    #    and it says nothing of the victim (not their id, not their name, not that they exist).
    added = await client.post(
        tenant.url("/agents"), json={"email": victim.email, "name": "X"}, headers=attacker
    )
    assert added.status_code == 405
    invited = await client.post(
        tenant.url("/invitations"), json={"email": victim.email, "name": "Whoever"}, headers=attacker
    )
    unknown = await client.post(
        tenant.url("/invitations"),
        json={"email": "nobody-here@example.com", "name": "Whoever"},
        headers=attacker,
    )
    assert invited.status_code == unknown.status_code == 201
    assert set(invited.json()) == set(unknown.json())
    # The same answer as for an address nobody uses: what A typed, never B's stored name or id.
    shown = ("name", "role", "status", "invited_by")
    assert {k: invited.json()[k] for k in shown} == {k: unknown.json()[k] for k in shown}
    assert invited.json()["name"] == "Whoever"
    listed = (await client.get(tenant.url("/agents"), headers=attacker)).json()
    assert victim.user_id not in [a["id"] for a in listed]

    # 2. Deactivate them in A: they are not A's, so there is nothing to deactivate.
    error(
        await client.patch(tenant.url(f"/agents/{victim.user_id}"), json={"active": False}, headers=attacker),
        404,
    )
    # 3. Generate a password for them: not A's either.
    error(await client.post(tenant.url(f"/agents/{victim.user_id}/one-time-password"), headers=attacker), 404)

    # The victim's own password still works; B is untouched.
    profile = (await login(client, victim.email, PASSWORD)).json()
    assert [(a["id"], a["role"]) for a in profile["accounts"]] == [(other_tenant.account_id, "owner")]


async def test_even_after_the_person_joins_an_admin_cannot_touch_their_login(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    """B's owner accepts A's invitation (consent): A's admin may then manage their place in A, never
    their login, even once they are deactivated in A."""
    victim = other_tenant.owner
    invited = await client.post(
        tenant.url("/invitations"), json={"email": victim.email, "name": "V"}, headers=tenant.owner.headers
    )
    await login(client, victim.email)
    mine = (await client.get("/api/v1/profile/invitations")).json()
    assert [i["account_id"] for i in mine] == [tenant.account_id]
    accepted = await client.post(f"/api/v1/profile/invitations/{invited.json()['id']}/accept", headers=CSRF)
    assert accepted.status_code == 200
    assert {a["id"] for a in accepted.json()["accounts"]} == {tenant.account_id, other_tenant.account_id}

    owner = tenant.owner.headers
    url = tenant.url(f"/agents/{victim.user_id}")
    assert (await client.patch(url, json={"role": "admin"}, headers=owner)).status_code == 200
    assert (await client.patch(url, json={"active": False}, headers=owner)).status_code == 200
    # The old chain's last step: refused, deactivated or not.
    refused = await client.post(tenant.url(f"/agents/{victim.user_id}/one-time-password"), headers=owner)
    assert error(refused, 422)["field"] == "user_id"
    assert (await client.patch(url, json={"active": True}, headers=owner)).status_code == 200
    refused = await client.post(tenant.url(f"/agents/{victim.user_id}/one-time-password"), headers=owner)
    assert error(refused, 422)["field"] == "user_id"
    # Nor their name.
    renamed = await client.patch(url, json={"name": "Renamed"}, headers=owner)
    assert error(renamed, 422)["field"] == "name"
    # Their password still works, in both accounts.
    client.cookies.clear()
    profile = (await login(client, victim.email, PASSWORD)).json()
    assert {a["id"] for a in profile["accounts"]} == {tenant.account_id, other_tenant.account_id}
