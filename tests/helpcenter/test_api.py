"""Agent API: categories, articles and translations; admins write, agents read; events."""

from __future__ import annotations

import httpx

from destek.state import AppState
from tests.support.factories import Tenant

ARTICLE = {
    "category_id": None,
    "translations": {
        "en": {"title": "Splitting the bill", "body": "Tap **Split** on the bill.", "status": "published"},
        "TR": {"title": "Hesabı bölmek", "body": "Hesapta **Böl**'e dokunun."},
    },
}


async def test_an_admin_writes_a_category_and_an_article_in_two_languages(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    own = tenant.owner.headers
    made = await client.post(
        tenant.url("/categories"), json={"names": {"en": "Payment", "tr": "Ödeme"}}, headers=own
    )
    assert made.status_code == 201, made.text
    category = made.json()
    assert category["key"] == "payment"
    response = await client.post(
        tenant.url("/articles"), json={**ARTICLE, "category_id": category["id"]}, headers=own
    )
    assert response.status_code == 201, response.text
    article = response.json()
    assert article["key"] == "splitting-the-bill"
    by_locale = {t["locale"]: t for t in article["translations"]}
    assert set(by_locale) == {"en", "tr"}
    assert by_locale["en"]["status"] == "published" and by_locale["en"]["published_at"]
    assert by_locale["tr"]["status"] == "draft" and by_locale["tr"]["published_at"] is None
    assert by_locale["tr"]["slug"] == "hesabi-bolmek"
    assert by_locale["en"]["body_html"] == "<p>Tap <strong>Split</strong> on the bill.</p>\n"
    assert by_locale["en"]["url"] == f"/hc/{tenant.account_id}/en/articles/{article['id']}-splitting-the-bill"

    # Edit the Turkish text, publish it, unpublish it.
    url = tenant.url(f"/articles/{article['id']}/translations/tr")
    put = await client.put(url, json={"title": "Hesabı bölme", "body": "Yeni metin"}, headers=own)
    assert put.status_code == 200 and put.json()["title"] == "Hesabı bölme", put.text
    published = await client.post(f"{url}/publish", headers=own)
    assert published.json()["status"] == "published"
    assert (await client.post(f"{url}/unpublish", headers=own)).json()["status"] == "draft"
    # A third language is created (201), then removed.
    de = tenant.url(f"/articles/{article['id']}/translations/de")
    assert (await client.put(de, json={"title": "Rechnung teilen"}, headers=own)).status_code == 201
    assert (await client.delete(de, headers=own)).status_code == 204

    listed = await client.get(tenant.url("/articles?status=published&locale=en"), headers=own)
    assert [a["id"] for a in listed.json()] == [article["id"]]
    assert (await client.get(tenant.url("/articles?status=published&locale=tr"), headers=own)).json() == []
    assert [a["id"] for a in (await client.get(tenant.url("/articles?q=BILL"), headers=own)).json()] == [
        article["id"]
    ]
    categories = (await client.get(tenant.url("/categories"), headers=own)).json()
    assert categories[0]["article_count"] == 1

    moved = await client.patch(
        tenant.url(f"/articles/{article['id']}"), json={"category_id": None}, headers=own
    )
    assert moved.json()["category_id"] is None
    assert (await client.delete(tenant.url(f"/categories/{category['id']}"), headers=own)).status_code == 204
    assert (await client.delete(tenant.url(f"/articles/{article['id']}"), headers=own)).status_code == 204
    gone = await client.get(tenant.url(f"/articles/{article['id']}"), headers=own)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "not_found"

    events = (await client.get(tenant.url("/events?since=0"), headers=own)).json()["events"]
    types = [e["event"]["type"] for e in events if e["event"]["type"].startswith(("article.", "category."))]
    assert types[:2] == ["category.created", "article.created"]
    assert "article.deleted" in types and "category.deleted" in types


async def test_agents_read_but_only_admins_write(client: httpx.AsyncClient, tenant: Tenant) -> None:
    made = await client.post(tenant.url("/articles"), json=ARTICLE, headers=tenant.owner.headers)
    article_id = made.json()["id"]
    agent = tenant.agent.headers
    assert (await client.get(tenant.url(f"/articles/{article_id}"), headers=agent)).status_code == 200
    assert (await client.get(tenant.url("/articles/search?q=bill"), headers=agent)).status_code == 200
    refused = [
        await client.post(tenant.url("/articles"), json=ARTICLE, headers=agent),
        await client.post(tenant.url("/categories"), json={"names": {"en": "X"}}, headers=agent),
        await client.patch(tenant.url(f"/articles/{article_id}"), json={"position": 3}, headers=agent),
        await client.put(
            tenant.url(f"/articles/{article_id}/translations/en"), json={"title": "x"}, headers=agent
        ),
        await client.post(tenant.url(f"/articles/{article_id}/translations/tr/publish"), headers=agent),
        await client.delete(tenant.url(f"/articles/{article_id}"), headers=agent),
    ]
    for response in refused:
        assert response.status_code == 403, response.text
        assert response.json()["error"]["code"] == "forbidden"
    after = await client.get(tenant.url(f"/articles/{article_id}"), headers=agent)
    assert after.json()["position"] == 0 and len(after.json()["translations"]) == 2


async def test_invalid_input_names_the_field(client: httpx.AsyncClient, tenant: Tenant) -> None:
    own = tenant.owner.headers
    bad_locale = await client.post(
        tenant.url("/articles"), json={"translations": {"english!": {"title": "x"}}}, headers=own
    )
    assert bad_locale.status_code == 422
    no_title = await client.post(
        tenant.url("/articles"), json={"translations": {"en": {"title": ""}}}, headers=own
    )
    assert no_title.status_code == 422 and "title" in no_title.json()["error"]["field"]
    first = await client.post(tenant.url("/articles"), json={**ARTICLE, "key": "same"}, headers=own)
    assert first.status_code == 201
    again = await client.post(tenant.url("/articles"), json={**ARTICLE, "key": "same"}, headers=own)
    assert again.status_code == 409 and again.json()["error"]["field"] == "key"
    unknown_category = await client.post(
        tenant.url("/articles"), json={**ARTICLE, "category_id": 999}, headers=own
    )
    assert unknown_category.status_code == 404 and unknown_category.json()["error"]["field"] == "category_id"
    only = first.json()["id"]
    await client.delete(tenant.url(f"/articles/{only}/translations/tr"), headers=own)
    last = await client.delete(tenant.url(f"/articles/{only}/translations/en"), headers=own)
    assert last.status_code == 422 and "at least one translation" in last.json()["error"]["message"]


async def test_another_accounts_category_is_not_found(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = await client.post(
        other_tenant.url("/categories"), json={"names": {"en": "Secret"}}, headers=other_tenant.owner.headers
    )
    response = await client.post(
        tenant.url("/articles"),
        json={**ARTICLE, "category_id": theirs.json()["id"]},
        headers=tenant.owner.headers,
    )
    assert response.status_code == 404 and "Secret" not in response.text
