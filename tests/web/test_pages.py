"""The dashboard's pages over HTTP: login required, foreign accounts 404, what the inbox shows."""

from __future__ import annotations

import httpx

from destek.accounts import inboxes as inbox_service
from destek.accounts import service as accounts
from destek.state import AppState
from tests.support.factories import PASSWORD, Tenant, make_contact, open_conversation

CSRF = {"X-Requested-With": "test"}


async def login(client: httpx.AsyncClient, email: str) -> None:
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text


async def test_root_and_app_send_a_visitor_to_the_login_page(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    for path in ("/", "/app", f"/app/{tenant.account_id}", f"/app/{tenant.account_id}/conversations/1"):
        response = await client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login"), path
    response = await client.get(f"/app/{tenant.account_id}/conversations/1?x=1")
    assert (
        response.headers["location"]
        == f"/login?next=%2Fapp%2F{tenant.account_id}%2Fconversations%2F1%3Fx%3D1"
    )
    page = await client.get("/login")
    assert page.status_code == 200
    assert 'id="login-form"' in page.text and 'type="password"' in page.text


async def test_login_page_never_sends_anyone_to_another_site(client: httpx.AsyncClient) -> None:
    for target in (
        "//evil.example/x",
        "https://evil.example/",
        "/\\evil.example",
        "/\t/evil.example",
        "/\n/x",
    ):
        page = await client.get("/login", params={"next": target})
        assert 'data-next="/app"' in page.text, target


async def test_logged_in_agent_lands_in_their_account(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await login(client, tenant.agent.email)
    assert (await client.get("/")).headers["location"] == "/app"
    response = await client.get("/app")
    assert response.headers["location"] == f"/app/{tenant.account_id}"
    page = await client.get(f"/app/{tenant.account_id}")
    assert page.status_code == 200
    assert 'id="conversation-list"' in page.text
    assert "Settings" not in page.text  # an agent, not an administrator
    # Logged in, the login page moves on.
    assert (await client.get("/login?next=/app")).headers["location"] == "/app"


async def test_owner_sees_settings_link(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await login(client, tenant.owner.email)
    page = await client.get(f"/app/{tenant.account_id}")
    assert f'href="/app/{tenant.account_id}/settings"' in page.text


async def test_foreign_account_and_conversation_are_html_404(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, other_tenant: Tenant
) -> None:
    contact = await make_contact(state, other_tenant, name="Secret Customer")
    await open_conversation(client, contact, "other tenant's words")
    await login(client, tenant.owner.email)
    for path in (
        f"/app/{other_tenant.account_id}",
        f"/app/{other_tenant.account_id}/_nav",
        f"/app/{other_tenant.account_id}/conversations/1",
        f"/app/{other_tenant.account_id}/conversations/1/_contact",
        f"/app/{tenant.account_id}/conversations/1",  # A has no conversation 1
    ):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("text/html"), path
        assert "Secret Customer" not in response.text and "other tenant" not in response.text


async def test_agent_cannot_open_a_conversation_of_an_inbox_they_are_not_in(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    async with state.uow() as session:
        owner = await accounts.actor_for(session, account_id=tenant.account_id, user_id=tenant.owner.user_id)
        await inbox_service.set_inbox_members(session, actor=owner, inbox_id=tenant.inbox_id, user_ids=[])
    contact = await make_contact(state, tenant, name="Hidden Person")
    await open_conversation(client, contact)
    await login(client, tenant.agent.email)
    number = 1
    response = await client.get(f"/app/{tenant.account_id}/conversations/{number}")
    assert response.status_code == 404
    nav = await client.get(f"/app/{tenant.account_id}/_nav")
    assert 'data-count-for="all">0<' in nav.text


async def test_nav_counts_views(client: httpx.AsyncClient, state: AppState, tenant: Tenant) -> None:
    contact = await make_contact(state, tenant, name="Deniz")
    await open_conversation(client, contact, "first")
    await open_conversation(client, contact, "second")
    await login(client, tenant.owner.email)
    await client.put(tenant.url("/conversations/1/labels"), json={"labels": ["billing"]}, headers=CSRF)
    await client.post(
        tenant.url("/conversations/2/assignment"), json={"assignee_id": tenant.owner.user_id}, headers=CSRF
    )
    team = await client.post(tenant.url("/teams"), json={"name": "Payments", "tier": 2}, headers=CSRF)
    team_id = team.json()["id"]
    await client.post(tenant.url("/conversations/1/assignment"), json={"team_id": team_id}, headers=CSRF)
    nav = (await client.get(f"/app/{tenant.account_id}/_nav")).text
    assert f'data-count-for="team:{team_id}">1<' in nav and "Payments · L2" in nav
    assert 'data-count-for="all">2<' in nav
    assert 'data-count-for="mine">1<' in nav
    assert 'data-count-for="unassigned">1<' in nav
    assert 'data-count-for="label:billing">1<' in nav
    await client.post(tenant.url("/conversations/1/status"), json={"status": "resolved"}, headers=CSRF)
    nav = (await client.get(f"/app/{tenant.account_id}/_nav")).text
    assert 'data-count-for="all">1<' in nav
    assert 'data-count-for="status:resolved">1<' in nav
    assert 'data-count-for="label:billing">0<' in nav


async def test_contact_panel_shows_identity_device_and_history_as_text(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    identified = await client.post(
        tenant.public("/contacts"),
        json={
            "identifier": "u-42",
            "name": "<b>Deniz</b> Kaya",
            "email": "deniz@example.com",
            "attributes": {"plan": "<i>gold</i>"},
            "device": {
                "os": "iOS",
                "os_version": "18.1",
                "app_version": "4.2.0",
                "device_model": "iPhone15,2",
            },
        },
    )
    token = identified.json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    for text in ("first problem", "second problem"):
        response = await client.post(
            tenant.public("/conversations"), json={"message": {"content": text}}, headers=headers
        )
        assert response.status_code == 201
    await login(client, tenant.owner.email)
    panel = await client.get(f"/app/{tenant.account_id}/conversations/2/_contact")
    assert panel.status_code == 200
    html = panel.text
    assert "&lt;b&gt;Deniz&lt;/b&gt; Kaya" in html and "<b>Deniz</b>" not in html
    assert "deniz@example.com" in html and "u-42" in html
    assert "4.2.0" in html and "iPhone15,2" in html and "18.1" in html
    assert "&lt;i&gt;gold&lt;/i&gt;" in html
    assert f'href="/app/{tenant.account_id}/conversations/1"' in html and "first problem" in html
    assert "second problem" not in html  # the open conversation is not "previous"


async def test_turkish_for_an_agent_who_chose_it(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await login(client, tenant.agent.email)
    response = await client.put("/api/v1/profile/locale", json={"locale": "tr"}, headers=CSRF)
    assert response.status_code == 200, response.text
    assert response.json()["locale"] == "tr"
    page = await client.get(f"/app/{tenant.account_id}", headers={"Accept-Language": "en-US"})
    assert '<html lang="tr">' in page.text and "Çıkış yap" in page.text
    await client.put("/api/v1/profile/locale", json={"locale": None}, headers=CSRF)
    page = await client.get(f"/app/{tenant.account_id}", headers={"Accept-Language": "en-US"})
    assert '<html lang="en">' in page.text and "Log out" in page.text
    page = await client.get(f"/app/{tenant.account_id}", headers={"Accept-Language": "tr-TR,tr;q=0.9"})
    assert '<html lang="tr">' in page.text


async def test_locale_change_needs_the_csrf_header_with_a_cookie(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await login(client, tenant.agent.email)
    response = await client.put("/api/v1/profile/locale", json={"locale": "tr"})
    assert response.status_code == 403
    response = await client.put("/api/v1/profile/locale", json={"locale": "fr"}, headers=CSRF)
    assert response.status_code == 422 and response.json()["error"]["field"] == "locale"


async def test_user_in_two_accounts_gets_a_switcher(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, other_tenant: Tenant
) -> None:
    async with state.uow() as session:
        await accounts.add_member(
            session, account_id=other_tenant.account_id, user_id=tenant.agent.user_id, role="agent"
        )
    await login(client, tenant.agent.email)
    page = (await client.get(f"/app/{other_tenant.account_id}")).text
    assert 'id="account-switch"' in page
    assert f'<option value="{tenant.account_id}"' in page
    assert f'<option value="{other_tenant.account_id}" selected' in page
