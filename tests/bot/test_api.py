"""The agent API of the bot: settings (admins), suggestions, handoff by an agent."""

from __future__ import annotations

import httpx

from destek.accounts import service as accounts
from destek.bot.settings import DEFAULT_THRESHOLD
from destek.canned.models import CannedResponse
from destek.state import AppState
from tests.bot.helpers import add_articles, bot_with_articles, conversation, settle, start
from tests.support.factories import Tenant, make_contact, write


async def test_admins_read_and_change_the_bot(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    url = tenant.url(f"/inboxes/{tenant.inbox_id}/bot")
    response = await client.get(url, headers=tenant.owner.headers)
    assert response.status_code == 200
    body = response.json()
    assert (
        body["enabled"] is False
        and body["mode"] == "builtin"
        and body["answer_threshold"] == DEFAULT_THRESHOLD
    )
    assert [t["id"] for t in body["topics"]] == ["payment", "order", "technical", "account"]
    response = await client.patch(
        url,
        json={
            "enabled": True,
            "answer_threshold": 0.9,
            "greeting": {"tr": "Selam!"},
            "expected_reply_minutes": 120,
        },
        headers=tenant.owner.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["greeting"] == {"tr": "Selam!"} and response.json()["answer_threshold"] == 0.9
    again = (await client.get(url, headers=tenant.owner.headers)).json()
    assert again["enabled"] is True and again["expected_reply_minutes"] == 120
    # Agents may not.
    assert (await client.get(url, headers=tenant.agent.headers)).status_code == 403
    assert (await client.patch(url, json={"enabled": False}, headers=tenant.agent.headers)).status_code == 403


async def test_invalid_bot_settings_say_what_is_wrong(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    url = tenant.url(f"/inboxes/{tenant.inbox_id}/bot")
    response = await client.patch(url, json={"answer_threshold": 0.2}, headers=tenant.owner.headers)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "answer_threshold"
    response = await client.patch(url, json={"mode": "external"}, headers=tenant.owner.headers)
    assert response.status_code == 422
    assert "webhook_url" in response.json()["error"]["message"]
    response = await client.patch(
        url,
        json={"topics": [{"id": "pay", "labels": {"en": "Pay"}, "team_id": 999_999}]},
        headers=tenant.owner.headers,
    )
    assert response.status_code == 404  # a team of no one's (or another account's)
    response = await client.patch(url, json={"enabled": True, "colour": "red"}, headers=tenant.owner.headers)
    assert response.status_code == 422
    response = await client.patch(url, json={"topics": None}, headers=tenant.owner.headers)  # was a 500
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "bot"


async def test_suggestions_for_the_agent(client: httpx.AsyncClient, state: AppState, tenant: Tenant) -> None:
    ids = await add_articles(state, tenant)
    async with state.uow() as session:
        session.add(
            CannedResponse(
                account_id=tenant.account_id,
                short_code="refund",
                title="Refund timing",
                content="Refunds reach your card in 5-10 business days.",
            )
        )
    contact = await make_contact(state, tenant)
    # An earlier, resolved conversation where a person answered a similar question.
    old = await start(client, state, contact, "When will I get my refund back on my card?")
    await write(
        state,
        old,
        "Your refund is on its way: 5 to 10 business days.",
        sender="agent",
        sender_id=tenant.agent.user_id,
    )
    number = (await conversation(state, old)).number
    await client.post(
        tenant.url(f"/conversations/{number}/status"),
        json={"status": "resolved"},
        headers=tenant.owner.headers,
    )
    new = await start(client, state, contact, "how long does the refund take to reach my card")
    found = await conversation(state, new)
    response = await client.get(
        tenant.url(f"/conversations/{found.number}/suggestions"), headers=tenant.agent.headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["question"] == "how long does the refund take to reach my card"
    assert body["articles"][0]["article_id"] == ids["refund"]
    assert body["replies"][0]["answer"] == "Your refund is on its way: 5 to 10 business days."
    assert body["replies"][0]["conversation_number"] == number
    assert [c["short_code"] for c in body["canned"]] == ["refund"]


async def test_an_agent_can_take_over_from_the_bot(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    contact = await bot_with_articles(state, tenant)
    cid = await start(client, state, contact, "How long does a refund take to reach my card?")
    number = (await conversation(state, cid)).number
    response = await client.post(
        tenant.url(f"/conversations/{number}/handoff"),
        json={"tell_customer": False},
        headers=tenant.agent.headers,
    )
    assert response.status_code == 200
    assert response.json()["handed_over_at"] is not None
    again = await client.post(
        tenant.url(f"/conversations/{number}/handoff"), json={}, headers=tenant.agent.headers
    )
    assert again.json()["handed_over_at"] == response.json()["handed_over_at"]  # idempotent
    await settle(state)
    # Only admins' tokens may speak as the bot.
    async with state.read() as session:
        actor = await accounts.actor_for(session, account_id=tenant.account_id, user_id=tenant.agent.user_id)
        assert not actor.is_admin
    response = await client.post(
        tenant.url(f"/conversations/{number}/bot_messages"),
        json={"content": "hi"},
        headers=tenant.agent.headers,
    )
    assert response.status_code == 403
