"""Invitations: an administrator invites an address; the person accepts, logged in or with a new login
of their own. Nobody joins without accepting; the link works once, for a week."""

from __future__ import annotations

import datetime as dt

import httpx
from sqlalchemy import update

from destek.accounts.models import Invitation
from destek.state import AppState
from tests.accounts.helpers import CSRF, error, field_error, login
from tests.support.factories import PASSWORD, Tenant


def token_of(url: str) -> str:
    return url.rsplit("/invite/", 1)[1]


async def invite(client: httpx.AsyncClient, tenant: Tenant, email: str, **extra: str) -> dict[str, object]:
    response = await client.post(
        tenant.url("/invitations"),
        json={"email": email, "name": "Nur Yeni", **extra},
        headers=tenant.owner.headers,
    )
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    body: dict[str, object] = response.json()
    return body


async def test_a_new_person_registers_with_their_own_password(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    created = await invite(client, tenant, "New.Person@Example.com", role="admin")
    assert created["email"] == "new.person@example.com"
    assert created["status"] == "pending"
    assert created["invited_by"] == tenant.owner.user_id
    url = str(created["url"])
    assert url.startswith("http://testserver/invite/dti_")
    token = token_of(url)
    # The link's page data: the account and the role; nothing says whether the address has a login.
    view = (await client.get(f"/api/v1/invitations/{token}")).json()
    assert (
        view["email"] == "new.person@example.com" and view["role"] == "admin" and view["name"] == "Nur Yeni"
    )
    assert view["invited_by"] == "Owner " + tenant.owner.email.removeprefix("owner").split("@")[0]
    # Not yet a member, and the administrators see it waiting (without its secret link).
    listed = (await client.get(tenant.url("/invitations"), headers=tenant.owner.headers)).json()
    assert [(i["email"], i["status"]) for i in listed] == [("new.person@example.com", "pending")]
    assert "url" not in listed[0]

    short = await client.post(
        f"/api/v1/invitations/{token}/register", json={"name": "Nur", "password": "short"}
    )
    field_error(short, "password")
    registered = await client.post(
        f"/api/v1/invitations/{token}/register", json={"name": " Nur Yeni ", "password": "my own pass"}
    )
    assert registered.status_code == 200, registered.text
    assert registered.headers["set-cookie"].startswith("destek_session=")
    profile = registered.json()
    assert profile["user"]["name"] == "Nur Yeni"
    assert [(a["id"], a["role"]) for a in profile["accounts"]] == [(tenant.account_id, "admin")]
    # Logged in already, and their password is theirs.
    assert (await client.get(tenant.url("/agents"))).status_code == 200
    client.cookies.clear()
    await login(client, "new.person@example.com", "my own pass")
    agents = (await client.get(tenant.url("/agents"), headers=tenant.owner.headers)).json()
    assert "new.person@example.com" in [a["email"] for a in agents]
    # The link worked once.
    again = await client.post(
        f"/api/v1/invitations/{token}/register", json={"name": "X", "password": "another pass"}
    )
    assert error(again, 410)["code"] == "gone"
    assert (await client.get(tenant.url("/invitations"), headers=tenant.owner.headers)).json() == []


async def test_a_person_with_a_login_accepts_logged_in(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    created = await invite(client, tenant, other_tenant.agent.email)
    token = token_of(str(created["url"]))
    # A new login cannot be made for an address that has one: log in instead.
    taken = await client.post(
        f"/api/v1/invitations/{token}/register", json={"name": "X", "password": "takeover!!"}
    )
    assert "log in" in error(taken, 409)["message"]
    # Accepting needs the login of that very address.
    error(await client.post(f"/api/v1/invitations/{token}/accept", headers=CSRF), 401)
    await login(client, other_tenant.owner.email)
    wrong = await client.post(f"/api/v1/invitations/{token}/accept", headers=CSRF)
    assert "another e-mail" in error(wrong, 403)["message"]
    client.cookies.clear()
    profile = (await login(client, other_tenant.agent.email)).json()
    assert profile["invitations"] == 1
    no_csrf = await client.post(f"/api/v1/invitations/{token}/accept")
    error(no_csrf, 403)
    accepted = await client.post(f"/api/v1/invitations/{token}/accept", headers=CSRF)
    assert accepted.status_code == 200
    assert {a["id"] for a in accepted.json()["accounts"]} == {tenant.account_id, other_tenant.account_id}
    assert accepted.json()["invitations"] == 0


async def test_invitations_waiting_in_the_profile_and_declined(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    created = await invite(client, tenant, other_tenant.agent.email, role="admin")
    await login(client, other_tenant.agent.email)
    waiting = (await client.get("/api/v1/profile/invitations")).json()
    assert [(i["account_name"], i["role"]) for i in waiting] == [
        ((await client.get(tenant.url(""), headers=tenant.owner.headers)).json()["name"], "admin")
    ]
    # Someone else's invitation is not theirs to decline.
    await login(client, other_tenant.owner.email)
    error(await client.post(f"/api/v1/profile/invitations/{created['id']}/decline", headers=CSRF), 404)
    await login(client, other_tenant.agent.email)
    declined = await client.post(f"/api/v1/profile/invitations/{created['id']}/decline", headers=CSRF)
    assert declined.status_code == 204
    assert (await client.get("/api/v1/profile/invitations")).json() == []
    error(await client.get(f"/api/v1/invitations/{token_of(str(created['url']))}"), 410)


async def test_renew_revoke_replace_and_expire(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    owner = tenant.owner.headers
    first = await invite(client, tenant, "late@example.com")
    # Inviting the same address again replaces the first link.
    second = await invite(client, tenant, "late@example.com", role="admin")
    error(await client.get(f"/api/v1/invitations/{token_of(str(first['url']))}"), 410)
    assert (await client.get(f"/api/v1/invitations/{token_of(str(second['url']))}")).json()["role"] == "admin"
    # It expires after a week; the administrators see it expired and renew it with a new link.
    async with state.uow() as session:
        await session.execute(
            update(Invitation)
            .where(Invitation.id == second["id"])
            .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
        )
    error(await client.get(f"/api/v1/invitations/{token_of(str(second['url']))}"), 410)
    listed = (await client.get(tenant.url("/invitations"), headers=owner)).json()
    assert [i["status"] for i in listed] == ["expired"]
    renewed = await client.post(tenant.url(f"/invitations/{second['id']}/renew"), headers=owner)
    assert renewed.status_code == 200
    assert renewed.json()["url"] != second["url"] and renewed.json()["status"] == "pending"
    assert (await client.get(f"/api/v1/invitations/{token_of(renewed.json()['url'])}")).status_code == 200
    # Withdrawn: the link stops working, and it is gone from the list.
    assert (await client.delete(tenant.url(f"/invitations/{second['id']}"), headers=owner)).status_code == 204
    error(await client.get(f"/api/v1/invitations/{token_of(renewed.json()['url'])}"), 410)
    assert (await client.get(tenant.url("/invitations"), headers=owner)).json() == []
    error(await client.delete(tenant.url(f"/invitations/{second['id']}"), headers=owner), 404)
    error(await client.get("/api/v1/invitations/dti_not-a-real-token"), 404)


async def test_invitation_bad_input_and_rights(client: httpx.AsyncClient, tenant: Tenant) -> None:
    owner = tenant.owner.headers
    url = tenant.url("/invitations")
    field_error(await client.post(url, json={"email": "not-an-email", "name": "X"}, headers=owner), "email")
    field_error(await client.post(url, json={"email": "a@localhost", "name": "X"}, headers=owner), "email")
    field_error(await client.post(url, json={"email": "n@example.com"}, headers=owner), "name")
    field_error(
        await client.post(url, json={"email": "n@example.com", "name": "X", "role": "king"}, headers=owner),
        "role",
    )
    # Already here: said for this account only.
    here = await client.post(url, json={"email": tenant.agent.email, "name": "X"}, headers=owner)
    assert error(here, 409)["field"] == "email"
    # Agents do not invite; admins do not invite owners.
    refused = await client.post(
        url, json={"email": "n@example.com", "name": "X"}, headers=tenant.agent.headers
    )
    assert "administrator" in error(refused, 403)["message"]
    error(await client.get(url, headers=tenant.agent.headers), 403)
    await client.patch(tenant.url(f"/agents/{tenant.agent.user_id}"), json={"role": "admin"}, headers=owner)
    owner_by_admin = await client.post(
        url, json={"email": "o@example.com", "name": "O", "role": "owner"}, headers=tenant.agent.headers
    )
    assert "owner" in error(owner_by_admin, 403)["message"]


async def test_login_with_only_an_invitation_lands_on_it(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, other_tenant: Tenant
) -> None:
    """Deactivated everywhere, a person with an invitation waiting may still log in to accept it."""
    await client.patch(
        other_tenant.url(f"/agents/{other_tenant.agent.user_id}"),
        json={"active": False},
        headers=other_tenant.owner.headers,
    )
    refused = await client.post(
        "/api/v1/auth/login", json={"email": other_tenant.agent.email, "password": PASSWORD}
    )
    assert error(refused, 401)["code"] == "deactivated"
    await invite(client, tenant, other_tenant.agent.email)
    profile = (await login(client, other_tenant.agent.email)).json()
    assert profile["accounts"] == [] and profile["invitations"] == 1
    page = await client.get("/app")
    assert page.status_code == 403 and "data-invitation-action" in page.text
