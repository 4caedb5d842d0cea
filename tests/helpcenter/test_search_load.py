"""Search under load: embedding stays off the event loop, repeated queries are free, long queries
are cut, the caller can bring the query's vector, and the full-text match is per account."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence

import httpx
import numpy as np
import pytest

from destek.helpcenter import embedding as embedding_module
from destek.helpcenter.embedding import MAX_QUERY_CHARS, clip_query
from destek.helpcenter.search import search
from destek.nlp.protocols import Embedder, Vectors
from destek.state import AppState
from tests.helpcenter.helpers import (
    CHARGED_TWICE_EN,
    PASSWORD_EN,
    PASSWORD_TR,
    QR_MENU_EN,
    draft,
    make_article,
)
from tests.support.factories import Tenant


class Watched:
    """The real embedder, noting every text it embeds and on which thread."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dimensions = inner.dimensions
        self.calls: list[tuple[str, bool]] = []  # (text, on the event loop's thread)

    def embed(self, texts: Sequence[str]) -> Vectors:
        on_loop = threading.current_thread() is threading.main_thread()
        self.calls.extend((text, on_loop) for text in texts)
        return self.inner.embed(texts)

    def texts(self) -> list[str]:
        return [text for text, _ in self.calls]


@pytest.fixture
def watched(monkeypatch: pytest.MonkeyPatch) -> Iterator[Watched]:
    spy = Watched(embedding_module.embedder())
    monkeypatch.setattr(embedding_module, "embedder", lambda: spy)
    with embedding_module._QUERY_LOCK:
        embedding_module._QUERY_VECTORS.clear()
    embedding_module._EMBEDDED.clear()
    yield spy
    with embedding_module._QUERY_LOCK:
        embedding_module._QUERY_VECTORS.clear()


async def test_nothing_is_embedded_on_the_event_loop(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, watched: Watched
) -> None:
    headers = tenant.owner.headers
    made = await client.post(
        tenant.url("/articles"),
        json={"key": "qr", "translations": {"en": QR_MENU_EN.model_dump()}},
        headers=headers,
    )
    assert made.status_code == 201, made.text
    article_id = made.json()["id"]
    put = await client.put(
        tenant.url(f"/articles/{article_id}/translations/tr"),
        json=draft(PASSWORD_TR, title="QR menü açılmıyor").model_dump(),
        headers=headers,
    )
    assert put.status_code == 201, put.text
    published = await client.post(
        tenant.url(f"/articles/{article_id}/translations/tr/publish"), headers=headers
    )
    assert published.status_code == 200 and published.json()["status"] == "published"
    upload = b"---\ntitle: Charged twice\nlocale: en\nkey: charged\nstatus: published\n---\nA pending hold.\n"
    imported = await client.post(
        tenant.url("/articles/import"),
        files={"file": ("charged.md", upload, "text/markdown")},
        headers=headers,
    )
    assert imported.status_code == 200, imported.text
    widget = await client.get(tenant.public("/articles"), params={"q": "menu will not load"})
    assert widget.status_code == 200 and widget.json()[0]["article_id"] == article_id
    composer = await client.get(
        tenant.url("/articles/search"), params={"q": "qr menu"}, headers=tenant.agent.headers
    )
    assert composer.json()[0]["article_id"] == article_id
    page = await client.get(f"/hc/{tenant.account_id}/en/search", params={"q": "charged twice"})
    assert page.status_code == 200 and "Charged twice" in page.text
    assert "QR menü açılmıyor. " + "Şifrenizi uygulamadan" in " ".join(watched.texts())  # publish embedded
    assert {"menu will not load", "qr menu", "charged twice"} <= set(watched.texts())
    on_loop = [text for text, loop in watched.calls if loop]
    assert on_loop == [], f"embedded on the event loop: {on_loop}"


async def test_a_repeated_question_is_embedded_once(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, watched: Watched
) -> None:
    await make_article(state, tenant, {"en": PASSWORD_EN, "tr": PASSWORD_TR})
    for _ in range(5):
        response = await client.get(tenant.public("/articles"), params={"q": "  forgot   password "})
        assert response.json()[0]["title"] == "I forgot my password"
    assert watched.texts().count("forgot password") == 1
    assert (await client.get(tenant.public("/articles"), params={"q": "x" * 501})).status_code == 422


async def test_a_long_question_is_cut_at_a_word(state: AppState, tenant: Tenant, watched: Watched) -> None:
    await make_article(state, tenant, {"en": PASSWORD_EN})
    question = "I forgot my password and " + "really need help with my account today " * 40
    clipped = clip_query(question)
    assert len(clipped) <= MAX_QUERY_CHARS and question.startswith(clipped)
    assert question[len(clipped)] == " "
    async with state.read() as session:
        hits = await search(session, account_id=tenant.account_id, query=question)
    assert hits[0].title == "I forgot my password"
    assert max(len(text) for text in watched.texts() if text.startswith("I forgot")) <= MAX_QUERY_CHARS


async def test_a_caller_can_bring_the_query_vector(state: AppState, tenant: Tenant, watched: Watched) -> None:
    ids = {
        "charged": await make_article(state, tenant, {"en": CHARGED_TWICE_EN}),
        "qr": await make_article(state, tenant, {"en": QR_MENU_EN}),
    }
    vector = np.asarray(watched.inner.embed(["my card was debited two times"])[0], dtype=np.float32)
    watched.calls.clear()
    async with state.read() as session:
        hits = await search(session, account_id=tenant.account_id, query="zzqx", query_vector=vector)
    assert hits[0].article_id == ids["charged"]
    assert hits[0].semantic > 0.3 and hits[0].lexical == 0.0  # "zzqx" shares no letters with it
    assert watched.calls == [], "the given vector is used, nothing embedded"
