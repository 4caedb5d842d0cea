"""Help-center search: meaning (sentence vectors) and character n-grams, weighted by the ranking model;
the widget's FAQ endpoint."""

from __future__ import annotations

import httpx

from destek.helpcenter import index as index_module
from destek.helpcenter.search import search
from destek.state import AppState
from tests.helpcenter.helpers import (
    CHARGED_TWICE_EN,
    PASSWORD_EN,
    PASSWORD_TR,
    QR_MENU_EN,
    draft,
    make_article,
    owner,
)
from tests.support.factories import Tenant


async def _stock(state: AppState, tenant: Tenant) -> dict[str, int]:
    return {
        "password": await make_article(state, tenant, {"tr": PASSWORD_TR, "en": PASSWORD_EN}, key="password"),
        "charged": await make_article(state, tenant, {"en": CHARGED_TWICE_EN}, key="charged-twice"),
        "qr": await make_article(state, tenant, {"en": QR_MENU_EN}, key="qr-menu"),
    }


async def test_a_turkish_question_without_diacritics_finds_the_turkish_article_first(
    state: AppState, tenant: Tenant
) -> None:
    ids = await _stock(state, tenant)
    async with state.read() as session:
        hits = await search(session, account_id=tenant.account_id, query="sifremi unuttum")
    assert hits, "no hits"
    top = hits[0]
    assert (top.article_id, top.locale, top.title) == (ids["password"], "tr", "Şifremi unuttum")
    assert top.lexical > 0.2 and top.semantic > 0.2
    assert top.url == f"/hc/{tenant.account_id}/tr/articles/{ids['password']}-sifremi-unuttum"
    assert len({hit.article_id for hit in hits}) == len(hits), "one hit per article"


async def test_an_english_question_gets_the_english_translation(state: AppState, tenant: Tenant) -> None:
    ids = await _stock(state, tenant)
    async with state.read() as session:
        hits = await search(
            session, account_id=tenant.account_id, query="I forgot my password, how do I reset it?"
        )
        only_tr = await search(session, account_id=tenant.account_id, query="forgot password", locale="tr")
    assert (hits[0].article_id, hits[0].locale) == (ids["password"], "en")
    assert "password" in hits[0].snippet.lower()
    assert [hit.locale for hit in only_tr] == ["tr"] * len(only_tr) and only_tr[0].article_id == ids[
        "password"
    ]


async def test_letters_and_meaning_both_contribute(state: AppState, tenant: Tenant) -> None:
    ids = await _stock(state, tenant)
    async with state.read() as session:
        # No word in common with "Charged twice for one order": the meaning finds it.
        meaning = await search(session, account_id=tenant.account_id, query="paid double, deducted again")
        # A word of the article's text, misspelt: its letters find it.
        letters = await search(session, account_id=tenant.account_id, query="autorisaton")
    assert meaning[0].article_id == ids["charged"] and meaning[0].semantic > 0.3
    assert letters[0].article_id == ids["charged"] and letters[0].lexical > 0.05
    assert meaning[0].score > 0 and letters[0].score > 0


async def test_drafts_and_other_accounts_are_never_found_and_changes_show_at_once(
    state: AppState, tenant: Tenant, other_tenant: Tenant
) -> None:
    from destek.helpcenter import service

    ids = await _stock(state, tenant)
    await make_article(state, other_tenant, {"en": PASSWORD_EN}, key="theirs")
    drafted = await make_article(state, tenant, {"en": draft(QR_MENU_EN, title="Secret draft QR")})
    async with state.read() as session:
        hits = await search(session, account_id=tenant.account_id, query="QR menu secret draft", limit=10)
    assert drafted not in {hit.article_id for hit in hits}
    assert {hit.article_id for hit in hits} <= set(ids.values())

    actor = await owner(state, tenant)
    async with state.uow() as session:
        article = await service.get_article(session, account_id=tenant.account_id, article_id=ids["qr"])
        await service.set_published(session, actor=actor, article=article, locale="en", published=False)
    async with state.read() as session:
        after = await search(session, account_id=tenant.account_id, query="QR menu does not open", limit=10)
    assert ids["qr"] not in {hit.article_id for hit in after}


async def test_another_node_sees_a_change_through_the_version(state: AppState, tenant: Tenant) -> None:
    """Writers never touch the in-memory index: a search notices a change by the account's search
    version alone, so a write committed by another node (here a second app state on the same
    database) is searched at once."""
    from destek.app import build_state, running

    ids = await _stock(state, tenant)
    async with state.read() as session:
        await search(session, account_id=tenant.account_id, query="password")
        before = await index_module.current_version(session, account_id=tenant.account_id)
    async with running(build_state(state.settings)) as other_node:
        renamed = CHARGED_TWICE_EN.model_copy(update={"title": "Double charge refund"})
        await make_article(other_node, tenant, {"en": renamed})
    async with state.read() as session:
        assert await index_module.current_version(session, account_id=tenant.account_id) != before
        hits = await search(session, account_id=tenant.account_id, query="double charge refund")
    assert hits[0].title == "Double charge refund"
    assert hits[0].article_id not in ids.values()


async def test_the_widget_finds_published_articles_of_its_own_account(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, other_tenant: Tenant
) -> None:
    ids = await _stock(state, tenant)
    await make_article(state, tenant, {"en": draft(PASSWORD_EN, title="Draft password article")})
    await make_article(
        state, other_tenant, {"en": PASSWORD_EN.model_copy(update={"title": "Other password"})}
    )
    response = await client.get(tenant.public("/articles"), params={"q": "forgot password", "locale": "en"})
    assert response.status_code == 200, response.text
    items = response.json()
    assert items[0]["article_id"] == ids["password"] and items[0]["locale"] == "en"
    assert items[0]["url"].endswith(
        f"/hc/{tenant.account_id}/en/articles/{ids['password']}-i-forgot-my-password"
    )
    assert items[0]["url"].startswith("http")
    titles = {item["title"] for item in items}
    assert "Draft password article" not in titles and "Other password" not in titles
    assert set(items[0]) == {"article_id", "locale", "title", "snippet", "url"}
    turkish = await client.get(
        tenant.public("/articles"), params={"q": "sifre"}, headers={"Accept-Language": "tr"}
    )
    assert turkish.json()[0]["title"] == "Şifremi unuttum"
    faq = await client.get(tenant.public("/articles"), params={"locale": "en"})
    assert {item["article_id"] for item in faq.json()} == set(ids.values())
    unknown = await client.get("/api/v1/public/inboxes/nope/articles", params={"q": "password"})
    assert unknown.status_code == 404


async def test_the_composer_search_endpoint(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    ids = await _stock(state, tenant)
    response = await client.get(
        tenant.url("/articles/search"), params={"q": "sifremi unuttum"}, headers=tenant.agent.headers
    )
    assert response.status_code == 200, response.text
    top = response.json()[0]
    assert (top["article_id"], top["locale"]) == (ids["password"], "tr")
    assert {"semantic", "lexical", "score", "snippet", "url", "translation_id"} <= set(top)
