"""Conversation ratings: the customer rates a resolved conversation once, may change it for a while,
agents read it, and an event tells open dashboards and the customer's other devices."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
from sqlalchemy import select

from destek.events.models import EventRow
from destek.ratings.models import ConversationRating
from destek.ratings.service import EDIT_WINDOW
from destek.state import AppState
from tests.support.factories import ContactSession, Tenant, make_contact, open_conversation


async def _resolve(client: httpx.AsyncClient, tenant: Tenant, number: int) -> None:
    response = await client.post(
        tenant.url(f"/conversations/{number}/status"),
        json={"status": "resolved"},
        headers=tenant.owner.headers,
    )
    assert response.status_code == 200, response.text


async def _resolved_conversation(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> tuple[ContactSession, int, int]:
    """A contact and its conversation (id, number), resolved by the team."""
    contact = await make_contact(state, tenant)
    started = await open_conversation(client, contact, "Kartım reddedildi")
    conversation_id = started["conversation"]["id"]
    detail = await client.get(tenant.url("/conversations"), headers=tenant.owner.headers)
    number = next(c["number"] for c in detail.json()["items"] if c["id"] == conversation_id)
    await _resolve(client, tenant, number)
    return contact, conversation_id, number


async def _rating_events(state: AppState, tenant: Tenant) -> list[dict[str, Any]]:
    async with state.read() as session:
        rows = await session.scalars(
            select(EventRow)
            .where(EventRow.account_id == tenant.account_id, EventRow.type == "conversation.rated")
            .order_by(EventRow.seq)
        )
        return [row.payload for row in rows]


async def test_a_customer_rates_a_resolved_conversation_and_agents_see_it(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    contact, conversation_id, number = await _resolved_conversation(client, state, tenant)
    url = tenant.public(f"/conversations/{conversation_id}/rating")
    assert (await client.get(url, headers=contact.headers)).json() is None
    assert (
        await client.get(tenant.url(f"/conversations/{number}/rating"), headers=tenant.agent.headers)
    ).json() is None

    rated = await client.put(
        url, json={"score": 4, "comment": "  Hızlıydı, teşekkürler  "}, headers=contact.headers
    )
    assert rated.status_code == 201, rated.text
    body = rated.json()
    assert (body["score"], body["comment"]) == (4, "Hızlıydı, teşekkürler")
    assert "contact_id" not in body  # the customer's view has no internal ids
    editable_until = dt.datetime.fromisoformat(body["editable_until"])
    created_at = dt.datetime.fromisoformat(body["created_at"])
    assert editable_until - created_at == EDIT_WINDOW

    seen = await client.get(tenant.url(f"/conversations/{number}/rating"), headers=tenant.agent.headers)
    assert seen.status_code == 200
    assert seen.json()["score"] == 4
    assert seen.json()["conversation_number"] == number
    assert seen.json()["contact_id"] == contact.contact_id

    # Changing it: the same row, a 200, and a second event; sending the same again changes nothing.
    changed = await client.put(url, json={"score": 2}, headers=contact.headers)
    assert changed.status_code == 200
    assert (changed.json()["score"], changed.json()["comment"]) == (2, "")
    again = await client.put(url, json={"score": 2}, headers=contact.headers)
    assert again.status_code == 200
    async with state.read() as session:
        rows = list(await session.scalars(select(ConversationRating)))
    assert [(r.score, r.conversation_id) for r in rows] == [(2, conversation_id)]
    events = await _rating_events(state, tenant)
    assert [(e["rating"]["score"], e["created"]) for e in events] == [(4, True), (2, False)]
    assert (await client.get(url, headers=contact.headers)).json()["score"] == 2


async def test_only_a_resolved_conversation_can_be_rated_and_only_for_a_while(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    contact = await make_contact(state, tenant)
    started = await open_conversation(client, contact)
    url = tenant.public(f"/conversations/{started['conversation']['id']}/rating")
    early = await client.put(url, json={"score": 5}, headers=contact.headers)
    assert early.status_code == 409
    assert "resolved" in early.json()["error"]["message"]

    other, conversation_id, _number = await _resolved_conversation(client, state, tenant)
    url = tenant.public(f"/conversations/{conversation_id}/rating")
    assert (await client.put(url, json={"score": 5}, headers=other.headers)).status_code == 201
    async with state.uow() as session:
        rating = await session.scalar(select(ConversationRating))
        assert rating is not None
        rating.created_at = rating.created_at - EDIT_WINDOW - dt.timedelta(minutes=1)
    late = await client.put(url, json={"score": 1}, headers=other.headers)
    assert late.status_code == 409
    assert late.json()["error"]["field"] == "score"
    assert (await client.get(url, headers=other.headers)).json()["score"] == 5


async def test_bad_ratings_are_refused_with_the_field(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    contact, conversation_id, _number = await _resolved_conversation(client, state, tenant)
    url = tenant.public(f"/conversations/{conversation_id}/rating")
    for body, field in [
        ({"score": 0}, "score"),
        ({"score": 6}, "score"),
        ({}, "score"),
        ({"score": 3, "comment": "x" * 2001}, "comment"),
        ({"score": 3, "stars": 3}, "stars"),
    ]:
        response = await client.put(url, json=body, headers=contact.headers)
        assert response.status_code == 422, body
        assert response.json()["error"]["field"] == field, response.text
    assert await _rating_events(state, tenant) == []


async def test_nobody_else_rates_or_reads_it(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, other_tenant: Tenant
) -> None:
    contact, conversation_id, number = await _resolved_conversation(client, state, tenant)
    url = tenant.public(f"/conversations/{conversation_id}/rating")
    stranger = await make_contact(state, tenant, name="Başka Biri")
    assert (await client.put(url, json={"score": 1}, headers=stranger.headers)).status_code == 404
    assert (await client.get(url, headers=stranger.headers)).status_code == 404
    assert (await client.put(url, json={"score": 1})).status_code == 401
    foreign = await client.get(
        other_tenant.url(f"/conversations/{number}/rating"), headers=tenant.owner.headers
    )
    assert foreign.status_code == 404
    assert (await client.put(url, json={"score": 3}, headers=contact.headers)).status_code == 201


async def test_the_rating_reaches_agents_and_the_customer_live(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    from tests.support.server import serving, subscribe

    contact, conversation_id, _number = await _resolved_conversation(client, state, tenant)
    async with serving(state) as base:
        agent, _ = await subscribe(
            base, "/ws", {"type": "subscribe", "account_id": tenant.account_id, "token": tenant.owner.token}
        )
        customer, _ = await subscribe(
            base,
            "/api/v1/public/ws",
            {"type": "subscribe", "inbox": tenant.inbox_token, "token": contact.token},
        )
        try:
            url = tenant.public(f"/conversations/{conversation_id}/rating")
            assert (await client.put(url, json={"score": 5}, headers=contact.headers)).status_code == 201
            agents_view = (await agent.events(1))[0]["event"]
            assert agents_view["type"] == "conversation.rated"
            assert agents_view["rating"]["contact_id"] == contact.contact_id
            customers_view = (await customer.events(1))[0]["event"]
            assert customers_view["type"] == "conversation.rated"
            assert customers_view["rating"]["score"] == 5
            assert "contact_id" not in customers_view["rating"]
        finally:
            await agent.close()
            await customer.close()
