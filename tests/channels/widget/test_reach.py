"""Reaching a customer who left the chat: an unread reply is pushed to their phone (FCM, through a
local server that answers as Google documents) and mailed from the inbox's e-mail inbox (a real SMTP
server on loopback); answering that mail continues the same chat; a reply read in the app is not sent."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update

from destek.config import Settings
from destek.deliveries.models import Delivery
from destek.push.models import PushDevice
from destek.state import AppState
from tests.channels.email.flow import email_inbox, mail, messages, parsed, post_mail
from tests.channels.email.flow import settle as settle_channels
from tests.channels.email.servers import SmtpServer
from tests.push.servers import Clock, FakeGoogle, _certificate, serving
from tests.support.factories import Tenant
from tests.support.factories_fixtures import make_settings


@pytest.fixture
async def google() -> AsyncIterator[FakeGoogle]:
    fake = FakeGoogle(Clock(time.time()))
    async with serving(fake):
        yield fake


@pytest.fixture
def settings(db_url: str, tmp_path: Path, google: FakeGoogle) -> Settings:
    ca = tmp_path / "push-ca.pem"
    ca.write_text(_certificate()[0])
    return make_settings(
        db_url, tmp_path, run_consumers=True, catchup_seconds=0.2, fcm_url=google.url, push_ca_file=ca
    )


async def settle(state: AppState) -> None:
    assert state.consumers is not None
    notifier = state.consumers.runners["notify"].consumer
    for _ in range(3):
        await settle_channels(state)
        await notifier.idle()  # type: ignore[attr-defined]
    await settle_channels(state)


async def _time_passes(state: AppState, kind: str) -> None:
    """The reply has waited its minutes: its reminder is due now."""
    async with state.uow() as session:
        await session.execute(
            update(Delivery)
            .where(Delivery.kind == kind, Delivery.status == "pending")
            .values(next_attempt_at=Delivery.created_at)
        )


async def _customer(
    client: httpx.AsyncClient, tenant: Tenant, **fields: str
) -> tuple[dict[str, str], int, int]:
    """(contact headers, conversation id, its number) of a customer who wrote once and left."""
    made = await client.post(tenant.public("/contacts"), json=fields)
    assert made.status_code == 201, made.text
    headers = {"Authorization": f"Bearer {made.json()['token']}"}
    started = await client.post(
        tenant.public("/conversations"), json={"message": {"content": "Kartım reddedildi"}}, headers=headers
    )
    assert started.status_code == 201, started.text
    conversation = started.json()["conversation"]
    number = (await client.get(tenant.url("/conversations"), headers=tenant.agent.headers)).json()["items"][
        0
    ]["number"]
    return headers, conversation["id"], number


async def _reply(client: httpx.AsyncClient, tenant: Tenant, number: int, text: str) -> int:
    response = await client.post(
        tenant.url(f"/conversations/{number}/messages"), json={"content": text}, headers=tenant.agent.headers
    )
    assert response.status_code == 201, response.text
    message_id: int = response.json()["id"]
    return message_id


async def test_an_unread_reply_is_mailed_and_the_answer_continues_the_chat(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, smtp_server: SmtpServer
) -> None:
    mail_inbox, mail_token = await email_inbox(client, tenant, smtp_server)
    set_up = await client.put(
        tenant.url(f"/inboxes/{tenant.inbox_id}/channel"),
        json={
            "settings": {
                "email_inbox_id": mail_inbox,
                "email_after_minutes": 5,
                "chat_url": "https://lokanta.com.tr/destek",
            }
        },
        headers=tenant.owner.headers,
    )
    assert set_up.status_code == 200, set_up.text
    headers, conversation_id, number = await _customer(
        client, tenant, name="Ayşe", email="ayse@musteri.com.tr", locale="tr"
    )
    reply_id = await _reply(client, tenant, number, "Kartınızı tekrar deneyebilir misiniz?")
    await settle(state)
    assert not smtp_server.received  # five minutes have not passed

    await _time_passes(state, "reply_email")
    await settle(state)
    [sent] = smtp_server.received
    out = parsed(sent.content)
    assert out["To"].addresses[0].addr_spec == "ayse@musteri.com.tr"
    assert out["Subject"] == "App chat ekibinden yeni yanıt"
    body = out.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert "Kartınızı tekrar deneyebilir misiniz?" in text and "https://lokanta.com.tr/destek" in text

    # She answers the mail: the answer lands in the chat she left, not in a new e-mail conversation.
    answer, _ = mail(
        sender="Ayşe <ayse@musteri.com.tr>",
        subject=f"Re: {out['Subject']}",
        body="Denedim, oldu. Teşekkürler!",
        in_reply_to=out["Message-ID"].strip("<>"),
    )
    assert (await post_mail(client, mail_token, answer)).json()["status"] == "processed"
    await settle(state)
    shown = await messages(client, tenant, number)
    assert [m["content"] for m in shown][-1] == "Denedim, oldu. Teşekkürler!"
    assert shown[-1]["sender"]["type"] == "contact"
    assert next(m for m in shown if m["id"] == reply_id)["status"] == "sent"
    listed = (await client.get(tenant.url("/conversations"), headers=tenant.agent.headers)).json()["items"]
    assert [c["number"] for c in listed] == [number]

    # A reply she reads in the app before the minutes pass is not mailed.
    await _reply(client, tenant, number, "Rica ederiz.")
    await settle(state)
    read = await client.post(tenant.public(f"/conversations/{conversation_id}/read"), headers=headers)
    assert read.status_code == 204, read.text
    await _time_passes(state, "reply_email")
    await settle(state)
    assert len(smtp_server.received) == 1


async def test_an_unread_reply_is_pushed_and_a_token_the_provider_forgot_is_removed(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, google: FakeGoogle
) -> None:
    set_up = await client.put(
        tenant.url(f"/inboxes/{tenant.inbox_id}/channel"),
        json={"settings": {"push_after_seconds": 0}, "secrets": {"fcm_service_account": google.key_file()}},
        headers=tenant.owner.headers,
    )
    assert set_up.status_code == 200, set_up.text
    assert set_up.json()["secrets"] == {"fcm_service_account": True, "apns_private_key": False}
    headers, conversation_id, number = await _customer(client, tenant, name="Ali")
    for token in ("device-token-android-1", "unregistered-token"):
        registered = await client.put(
            tenant.public("/devices"), json={"provider": "fcm", "token": token}, headers=headers
        )
        assert registered.status_code == 204, registered.text
    bad = await client.put(
        tenant.public("/devices"), json={"provider": "gcm", "token": "x" * 20}, headers=headers
    )
    assert bad.status_code == 422

    await _reply(client, tenant, number, "Siparişiniz yola çıktı 🚚")
    await settle(state)
    [pushed] = google.messages
    assert pushed["token"] == "device-token-android-1"
    assert pushed["notification"]["body"] == "Siparişiniz yola çıktı 🚚"
    assert pushed["data"]["conversation_id"] == str(conversation_id)
    async with state.read() as session:
        tokens = list(await session.scalars(select(PushDevice.token)))
    assert tokens == ["device-token-android-1"]  # FCM said UNREGISTERED: gone

    # Logged out: the app forgets its token, and nothing more is pushed to it.
    forgot = await client.delete(tenant.public("/devices/device-token-android-1"), headers=headers)
    assert forgot.status_code == 204
    await _reply(client, tenant, number, "Teslim edildi.")
    await settle(state)
    assert len(google.messages) == 1


async def test_reach_settings_are_checked_on_save(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs, _ = await email_inbox(client, other_tenant, None)
    url, owner = tenant.url(f"/inboxes/{tenant.inbox_id}/channel"), tenant.owner.headers
    for body, field in [
        ({"settings": {"email_inbox_id": theirs}}, "settings.email_inbox_id"),  # another account's
        ({"settings": {"email_inbox_id": tenant.inbox_id}}, "settings.email_inbox_id"),  # a chat inbox
        ({"secrets": {"fcm_service_account": '{"project_info": {}}'}}, "secrets.fcm_service_account"),
        ({"secrets": {"apns_private_key": "not a key"}}, "secrets.apns_private_key"),
    ]:
        refused = await client.put(url, json=body, headers=owner)
        assert refused.status_code == 422, (body, refused.text)
        assert refused.json()["error"]["field"] == field, refused.text
    shown = (await client.get(url, headers=owner)).json()
    assert shown["settings"]["email_inbox_id"] is None and not any(shown["secrets"].values())  # nothing kept
