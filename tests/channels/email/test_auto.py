"""auto_kind and read_bounce: mail that must never be answered automatically, and what bounces say.

Every corpus mail names its kind (None for mail a person wrote); the bounces in it (Postfix, Exchange,
Gmail, a delayed one) name what read_bounce must find. The cases below pin each header rule, the
subject fallback and its limits, and a report too broken for the MIME parser.
"""

from __future__ import annotations

import pytest

from destek.channels.email.auto import Bounce, auto_kind, read_bounce
from destek.channels.email.parse import parse_mail
from tests.channels.email.test_parse import corpus_names, load


@pytest.mark.parametrize("name", corpus_names())
def test_corpus_kind_and_bounce(name: str) -> None:
    raw, expected = load(name)
    mail = parse_mail(raw)
    assert auto_kind(mail) == expected["auto_kind"]
    bounce = read_bounce(raw, mail)
    if "bounce" not in expected:
        assert bounce is None
        return
    want = expected["bounce"]
    assert bounce is not None
    assert bounce.original_message_id == want["original_message_id"]
    assert bounce.recipient == want["recipient"]
    assert bounce.status == want["status"]
    assert bounce.permanent is want["permanent"]
    assert want["reason_contains"] in bounce.reason
    assert len(bounce.reason) <= 300


def test_the_corpus_has_enough_bounces_and_auto_replies() -> None:
    kinds = [load(name)[1]["auto_kind"] for name in corpus_names()]
    assert kinds.count("bounce") >= 3
    assert kinds.count("auto_reply") >= 3
    assert kinds.count("list") >= 1


def _kind(headers: str, subject: str = "Hello") -> str | None:
    return auto_kind(
        parse_mail(f"From: Ayşe <ayse@example.com>\nSubject: {subject}\n{headers}\n\nbody".encode())
    )


@pytest.mark.parametrize(
    ("headers", "kind"),
    [
        ("", None),
        ("Auto-Submitted: no", None),
        ("Auto-Submitted: auto-replied", "auto_reply"),
        ("Auto-Submitted: auto-generated", "auto_reply"),
        ("AUTO-SUBMITTED: Auto-Notified; owner-email=x@example.com", "auto_reply"),
        ("Auto-Submitted: no (a person wrote this)", None),
        ("X-Autoreply: yes", "auto_reply"),
        ("X-Autorespond: Out of office", "auto_reply"),
        ("X-Auto-Response-Suppress: DR, RN, NRN, OOF, AutoReply", "auto_reply"),
        ("X-Auto-Response-Suppress: All", "auto_reply"),
        ("X-Auto-Response-Suppress: DR", None),
        ("Precedence: auto_reply", "auto_reply"),
        ("Precedence: list", "list"),
        ("Precedence: bulk", "list"),
        ("Precedence: junk", "list"),
        ("List-Id: <users.lists.example.org>", "list"),
        ("List-Unsubscribe: <mailto:leave@lists.example.org>", "list"),
        ("Return-Path: <>", "auto_reply"),
        ("Return-Path: <ayse@example.com>", None),
        ("X-Failed-Recipients: gone@example.com", "bounce"),
        ("X-MS-Exchange-Message-Is-Ndr: ", "bounce"),
        ('Content-Type: multipart/report; report-type=delivery-status; boundary="b"', "bounce"),
    ],
)
def test_headers_decide(headers: str, kind: str | None) -> None:
    assert _kind(headers) == kind


def test_headers_come_before_the_subject() -> None:
    assert _kind("Precedence: list", "Out of Office: Re: order") == "list"
    assert _kind("Precedence: bulk", "Out of Office: Re: order") == "auto_reply"
    assert _kind("Return-Path: <>", "Undeliverable: order") == "bounce"


@pytest.mark.parametrize(
    ("subject", "kind"),
    [
        ("Out of Office: Re: Order 4711", "auto_reply"),
        ("Automatic reply: Order 4711", "auto_reply"),
        ("Otomatik yanıt: Sipariş 4711", "auto_reply"),
        ("Ofis dışında: Sipariş 4711", "auto_reply"),
        ("Abwesenheitsnotiz: Ihre Bestellung", "auto_reply"),
        ("Undeliverable: Order 4711", "bounce"),
        ("Delivery Status Notification (Failure)", "bounce"),
        ("İletilemedi: Sipariş 4711", "bounce"),
        # A person replying or forwarding is a person, whatever the subject says.
        ("Re: Out of office hours support?", None),
        ("YNT: Otomatik yanıt: Sipariş 4711", None),
        ("Fwd: Undeliverable: Order 4711", None),
        ("My order is out of stock", None),
    ],
)
def test_subject_is_the_last_resort(subject: str, kind: str | None) -> None:
    assert _kind("", subject) == kind


@pytest.mark.parametrize("sender", ["MAILER-DAEMON@mx.example.com", "postmaster@example.com"])
def test_daemons_send_bounces(sender: str) -> None:
    assert auto_kind(parse_mail(f"From: {sender}\nSubject: failure\n\nx".encode())) == "bounce"


def test_a_report_the_mime_parser_cannot_split_is_read_from_the_raw_bytes() -> None:
    raw = (
        b"From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\n"
        b"Subject: Undelivered Mail Returned to Sender\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="declared"\n\n'
        b"--other\nContent-Type: text/plain\n\nCould not deliver.\n\n"
        b"--other\nContent-Type: message/delivery-status\n\n"
        b"Reporting-MTA: dns; mx.example.com\n\n"
        b"Final-Recipient: rfc822; gone@example.org\nAction: failed\nStatus: 5.2.2\n"
        b"Diagnostic-Code: smtp; 552 5.2.2 Mailbox full\n\n"
        b"--other\nContent-Type: text/rfc822-headers\n\nMessage-ID: <sent-1@lokanta.example>\nSubject: hi\n"
    )
    mail = parse_mail(raw)
    assert auto_kind(mail) == "bounce"
    assert read_bounce(raw, mail) == Bounce(
        original_message_id="sent-1@lokanta.example",
        recipient="gone@example.org",
        status="5.2.2",
        reason="552 5.2.2 Mailbox full",
        permanent=True,
    )


def test_the_failed_recipient_is_chosen_and_delays_are_not_permanent() -> None:
    raw = (
        b"From: MAILER-DAEMON@mx.example.com\nSubject: Delayed Mail (still being retried)\n"
        b"X-Original-Message-ID: <sent-2@lokanta.example>\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\n\n'
        b"--b\nContent-Type: text/plain\n\nStill trying.\n"
        b"--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.com\n\n"
        b"Final-Recipient: rfc822; ok@example.org\nAction: delivered\nStatus: 2.0.0\n\n"
        b"Final-Recipient: rfc822; slow@example.org\nAction: delayed\nStatus: 4.4.1\n"
        b"Diagnostic-Code: X-Postfix; connect to mx.example.org: Connection timed out\n"
        b"--b--\n"
    )
    bounce = read_bounce(raw, parse_mail(raw))
    assert bounce == Bounce(
        original_message_id="sent-2@lokanta.example",
        recipient="slow@example.org",
        status="4.4.1",
        reason="connect to mx.example.org: Connection timed out",
        permanent=False,
    )


def test_a_long_diagnostic_is_shortened() -> None:
    raw = (
        b"From: MAILER-DAEMON@mx.example.com\nSubject: failure\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\n\n'
        b"--b\nContent-Type: message/delivery-status\n\n"
        b"Final-Recipient: rfc822; a@example.org\nStatus: 5.7.1\nDiagnostic-Code: smtp; 550 5.7.1 "
        + b"blocked " * 100
        + b"\n--b--\n"
    )
    bounce = read_bounce(raw, parse_mail(raw))
    assert bounce is not None
    assert len(bounce.reason) <= 300
    assert bounce.reason.startswith("550 5.7.1 blocked")


def test_mail_from_a_person_is_no_bounce() -> None:
    raw = (
        b"From: a@example.com\nSubject: What does this mean?\n\nI got this:\n\n"
        b"Final-Recipient: rfc822; me@example.com\nAction: failed\nStatus: 5.1.1\n"
    )
    assert read_bounce(raw, parse_mail(raw)) is None
