"""A customer's app from first launch to a conversation with pictures, as an SDK drives it."""

from __future__ import annotations

from typing import Any

import httpx

from destek.accounts import inboxes as inbox_service
from destek.accounts import service as accounts
from destek.bus import BusMessage, Signal
from destek.channels import service as channels
from destek.contacts import service as contacts
from destek.conversations import outputs
from destek.conversations.models import Conversation
from destek.state import AppState
from tests.channels.widget.helpers import agent_writes, bearer, png, start, visitor
from tests.support.factories import Tenant

DEVICE = {
    "platform": "ios",
    "os": "iOS",
    "os_version": "18.1",
    "app_version": "4.2.0",
    "device_model": "iPhone15,2",
    "push_enabled": True,  # an unknown key: kept
}


async def test_inbox_config_draws_the_widget_without_the_secret(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.get(tenant.public())
    assert response.status_code == 200
    config = response.json()
    assert config == {
        "name": "App chat",
        "channel_type": "widget",
        "identity_verification": False,
        "greeting": "Hi! How can we help?",
        "greetings": {},
        "color": "#2563eb",
        "text_color": "#ffffff",
        "locale": "en",
        "position": "right",
        "pre_chat_fields": [],
        "reply_time": "none",
        "reply_notice": None,
        "open_now": True,  # no business hours set: round the clock
        "opens_at": None,
    }
    assert tenant.inbox_secret not in response.text


async def test_inbox_config_follows_the_inbox_settings(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    async with state.uow() as session:
        owner = await accounts.actor_for(session, account_id=tenant.account_id, user_id=tenant.owner.user_id)
        look = {"greeting": "Merhaba! Size nasıl yardımcı olabiliriz?", "color": "#e11d48", "locale": "tr"}
        inbox = await inbox_service.update_inbox(session, actor=owner, inbox_id=tenant.inbox_id)
        await channels.configure(session, inbox=inbox, sealer=None, settings={**look, "position": "left"})
    config = (await client.get(tenant.public())).json()
    assert {k: config[k] for k in ("greeting", "color", "locale", "position")} == {**look, "position": "left"}


async def test_the_whole_flow_of_an_app(client: httpx.AsyncClient, state: AppState, tenant: Tenant) -> None:
    # First launch: the app identifies its logged-in user with the device it runs on.
    me = await visitor(
        client, tenant, identifier="user-4711", name="Ayşe Yılmaz", email="ayse@example.com", device=DEVICE
    )
    assert me["contact"]["name"] == "Ayşe Yılmaz"
    assert me["contact"]["device"] == DEVICE
    auth = bearer(me["token"])

    # The user writes: a conversation starts with its first message.
    started = await start(client, tenant, me["token"], "Siparişim nerede?")
    conversation_id = started["conversation"]["id"]
    assert started["conversation"]["status"] == "open"
    assert started["message"]["content"] == "Siparişim nerede?"
    assert started["message"]["direction"] == "in"
    assert started["message"]["sender"] == {
        "type": "contact",
        "id": me["contact"]["id"],
        "name": "Ayşe Yılmaz",
    }
    base = tenant.public(f"/conversations/{conversation_id}")

    listed = (await client.get(f"{base}/messages", headers=auth)).json()
    assert [m["content"] for m in listed] == ["Siparişim nerede?"]

    # A photo of the parcel: a real PNG, uploaded, then sent with a message.
    picture = png(5, 4)
    upload = await client.post(
        f"{base}/attachments", files={"file": ("parcel.png", picture, "image/png")}, headers=auth
    )
    assert upload.status_code == 201, upload.text
    attachment = upload.json()
    assert attachment["content_type"] == "image/png"
    assert (attachment["width"], attachment["height"], attachment["size"]) == (5, 4, len(picture))
    sent = await client.post(
        f"{base}/messages",
        json={"content": "İşte kutu", "client_message_id": "m-2", "attachment_ids": [attachment["id"]]},
        headers=auth,
    )
    assert sent.status_code == 201, sent.text
    assert [a["id"] for a in sent.json()["attachments"]] == [attachment["id"]]

    # Its url works without any token and gives back the very bytes.
    download = await client.get(sent.json()["attachments"][0]["url"])
    assert download.status_code == 200
    assert download.content == picture
    assert download.headers["content-type"] == "image/png"

    # An agent answers; a colleague leaves a private note.
    await agent_writes(state, tenant, conversation_id, "Kargo yarın geliyor")
    await agent_writes(state, tenant, conversation_id, "customer is VIP, be nice", private=True)

    messages = (await client.get(f"{base}/messages", headers=auth)).json()
    assert [m["content"] for m in messages] == ["Siparişim nerede?", "İşte kutu", "Kargo yarın geliyor"]
    reply = messages[-1]
    assert reply["direction"] == "out"
    assert reply["sender"]["type"] == "agent"
    assert reply["status"] == "sent"
    assert "private" not in reply
    assert "VIP" not in str(messages)

    # The list of conversations previews the agent's answer, never the note.
    overview = (await client.get(tenant.public("/conversations"), headers=auth)).json()
    assert [c["id"] for c in overview] == [conversation_id]
    assert overview[0]["last_message"]["content"] == "Kargo yarın geliyor"
    assert overview[0]["contact_last_read_at"] is None

    # The user reads the answer: a read receipt for the agents.
    read = await client.post(f"{base}/read", headers=auth)
    assert read.status_code == 204
    assert read.content == b""
    messages = (await client.get(f"{base}/messages", headers=auth)).json()
    assert messages[-1]["status"] == "read"
    assert messages[0]["status"] == "sent"  # the contact's own messages are read by agents, not by them
    detail = (await client.get(base, headers=auth)).json()
    assert detail["contact_last_read_at"] is not None
    assert set(detail) == {
        "id",
        "status",
        "merged_into_id",
        "created_at",
        "last_activity_at",
        "agent_last_read_at",
        "contact_last_read_at",
    }

    # The agents see the app context on the contact.
    async with state.read() as session:
        contact = await contacts.get_contact(
            session, account_id=tenant.account_id, contact_id=me["contact"]["id"]
        )
    assert contact.identifier == "user-4711"
    assert contact.device["app_version"] == "4.2.0"
    assert contact.device["push_enabled"] is True


async def test_typing_goes_over_the_bus_only(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    me = await visitor(client, tenant, name="Mehmet")
    started = await start(client, tenant, me["token"])
    signals: list[dict[str, Any]] = []

    def seen(message: BusMessage) -> None:
        if isinstance(message, Signal):
            signals.append(message.payload)

    stop = state.bus.listen(seen)
    try:
        url = tenant.public(f"/conversations/{started['conversation']['id']}/typing")
        response = await client.post(url, json={"typing": True}, headers=bearer(me["token"]))
    finally:
        stop()
    assert response.status_code == 204
    assert len(signals) == 1
    assert signals[0]["type"] == "typing"
    assert signals[0]["typing"] is True
    assert signals[0]["sender"] == {"type": "contact", "id": me["contact"]["id"], "name": "Mehmet"}

    bad = await client.post(url, json={"typing": "maybe"}, headers=bearer(me["token"]))
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "typing"


async def test_a_conversation_may_start_empty_and_carry_attributes(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    me = await visitor(client, tenant)
    response = await client.post(
        tenant.public("/conversations"),
        json={"custom_attributes": {"order": "A-1001", "screen": "checkout"}},
        headers=bearer(me["token"]),
    )
    assert response.status_code == 201, response.text
    assert response.json()["message"] is None
    assert "custom_attributes" not in response.json()["conversation"]  # for agents, not for the app
    async with state.read() as session:
        conversation = await session.get(Conversation, response.json()["conversation"]["id"])
        assert conversation is not None
        seen = await outputs.conversation_out(session, conversation)
    assert seen.custom_attributes == {"order": "A-1001", "screen": "checkout"}
    overview = (await client.get(tenant.public("/conversations"), headers=bearer(me["token"]))).json()
    assert overview[0]["last_message"] is None


async def test_openapi_describes_the_client_api(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    public = {
        (method, path): operation
        for path, operations in spec["paths"].items()
        if path.startswith("/api/v1/public/inboxes/")
        for method, operation in operations.items()
    }
    # The client API (12 operations), the ratings (2), and any later additions (e.g. help-center search).
    assert len(public) >= 14
    assert ("put", "/api/v1/public/inboxes/{inbox_token}/conversations/{conversation_id}/rating") in public
    for (method, path), operation in public.items():
        assert operation["operationId"].startswith("public_"), path
        assert operation["summary"], path
        assert "404" in operation["responses"], (method, path)
        if path.endswith(("{inbox_token}", "/articles")):  # the inbox token alone: config, FAQ search
            assert "security" not in operation
        else:
            assert "401" in operation["responses"], (method, path)
            assert {"ContactToken": []} in operation["security"], (method, path)
    identify = public[("post", "/api/v1/public/inboxes/{inbox_token}/contacts")]
    assert {} in identify["security"]  # the token is optional there
    assert "HMAC-SHA256" in identify["description"]
    assert spec["components"]["securitySchemes"]["ContactToken"]["scheme"] == "bearer"
    error = spec["components"]["schemas"]["ErrorDetail"]
    assert {"code", "message", "field"} <= set(error["properties"])
    assert "secret" not in str(spec["components"]["schemas"]["WidgetConfigOut"]["properties"])
    assert "/files/{attachment_id}/{access_key}/{filename}" in spec["paths"]
