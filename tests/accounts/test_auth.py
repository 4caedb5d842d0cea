"""Login, logout, the profile, and how cookies and tokens are accepted or refused."""

from __future__ import annotations

import httpx

from destek.accounts import service as accounts
from destek.state import AppState
from tests.accounts.helpers import CSRF, error, field_error, login
from tests.support.factories import PASSWORD, Tenant


async def test_login_sets_session_cookie_and_profile_follows(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, other_tenant: Tenant
) -> None:
    # The owner also works in the other account: the profile lists both.
    async with state.uow() as session:
        await accounts.add_member(
            session, account_id=other_tenant.account_id, user_id=tenant.owner.user_id, role="agent"
        )
    response = await login(client, tenant.owner.email.upper())  # e-mails match case-insensitively
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("destek_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert f"Max-Age={state.settings.session_days * 86400}" in cookie
    assert "Secure" not in cookie
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["user"]["id"] == tenant.owner.user_id
    assert body["user"]["email"] == tenant.owner.email
    assert body["user"]["name"].startswith("Owner ")
    assert body["user"]["locale"] is None
    assert [(a["id"], a["role"]) for a in body["accounts"]] == [
        (tenant.account_id, "owner"),
        (other_tenant.account_id, "agent"),
    ]
    assert all(a["name"].startswith("Acme ") for a in body["accounts"])

    profile = await client.get("/api/v1/profile")
    assert profile.status_code == 200
    assert profile.json() == body

    # The cookie works on the agent API; changing something also needs X-Requested-With.
    assert (await client.get(tenant.url(""))).status_code == 200
    refused = await client.post(tenant.url("/teams"), json={"name": "Billing"})
    assert "X-Requested-With" in error(refused, 403)["message"]
    created = await client.post(tenant.url("/teams"), json={"name": "Billing"}, headers=CSRF)
    assert created.status_code == 201

    # Logging out is a change like any other: another site cannot log the agent out.
    forged = await client.post("/api/v1/auth/logout")
    assert "X-Requested-With" in error(forged, 403)["message"]
    assert (await client.get("/api/v1/profile")).status_code == 200
    logout = await client.post("/api/v1/auth/logout", headers=CSRF)
    assert logout.status_code == 204
    assert 'destek_session=""' in logout.headers["set-cookie"]
    assert "destek_session" not in client.cookies
    error(await client.get("/api/v1/profile"), 401)
    error(await client.get(tenant.url("")), 401)


async def test_ended_session_cookie_is_refused(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await login(client, tenant.agent.email)
    kept = client.cookies["destek_session"]
    assert (await client.post("/api/v1/auth/logout", headers=CSRF)).status_code == 204
    # A client that kept the old cookie value gets nothing with it.
    client.cookies.set("destek_session", kept)
    error(await client.get("/api/v1/profile"), 401)
    error(await client.get(tenant.url("/contacts")), 401)


async def test_secure_cookie_when_configured(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    state.settings = state.settings.model_copy(update={"cookie_secure": True})
    response = await login(client, tenant.owner.email)
    assert "Secure" in response.headers["set-cookie"]


async def test_wrong_credentials_do_not_say_which(client: httpx.AsyncClient, tenant: Tenant) -> None:
    wrong_password = await client.post(
        "/api/v1/auth/login", json={"email": tenant.owner.email, "password": "not the password"}
    )
    unknown_email = await client.post(
        "/api/v1/auth/login", json={"email": "nobody@example.com", "password": PASSWORD}
    )
    first, second = error(wrong_password, 401), error(unknown_email, 401)
    assert first == second
    assert first["message"] == "wrong e-mail or password"
    assert "set-cookie" not in wrong_password.headers


async def test_login_bad_input(client: httpx.AsyncClient) -> None:
    field_error(await client.post("/api/v1/auth/login", json={"email": "x", "password": "p"}), "email")
    field_error(await client.post("/api/v1/auth/login", json={"email": "a@example.com"}), "password")
    field_error(
        await client.post("/api/v1/auth/login", json={"email": "a@example.com", "password": ""}), "password"
    )


async def test_profile_with_api_token_shows_only_its_account(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, other_tenant: Tenant
) -> None:
    async with state.uow() as session:
        await accounts.add_member(
            session, account_id=other_tenant.account_id, user_id=tenant.agent.user_id, role="agent"
        )
    response = await client.get("/api/v1/profile", headers=tenant.agent.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["id"] == tenant.agent.user_id
    assert [a["id"] for a in body["accounts"]] == [tenant.account_id]
    assert body["accounts"][0]["role"] == "agent"


async def test_profile_refuses_missing_bad_and_revoked_credentials(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    assert "log in" in error(await client.get("/api/v1/profile"), 401)["message"]
    error(await client.get("/api/v1/profile", headers={"Authorization": "Bearer dtk_nope"}), 401)
    client.cookies.set("destek_session", "forged")
    error(await client.get("/api/v1/profile"), 401)
    client.cookies.clear()

    tokens = (await client.get(tenant.url("/tokens"), headers=tenant.agent.headers)).json()
    revoked = await client.delete(tenant.url(f"/tokens/{tokens[0]['id']}"), headers=tenant.agent.headers)
    assert revoked.status_code == 204
    error(await client.get("/api/v1/profile", headers=tenant.agent.headers), 401)


async def test_logout_without_session_is_harmless(client: httpx.AsyncClient) -> None:
    assert (await client.post("/api/v1/auth/logout")).status_code == 204
