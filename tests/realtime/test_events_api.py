"""Polling the event log over HTTP."""

from __future__ import annotations

import datetime as dt

import httpx

from destek.db import utcnow
from destek.events import log as event_log
from destek.state import AppState
from tests.realtime.helpers import start_conversation
from tests.support.factories import Tenant, make_contact, write


async def test_poll_pages_through_the_log_in_order(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    contact = await make_contact(state, tenant)
    conversation_id = await start_conversation(state, contact)
    for i in range(5):
        await write(state, conversation_id, f"m{i}", sender_id=contact.contact_id)
    seen: list[int] = []
    since = 0
    while True:
        page = await client.get(tenant.url(f"/events?since={since}&limit=3"), headers=tenant.owner.headers)
        assert page.status_code == 200, page.text
        body = page.json()
        seen += [e["seq"] for e in body["events"]]
        if body["next_since"] == since:
            break
        since = body["next_since"]
    assert seen == list(range(1, body["head"] + 1))
    messages = [
        e["event"]["message"]["content"]
        for e in (await client.get(tenant.url("/events"), headers=tenant.owner.headers)).json()["events"]
        if e["event"]["type"] == "message.created"
    ]
    assert messages == ["Merhaba", "m0", "m1", "m2", "m3", "m4"]


async def test_poll_is_isolated_by_account_and_asks_for_resync_when_pruned(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, other_tenant: Tenant
) -> None:
    contact = await make_contact(state, tenant)
    await start_conversation(state, contact)
    foreign = await client.get(tenant.url("/events"), headers=other_tenant.owner.headers)
    assert foreign.status_code == 404
    own = await client.get(
        f"/api/v1/accounts/{other_tenant.account_id}/events", headers=other_tenant.owner.headers
    )
    # Only its own: the agent the factory put in its inbox, nothing of the other account's conversation.
    assert [e["event"]["type"] for e in own.json()["events"]] == ["agent.updated"]

    ahead = await client.get(tenant.url("/events?since=999"), headers=tenant.owner.headers)
    assert ahead.status_code == 410 and ahead.json()["error"]["field"] == "since"
    async with state.uow() as session:
        await event_log.prune(session, older_than=utcnow() + dt.timedelta(seconds=1))
    gone = await client.get(tenant.url("/events?since=0"), headers=tenant.owner.headers)
    assert gone.status_code == 410
    assert "pruned" in gone.json()["error"]["message"]
    bad = await client.get(tenant.url("/events?since=-1"), headers=tenant.owner.headers)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "since"
