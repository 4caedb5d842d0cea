"""A client message id is a retry key of one sender: another sender's message is never the answer."""

from __future__ import annotations

import httpx

from destek.conversations.models import Message
from destek.state import AppState
from tests.channels.widget.helpers import bearer, count, start, visitor
from tests.support.factories import Tenant


async def test_a_contact_reusing_an_agents_note_id_gets_a_conflict_not_the_note(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    me = await visitor(client, tenant)
    started = await start(client, tenant, me["token"])
    conversation_id = started["conversation"]["id"]
    listed = await client.get(
        tenant.url("/conversations"), params={"contact_id": me["contact"]["id"]}, headers=tenant.owner.headers
    )
    number = listed.json()["items"][0]["number"]
    note = {"content": "SECRET: fraud risk", "private": True, "client_message_id": "note-1"}
    written = await client.post(
        tenant.url(f"/conversations/{number}/messages"), json=note, headers=tenant.owner.headers
    )
    assert written.status_code == 201

    url = tenant.public(f"/conversations/{conversation_id}/messages")
    reused = await client.post(
        url, json={"content": "hello", "client_message_id": "note-1"}, headers=bearer(me["token"])
    )
    assert reused.status_code == 409
    assert reused.json()["error"]["field"] == "client_message_id"
    assert "SECRET" not in reused.text
    assert await count(state, Message) == 2  # the first message and the note; nothing else

    # The agent's own retry is still answered with the note, and an agent reusing the customer's
    # id is refused the same way.
    again = await client.post(
        tenant.url(f"/conversations/{number}/messages"), json=note, headers=tenant.owner.headers
    )
    assert again.status_code == 200
    assert again.json()["id"] == written.json()["id"]
    mine = await client.post(
        url, json={"content": "hi", "client_message_id": "c-7"}, headers=bearer(me["token"])
    )
    assert mine.status_code == 201
    clash = await client.post(
        tenant.url(f"/conversations/{number}/messages"),
        json={"content": "reply", "client_message_id": "c-7"},
        headers=tenant.owner.headers,
    )
    assert clash.status_code == 409
    assert clash.json()["error"]["field"] == "client_message_id"
