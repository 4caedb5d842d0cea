"""Merging a conversation into another of the same contact: what agents and the contact see after it,
the events open dashboards get, and every refusal."""

from __future__ import annotations

from typing import Any

import httpx

from destek.accounts.models import Inbox
from destek.contacts.models import Contact
from destek.conversations import posting
from destek.conversations import service as conversations
from destek.state import AppState
from tests.conversations.helpers import Started, contact_writes, events_since, head, start_conversation
from tests.support.factories import Tenant, write


async def _another(state: AppState, started: Started, *texts: str) -> Started:
    """A second conversation of the same contact, in the same inbox, with the contact's messages."""
    async with state.uow() as session:
        inbox = await session.get(Inbox, started.inbox_id)
        contact = await session.get(Contact, started.contact_id)
        assert inbox is not None and contact is not None
        conversation = await conversations.create_conversation(session, inbox=inbox, contact=contact)
        for text in texts:
            await posting.post_message(
                session, conversation=conversation, sender_type="contact", sender_id=contact.id, content=text
            )
        return Started(conversation.id, conversation.number, contact.id, inbox.id)


async def _merge(client: httpx.AsyncClient, tenant: Tenant, number: int, **body: Any) -> httpx.Response:
    return await client.post(
        tenant.url(f"/conversations/{number}/merge"), json=body, headers=tenant.agent.headers
    )


async def _contents(client: httpx.AsyncClient, tenant: Tenant, number: int) -> list[tuple[int, bool, str]]:
    response = await client.get(tenant.url(f"/conversations/{number}/messages"), headers=tenant.agent.headers)
    assert response.status_code == 200, response.text
    return [(m["conversation_number"], m["private"], m["content"]) for m in response.json()["items"]]


async def _customer_token(client: httpx.AsyncClient, state: AppState, tenant: Tenant) -> tuple[str, int]:
    """A customer of the widget with a contact token (made through the public API)."""
    response = await client.post(tenant.public("/contacts"), json={"name": "Deniz Kaya"})
    assert response.status_code == 201, response.text
    return response.json()["token"], response.json()["contact"]["id"]


async def test_merge_moves_the_thread_and_keeps_the_records(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    target = await start_conversation(state, tenant, texts=("My order 1001 is late",))
    source = await _another(state, target, "Any news on 1001?")
    await write(state, target.id, "Looking into it", sender="agent", sender_id=tenant.agent.user_id)
    await contact_writes(state, source, "Hello?")
    before = await head(state, tenant)

    response = await _merge(client, tenant, source.number, into_conversation_id=target.id)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["source"]["status"] == "resolved"
    assert body["source"]["merged_into_id"] == target.id
    assert body["target"]["merged_into_id"] is None
    assert body["target"]["status"] == "open"

    # The target's thread: both conversations' messages, in the order they were written, then the notes.
    assert await _contents(client, tenant, target.number) == [
        (target.number, False, "My order 1001 is late"),
        (source.number, False, "Any news on 1001?"),
        (target.number, False, "Looking into it"),
        (source.number, False, "Hello?"),
        (source.number, True, f"Merged into #{target.number} by Agent {_n(tenant)}."),
        (target.number, True, f"#{source.number} was merged into this conversation by Agent {_n(tenant)}."),
    ]
    # The source is kept as it was, with its note.
    assert await _contents(client, tenant, source.number) == [
        (source.number, False, "Any news on 1001?"),
        (source.number, False, "Hello?"),
        (source.number, True, f"Merged into #{target.number} by Agent {_n(tenant)}."),
    ]
    detail = await client.get(tenant.url(f"/conversations/{source.number}"), headers=tenant.agent.headers)
    assert detail.json()["merged_into_id"] == target.id and detail.json()["status"] == "resolved"

    events = await events_since(state, tenant, before)
    types = [e.type for e in events]
    assert types.count("message.created") == 2
    updated = [e.payload for e in events if e.type == "conversation.updated"]
    assert [(p["conversation"]["id"], sorted(p["changed"])) for p in updated] == [
        (source.id, ["merged_into_id", "status"]),
        (target.id, ["waiting_since"]),  # the contact's "Hello?" in the source awaits a reply
    ]
    [merged] = [e for e in events if e.type == "conversation.merged"]
    assert merged.payload["source"]["id"] == source.id
    assert merged.payload["target"]["id"] == target.id
    assert merged.payload["merged_by"] == tenant.agent.user_id
    assert types[-1] == "conversation.merged"


def _n(tenant: Tenant) -> str:
    return tenant.agent.email.removeprefix("agent").split("@")[0]


async def test_the_contact_sees_one_conversation(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    token, _contact_id = await _customer_token(client, state, tenant)
    headers = {"Authorization": f"Bearer {token}"}
    first = await client.post(
        tenant.public("/conversations"), json={"message": {"content": "Card declined"}}, headers=headers
    )
    second = await client.post(
        tenant.public("/conversations"), json={"message": {"content": "Still declined"}}, headers=headers
    )
    target_id, source_id = first.json()["conversation"]["id"], second.json()["conversation"]["id"]
    async with state.read() as session:
        source_conv = await conversations.get_conversation(
            session, account_id=tenant.account_id, conversation_id=source_id
        )
        assert source_conv is not None
        source_number = source_conv.number
    before = await head(state, tenant)
    response = await _merge(client, tenant, source_number, into_conversation_id=target_id)
    assert response.status_code == 200, response.text

    # The target shows everything the customer wrote; never the agents' notes.
    messages = await client.get(tenant.public(f"/conversations/{target_id}/messages"), headers=headers)
    assert [m["content"] for m in messages.json()] == ["Card declined", "Still declined"]
    assert "merged" not in messages.text.lower()
    # The old one says where the conversation continues.
    old = await client.get(tenant.public(f"/conversations/{source_id}"), headers=headers)
    assert old.json()["status"] == "resolved"
    assert old.json()["merged_into_id"] == target_id
    # Realtime: the contact is told of the status change and the merge, nothing of the notes.
    events = await events_since(state, tenant, before)
    views = [view for e in events if (view := _contact_view(e)) is not None]
    assert [v["type"] for v in views] == ["conversation.updated", "conversation.merged"]
    assert views[0]["conversation"]["merged_into_id"] == target_id
    assert views[1] == {"type": "conversation.merged", "source_id": source_id, "target_id": target_id}

    # Writing in the old conversation (an old screen, a retried request) lands in the target.
    late = await client.post(
        tenant.public(f"/conversations/{source_id}/messages"),
        json={"content": "Hello?", "client_message_id": "late-1"},
        headers=headers,
    )
    assert late.status_code == 201, late.text
    assert late.json()["conversation_id"] == target_id
    retried = await client.post(
        tenant.public(f"/conversations/{source_id}/messages"),
        json={"content": "Hello?", "client_message_id": "late-1"},
        headers=headers,
    )
    assert retried.status_code == 200 and retried.json()["id"] == late.json()["id"]
    messages = await client.get(tenant.public(f"/conversations/{target_id}/messages"), headers=headers)
    assert [m["content"] for m in messages.json()] == ["Card declined", "Still declined", "Hello?"]


def _contact_view(event: Any) -> dict[str, Any] | None:
    from destek.events.schemas import parse_event

    return parse_event(event.payload).contact_view()


async def test_an_agent_is_told_to_reply_in_the_target(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    target = await start_conversation(state, tenant)
    source = await _another(state, target, "Again")
    assert (await _merge(client, tenant, source.number, into_number=target.number)).status_code == 200
    reply = await client.post(
        tenant.url(f"/conversations/{source.number}/messages"),
        json={"content": "Hi"},
        headers=tenant.agent.headers,
    )
    assert reply.status_code == 409
    assert f"#{target.number}" in reply.json()["error"]["message"]


async def test_a_resolved_target_reopens_for_an_open_request(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    target = await start_conversation(state, tenant)
    resolved = await client.post(
        tenant.url(f"/conversations/{target.number}/status"),
        json={"status": "resolved"},
        headers=tenant.agent.headers,
    )
    assert resolved.json()["status"] == "resolved"
    source = await _another(state, target, "It broke again")
    response = await _merge(client, tenant, source.number, into_number=target.number)
    assert response.status_code == 200, response.text
    assert response.json()["target"]["status"] == "open"
    assert response.json()["target"]["waiting_since"] is not None


async def test_refusals(client: httpx.AsyncClient, state: AppState, tenant: Tenant) -> None:
    a = await start_conversation(state, tenant)
    b = await _another(state, a, "Second")
    c = await _another(state, a, "Third")
    stranger = await start_conversation(state, tenant, name="Someone Else")

    def error(response: httpx.Response) -> tuple[int, str, str | None]:
        found = response.json()["error"]
        return response.status_code, found["code"], found.get("field")

    assert error(await _merge(client, tenant, a.number, into_conversation_id=a.id)) == (
        422,
        "invalid",
        "into_conversation_id",
    )
    across = await _merge(client, tenant, a.number, into_conversation_id=stranger.id)
    assert error(across) == (422, "invalid", "into_conversation_id")
    assert "another contact" in across.json()["error"]["message"]
    assert error(await _merge(client, tenant, a.number, into_conversation_id=999_999)) == (
        404,
        "not_found",
        "into_conversation_id",
    )
    assert error(await _merge(client, tenant, a.number, into_number=999_999)) == (
        404,
        "not_found",
        "into_number",
    )
    both = await _merge(client, tenant, a.number, into_number=b.number, into_conversation_id=b.id)
    assert both.status_code == 422
    assert (await _merge(client, tenant, a.number)).status_code == 422

    assert (await _merge(client, tenant, b.number, into_number=a.number)).status_code == 200
    # Into a merged conversation, a second time, or back the other way (a cycle): refused.
    into_merged = await _merge(client, tenant, c.number, into_number=b.number)
    assert error(into_merged) == (409, "conflict", "into_conversation_id")
    again = await _merge(client, tenant, b.number, into_number=c.number)
    assert error(again)[:2] == (409, "conflict")
    back = await _merge(client, tenant, a.number, into_number=b.number)
    assert error(back)[:2] == (409, "conflict")
    # The target can itself be merged later on: its thread (with b's) then shows in c.
    assert (await _merge(client, tenant, a.number, into_number=c.number)).status_code == 200
    numbers = {number for number, _private, _text in await _contents(client, tenant, c.number)}
    assert numbers == {a.number, b.number, c.number}


async def test_agents_merge_only_what_they_may_see(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    from tests.conversations.helpers import second_inbox

    hidden_inbox = await second_inbox(state, tenant)
    visible = await start_conversation(state, tenant)
    hidden = await _another(state, visible)
    async with state.uow() as session:
        row = await conversations.get_conversation(
            session, account_id=tenant.account_id, conversation_id=hidden.id
        )
        assert row is not None
        row.inbox_id = hidden_inbox
    response = await _merge(client, tenant, visible.number, into_conversation_id=hidden.id)
    assert response.status_code == 404
    response = await _merge(client, tenant, hidden.number, into_conversation_id=visible.id)
    assert response.status_code == 404
    # An administrator sees both inboxes: a contact's conversations merge across inboxes.
    owner = await client.post(
        tenant.url(f"/conversations/{hidden.number}/merge"),
        json={"into_number": visible.number},
        headers=tenant.owner.headers,
    )
    assert owner.status_code == 200, owner.text
