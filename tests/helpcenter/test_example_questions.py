"""Example questions of an article: written by its author as customers ask ("kargom kırık geldi"),
searched like the article's own text, kept through the API and import/export, refused with a clear
error when malformed."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from destek.errors import Invalid
from destek.helpcenter import service, transfer
from destek.helpcenter.schemas import TranslationIn
from destek.helpcenter.search import search
from destek.state import AppState
from tests.helpcenter.helpers import (
    CHARGED_TWICE_EN,
    PASSWORD_EN,
    PASSWORD_TR,
    QR_MENU_EN,
    make_article,
    owner,
)
from tests.support.factories import Tenant

# The article says nothing of a broken screen; its author knows that customers ask it this way.
WARRANTY = TranslationIn(
    title="Warranty claims",
    summary="What the two-year warranty covers and how to claim it.",
    body="Every device has a two-year warranty from the day of delivery. Open **Orders**, choose the "
    "device and tap **Claim warranty**; a courier collects it within three working days.",
    status="published",
)
ASKED = "the display of my tablet cracked by itself after a month, what now?"
EXAMPLES = ["My screen cracked on its own", "tablet display stopped working after a few weeks"]


async def _warranty_score(state: AppState, tenant: Tenant) -> tuple[int, float]:
    async with state.read() as session:
        hits = await search(session, account_id=tenant.account_id, query=ASKED, limit=5)
    warranty = next((h for h in hits if h.title == "Warranty claims"), None)
    return (hits.index(warranty) if warranty else 99), (warranty.score if warranty else 0.0)


async def test_example_questions_lead_search_to_the_article(state: AppState, tenant: Tenant) -> None:
    await make_article(state, tenant, {"tr": PASSWORD_TR, "en": PASSWORD_EN}, key="password")
    await make_article(state, tenant, {"en": CHARGED_TWICE_EN}, key="charged")
    await make_article(state, tenant, {"en": QR_MENU_EN}, key="qr")
    article_id = await make_article(state, tenant, {"en": WARRANTY}, key="warranty")
    _, without = await _warranty_score(state, tenant)
    actor = await owner(state, tenant)
    async with state.uow() as session:
        article = await service.get_article(session, account_id=tenant.account_id, article_id=article_id)
        await service.put_translation(
            session,
            actor=actor,
            article=article,
            locale="en",
            data=WARRANTY.model_copy(update={"questions": EXAMPLES}),
        )
    position, with_examples = await _warranty_score(state, tenant)
    assert position == 0
    assert with_examples > without + 0.1, (without, with_examples)


def _questions(article: dict[str, Any]) -> list[str]:
    english = next(t for t in article["translations"] if t["locale"] == "en")
    found: list[str] = english["questions"]
    return found


async def test_questions_through_the_api_and_their_errors(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    url = tenant.url("/articles")
    body = {
        "key": "warranty",
        "translations": {
            "en": {
                "title": "Warranty claims",
                "body": "Two years.",
                "status": "published",
                "questions": ["  My screen   cracked ", "my screen cracked", "", "tablet broke"],
            }
        },
    }
    created = await client.post(url, json=body, headers=tenant.owner.headers)
    assert created.status_code == 201, created.text
    # Spaces tidied, the repeat (any case) and the blank dropped.
    assert _questions(created.json()) == ["My screen cracked", "tablet broke"]
    article_id = created.json()["id"]
    put = tenant.url(f"/articles/{article_id}/translations/en")
    too_long = await client.put(
        put, json={"title": "Warranty claims", "questions": ["x" * 301]}, headers=tenant.owner.headers
    )
    assert too_long.status_code == 422 and too_long.json()["error"]["field"] == "questions"
    too_many = await client.put(
        put,
        json={"title": "W", "questions": [f"question {i}" for i in range(31)]},
        headers=tenant.owner.headers,
    )
    assert too_many.status_code == 422
    # Nothing was lost by the refused writes.
    again = (await client.get(tenant.url(f"/articles/{article_id}"), headers=tenant.owner.headers)).json()
    assert _questions(again) == ["My screen cracked", "tablet broke"]


async def test_questions_survive_export_and_import(state: AppState, tenant: Tenant) -> None:
    await make_article(
        state, tenant, {"en": WARRANTY.model_copy(update={"questions": EXAMPLES})}, key="warranty"
    )
    async with state.read() as session:
        files = await transfer.export_files(session, account_id=tenant.account_id)
    text = files["warranty.en.md"]
    assert (
        "questions:\n- My screen cracked on its own\n- tablet display stopped working after a few weeks\n"
        in text
    )
    document = transfer.parse_document("warranty.en.md", text)
    assert document.translation.questions == EXAMPLES
    with pytest.raises(Invalid, match="questions must be a list"):
        transfer.parse_document("x.en.md", "---\ntitle: X\nlocale: en\nquestions: not a list\n---\nBody")
