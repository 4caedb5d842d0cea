"""The demo café's help center: every article in English and Turkish, found by customers' words."""

from __future__ import annotations

import httpx

from destek.demo import load_demo
from destek.helpcenter import service
from destek.helpcenter.models import Article
from destek.helpcenter.search import search
from destek.state import AppState


async def test_the_demo_help_center_answers_in_both_languages(
    client: httpx.AsyncClient, state: AppState
) -> None:
    info = await load_demo(state)
    questions = {
        "sifremi unuttum": ("password-reset", "tr"),
        "I forgot my password": ("password-reset", "en"),
        "param iki kere cekildi": ("charged-twice", "tr"),
        "qr menu acilmiyor": ("qr-menu-not-opening", "tr"),
        "how do I split the bill with friends": ("split-the-bill", "en"),
        "can I leave a tip for the waiter": ("tipping", "en"),
    }
    async with state.read() as session:
        articles = await service.list_articles(session, account_id=info.account_id, status="published")
        assert len(articles) >= 12
        for _article, translations in articles:
            assert {t.locale for t in translations if t.status == "published"} == {"en", "tr"}
        for question, (key, locale) in questions.items():
            hits = await search(session, account_id=info.account_id, query=question)
            assert hits, question
            top = await session.get(Article, hits[0].article_id)
            assert top is not None
            assert (top.key, hits[0].locale) == (key, locale), (question, hits[0])
        # Typed without Turkish letters, "kapaniyor" (closes) is close to "kapanmıyor" (does not close):
        # the crash article is among the first two, and first when written properly.
        for question, places in (("uygulama sürekli kapanıyor", 1), ("uygulama surekli kapaniyor", 2)):
            hits = await search(session, account_id=info.account_id, query=question)
            found = [await session.get(Article, hit.article_id) for hit in hits[:places]]
            assert "app-crashes" in [article.key for article in found if article], (question, hits[:2])

    home = await client.get(f"/hc/{info.account_id}")
    assert home.headers["location"] == f"/hc/{info.account_id}/tr/"
    page = await client.get(home.headers["location"])
    for name in ("Ödeme", "Sipariş", "Teknik", "Hesap", "Şifremi unuttum", "Bahşiş eklemek"):
        assert name in page.text, name
