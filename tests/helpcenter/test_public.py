"""The public help center: published content only, indexable head, language switch, votes."""

from __future__ import annotations

import re
import time

import httpx
import pytest

from destek.helpcenter import views as view_memory
from destek.state import AppState
from tests.helpcenter.helpers import PASSWORD_EN, PASSWORD_TR, QR_MENU_EN, draft, make_article, make_category
from tests.support.factories import Tenant


async def _stock(state: AppState, tenant: Tenant) -> dict[str, int]:
    category = await make_category(state, tenant, "account", en="Account", tr="Hesap")
    return {
        "category": category,
        "password": await make_article(
            state, tenant, {"tr": PASSWORD_TR, "en": PASSWORD_EN}, key="password", category_id=category
        ),
        "draft": await make_article(
            state, tenant, {"en": draft(QR_MENU_EN, title="Unreleased QR guide")}, category_id=category
        ),
    }


async def test_home_category_and_article_show_published_content_with_an_indexable_head(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    ids = await _stock(state, tenant)
    base = f"/hc/{tenant.account_id}"
    root = await client.get(base)
    assert root.status_code == 302 and root.headers["location"] == f"{base}/en/"

    home = await client.get(f"{base}/en/")
    assert home.status_code == 200 and home.headers["content-type"].startswith("text/html")
    assert "I forgot my password" in home.text and "Account" in home.text
    assert "Unreleased QR guide" not in home.text
    assert "<title>Acme" in home.text and "Help center" in home.text
    assert 'hreflang="tr"' in home.text

    article_url = f"{base}/en/articles/{ids['password']}-i-forgot-my-password"
    page = await client.get(article_url)
    assert page.status_code == 200
    html = page.text
    assert "<title>I forgot my password – Acme" in html
    assert f'<link rel="canonical" href="http://127.0.0.1:8000{article_url}">' in html
    assert (
        f'hreflang="tr" href="http://127.0.0.1:8000{base}/tr/articles/{ids["password"]}-sifremi-unuttum"'
        in html
    )
    assert 'hreflang="en"' in html and 'hreflang="x-default"' in html
    assert '<meta name="description" content="Reset your password from the app in a few steps.">' in html
    assert '<meta property="og:title" content="I forgot my password – Acme' in html
    assert '<meta property="og:type" content="article">' in html
    assert "<strong>Forgot password</strong>" in html and "Was this helpful?" in html
    assert '<html lang="en">' in html

    turkish = await client.get(f"{base}/tr/articles/{ids['password']}-sifremi-unuttum")
    assert "Bu makale yardımcı oldu mu?" in turkish.text and '<html lang="tr">' in turkish.text
    assert "Yardım merkezi" in turkish.text

    category = await client.get(f"{base}/tr/categories/{ids['category']}-hesap")
    assert category.status_code == 200 and "Şifremi unuttum" in category.text
    assert "Unreleased" not in category.text

    # An outdated slug redirects to the canonical URL.
    old = await client.get(f"{base}/en/articles/{ids['password']}-old-title")
    assert old.status_code == 301 and old.headers["location"] == article_url

    found = await client.get(f"{base}/tr/search", params={"q": "sifremi unuttum"})
    assert found.status_code == 200 and "Şifremi unuttum" in found.text
    assert 'name="robots" content="noindex' in found.text


async def test_drafts_foreign_and_unknown_pages_are_404(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, other_tenant: Tenant
) -> None:
    ids = await _stock(state, tenant)
    theirs = await make_article(state, other_tenant, {"en": PASSWORD_EN}, key="theirs")
    base = f"/hc/{tenant.account_id}"
    for url in [
        f"{base}/en/articles/{ids['draft']}-unreleased-qr-guide",
        f"{base}/en/articles/{theirs}-i-forgot-my-password",
        f"/hc/{other_tenant.account_id}/en/articles/{ids['password']}-i-forgot-my-password",
        f"{base}/de/",
        f"{base}/en/articles/999999-x",
        f"{base}/en/articles/not-a-number",
        f"{base}/en/categories/999-x",
        "/hc/987654/en/",
        "/hc/987654",
    ]:
        response = await client.get(url)
        assert response.status_code == 404, url
        assert "Page not found" in response.text and "Unreleased" not in response.text, url


async def test_votes_count_once_per_visitor_and_views_are_counted(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    ids = await _stock(state, tenant)
    base = f"/hc/{tenant.account_id}/en/articles/{ids['password']}"
    before = await client.get(tenant.url(f"/articles/{ids['password']}"), headers=tenant.owner.headers)
    written = next(t for t in before.json()["translations"] if t["locale"] == "en")["updated_at"]
    for _ in range(2):
        assert (await client.get(f"{base}-i-forgot-my-password")).status_code == 200
    vote_url = f"{base}/vote"
    first = await client.post(vote_url, data={"helpful": "yes"}, headers={"Accept": "application/json"})
    assert first.status_code == 200 and first.json()["helpful_yes"] == 1
    assert "destek_hc_visitor" in first.cookies or client.cookies.get("destek_hc_visitor")
    again = await client.post(vote_url, data={"helpful": "yes"}, headers={"Accept": "application/json"})
    assert (again.json()["helpful_yes"], again.json()["helpful_no"]) == (1, 0)
    changed = await client.post(vote_url, data={"helpful": "no"}, headers={"Accept": "application/json"})
    assert (changed.json()["helpful_yes"], changed.json()["helpful_no"]) == (0, 1)
    # Another visitor (no cookie), voting with a plain form: redirected back to the article.
    async with httpx.AsyncClient(transport=client._transport, base_url="http://testserver") as other:
        form = await other.post(vote_url, data={"helpful": "yes"})
        assert form.status_code == 303 and form.headers["location"].endswith("?voted=yes#feedback")
        thanks = await other.get(form.headers["location"])
        assert "Thank you for your feedback!" in thanks.text
        assert re.search(r'value="yes" aria-pressed="true"', thanks.text)
    forged = await client.post(vote_url, data={"helpful": "yes"}, headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403
    article = await client.get(tenant.url(f"/articles/{ids['password']}"), headers=tenant.owner.headers)
    english = next(t for t in article.json()["translations"] if t["locale"] == "en")
    assert (english["helpful_yes"], english["helpful_no"]) == (1, 1)
    # One visitor as far as views go (the same address and browser): counted once in the hour.
    assert english["view_count"] == 1
    assert english["updated_at"] == written, "views and votes are not edits"
    assert (
        await client.post(f"/hc/{tenant.account_id}/en/articles/{ids['draft']}/vote", data={"helpful": "yes"})
    ).status_code == 404


async def test_sitemap_category_languages_and_the_help_center_name(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    ids = await _stock(state, tenant)
    base = f"/hc/{tenant.account_id}"
    sitemap = await client.get(f"{base}/sitemap.xml")
    assert sitemap.status_code == 200 and sitemap.headers["content-type"].startswith("application/xml")
    assert f"{base}/tr/articles/{ids['password']}-sifremi-unuttum</loc>" in sitemap.text
    assert 'hreflang="en"' in sitemap.text and "unreleased" not in sitemap.text

    category = await client.get(f"{base}/en/categories/{ids['category']}-account")
    assert (
        f'hreflang="tr" href="http://127.0.0.1:8000{base}/tr/categories/{ids["category"]}-hesap"'
        in category.text
    )

    own = tenant.owner.headers
    settings = await client.get(tenant.url("/helpcenter"), headers=tenant.agent.headers)
    assert settings.json()["locales"] == ["en", "tr"] and settings.json()["name"].startswith("Acme")
    renamed = await client.patch(
        tenant.url("/helpcenter"), json={"name": "Acme Help", "default_locale": "tr"}, headers=own
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["url"] == f"http://127.0.0.1:8000{base}/tr/"
    assert (await client.get(base)).headers["location"] == f"{base}/tr/"
    assert "Acme Help" in (await client.get(f"{base}/tr/")).text
    refused = await client.patch(tenant.url("/helpcenter"), json={"name": "x"}, headers=tenant.agent.headers)
    assert refused.status_code == 403


async def test_crawlers_do_not_count_and_a_person_counts_once_an_hour(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = await _stock(state, tenant)
    page = f"/hc/{tenant.account_id}/en/articles/{ids['password']}-i-forgot-my-password"

    async def views() -> int:
        article = await client.get(tenant.url(f"/articles/{ids['password']}"), headers=tenant.owner.headers)
        return int(next(t for t in article.json()["translations"] if t["locale"] == "en")["view_count"])

    crawlers = [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "facebookexternalhit/1.1",
        "curl/8.5.0",
        "",
    ]
    for agent in crawlers:
        shown = await client.get(page, headers={"User-Agent": agent})
        assert shown.status_code == 200 and "I forgot my password" in shown.text
    assert await views() == 0
    person = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/132.0"}
    for _ in range(5):
        assert (await client.get(page, headers=person)).status_code == 200
    assert await views() == 1
    # Another person (another browser), and the first one an hour later, count again.
    await client.get(page, headers={"User-Agent": "Mozilla/5.0 (iPhone) Safari/604.1"})
    assert await views() == 2
    later = time.monotonic() + 3601
    monkeypatch.setattr(view_memory, "clock", lambda: later)
    await client.get(page, headers=person)
    assert await views() == 3
