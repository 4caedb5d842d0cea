"""Sending over SMTP against a real aiosmtpd: TLS modes, AUTH, threading headers, failures."""

from __future__ import annotations

import email.policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from destek.channels.email.compose import (
    OutgoingAttachment,
    OutgoingMail,
    Recipient,
    build_message,
    envelope_recipients,
    new_message_id,
)
from destek.channels.email.smtp import Refused, SendOutcome, Sent, SmtpSettings, TryAgain, check, send
from tests.channels.email.servers import SmtpServer, free_port


def smtp_settings(server: SmtpServer, security: str = "starttls", **changes: object) -> SmtpSettings:
    values: dict[str, object] = {
        "host": server.host,
        "port": server.tls_port if security == "tls" else server.starttls_port,
        "security": security,
        "username": server.user,
        "password": server.password,
        "timeout": 5.0,
        "verify_tls": False,  # the test server's certificate is self-signed
    }
    values.update(changes)
    return SmtpSettings(**values)  # type: ignore[arg-type]


def a_reply(**changes: object) -> OutgoingMail:
    values: dict[str, object] = {
        "from_name": "Ayşe from Lokanta Support",
        "from_address": "destek@lokanta.test",
        "to": [Recipient("Çağrı Öztürk", "cagri@example.com")],
        "cc": [Recipient("", "muhasebe@example.com")],
        "bcc": [Recipient("Gizli Şef", "sef@lokanta.test")],
        "subject": "Re: Siparişim soğuk geldi",
        "text": "Merhaba Çağrı,\n\nÖzür dileriz; yeni siparişiniz yolda.\n\n-- \nAyşe",
        "message_id": new_message_id("lokanta.test"),
        "in_reply_to": "musteri-2@example.com",
        "references": ["musteri-1@example.com"],
        "attachments": [OutgoingAttachment("fatura_şubat_ığüşöç.pdf", "application/pdf", b"%PDF-1.4 ...")],
    }
    values.update(changes)
    return OutgoingMail(**values)  # type: ignore[arg-type]


async def deliver(server: SmtpServer, mail: OutgoingMail, **settings: Any) -> SendOutcome:
    return await send(
        smtp_settings(server, **settings), build_message(mail), recipients=envelope_recipients(mail)
    )


@pytest.mark.parametrize("security", ["starttls", "tls"])
async def test_sends_a_reply_that_threads(smtp_server: SmtpServer, security: str) -> None:
    mail = a_reply()
    outcome = await deliver(smtp_server, mail, security=security)

    assert isinstance(outcome, Sent)
    assert outcome.provider_id == mail.message_id
    assert "250" in outcome.response or "OK" in outcome.response
    [received] = smtp_server.received
    assert received.login == smtp_server.user
    assert received.mail_from == "destek@lokanta.test"
    assert received.rcpt_tos == ["cagri@example.com", "muhasebe@example.com", "sef@lokanta.test"]
    got = BytesParser(policy=email.policy.default).parsebytes(received.content)
    assert isinstance(got, EmailMessage)
    assert got["Message-ID"] == f"<{mail.message_id}>"
    assert got["In-Reply-To"] == "<musteri-2@example.com>"
    assert got["References"] == "<musteri-1@example.com> <musteri-2@example.com>"
    assert got["From"].addresses[0].display_name == "Ayşe from Lokanta Support"
    assert got["From"].addresses[0].addr_spec == "destek@lokanta.test"
    assert got["To"].addresses[0].display_name == "Çağrı Öztürk"
    assert got["Subject"] == "Re: Siparişim soğuk geldi"
    assert "Bcc" not in got and b"sef@lokanta.test" not in received.content
    assert received.content.isascii()  # every non-ASCII character travelled encoded
    body = got.get_body(("plain",))
    assert body is not None and "Özür dileriz" in body.get_content()
    html = got.get_body(("html",))
    assert html is not None and "<p>Merhaba Çağrı,</p>" in html.get_content()
    [attachment] = list(got.iter_attachments())
    assert attachment.get_filename() == "fatura_şubat_ığüşöç.pdf"
    assert attachment.get_content() == b"%PDF-1.4 ..."


async def test_xoauth2(smtp_server: SmtpServer) -> None:
    token = smtp_server.issue_token(smtp_server.user)
    outcome = await deliver(smtp_server, a_reply(), password=None, oauth_token=token)
    assert isinstance(outcome, Sent)
    assert smtp_server.received[0].login == smtp_server.user

    outcome = await deliver(smtp_server, a_reply(), security="tls", password=None, oauth_token="ya29.expired")
    assert isinstance(outcome, Refused)
    assert outcome.reason.startswith(f"the server refused the login for '{smtp_server.user}': 535 5.7.8")


@pytest.mark.parametrize(
    ("stage", "reply", "expected"),
    [
        ("RCPT", "451 4.3.0 Mailbox busy, try later", TryAgain),
        ("DATA", "451 4.3.0 Local error in processing", TryAgain),
        ("DATA", "552 5.3.4 Message too big", Refused),
        ("DATA", "drop", TryAgain),
    ],
)
async def test_failures_map_to_outcomes(
    smtp_server: SmtpServer, stage: str, reply: str, expected: type
) -> None:
    smtp_server.handler.fail(stage, reply)
    outcome = await deliver(smtp_server, a_reply(cc=[], bcc=[]))
    assert isinstance(outcome, expected), outcome
    assert not isinstance(outcome, Sent)
    if reply != "drop":
        assert reply.split(" ", 1)[1] in outcome.reason
    assert smtp_server.received == []


async def test_recipients_refused(smtp_server: SmtpServer) -> None:
    smtp_server.handler.refuse["muhasebe@example.com"] = "550 5.1.1 user unknown"
    outcome = await deliver(smtp_server, a_reply(bcc=[]))
    assert isinstance(outcome, Sent)
    assert outcome.refused == {"muhasebe@example.com": "550 5.1.1 user unknown"}
    assert smtp_server.received[0].rcpt_tos == ["cagri@example.com"]

    smtp_server.handler.refuse["cagri@example.com"] = "550 5.1.1 user unknown"
    outcome = await deliver(smtp_server, a_reply(bcc=[]))
    assert isinstance(outcome, Refused)
    assert "cagri@example.com: 550 5.1.1 user unknown" in outcome.reason

    smtp_server.handler.refuse["cagri@example.com"] = "450 4.2.1 mailbox full for now"
    outcome = await deliver(smtp_server, a_reply(bcc=[]))
    assert isinstance(outcome, TryAgain)


async def test_bad_login_is_refused(smtp_server: SmtpServer) -> None:
    outcome = await deliver(smtp_server, a_reply(), password="yanlış")
    assert isinstance(outcome, Refused)
    assert outcome.reason.startswith(f"the server refused the login for '{smtp_server.user}': 535")
    assert smtp_server.received == []


async def test_no_server_is_try_again(smtp_server: SmtpServer) -> None:
    outcome = await deliver(smtp_server, a_reply(), port=free_port())
    assert isinstance(outcome, TryAgain)
    assert "could not connect to 127.0.0.1" in outcome.reason
    assert outcome.retry_after is None


@pytest.mark.parametrize("security", ["starttls", "tls"])
async def test_unverifiable_certificate_is_refused(smtp_server: SmtpServer, security: str) -> None:
    outcome = await deliver(smtp_server, a_reply(), security=security, verify_tls=True)
    assert isinstance(outcome, Refused)
    assert "TLS certificate" in outcome.reason


async def test_missing_starttls_is_refused(smtp_server: SmtpServer) -> None:
    plain = Controller(
        smtp_server.handler, hostname="127.0.0.1", port=free_port(), server_hostname="localhost"
    )
    plain.start()
    try:
        outcome = await deliver(smtp_server, a_reply(), port=plain.port)
    finally:
        plain.stop()
    assert isinstance(outcome, Refused)
    assert (
        outcome.reason == f"127.0.0.1:{plain.port} does not offer STARTTLS: choose another security setting"
    )


async def test_check_says_what_is_wrong(smtp_server: SmtpServer) -> None:
    assert await check(smtp_settings(smtp_server)) is None
    assert await check(smtp_settings(smtp_server, "tls")) is None
    wrong = await check(smtp_settings(smtp_server, password="yanlış"))
    assert wrong is not None and "refused the login" in wrong
    down = await check(smtp_settings(smtp_server, port=free_port()))
    assert down is not None and "could not connect" in down
    # This server offers AUTH only after STARTTLS.
    plain = await check(smtp_settings(smtp_server, "none"))
    assert plain is not None and "cannot log in" in plain
    assert smtp_server.received == []
