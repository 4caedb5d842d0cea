"""Every route that touches a person, aimed at a person of another account: refused (404), saying
nothing of them and changing nothing of their login. The routes about the caller's own login take no
person id at all, so another person can only be reached through these ids."""

from __future__ import annotations

import httpx

from destek.accounts import credentials
from destek.state import AppState
from tests.accounts.helpers import CSRF, error, login
from tests.support.factories import PASSWORD, Tenant


async def test_person_routes_refuse_another_accounts_person(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, other_tenant: Tenant
) -> None:
    victim = other_tenant.agent
    # The victim has a live session (a phone) and an invitation waiting, from their own account.
    async with httpx.AsyncClient(transport=client._transport, base_url="http://testserver") as phone:
        await login(phone, victim.email)
        sessions = (await phone.get("/api/v1/profile/sessions")).json()
        victim_session = sessions[0]["id"]
        invited = await client.post(
            other_tenant.url("/invitations"),
            json={"email": "victim-friend@example.com", "name": "Friend"},
            headers=other_tenant.owner.headers,
        )
        assert invited.status_code == 201
        async with state.read() as session:
            found = await credentials.get_user_by_email(session, email=victim.email)
            assert found is not None
            victim_hash = found.password_hash

        # A's owner, logged in, tries the person-scoped ids of B's people.
        await login(client, tenant.owner.email)
        attempts = [
            ("DELETE", f"/api/v1/profile/sessions/{victim_session}", None),
            ("POST", f"/api/v1/profile/invitations/{invited.json()['id']}/accept", None),
            ("POST", f"/api/v1/profile/invitations/{invited.json()['id']}/decline", None),
            ("PATCH", tenant.url(f"/agents/{victim.user_id}"), {"active": False}),
            ("POST", tenant.url(f"/agents/{victim.user_id}/one-time-password"), None),
            ("PATCH", other_tenant.url(f"/agents/{victim.user_id}"), {"active": False}),
            ("POST", other_tenant.url(f"/agents/{victim.user_id}/one-time-password"), None),
        ]
        for method, url, body in attempts:
            response = await client.request(method, url, json=body, headers=CSRF)
            assert error(response, 404)["code"] == "not_found", (method, url)
            assert victim.email not in response.text and "Friend" not in response.text
        # With A's API token too.
        for method, url, body in attempts[3:]:
            response = await client.request(method, url, json=body, headers=tenant.owner.headers)
            assert response.status_code == 404, (method, url, response.text)

        # Nothing of B's person changed: their session lives, their password is theirs.
        assert (await phone.get("/api/v1/profile")).status_code == 200
        async with state.read() as session:
            found = await credentials.get_user_by_email(session, email=victim.email)
            assert found is not None and found.password_hash == victim_hash
            assert found.must_change_password is False
        assert (await client.get(other_tenant.url("/invitations"), headers=other_tenant.owner.headers)).json()
    client.cookies.clear()
    await login(client, victim.email, PASSWORD)
