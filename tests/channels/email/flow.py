"""Helpers for the e-mail channel's end-to-end tests: an e-mail inbox set up through the API, mails
written as customers' mail programs write them, and waiting for the consumers and their sends."""

from __future__ import annotations

import email.utils
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from typing import Any

import httpx

from destek.channels.outbound import ChannelDelivery
from destek.state import AppState
from tests.channels.email.servers import SmtpServer
from tests.support.factories import Tenant

ADDRESS = "destek@lokanta.com.tr"
INGEST = "ingest-token-for-tests"


async def email_inbox(
    client: httpx.AsyncClient, tenant: Tenant, smtp_server: SmtpServer | None, **settings: Any
) -> tuple[int, str]:
    """(inbox id, public token) of a new e-mail inbox whose replies go to the test SMTP server."""
    owner = tenant.owner.headers
    made = await client.post(
        tenant.url("/inboxes"), json={"name": "Lokanta Destek", "channel_type": "email"}, headers=owner
    )
    assert made.status_code == 201, made.text
    inbox = made.json()
    body: dict[str, Any] = {"address": ADDRESS, "verify_tls": False, **settings}
    secrets = {"ingest_token": INGEST}
    if smtp_server is not None:
        body |= {
            "smtp_host": smtp_server.host,
            "smtp_port": smtp_server.starttls_port,
            "smtp_security": "starttls",
            "smtp_username": smtp_server.user,
        }
        secrets["smtp_password"] = smtp_server.password
    put = await client.put(
        tenant.url(f"/inboxes/{inbox['id']}/channel"),
        json={"settings": body, "secrets": secrets},
        headers=owner,
    )
    assert put.status_code == 200, put.text
    members = await client.put(
        tenant.url(f"/inboxes/{inbox['id']}/members"),
        json={"user_ids": [tenant.agent.user_id]},
        headers=owner,
    )
    assert members.status_code == 200, members.text
    return int(inbox["id"]), str(inbox["public_token"])


def mail(
    *,
    sender: str = "Ayşe Yılmaz <ayse@musteri.test>",
    to: str = ADDRESS,
    subject: str = "Sipariş listede görünmüyor",
    body: str = "Merhaba, dünkü siparişim listede yok. Yardımcı olur musunuz?",
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: list[str] | None = None,
    cc: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[bytes, str]:
    """(raw mail, its Message-ID without brackets)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    if cc:
        message["Cc"] = cc
    message["Subject"] = subject
    message["Date"] = email.utils.formatdate(localtime=False)
    mid = message_id or email.utils.make_msgid(domain="musteri.test")[1:-1]
    message["Message-ID"] = f"<{mid}>"
    if in_reply_to:
        message["In-Reply-To"] = f"<{in_reply_to}>"
    if references:
        message["References"] = " ".join(f"<{r}>" for r in references)
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return bytes(message), mid


async def post_mail(
    client: httpx.AsyncClient, inbox_token: str, raw: bytes, token: str = INGEST
) -> httpx.Response:
    return await client.post(
        f"/hooks/email/{inbox_token}",
        content=raw,
        headers={"Content-Type": "message/rfc822", "Authorization": f"Bearer {token}"},
    )


async def settle(state: AppState) -> None:
    """Consumers caught up, the sends they started finished, and the consumers caught up with those."""
    assert state.consumers is not None
    for _ in range(3):
        await state.consumers.settle(timeout=30)
        runner = state.consumers.runners["channel_delivery"]
        consumer = runner.consumer
        assert isinstance(consumer, ChannelDelivery)
        await consumer.idle()
    await state.consumers.settle(timeout=30)


def parsed(raw: bytes) -> EmailMessage:
    message = BytesParser(policy=default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


async def messages(client: httpx.AsyncClient, tenant: Tenant, number: int) -> list[dict[str, Any]]:
    response = await client.get(tenant.url(f"/conversations/{number}/messages"), headers=tenant.agent.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def conversations(client: httpx.AsyncClient, tenant: Tenant) -> list[dict[str, Any]]:
    response = await client.get(tenant.url("/conversations"), headers=tenant.agent.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items
