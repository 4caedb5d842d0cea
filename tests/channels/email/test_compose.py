"""Outgoing MIME messages: structure, threading headers, encodings, and the HTML made from text."""

from __future__ import annotations

import email.policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest

from destek.channels.email.compose import (
    OutgoingAttachment,
    OutgoingMail,
    Recipient,
    build_message,
    envelope_recipients,
    new_message_id,
    references_for,
    text_to_html,
)


def a_mail(**changes: object) -> OutgoingMail:
    values: dict[str, object] = {
        "from_name": "Ayşe from Lokanta Support",
        "from_address": "destek@lokanta.test",
        "to": [Recipient("Çağrı Öztürk", "cagri@example.com")],
        "subject": "Şikâyetiniz hakkında",
        "text": "Merhaba,\n\nTeşekkürler.",
        "message_id": "abc.123@lokanta.test",
    }
    values.update(changes)
    return OutgoingMail(**values)  # type: ignore[arg-type]


def round_trip(mail: OutgoingMail) -> EmailMessage:
    wire = build_message(mail).as_bytes(policy=email.policy.SMTP)
    assert wire.isascii()
    parsed = BytesParser(policy=email.policy.default).parsebytes(wire)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_new_message_id() -> None:
    ids = {new_message_id("Lokanta.test") for _ in range(200)}
    assert len(ids) == 200
    assert all(i.endswith("@lokanta.test") and "<" not in i and ">" not in i for i in ids)
    for bad in ("", "a b", "<x>", "x@y"):
        with pytest.raises(ValueError, match="domain"):
            new_message_id(bad)


def test_envelope_recipients_are_unique_and_include_bcc() -> None:
    mail = a_mail(
        to=[Recipient("A", "a@example.com"), Recipient("", "B@example.com")],
        cc=[Recipient("", "b@example.com"), Recipient("", "c@example.com")],
        bcc=[Recipient("", "A@EXAMPLE.COM"), Recipient("", "gizli@example.com")],
    )
    assert envelope_recipients(mail) == [
        "a@example.com",
        "B@example.com",
        "c@example.com",
        "gizli@example.com",
    ]


def test_references_follow_rfc_5322_and_are_trimmed() -> None:
    assert references_for("p@x", ["r@x", "<q@x>"]) == ["r@x", "q@x", "p@x"]
    assert references_for(None, []) == []
    assert references_for("p@x", ["p@x"]) == ["p@x"]
    many = [f"m{n}@x" for n in range(30)]
    trimmed = references_for("last@x", many)
    assert len(trimmed) == 20
    assert trimmed[0] == "m0@x"  # the thread's root stays
    assert trimmed[-2:] == ["m29@x", "last@x"]


def test_a_threaded_reply() -> None:
    got = round_trip(a_mail(in_reply_to="<p@example.com>", references=["r@example.com"]))
    assert got["Message-ID"] == "<abc.123@lokanta.test>"
    assert got["In-Reply-To"] == "<p@example.com>"
    assert got["References"] == "<r@example.com> <p@example.com>"
    assert got["Date"].datetime is not None
    assert str(got["From"]) == "Ayşe from Lokanta Support <destek@lokanta.test>"
    assert got["Subject"] == "Şikâyetiniz hakkında"
    assert got["MIME-Version"] == "1.0"


def test_a_first_message_has_no_threading_headers() -> None:
    got = round_trip(a_mail())
    assert "In-Reply-To" not in got and "References" not in got


def test_alternative_parts_without_attachments() -> None:
    msg = build_message(a_mail(cc=[Recipient("", "cc@example.com")], bcc=[Recipient("", "bcc@example.com")]))
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert all("MIME-Version" not in part for part in msg.iter_parts())
    assert msg["Cc"] == "cc@example.com"
    assert "Bcc" not in msg and "bcc@example.com" not in msg.as_string()


def test_attachments_make_it_mixed_and_keep_turkish_names() -> None:
    data = bytes(range(256))
    got = round_trip(
        a_mail(
            attachments=[OutgoingAttachment("sipariş_fişi_İĞÜ.png", "image/png", data)],
            reply_to="yanit@x.test",
        )
    )
    assert got.get_content_type() == "multipart/mixed"
    assert got["Reply-To"] == "yanit@x.test"
    body = got.get_body(("plain",))
    assert body is not None and body.get_content().replace("\r\n", "\n") == "Merhaba,\n\nTeşekkürler.\n"
    [attachment] = list(got.iter_attachments())
    assert attachment.get_content_type() == "image/png"
    assert attachment.get_filename() == "sipariş_fişi_İĞÜ.png"
    assert attachment.get_content() == data
    wire = build_message(a_mail(attachments=[attachment_of("ç.txt")])).as_bytes(policy=email.policy.SMTP)
    assert b"filename*=utf-8''%C3%A7.txt" in wire  # RFC 2231


def attachment_of(name: str) -> OutgoingAttachment:
    return OutgoingAttachment(name, "not a type", b"x")


def test_a_bad_content_type_falls_back_to_octet_stream() -> None:
    [attachment] = list(build_message(a_mail(attachments=[attachment_of("a.bin")])).iter_attachments())
    assert attachment.get_content_type() == "application/octet-stream"


def test_html_made_from_text_is_escaped_with_paragraphs_and_links() -> None:
    text = (
        "Merhaba <Çağrı> & co,\r\n\r\nMenü: https://lokanta.test/menu?a=1&b=2.\nAyrıca (www.lokanta.test)\n\n"
    )
    html = text_to_html(text)
    assert html == (
        "<p>Merhaba &lt;Çağrı&gt; &amp; co,</p>\n"
        '<p>Menü: <a href="https://lokanta.test/menu?a=1&amp;b=2">https://lokanta.test/menu?a=1&amp;b=2</a>.<br>\n'
        'Ayrıca (<a href="https://www.lokanta.test">www.lokanta.test</a>)</p>'
    )
    assert 'href="javascript' not in text_to_html('"><script>alert(1)</script> javascript:alert(1)')
    got = round_trip(a_mail(text="Bakın: https://x.test/a_(b)"))
    part = got.get_body(("html",))
    assert part is not None and '<a href="https://x.test/a_(b)">' in part.get_content()


def test_given_html_is_used() -> None:
    got = round_trip(a_mail(html="<p>Hazır <b>HTML</b></p>"))
    part = got.get_body(("html",))
    assert part is not None and "<p>Hazır <b>HTML</b></p>" in part.get_content()


def test_extra_headers() -> None:
    got = round_trip(a_mail(headers={"Auto-Submitted": "auto-replied", "X-Destek-Conversation": "42"}))
    assert got["Auto-Submitted"] == "auto-replied"
    assert got["X-Destek-Conversation"] == "42"
    with pytest.raises(ValueError, match="set by build_message"):
        build_message(a_mail(headers={"message-id": "<x@y>"}))
    with pytest.raises(ValueError, match="linefeed or carriage return"):
        build_message(a_mail(headers={"X-Evil": "a\r\nBcc: victim@example.com"}))


def test_programming_errors_raise() -> None:
    with pytest.raises(ValueError, match="message_id"):
        build_message(a_mail(message_id=""))
    with pytest.raises(ValueError, match="no recipient"):
        build_message(a_mail(to=[]))
