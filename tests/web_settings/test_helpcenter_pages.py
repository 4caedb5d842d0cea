"""Settings → Help center over HTTP: who may open it, what an admin sees, and the Markdown preview."""

from __future__ import annotations

import html

import httpx

from tests.support.factories import Tenant
from tests.web_settings.helpers import CSRF, log_in


def base(tenant: Tenant) -> str:
    return f"/app/{tenant.account_id}/settings/helpcenter"


async def write_article(client: httpx.AsyncClient, tenant: Tenant) -> dict[str, object]:
    """An article in English (published) and Turkish (draft), in a category, written through the API."""
    category = await client.post(
        tenant.url("/categories"), json={"names": {"en": "Payments", "tr": "Ödemeler"}}, headers=CSRF
    )
    assert category.status_code == 201, category.text
    article = await client.post(
        tenant.url("/articles"),
        json={
            "category_id": category.json()["id"],
            "translations": {
                "en": {"title": "Refund a card payment", "body": "Open **Billing**.", "status": "published"},
                "tr": {"title": "Kart ödemesini iade et", "body": "**Fatura** sayfasını açın."},
            },
        },
        headers=CSRF,
    )
    assert article.status_code == 201, article.text
    data: dict[str, object] = article.json()
    return data


async def test_admin_sees_articles_with_their_status_per_language(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await log_in(client, tenant.owner.email)
    empty = await client.get(base(tenant))
    assert empty.status_code == 200, empty.text
    assert 'aria-current="page" data-testid="tab-helpcenter"' in empty.text
    assert "No articles yet" in empty.text
    article = await write_article(client, tenant)
    # A reader finds the English text helpful: the list counts the vote.
    vote = await client.post(
        f"/hc/{tenant.account_id}/en/articles/{article['id']}/vote", data={"helpful": "yes"}
    )
    assert vote.status_code in (200, 303), vote.text
    page = await client.get(base(tenant))
    text = html.unescape(page.text)
    assert "👍 1" in text and "👎 0" in text
    assert "Refund a card payment" in text
    assert "Payments" in text and "Ödemeler" in text
    assert "en · Published" in text and "tr · Draft" in text
    assert f"{base(tenant)}/articles/{article['id']}" in text
    assert f"/api/v1/accounts/{tenant.account_id}/articles/export" in text
    assert "settings/helpcenter.js" in text
    # The other settings pages lead here.
    agents = await client.get(f"/app/{tenant.account_id}/settings/agents")
    assert f'href="{base(tenant)}"' in agents.text and 'data-testid="tab-helpcenter"' in agents.text


async def test_the_editor_has_one_tab_per_language(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await log_in(client, tenant.owner.email)
    article = await write_article(client, tenant)
    response = await client.get(f"{base(tenant)}/articles/{article['id']}?locale=tr")
    assert response.status_code == 200, response.text
    text = html.unescape(response.text)
    assert 'data-testid="hc-tab-en"' in text and 'data-testid="hc-tab-tr"' in text
    assert "Kart ödemesini iade et" in text
    # The Turkish tab is open; the English one is published, with its public link.
    assert 'data-testid="hc-panel-tr">' in text
    assert f"/hc/{tenant.account_id}/en/articles/{article['id']}-refund-a-card-payment" in text
    assert "<strong>Billing</strong>" in text  # the stored preview of the published body
    assert "0 views" in text
    new = await client.get(f"{base(tenant)}/articles/new")
    assert new.status_code == 200
    assert "New article" in new.text and 'data-article=""' in new.text


async def test_the_page_speaks_turkish(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await log_in(client, tenant.owner.email)
    await client.put("/api/v1/profile/locale", json={"locale": "tr"}, headers=CSRF)
    await write_article(client, tenant)
    text = html.unescape((await client.get(base(tenant))).text)
    assert "Yardım merkezi" in text and "Yeni makale" in text and "Taslak" in text
    editor = html.unescape((await client.get(f"{base(tenant)}/articles/new")).text)
    assert "Taslak olarak kaydet" in editor and "Yayınla" in editor


async def test_preview_renders_like_the_public_page_and_strips_scripts(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await log_in(client, tenant.owner.email)
    response = await client.post(
        f"{base(tenant)}/preview",
        json={
            "body": "## Steps\n\n1. Open *Billing*\n\n<script>alert(1)</script><img src=x onerror=alert(2)>"
        },
        headers=CSRF,
    )
    assert response.status_code == 200, response.text
    rendered = response.json()["html"]
    assert '<h2 id="steps">Steps</h2>' in rendered
    assert "<em>Billing</em>" in rendered
    assert "<script" not in rendered and "onerror" not in rendered and "alert(1)" not in rendered
    # Without the X-Requested-With header a cookie-authenticated POST is refused.
    bare = await client.post(f"{base(tenant)}/preview", json={"body": "x"})
    assert bare.status_code in (401, 403)


async def test_agents_get_403(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await log_in(client, tenant.owner.email)
    article = await write_article(client, tenant)
    await client.post("/api/v1/auth/logout", headers=CSRF)
    await log_in(client, tenant.agent.email)
    for path in ["", "/articles/new", f"/articles/{article['id']}"]:
        response = await client.get(base(tenant) + path)
        assert response.status_code == 403, path
        assert response.headers["content-type"].startswith("text/html")
        assert "Kart ödemesini iade et" not in html.unescape(response.text)
    preview = await client.post(f"{base(tenant)}/preview", json={"body": "x"}, headers=CSRF)
    assert preview.status_code == 403 and preview.json()["error"]["code"] == "forbidden"


async def test_another_accounts_help_center_is_not_found(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    await log_in(client, other_tenant.owner.email)
    foreign = await write_article(client, other_tenant)
    await client.post("/api/v1/auth/logout", headers=CSRF)
    await log_in(client, tenant.owner.email)
    assert (await client.get(base(other_tenant))).status_code == 404
    assert (await client.get(f"{base(other_tenant)}/articles/new")).status_code == 404
    response = await client.get(f"{base(tenant)}/articles/{foreign['id']}")
    assert response.status_code == 404
    assert "Refund a card payment" not in response.text
    preview = await client.post(f"{base(other_tenant)}/preview", json={"body": "x"}, headers=CSRF)
    assert preview.status_code == 404


async def test_logged_out_visitors_go_to_the_login_page(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.get(f"{base(tenant)}/articles/new")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")
