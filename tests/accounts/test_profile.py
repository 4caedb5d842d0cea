"""The person's own profile: name, password (and what changing it ends), sessions, one-time passwords."""

from __future__ import annotations

import httpx

from destek.state import AppState
from tests.accounts.helpers import CSRF, error, field_error, login
from tests.support.factories import PASSWORD, Tenant


def browser(
    client: httpx.AsyncClient, agent: str = "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0"
) -> httpx.AsyncClient:
    """A second browser on the same app (its own cookies)."""
    return httpx.AsyncClient(
        transport=client._transport, base_url="http://testserver", headers={"User-Agent": agent}
    )


async def test_change_password_ends_other_sessions_and_tokens(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    email = tenant.agent.email
    async with browser(client) as laptop:
        await login(laptop, email)
        await login(client, email)
        body = {"current_password": PASSWORD, "new_password": "a brand new one"}
        wrong = await client.post(
            "/api/v1/profile/password", json={**body, "current_password": "guess"}, headers=CSRF
        )
        assert field_error(wrong, "current_password")["message"] == "the current password is wrong"
        same = await client.post(
            "/api/v1/profile/password", json={**body, "new_password": PASSWORD}, headers=CSRF
        )
        field_error(same, "new_password")
        field_error(
            await client.post(
                "/api/v1/profile/password", json={**body, "new_password": "short"}, headers=CSRF
            ),
            "new_password",
        )
        # An API token cannot change the person's password: only their own browser session can.
        error(await client.post("/api/v1/profile/password", json=body, headers=tenant.agent.headers), 401)
        error(await client.post("/api/v1/profile/password", json=body), 403)  # no CSRF header

        changed = await client.post("/api/v1/profile/password", json=body, headers=CSRF)
        assert changed.status_code == 200, changed.text
        # This session lives on; the laptop's ended; the API tokens were revoked (the default).
        assert (await client.get(tenant.url("/contacts"))).status_code == 200
        error(await laptop.get("/api/v1/profile"), 401)
        error(await client.get(tenant.url("/contacts"), headers=tenant.agent.headers), 401)
    client.cookies.clear()
    bad = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    error(bad, 401)
    await login(client, email, "a brand new one")


async def test_change_password_keeping_the_rest(client: httpx.AsyncClient, tenant: Tenant) -> None:
    async with browser(client) as laptop:
        await login(laptop, tenant.agent.email)
        await login(client, tenant.agent.email)
        body = {
            "current_password": PASSWORD,
            "new_password": "a brand new one",
            "end_other_sessions": False,
            "revoke_api_tokens": False,
        }
        assert (await client.post("/api/v1/profile/password", json=body, headers=CSRF)).status_code == 200
        assert (await laptop.get("/api/v1/profile")).status_code == 200
        assert (await client.get(tenant.url("/contacts"), headers=tenant.agent.headers)).status_code == 200
        refused = await client.post(
            "/api/v1/profile/password", json={**body, "end_other_sessions": 0}, headers=CSRF
        )
        field_error(refused, "end_other_sessions")


async def test_sessions_are_listed_and_ended(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    async with browser(
        client, "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Safari/604.1"
    ) as phone:
        await login(phone, tenant.agent.email)
        await login(client, tenant.agent.email)
        sessions = (await client.get("/api/v1/profile/sessions")).json()
        assert len(sessions) == 2
        current = next(s for s in sessions if s["current"])
        other = next(s for s in sessions if not s["current"])
        assert (other["browser"], other["system"]) == ("Safari", "iOS")
        assert current["ip"] == "127.0.0.1"
        # Someone else's session is not theirs to end; their own other one is.
        await login(phone, other_tenant.agent.email)
        foreign = (await phone.get("/api/v1/profile/sessions")).json()[0]["id"]
        error(await client.delete(f"/api/v1/profile/sessions/{foreign}", headers=CSRF), 404)
        assert (await phone.get("/api/v1/profile")).status_code == 200
        await login(phone, tenant.agent.email)
        assert (await client.delete("/api/v1/profile/sessions", headers=CSRF)).status_code == 204
        error(await phone.get("/api/v1/profile"), 401)
        assert [s["current"] for s in (await client.get("/api/v1/profile/sessions")).json()] == [True]
        # Ending the current one logs this browser out.
        ended = await client.delete(f"/api/v1/profile/sessions/{current['id']}", headers=CSRF)
        assert ended.status_code == 204 and 'destek_session=""' in ended.headers["set-cookie"]
        error(await client.get("/api/v1/profile/sessions"), 401)


async def test_name_is_the_persons_own(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await login(client, tenant.agent.email)
    renamed = await client.patch("/api/v1/profile", json={"name": "  Ayşe Yılmaz "}, headers=CSRF)
    assert renamed.status_code == 200 and renamed.json()["name"] == "Ayşe Yılmaz"
    field_error(await client.patch("/api/v1/profile", json={"name": ""}, headers=CSRF), "name")
    field_error(await client.patch("/api/v1/profile", json={"email": "x@example.com"}, headers=CSRF), "email")
    agents = (await client.get(tenant.url("/agents"), headers=tenant.owner.headers)).json()
    assert "Ayşe Yılmaz" in [a["name"] for a in agents]


async def test_one_time_password_only_for_a_login_never_used(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, other_tenant: Tenant
) -> None:
    owner = tenant.owner.headers
    url = tenant.url(f"/agents/{tenant.agent.user_id}/one-time-password")
    listed = {a["id"]: a for a in (await client.get(tenant.url("/agents"), headers=owner)).json()}
    assert listed[tenant.agent.user_id]["never_logged_in"] is True
    given = await client.post(url, headers=owner)
    assert given.status_code == 200, given.text
    assert given.headers["cache-control"] == "no-store"
    password = given.json()["password"]
    assert len(password) == 19 and given.json()["login_url"].endswith("/login")
    # Not for oneself, nor for another account's person.
    assert error(
        await client.post(tenant.url(f"/agents/{tenant.owner.user_id}/one-time-password"), headers=owner), 422
    )
    error(
        await client.post(
            tenant.url(f"/agents/{other_tenant.agent.user_id}/one-time-password"), headers=owner
        ),
        404,
    )
    # Logged in with it, the person can do nothing but choose their own.
    profile = (await login(client, tenant.agent.email, password)).json()
    assert profile["must_change_password"] is True
    blocked = await client.get(tenant.url("/contacts"))
    assert error(blocked, 403)["code"] == "password_change_required"
    page = await client.get(f"/app/{tenant.account_id}")
    assert page.status_code == 303 and page.headers["location"].startswith("/password?next=")
    assert (await client.get(page.headers["location"])).status_code == 200
    changed = await client.post(
        "/api/v1/profile/password",
        json={"current_password": password, "new_password": "mine, only mine"},
        headers=CSRF,
    )
    assert changed.status_code == 200 and changed.json()["must_change_password"] is False
    assert (await client.get(tenant.url("/contacts"))).status_code == 200
    # Once used, the login is the person's: no more one-time passwords for it.
    again = await client.post(url, headers=owner)
    assert "never logged in" in error(again, 422)["message"]
