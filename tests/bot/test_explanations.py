"""Why the bot did what it did, for the people who run it: agents see how sure it was of an answer
(customers do not), a handoff note names the closest article and how sure the bot was of it, and an
administrator can try a message and see what the bot would do (POST /inboxes/{id}/bot/try)."""

from __future__ import annotations

import httpx

from destek.bot.settings import DEFAULT_THRESHOLD
from destek.state import AppState
from tests.bot.helpers import (
    add_articles,
    agent_messages,
    bot_with_articles,
    conversation,
    enable_bot,
    seen,
    start,
)
from tests.support.factories import Tenant, make_contact


async def test_agents_see_how_sure_the_bot_was_and_customers_do_not(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    await add_articles(state, tenant)
    await enable_bot(state, tenant)
    contact = await make_contact(state, tenant)
    cid = await start(client, state, contact, "I forgot my password and cannot log in")
    customer_answer = next(
        m for m in await seen(client, contact, cid) if m["content_attributes"].get("article")
    )
    assert "confidence" not in customer_answer["content_attributes"]
    assert "threshold" not in customer_answer["content_attributes"]
    number = (await conversation(state, cid)).number
    answer = next(
        m for m in await agent_messages(client, tenant, number) if m["content_attributes"].get("article")
    )
    attributes = answer["content_attributes"]
    assert attributes["threshold"] == DEFAULT_THRESHOLD
    assert DEFAULT_THRESHOLD <= attributes["confidence"] <= 1.0


async def test_a_handoff_note_names_the_closest_article_and_how_sure_the_bot_was(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    contact = await bot_with_articles(state, tenant)
    cid = await start(client, state, contact, "Can I get my money back for an order from last year?")
    found = await conversation(state, cid)
    assert found.handed_over_at is not None
    note = next(m for m in await agent_messages(client, tenant, found.number) if m["private"])
    closest = note["content_attributes"]["bot_handoff"]["closest"]
    assert closest["title"] == "How do refunds work?"
    assert closest["confidence"] < closest["threshold"] == DEFAULT_THRESHOLD
    sure = round(100 * closest["confidence"])
    assert (
        f"Closest article: How do refunds work? ({closest['url']}) — {sure}% sure; the bot answers from 90%"
        in (note["content"])
    )


async def test_trying_a_message_shows_what_the_bot_would_do(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    await add_articles(state, tenant)
    url = tenant.url(f"/inboxes/{tenant.inbox_id}/bot/try")
    answered = await client.post(
        url, json={"text": "sifremi unuttum, giris yapamiyorum"}, headers=tenant.owner.headers
    )
    assert answered.status_code == 200, answered.text
    body = answered.json()
    assert (body["action"], body["reason"], body["language"]) == ("answer", "", "tr")
    assert body["article"]["title"] == "Şifremi nasıl sıfırlarım?"
    assert body["confidence"] >= body["threshold"] == DEFAULT_THRESHOLD
    assert body["candidates"][0]["title"] == "Şifremi nasıl sıfırlarım?"
    assert body["candidates"][0]["url"].endswith(
        f"/articles/{body['article']['article_id']}-sifremi-nasil-sifirlarim"
    )

    person = (
        await client.post(
            url, json={"text": "bir temsilciyle görüşmek istiyorum"}, headers=tenant.owner.headers
        )
    ).json()
    assert (person["action"], person["reason"], person["asks_person"]) == ("handoff", "asked", True)

    angry = (
        await client.post(
            url,
            json={"text": "REZALET!!! Dolandırıcısınız, paramı geri verin!"},
            headers=tenant.owner.headers,
        )
    ).json()
    assert (angry["action"], angry["reason"], angry["angry"]) == ("handoff", "angry", True)

    nothing = (await client.post(url, json={"text": "zzzz qqqq"}, headers=tenant.owner.headers)).json()
    assert (nothing["action"], nothing["reason"], nothing["candidates"]) == ("handoff", "low_confidence", [])

    hello = (await client.post(url, json={"text": "merhaba"}, headers=tenant.owner.headers)).json()
    assert hello["action"] == "hello"


async def test_trying_the_bot_is_for_admins_of_the_inbox_and_needs_a_message(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, other_tenant: Tenant
) -> None:
    url = tenant.url(f"/inboxes/{tenant.inbox_id}/bot/try")
    blank = await client.post(url, json={"text": "   "}, headers=tenant.owner.headers)
    assert blank.status_code == 422 and blank.json()["error"]["field"] == "text"
    assert (await client.post(url, json={}, headers=tenant.owner.headers)).status_code == 422
    long = await client.post(url, json={"text": "a" * 2001}, headers=tenant.owner.headers)
    assert long.status_code == 422
    assert (await client.post(url, json={"text": "hi"}, headers=tenant.agent.headers)).status_code == 403
    other = other_tenant
    foreign = other.url(f"/inboxes/{tenant.inbox_id}/bot/try")
    assert (await client.post(foreign, json={"text": "hi"}, headers=other.owner.headers)).status_code == 404
