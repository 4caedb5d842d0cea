"""The Settings pages over HTTP: who may open them, what they show, and the errors forms get back."""

from __future__ import annotations

import html

import httpx
import pytest

from destek.accounts import credentials
from destek.accounts import service as accounts
from destek.state import AppState
from tests.support.factories import Tenant
from tests.web_settings.helpers import CSRF, log_in

PAGES = ["agents", "teams", "inboxes", "canned", "labels"]


def base(tenant: Tenant) -> str:
    return f"/app/{tenant.account_id}/settings"


@pytest.mark.parametrize("section", PAGES)
async def test_admin_opens_every_page(client: httpx.AsyncClient, tenant: Tenant, section: str) -> None:
    await log_in(client, tenant.owner.email)
    response = await client.get(f"{base(tenant)}/{section}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert 'aria-current="page" data-testid="tab-' + section in response.text
    assert "settings/settings.js" in response.text


async def test_the_settings_link_leads_to_agents(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await log_in(client, tenant.owner.email)
    response = await client.get(base(tenant))
    assert response.status_code == 303
    assert response.headers["location"] == f"{base(tenant)}/agents"


async def test_agents_get_a_403_page(client: httpx.AsyncClient, state: AppState, tenant: Tenant) -> None:
    await log_in(client, tenant.agent.email)
    for section in [*PAGES, f"inboxes/{tenant.inbox_id}"]:
        response = await client.get(f"{base(tenant)}/{section}")
        assert response.status_code == 403, section
        assert response.headers["content-type"].startswith("text/html")
        assert tenant.inbox_secret not in response.text
    # The page actions answer the agent in JSON, and change nothing.
    invite = await client.post(
        tenant.url("/invitations"), json={"email": "x@example.com", "name": "X"}, headers=CSRF
    )
    assert invite.status_code == 403 and invite.json()["error"]["code"] == "forbidden"
    widget = await client.post(
        f"{base(tenant)}/inboxes/{tenant.inbox_id}/widget", json={"color": "#000000"}, headers=CSRF
    )
    assert widget.status_code == 403
    async with state.read() as session:
        assert await credentials.get_user_by_email(session, email="x@example.com") is None


async def test_logged_out_visitors_go_to_the_login_page(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.get(f"{base(tenant)}/teams")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


async def test_another_accounts_settings_are_not_found(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    await log_in(client, tenant.owner.email)
    assert (await client.get(f"{base(other_tenant)}/agents")).status_code == 404
    response = await client.get(f"{base(tenant)}/inboxes/{other_tenant.inbox_id}")
    assert response.status_code == 404
    assert other_tenant.inbox_token not in response.text
    foreign = await client.post(
        f"{base(tenant)}/inboxes/{other_tenant.inbox_id}/widget", json={"color": "#000000"}, headers=CSRF
    )
    assert foreign.status_code == 404
    other = await client.post(
        f"{base(other_tenant)}/agents/invite", json={"email": "y@example.com", "name": "Y"}, headers=CSRF
    )
    assert other.status_code == 404


async def test_agents_page_lists_people_and_respects_owners(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    async with state.uow() as session:
        admin = await credentials.create_user(
            session, email="admin-x@example.com", name="Ada Admin", password="correct horse battery"
        )
        await accounts.add_member(session, account_id=tenant.account_id, user_id=admin.id, role="admin")
    await log_in(client, "admin-x@example.com")
    page = (await client.get(f"{base(tenant)}/agents")).text
    assert tenant.owner.email in page and tenant.agent.email in page
    # An admin cannot change the owner: no role menu and no deactivate button on the owner's row.
    owner_row = page.split(f'data-agent="{tenant.owner.email}"')[1].split("</tr>")[0]
    assert "<select" not in owner_row and "Deactivate" not in owner_row
    agent_row = page.split(f'data-agent="{tenant.agent.email}"')[1].split("</tr>")[0]
    assert "<select" in agent_row and "Deactivate" in agent_row
    assert 'value="owner"' not in page  # an admin cannot make owners


async def test_widget_settings_are_validated_and_saved(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await log_in(client, tenant.owner.email)
    url = f"{base(tenant)}/inboxes/{tenant.inbox_id}/widget"
    bad = await client.post(
        url, json={"color": "blue", "allowed_domains": "shop.example.com\nnot a domain!"}, headers=CSRF
    )
    assert bad.status_code == 422
    fields = {error["field"] for error in bad.json()["error"]["errors"]}
    assert fields == {"color", "allowed_domains"}
    good = await client.post(
        url,
        json={
            "color": "#FF5500",
            "position": "left",
            "locale": None,
            "greetings": {"en": "Hi there", "tr": "Merhaba"},
            "reply_time": "hours",
            "reply_notice": {},
            "pre_chat_fields": [{"field": "email", "required": True}],
            "allowed_domains": "https://Shop.Example.com/\n*.example.org",
        },
        headers=CSRF,
    )
    assert good.status_code == 200, good.text
    saved = good.json()["settings"]
    assert saved["color"] == "#ff5500"
    assert saved["allowed_domains"] == ["shop.example.com", "*.example.org"]
    page = (await client.get(f"{base(tenant)}/inboxes/{tenant.inbox_id}")).text
    assert 'value="#ff5500"' in page
    assert "Merhaba</textarea>" in page
    assert 'value="left" checked' in page
    # The embed snippet names this inbox.
    snippet = f'/widget.js" data-inbox="{tenant.inbox_token}" async></script>'
    assert snippet in html.unescape(page)
    # The public widget settings follow.
    public = await client.get(tenant.public())
    assert public.status_code == 200
    assert "#ff5500" in public.text


async def test_the_secret_is_not_in_the_page(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await log_in(client, tenant.owner.email)
    page = (await client.get(f"{base(tenant)}/inboxes/{tenant.inbox_id}")).text
    assert tenant.inbox_secret not in page  # revealed on demand through the API only


async def test_turkish_pages(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await log_in(client, tenant.owner.email)
    response = await client.get(f"{base(tenant)}/agents", headers={"Accept-Language": "tr-TR,tr;q=0.9"})
    assert "Ayarlar" in response.text
    assert "Temsilci davet et" in response.text


async def test_pages_show_what_the_account_has(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    owner = tenant.owner.headers
    team = await client.post(tenant.url("/teams"), json={"name": "Ödeme ekibi", "tier": 2}, headers=owner)
    await client.put(
        tenant.url(f"/teams/{team.json()['id']}/members"),
        json={"user_ids": [tenant.agent.user_id]},
        headers=owner,
    )
    await client.post(
        tenant.url("/canned_responses"),
        json={"short_code": "iade", "title": "İade <b>süreci</b>", "content": "Merhaba {{contact.name}}"},
        headers=owner,
    )
    await client.post(tenant.url("/labels"), json={"name": "vip", "color": "#aa00ff"}, headers=owner)
    await log_in(client, tenant.owner.email)

    teams = (await client.get(f"{base(tenant)}/teams")).text
    assert "Ödeme ekibi" in teams
    section = teams.split('data-team="Ödeme ekibi"')[1].split("</section>")[0]
    assert f'value="{tenant.agent.user_id}" data-type="ids" checked' in section
    assert 'value="2" selected' in section  # tier L2

    canned_page = (await client.get(f"{base(tenant)}/canned")).text
    assert "/iade" in canned_page
    assert "İade &lt;b&gt;süreci&lt;/b&gt;" in canned_page  # text, never markup
    assert "{{contact.name}}" in canned_page  # the variables help

    labels_page = (await client.get(f"{base(tenant)}/labels")).text
    assert 'data-label="vip"' in labels_page and 'value="#aa00ff"' in labels_page

    inbox_page = (await client.get(f"{base(tenant)}/inboxes/{tenant.inbox_id}")).text
    assert 'data-testid="bot-form"' in inbox_page
    inbox_api = f"/api/v1/accounts/{tenant.account_id}/inboxes/{tenant.inbox_id}"
    assert f'data-api="{inbox_api}" data-method="PATCH" data-members-api="{inbox_api}/members"' in inbox_page
    assert f'data-api="{inbox_api}/bot"' in inbox_page
    assert 'name="topic.0.id" value="payment"' in inbox_page  # the bot's default topics
    assert "Ödeme ekibi · L2" in inbox_page  # a topic can route to the team
    inboxes = (await client.get(f"{base(tenant)}/inboxes")).text
    assert f"{base(tenant)}/inboxes/{tenant.inbox_id}" in inboxes


async def test_bot_settings_saved_from_the_form_shape(client: httpx.AsyncClient, tenant: Tenant) -> None:
    """What the Bot form sends (settings.js, shape "bot") is accepted by the bot's API."""
    await log_in(client, tenant.owner.email)
    body = {
        "enabled": True,
        "answer_threshold": 0.85,
        "expected_reply_minutes": 30,
        "collect_email": False,
        "topics": [{"id": "billing", "labels": {"en": "Billing", "tr": "Fatura"}, "team_id": None}],
        "greeting": {"tr": "Merhaba!"},
        "handoff_message": {},
        "offline_message": {},
    }
    response = await client.patch(tenant.url(f"/inboxes/{tenant.inbox_id}/bot"), json=body, headers=CSRF)
    assert response.status_code == 200, response.text
    page = (await client.get(f"{base(tenant)}/inboxes/{tenant.inbox_id}")).text
    assert 'name="topic.0.id" value="billing"' in page
    assert "Merhaba!</textarea>" in page
    bad = await client.patch(
        tenant.url(f"/inboxes/{tenant.inbox_id}/bot"), json={**body, "answer_threshold": 2}, headers=CSRF
    )
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "answer_threshold"


async def test_an_inbox_without_agents_is_not_left_silently(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    owner = tenant.owner.headers
    made = await client.post(
        tenant.url("/inboxes"), json={"name": "Nobody's", "channel_type": "api"}, headers=owner
    )
    lonely = made.json()["id"]
    await log_in(client, tenant.owner.email)
    listed = (await client.get(f"{base(tenant)}/inboxes")).text
    assert f'data-testid="no-agents-{lonely}">None: only administrators see it' in listed
    assert f'data-testid="no-agents-{tenant.inbox_id}"' not in listed  # the tenant's inbox has an agent
    page = (await client.get(f"{base(tenant)}/inboxes/{lonely}")).text
    assert "No agent works in this inbox." in page
    assert (
        "No agent works in this inbox."
        not in (await client.get(f"{base(tenant)}/inboxes/{tenant.inbox_id}")).text
    )
    turkish = await client.get(f"{base(tenant)}/inboxes/{lonely}", headers={"Accept-Language": "tr"})
    assert "Bu gelen kutusunda çalışan temsilci yok." in turkish.text
    # Its conversations still reach the administrators: an admin's list shows them.
    conversation = await client.post(
        f"/api/v1/public/inboxes/{made.json()['public_token']}/conversations",
        json={"message": {"content": "Is anyone there?"}},
        headers=(await _visitor(client, made.json()["public_token"])),
    )
    assert conversation.status_code == 201, conversation.text
    seen = await client.get(tenant.url(f"/conversations?inbox_id={lonely}"), headers=owner)
    assert len(seen.json()["items"]) == 1
    hidden = await client.get(tenant.url(f"/conversations?inbox_id={lonely}"), headers=tenant.agent.headers)
    assert hidden.status_code == 200 and hidden.json()["items"] == []  # an agent does not see it


async def _visitor(client: httpx.AsyncClient, inbox_token: str) -> dict[str, str]:
    made = await client.post(f"/api/v1/public/inboxes/{inbox_token}/contacts", json={"name": "Visitor"})
    return {"Authorization": f"Bearer {made.json()['token']}"}
