"""parse_mail over the corpus of tricky mails (tests/fixtures/mail), and its recoveries one by one.

Each `name.eml` in the corpus has a `name.json` saying what a reader must get from it; the corpus
README says where each mail came from. The unit tests below pin the cases a corpus file shows less
directly (ids, addresses, charset guessing, the fallback for a structure nothing can read).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from destek.channels.email.decoding import charset_name, decode_text, decode_words, lenient_b64
from destek.channels.email.html_text import html_to_text
from destek.channels.email.parse import (
    Address,
    ParsedMail,
    UnreadableMail,
    message_ids,
    normalise_message_id,
    parse_mail,
)

CORPUS = Path(__file__).parents[2] / "fixtures" / "mail"


def corpus_names() -> list[str]:
    return sorted(path.stem for path in CORPUS.glob("*.eml"))


def load(name: str) -> tuple[bytes, dict[str, Any]]:
    raw = (CORPUS / f"{name}.eml").read_bytes()
    expected = json.loads((CORPUS / f"{name}.json").read_text(encoding="utf-8"))
    return raw, expected


def _address(address: Address | None) -> dict[str, str] | None:
    return None if address is None else {"name": address.name, "email": address.email}


def test_every_mail_has_its_expectations() -> None:
    mails = {p.stem for p in CORPUS.glob("*.eml")}
    expectations = {p.stem for p in CORPUS.glob("*.json")}
    assert mails == expectations
    assert len(mails) >= 30
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    assert [name for name in sorted(mails) if f"{name}.eml" not in readme] == []


@pytest.mark.parametrize("name", corpus_names())
def test_corpus_mail(name: str) -> None:
    raw, expected = load(name)
    mail = parse_mail(raw)

    assert _address(mail.sender) == expected["sender"]
    assert mail.subject == expected["subject"]
    assert mail.message_id == expected["message_id"]
    assert mail.in_reply_to == expected.get("in_reply_to", [])
    assert mail.references == expected.get("references", [])
    if "to" in expected:
        assert [_address(a) for a in mail.to] == expected["to"]
    if "date" in expected:
        assert mail.date == datetime.fromisoformat(expected["date"])
    if "text" in expected:
        assert mail.text == expected["text"]
    for part in expected.get("text_contains", []):
        assert part in mail.text
    for part in expected.get("html_contains", []):
        assert mail.html is not None
        assert part in mail.html
    got = [
        {
            "filename": a.filename,
            "content_type": a.content_type,
            "size": len(a.data),
            **({"content_id": a.content_id} if a.content_id else {}),
            **({"inline": True} if a.inline else {}),
        }
        for a in mail.attachments
    ]
    assert got == expected["attachments"]
    assert sorted(mail.problems) == sorted(expected["problems"])
    for attachment in mail.attachments:
        if attachment.content_type in ("message/rfc822", "message/delivery-status", "text/rfc822-headers"):
            assert attachment.data in raw  # forwarded mails and reports are kept byte for byte
    _invariants(mail)


def _invariants(mail: ParsedMail) -> None:
    """What every parsed mail guarantees, whatever it came from."""
    assert mail.message_id and "<" not in mail.message_id and " " not in mail.message_id
    assert "\x00" not in mail.text and "\r" not in mail.text
    assert "\x00" not in mail.subject and "\n" not in mail.subject
    assert mail.date is None or mail.date.tzinfo == UTC
    for address in [*([mail.sender] if mail.sender else []), *mail.to, *mail.cc, *mail.reply_to]:
        local, _, domain = address.email.rpartition("@")
        assert local and domain == domain.lower()
    for attachment in mail.attachments:
        assert attachment.filename and "/" not in attachment.filename
        assert attachment.content_type == attachment.content_type.lower()
        assert attachment.content_type.count("/") == 1
        assert not attachment.inline or attachment.content_id


def test_the_same_mail_without_message_id_gets_the_same_id() -> None:
    raw = b"From: a@example.com\nSubject: x\n\nhello\n"
    first, second = parse_mail(raw), parse_mail(raw)
    assert first.message_id == second.message_id
    assert first.message_id == "destek-" + hashlib.sha256(raw).hexdigest()[:32] + "@missing"
    assert parse_mail(raw + b"!").message_id != first.message_id


@pytest.mark.parametrize("raw", [b"", b"\r\n\r\n", b"   \x00 "])
def test_only_empty_input_is_unreadable(raw: bytes) -> None:
    with pytest.raises(UnreadableMail):
        parse_mail(raw)


@pytest.mark.parametrize(
    "raw",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR binary garbage \xff\xfe",
        b"just some text, no headers at all",
        b'From: a@example.com\nContent-Type: multipart/mixed; boundary="x"\n\n--x\n' * 50,
        b"Subject: deep\nContent-Type: multipart/mixed; boundary=b\n\n"
        + b"--b\nContent-Type: multipart/mixed; boundary=b\n\n" * 200,
    ],
)
def test_anything_that_is_not_empty_gives_a_mail(raw: bytes) -> None:
    _invariants(parse_mail(raw))


def test_bytes_without_headers_are_the_body() -> None:
    assert parse_mail(b"just some text, no headers at all").text == "just some text, no headers at all"
    assert "binary garbage" in parse_mail(b"\x89PNG\r\n\x1a\n\x00\x00IHDR binary garbage \xff").text


def test_a_structure_that_breaks_the_reader_is_kept_as_raw_text(monkeypatch: pytest.MonkeyPatch) -> None:
    from destek.channels.email import parse

    def boom(*args: object) -> object:
        raise ValueError("unforeseen")

    monkeypatch.setattr(parse, "walk_message", boom)
    raw = b"Message-ID: <keep@example.com>\nSubject: Kept\n\nThe body survives.\n"
    mail = parse_mail(raw)
    assert mail.message_id == "keep@example.com"
    assert mail.subject == "Kept"
    assert "The body survives." in mail.text
    assert mail.attachments[0].data == raw
    assert mail.problems == ["could not read the mail's structure (ValueError), kept it as raw text"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("<a@b>", "a@b"), (" a@b ", "a@b"), ("<a@b> <c@d>", "a@b"), ("", None), ("<>", None), ("  ", None)],
)
def test_normalise_message_id(value: str, expected: str | None) -> None:
    assert normalise_message_id(value) == expected


def test_message_ids_tolerate_what_clients_send() -> None:
    folded = "<one@x>\r\n <two@x>\n\t<three@x>"
    assert message_ids(folded) == ["one@x", "two@x", "three@x"]
    assert message_ids("<one@x> <one@x> <two@x>") == ["one@x", "two@x"]
    assert message_ids("one@x two@x") == ["one@x", "two@x"]
    assert message_ids('<one@x> (Ahmet\'s message of "Mon, 7 Dec") garbage <two@x>') == ["one@x", "two@x"]
    assert message_ids("<split\n @x>") == ["split@x"]
    assert message_ids("") == []


def test_addresses() -> None:
    raw = (
        b'From: "Y\xc4\xb1lmaz, Ahmet" <Ahmet@Example.COM>\n'
        b"To: =?utf-8?Q?Ay=C5=9Fe?= <ayse@x.example>, bob@X.Example, undisclosed-recipients:;\n"
        b"Cc: Can Demir can@demir.example, <>, not-an-address\n"
        b"Reply-To: <mailto:help@x.example>\n\nhi"
    )
    mail = parse_mail(raw)
    assert mail.sender == Address("Yılmaz, Ahmet", "Ahmet@example.com")
    assert mail.to == [Address("Ayşe", "ayse@x.example"), Address("", "bob@x.example")]
    assert mail.cc == [Address("Can Demir", "can@demir.example")]
    assert mail.reply_to == [Address("", "help@x.example")]


def test_date_is_utc_and_naive_dates_are_taken_as_utc() -> None:
    assert parse_mail(b"Date: Mon, 7 Dec 2026 10:00:00 +0300\n\nx").date == datetime(
        2026, 12, 7, 7, tzinfo=UTC
    )
    assert parse_mail(b"Date: Mon, 7 Dec 2026 10:00:00 -0000\n\nx").date == datetime(
        2026, 12, 7, 10, tzinfo=UTC
    )
    assert parse_mail(b"Date: yesterday\n\nx").date is None


@pytest.mark.parametrize(
    ("data", "declared", "text", "problem"),
    [
        ("ğüş".encode(), "utf-8", "ğüş", None),
        ("ğüş".encode("cp1254"), None, "ğüş", "undeclared charset, read as windows-1254"),
        ("ğüş".encode(), None, "ğüş", "undeclared charset, read as utf-8"),
        (
            "ğüş".encode("cp1254"),
            "utf-8",
            "ğüş",
            "declared utf-8 but the bytes are not, read as windows-1254",
        ),
        ("ğüş".encode(), "iso-8859-9", "ğüş", "declared iso-8859-9 but the bytes are utf-8"),
        ("“ğ”".encode("cp1254"), "iso-8859-9", "“ğ”", None),  # Windows quotes under a Latin-5 label
        ("Þórður ánægður".encode("latin-1"), "iso-8859-1", "Þórður ánægður", None),  # Icelandic stays
        ("Привет".encode("koi8-r"), "KOI8-R", "Привет", None),
        ("ğ".encode("cp1254"), "cp-1254", "ğ", None),
        ("ğ".encode("cp1254"), "x-unknown", "ğ", "unknown charset 'x-unknown', read as windows-1254"),
        (b"\xff\xfe", "base64", "ÿş", "unknown charset 'base64', read as windows-1254"),
    ],
)
def test_decode_text(data: bytes, declared: str | None, text: str, problem: str | None) -> None:
    assert decode_text(data, declared) == (text, problem)


def test_charset_names() -> None:
    assert charset_name("utf8") == "utf-8"
    assert charset_name('"Windows-1254"') == "cp1254"
    assert charset_name("win-1254") == "cp1254"
    assert charset_name("utf-8*tr") == "utf-8"
    assert charset_name("unicode_escape") is None
    assert charset_name("rot13") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=?utf-8?Q?a?= =?utf-8?Q?b?=", "ab"),  # whitespace between adjacent words is dropped
        ("=?utf-8?B?xZ9l?==?utf-8?B?eQ==?=", "şey"),  # not even separated
        ("=?utf-8?B?xA==?= =?utf-8?B?nw==?=", "ğ"),  # one character split over two words
        ("=?UTF-8?B?xZ9leQ?=", "şey"),  # padding missing
        ("=?iso-8859-9?Q?=DE=FEk=FD?= =?windows-1254?Q?_g=FCzel?=", "Şşkı güzel"),
        ("Re: =?utf-8?q?Sipari=C5=9F?= hakk\udcc4\udcb1nda", "Re: Sipariş hakkında"),
        ("=?utf-8?Q?unterminated", "=?utf-8?Q?unterminated"),
        ("=?x-unknown?Q?G=FCl?=", "Gül"),
        ("=?utf-8*tr?Q?=C4=B0stanbul?=", "İstanbul"),
    ],
)
def test_encoded_words(value: str, expected: str) -> None:
    assert decode_words(value) == expected


def test_lenient_base64_keeps_what_it_can() -> None:
    assert lenient_b64(b"aGVsbG8gd29y\nbGQ=\n") == (b"hello world", False)
    assert lenient_b64(b"aGVsbG8") == (b"hello", False)  # padding missing is common, not damage
    assert lenient_b64(b"aGVs!!bG8=") == (b"hello", True)
    assert lenient_b64(b"aGVsbG8=d29ybGQ=") == (b"helloworld", False)  # padded chunks one after another
    assert lenient_b64(b"aGVsbG8gd") == (b"hello ", True)  # one stray character cannot be a byte


def test_html_to_text() -> None:
    html = (
        "<html><head><title>t</title><style>p{}</style></head><body><script>x()</script>"
        "<h1>Title</h1><p>One&nbsp;&amp; two<br>three</p><p>Link: <a href='https://x'>here</a></p>"
        "<table><tr><td>a</td><td>b</td></tr></table><blockquote>quoted<br>lines</blockquote>"
        "<pre>  keep   spaces\n  here</pre></body></html>"
    )
    assert html_to_text(html) == (
        "Title\n\nOne & two\nthree\n\nLink: here\n\na b\n\n> quoted\n> lines\n\n  keep   spaces\n  here"
    )
    assert html_to_text("<head><meta charset=utf-8><body>unclosed head") == "unclosed head"


def test_a_mail_without_the_blank_line_after_its_headers_keeps_its_body() -> None:
    mail = parse_mail(b"From: a@example.com\nSubject: hi\nHello, this is the body\nand more of it\n")
    assert mail.subject == "hi"
    assert mail.text == "Hello, this is the body\nand more of it"


def test_types_that_say_nothing_are_read_sensibly() -> None:
    raw = (
        b'From: a@example.com\nContent-Type: multipart/mixed; boundary="b"\n\n'
        b"--b\nContent-Type: text\n\nbroken type, still the text\n"
        b'--b\nContent-Type: application/octet-stream; name="photo.JPG"\n\n\xff\xd8\n'
        b'--b\nContent-Type: pdf\nContent-Disposition: attachment; filename="offer.pdf"\n\n%PDF\n--b--\n'
    )
    mail = parse_mail(raw)
    assert mail.text == "broken type, still the text"
    assert [(a.filename, a.content_type) for a in mail.attachments] == [
        ("photo.JPG", "image/jpeg"),
        ("offer.pdf", "application/pdf"),
    ]


def test_file_names_cannot_point_elsewhere() -> None:
    raw = (
        b'From: a@example.com\nContent-Type: text/plain; name="..\\\\..\\\\evil.txt"\n'
        b'Content-Disposition: attachment; filename="../../etc/passwd\x01"\n\nx'
    )
    assert parse_mail(raw).attachments[0].filename == "passwd"


def test_a_forwarded_mail_the_stdlib_cannot_write_back_is_kept_as_read() -> None:
    inner = b"Subject: eski\nContent-Type: multipart/mixed\n\n\xc5\x9fifre \xfe\n"  # no boundary, 8-bit
    raw = (
        b'From: a@example.com\nContent-Type: multipart/mixed; boundary="b"\n\n'
        b"--b\nContent-Type: message/rfc822\n\n"
    )
    mail = parse_mail(raw + inner + b"\n--b--\n")
    assert [(a.filename, a.content_type) for a in mail.attachments] == [("eski.eml", "message/rfc822")]
    assert b"\xc5\x9fifre \xfe" in mail.attachments[0].data
    assert not [p for p in mail.problems if "could not read" in p]
