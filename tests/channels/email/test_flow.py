"""The e-mail channel end to end, through the API, with a real SMTP server on loopback: a customer's mail
comes in, an agent answers, the answer arrives as a mail that threads, the customer's reply continues
the same conversation, bounces and refusals mark the reply failed, and a failed reply can be retried."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from destek.channels.models import ChannelConfig, InboundRecord
from destek.config import Settings
from destek.conversations.models import Message
from destek.state import AppState
from tests.channels.email.flow import (
    ADDRESS,
    conversations,
    email_inbox,
    mail,
    messages,
    parsed,
    post_mail,
    settle,
)
from tests.channels.email.servers import SmtpServer
from tests.support.factories import Tenant
from tests.support.factories_fixtures import make_settings


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return make_settings(
        db_url, tmp_path, run_consumers=True, catchup_seconds=0.2, delivery_backoff_scale=0.01
    )


async def _reply(client: httpx.AsyncClient, tenant: Tenant, number: int, text: str, **extra: object) -> int:
    response = await client.post(
        tenant.url(f"/conversations/{number}/messages"),
        json={"content": text, **extra},
        headers=tenant.agent.headers,
    )
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "pending"  # the mail has yet to leave
    message_id: int = response.json()["id"]
    return message_id


async def test_a_mail_becomes_a_conversation_and_the_reply_threads(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, smtp_server: SmtpServer
) -> None:
    _, token = await email_inbox(client, tenant, smtp_server)
    raw, first_id = mail(cc="Mehmet <mehmet@musteri.test>")
    response = await post_mail(client, token, raw)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "processed"
    await settle(state)

    [item] = await conversations(client, tenant)
    assert item["subject"] == "Sipariş listede görünmüyor"
    assert item["contact"]["email"] == "ayse@musteri.test"
    number = item["number"]
    [first] = await messages(client, tenant, number)
    assert first["content"] == "Merhaba, dünkü siparişim listede yok. Yardımcı olur musunuz?"
    assert first["content_attributes"]["email"]["from"] == {
        "name": "Ayşe Yılmaz",
        "email": "ayse@musteri.test",
    }

    reply_id = await _reply(client, tenant, number, "Merhaba Ayşe, siparişinizi buldum.")
    await settle(state)
    [sent] = smtp_server.received
    out = parsed(sent.content)
    assert out["From"].addresses[0].addr_spec == ADDRESS
    assert (
        out["From"].addresses[0].display_name
        == f"Agent {tenant.agent.email[5:].split('@')[0]} (Lokanta Destek)"
    )
    assert out["To"].addresses[0].addr_spec == "ayse@musteri.test"
    assert out["Cc"].addresses[0].addr_spec == "mehmet@musteri.test"  # reply to all
    assert out["In-Reply-To"] == f"<{first_id}>"
    assert f"<{first_id}>" in out["References"]
    assert out["Subject"] == f"Re: Sipariş listede görünmüyor [Ticket#{number}]"
    assert set(sent.rcpt_tos) == {"ayse@musteri.test", "mehmet@musteri.test"}
    body = out.get_body(preferencelist=("plain",))
    assert body is not None and "siparişinizi buldum" in body.get_content()
    ours = out["Message-ID"].strip("<>")
    shown = {m["id"]: m for m in await messages(client, tenant, number)}
    assert shown[reply_id]["status"] == "sent"
    assert shown[reply_id]["external_id"] == ours

    # The customer answers from their mail program: In-Reply-To our reply. Same conversation.
    answer, _ = mail(
        subject=f"RE: Re: Sipariş listede görünmüyor [Ticket#{number}]", body="Teşekkürler!", in_reply_to=ours
    )
    assert (await post_mail(client, token, answer)).json()["status"] == "processed"
    # A reply that lost its headers (forwarded by a phone app) still finds the thread by the marker.
    bare, _ = mail(subject=f"YNT: Sipariş [Ticket#{number}]", body="Bir şey daha soracaktım.")
    assert (await post_mail(client, token, bare)).json()["status"] == "processed"
    await settle(state)
    assert len(await conversations(client, tenant)) == 1
    texts = [m["content"] for m in await messages(client, tenant, number)]
    assert texts[-2:] == ["Teşekkürler!", "Bir şey daha soracaktım."]

    # The same mail again (fetched twice, or sent to a second inbox): one message.
    again = await post_mail(client, token, raw)
    assert again.json()["status"] == "duplicate"
    assert len(await messages(client, tenant, number)) == 4


async def test_a_foreign_marker_never_appends_to_another_contacts_conversation(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    _, token = await email_inbox(client, tenant, None)
    raw, first_id = mail()
    await post_mail(client, token, raw)
    [item] = await conversations(client, tenant)
    number = item["number"]
    # Someone else writes with that marker in the subject and the first mail's id in References.
    other, _ = mail(
        sender="Bob <bob@baska.test>",
        subject=f"Re: Sipariş [Ticket#{number}]",
        body="I am someone else.",
        references=[first_id],
    )
    assert (await post_mail(client, token, other)).json()["status"] == "processed"
    await settle(state)
    found = await conversations(client, tenant)
    assert len(found) == 2
    assert [m["content"] for m in await messages(client, tenant, number)] == [
        "Merhaba, dünkü siparişim listede yok. Yardımcı olur musunuz?"
    ]


async def test_the_ingest_endpoint_stores_nothing_without_the_token(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    _, token = await email_inbox(client, tenant, None)
    raw, _ = mail()
    for bad in ("wrong", ""):
        refused = await post_mail(client, token, raw, token=bad)
        assert refused.status_code == 401
        assert "ingest token" in refused.json()["error"]["message"]
    # Basic auth, as inbound-parse services put it in the URL, works.
    basic = await client.post(
        f"/hooks/email/{token}",
        content=raw,
        auth=("api", "ingest-token-for-tests"),
        headers={"Content-Type": "message/rfc822"},
    )
    assert basic.json()["status"] == "processed"
    async with state.read() as session:
        assert len(list(await session.scalars(select(InboundRecord)))) == 1
    # Another channel's kind in the path, or a widget inbox's token: not found.
    assert (await client.post(f"/hooks/email/{tenant.inbox_token}", content=raw)).status_code == 404


async def test_an_unreadable_mail_is_kept_listed_and_can_be_processed_again(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    _, token = await email_inbox(client, tenant, None)
    raw = b"Subject: no sender at all\r\nMessage-ID: <lost@x.test>\r\n\r\nWho wrote me?\r\n"
    response = await post_mail(client, token, raw)
    assert response.status_code == 200
    assert response.json()["status"] == "failed"
    owner = tenant.owner.headers
    [failed] = (await client.get(tenant.url("/inbound/failed"), headers=owner)).json()
    assert "no sender" in failed["error"]
    kept = await client.get(tenant.url(f"/inbound/{failed['id']}/raw"), headers=owner)
    assert kept.content == raw
    # Agents may not read the raw mails of the account.
    assert (await client.get(tenant.url("/inbound/failed"), headers=tenant.agent.headers)).status_code == 403
    again = await client.post(tenant.url(f"/inbound/{failed['id']}/retry"), headers=owner)
    assert again.status_code == 200 and again.json()["status"] == "failed"
    assert len((await client.get(tenant.url("/inbound/failed"), headers=owner)).json()) == 1
    # The mails after it are taken as usual.
    ok, _ = mail()
    assert (await post_mail(client, token, ok)).json()["status"] == "processed"


async def test_secrets_are_write_only_and_sealed_at_rest(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, smtp_server: SmtpServer
) -> None:
    inbox_id, _ = await email_inbox(client, tenant, smtp_server)
    owner = tenant.owner.headers
    shown = (await client.get(tenant.url(f"/inboxes/{inbox_id}/channel"), headers=owner)).json()
    assert shown["secrets"]["smtp_password"] is True and shown["secrets"]["imap_password"] is False
    assert smtp_server.password not in str(shown)
    assert shown["webhook_url"].endswith(f"/hooks/email/{shown['webhook_url'].rsplit('/', 1)[-1]}")
    async with state.read() as session:
        [config] = list(await session.scalars(select(ChannelConfig)))
    assert config.secrets is not None and smtp_server.password not in config.secrets
    assert "ingest-token-for-tests" not in config.secrets
    # Leaving a secret out keeps it; null clears it; an unknown one is refused with its name.
    kept = await client.put(
        tenant.url(f"/inboxes/{inbox_id}/channel"), json={"secrets": {"ingest_token": None}}, headers=owner
    )
    assert kept.json()["secrets"] == {**shown["secrets"], "ingest_token": False}
    wrong = await client.put(
        tenant.url(f"/inboxes/{inbox_id}/channel"), json={"secrets": {"api_key": "x"}}, headers=owner
    )
    assert wrong.status_code == 422 and "api_key" in wrong.json()["error"]["message"]
    bad = await client.put(
        tenant.url(f"/inboxes/{inbox_id}/channel"), json={"settings": {"smtp_port": 0}}, headers=owner
    )
    assert bad.status_code == 422 and "smtp_port" in bad.json()["error"]["message"]
    # Agents see no channel settings at all.
    assert (
        await client.get(tenant.url(f"/inboxes/{inbox_id}/channel"), headers=tenant.agent.headers)
    ).status_code == 403


async def test_a_transient_refusal_is_retried_and_sent_once(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, smtp_server: SmtpServer
) -> None:
    _, token = await email_inbox(client, tenant, smtp_server)
    raw, _ = mail()
    await post_mail(client, token, raw)
    [item] = await conversations(client, tenant)
    smtp_server.handler.fail("DATA", "451 4.3.0 Mail server temporarily rejected message")
    reply_id = await _reply(client, tenant, item["number"], "Bakıyorum.")
    await settle(state)
    for _ in range(50):  # the retry waits 5 s x 0.01
        if smtp_server.received:
            break
        await settle(state)
    assert len(smtp_server.received) == 1
    await settle(state)
    shown = {m["id"]: m for m in await messages(client, tenant, item["number"])}
    assert shown[reply_id]["status"] == "sent"
    log = (await client.get(tenant.url("/deliveries?kind=channel"), headers=tenant.owner.headers)).json()
    assert [(d["status"], d["attempts"]) for d in log] == [("delivered", 2)]
    assert "451" in log[0]["last_error"] or log[0]["last_error"] == ""


async def test_a_refused_reply_fails_with_the_reason_and_can_be_retried(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, smtp_server: SmtpServer
) -> None:
    _, token = await email_inbox(client, tenant, smtp_server)
    raw, _ = mail()
    await post_mail(client, token, raw)
    [item] = await conversations(client, tenant)
    number = item["number"]
    smtp_server.handler.refuse["ayse@musteri.test"] = (
        "550 5.1.1 <ayse@musteri.test>: Recipient address rejected"
    )
    reply_id = await _reply(client, tenant, number, "Merhaba")
    await settle(state)
    shown = {m["id"]: m for m in await messages(client, tenant, number)}
    assert shown[reply_id]["status"] == "failed"
    assert "550" in shown[reply_id]["content_attributes"]["delivery_error"]
    assert not smtp_server.received
    # The address is fixed on the other side; the agent retries.
    smtp_server.handler.refuse.clear()
    retried = await client.post(
        tenant.url(f"/conversations/{number}/messages/{reply_id}/retry"), headers=tenant.agent.headers
    )
    assert retried.status_code == 202, retried.text
    await settle(state)
    assert len(smtp_server.received) == 1
    shown = {m["id"]: m for m in await messages(client, tenant, number)}
    assert shown[reply_id]["status"] == "sent"
    # Retrying a sent reply is refused.
    again = await client.post(
        tenant.url(f"/conversations/{number}/messages/{reply_id}/retry"), headers=tenant.agent.headers
    )
    assert again.status_code == 409


async def test_a_reply_the_customer_did_not_get_is_failed_even_when_the_copy_went_out(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, smtp_server: SmtpServer
) -> None:
    _, token = await email_inbox(client, tenant, smtp_server)
    raw, _ = mail(cc="Mehmet <mehmet@musteri.test>")
    await post_mail(client, token, raw)
    [item] = await conversations(client, tenant)
    smtp_server.handler.refuse["ayse@musteri.test"] = "550 5.1.1 <ayse@musteri.test>: mailbox gone"
    reply_id = await _reply(client, tenant, item["number"], "Merhaba")
    await settle(state)
    [copy] = smtp_server.received
    assert copy.rcpt_tos == ["mehmet@musteri.test"]
    shown = {m["id"]: m for m in await messages(client, tenant, item["number"])}
    assert shown[reply_id]["status"] == "failed"
    error = shown[reply_id]["content_attributes"]["delivery_error"]
    assert "ayse@musteri.test (550 5.1.1" in error and "the copies went to the others" in error


async def test_a_bounce_marks_the_reply_failed(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, smtp_server: SmtpServer
) -> None:
    _, token = await email_inbox(client, tenant, smtp_server)
    raw, _ = mail()
    await post_mail(client, token, raw)
    [item] = await conversations(client, tenant)
    reply_id = await _reply(client, tenant, item["number"], "Merhaba")
    await settle(state)
    ours = parsed(smtp_server.received[0].content)["Message-ID"]
    bounce = (
        "From: Mail Delivery System <MAILER-DAEMON@mx.musteri.test>\r\n"
        f"To: {ADDRESS}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <bounce-1@mx.musteri.test>\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\n"
        "I'm sorry to have to inform you that your message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.musteri.test\r\n\r\n"
        "Final-Recipient: rfc822; ayse@musteri.test\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 <ayse@musteri.test>: Recipient address rejected: User unknown\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: {ADDRESS}\r\nTo: ayse@musteri.test\r\nMessage-ID: {ours}\r\nSubject: Re: Sipariş\r\n"
        "--B--\r\n"
    ).encode()
    assert (await post_mail(client, token, bounce)).status_code == 200
    await settle(state)
    found = {m["id"]: m for m in await messages(client, tenant, item["number"])}
    assert found[reply_id]["status"] == "failed"
    assert "User unknown" in found[reply_id]["content_attributes"]["delivery_error"]
    assert len(found) == 2  # the bounce itself is not a customer message
    async with state.read() as session:
        assert (
            await session.scalar(select(Message.id).where(Message.content.contains("could not be delivered")))
            is None
        )


async def test_auto_replies_are_never_answered_automatically(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, smtp_server: SmtpServer
) -> None:
    inbox_id, token = await email_inbox(client, tenant, smtp_server)
    enabled = await client.patch(
        tenant.url(f"/inboxes/{inbox_id}/bot"), json={"enabled": True}, headers=tenant.owner.headers
    )
    assert enabled.status_code == 200, enabled.text
    away, _ = mail(
        subject="Otomatik yanıt: Sipariş",
        body="15 Aralık'a kadar ofis dışındayım.",
        headers={"Auto-Submitted": "auto-replied", "X-Autoreply": "yes"},
    )
    assert (await post_mail(client, token, away)).json()["status"] == "processed"
    await settle(state)
    [item] = await conversations(client, tenant)
    shown = await messages(client, tenant, item["number"])
    assert [m["sender"]["type"] for m in shown] == ["contact"]  # no greeting, no answer
    assert shown[0]["content_attributes"]["automatic"] == "auto_reply"
    assert not smtp_server.received


async def test_an_agent_writes_first_and_chooses_cc_and_bcc(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, smtp_server: SmtpServer
) -> None:
    inbox_id, token = await email_inbox(client, tenant, smtp_server)
    started = await client.post(
        tenant.url("/conversations"),
        json={
            "inbox_id": inbox_id,
            "email": "zeynep@musteri.com.tr",
            "name": "Zeynep Kaya",
            "subject": "Faturanız hazır",
            "content": "Merhaba Zeynep Hanım, kasım faturanız ekte.",
            "cc": ["muhasebe@musteri.com.tr"],
            "bcc": ["arsiv@lokanta.com.tr"],
        },
        headers=tenant.agent.headers,
    )
    assert started.status_code == 201, started.text
    number = started.json()["number"]
    await settle(state)
    [sent] = smtp_server.received
    out = parsed(sent.content)
    assert out["Subject"] == f"Faturanız hazır [Ticket#{number}]"  # no "Re:" on a first mail
    assert out["To"].addresses[0].addr_spec == "zeynep@musteri.com.tr"
    assert out["Cc"].addresses[0].addr_spec == "muhasebe@musteri.com.tr"
    assert out["Bcc"] is None and "arsiv@lokanta.com.tr" in sent.rcpt_tos
    assert out["In-Reply-To"] is None

    # Her answer threads back; the next reply goes to her, copying whom she copied, and a Bcc only once.
    answer, _ = mail(
        sender="Zeynep Kaya <zeynep@musteri.com.tr>",
        subject=f"Re: Faturanız hazır [Ticket#{number}]",
        body="Teşekkürler, aldım.",
        in_reply_to=out["Message-ID"].strip("<>"),
        cc="muhasebe@musteri.com.tr",
    )
    await post_mail(client, token, answer)
    await settle(state)
    assert [c["number"] for c in await conversations(client, tenant)] == [number]
    reply = await client.post(
        tenant.url(f"/conversations/{number}/messages"),
        json={"content": "Rica ederim.", "email": {"cc": [], "bcc": ["arsiv@lokanta.com.tr"]}},
        headers=tenant.agent.headers,
    )
    assert reply.status_code == 201, reply.text
    await settle(state)
    second = parsed(smtp_server.received[-1].content)
    assert second["Cc"] is None  # the agent removed the copy
    assert set(smtp_server.received[-1].rcpt_tos) == {"zeynep@musteri.com.tr", "arsiv@lokanta.com.tr"}


async def test_email_options_are_refused_outside_email_inboxes(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    started = await client.post(
        tenant.public("/conversations"),
        json={"message": {"content": "Merhaba"}},
        headers=await _contact(client, tenant),
    )
    number = (await conversations(client, tenant))[0]["number"]
    assert started.status_code == 201
    refused = await client.post(
        tenant.url(f"/conversations/{number}/messages"),
        json={"content": "Hi", "email": {"cc": ["x@example.com"]}},
        headers=tenant.agent.headers,
    )
    assert refused.status_code == 422
    assert "e-mail inboxes" in refused.json()["error"]["message"]
    first = await client.post(
        tenant.url("/conversations"),
        json={"inbox_id": tenant.inbox_id, "email": "x@example.com", "subject": "Hi", "content": "Hi"},
        headers=tenant.agent.headers,
    )
    assert first.status_code == 422 and "e-mail inboxes" in first.json()["error"]["message"]


async def _contact(client: httpx.AsyncClient, tenant: Tenant) -> dict[str, str]:
    made = await client.post(tenant.public("/contacts"), json={"name": "Ali"})
    return {"Authorization": f"Bearer {made.json()['token']}"}


async def test_a_mail_sent_to_two_inboxes_is_one_message(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    _, first = await email_inbox(client, tenant, None)
    _, second = await email_inbox(client, tenant, None)
    raw, _ = mail(to="destek@lokanta.com.tr, satis@lokanta.com.tr")
    assert (await post_mail(client, first, raw)).json()["status"] == "processed"
    assert (await post_mail(client, second, raw)).json()["status"] == "duplicate"
    await settle(state)
    [item] = await conversations(client, tenant)
    assert len(await messages(client, tenant, item["number"])) == 1


async def test_a_reply_carries_its_attachments_and_the_signature(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant, smtp_server: SmtpServer
) -> None:
    _, token = await email_inbox(
        client, tenant, smtp_server, signature="Lokanta Destek Ekibi\n0850 000 00 00"
    )
    await post_mail(client, token, mail()[0])
    [item] = await conversations(client, tenant)
    number = item["number"]
    upload = await client.post(
        tenant.url(f"/conversations/{number}/attachments"),
        files={"file": ("sipariş özeti.pdf", b"%PDF-1.4 test", "application/pdf")},
        headers=tenant.agent.headers,
    )
    assert upload.status_code == 201, upload.text
    reply = await client.post(
        tenant.url(f"/conversations/{number}/messages"),
        json={"content": "Özet ekte.", "attachment_ids": [upload.json()["id"]]},
        headers=tenant.agent.headers,
    )
    assert reply.status_code == 201, reply.text
    await settle(state)
    out = parsed(smtp_server.received[0].content)
    [attached] = list(out.iter_attachments())
    assert attached.get_filename() == "sipariş özeti.pdf"
    assert attached.get_content() == b"%PDF-1.4 test"
    plain = out.get_body(preferencelist=("plain",))
    html = out.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    assert (
        plain.get_content()
        .replace("\r\n", "\n")
        .rstrip()
        .endswith("-- \nLokanta Destek Ekibi\n0850 000 00 00")
    )
    assert "Özet ekte." in html.get_content() and "<script" not in html.get_content()
