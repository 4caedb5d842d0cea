"""split_reply: the new text of a reply apart from its quoted history and signature.

The corpus's real-looking replies (Gmail, Outlook, Apple Mail, iPhone; English, Turkish, German) say
what `new` must be; the cases below cover the other clients and languages, and the texts that must
stay whole: inline answers between quotes, pure forwards, "From:" lines written by a customer.
"""

from __future__ import annotations

import pytest

from destek.channels.email.parse import parse_mail
from destek.channels.email.quoting import Reply, split_reply
from tests.channels.email.test_parse import corpus_names, load

REPLIES = [name for name in corpus_names() if {"new", "new_contains", "quoted_contains"} & set(load(name)[1])]


def test_the_corpus_has_replies_from_every_client() -> None:
    assert {
        "tr-outlook-reply",
        "tr-gmail-reply",
        "tr-iphone-reply",
        "gmail-reply-en",
        "outlook-reply-en",
    } <= set(REPLIES)
    assert {"apple-mail-flowed", "talon-apple-mail", "outlook-original-message-de"} <= set(REPLIES)


@pytest.mark.parametrize("name", REPLIES)
def test_corpus_reply(name: str) -> None:
    raw, expected = load(name)
    text = parse_mail(raw).text
    reply = split_reply(text)
    if "new" in expected:
        assert reply.new == expected["new"]
    for part in expected.get("new_contains", []):
        assert part in reply.new
    for part in expected.get("quoted_contains", []):
        assert part in reply.quoted
    _nothing_lost(text, reply)


def _nothing_lost(text: str, reply: Reply) -> None:
    """Every non-blank line of the text is in `new` or in `quoted`."""
    kept = reply.new.split("\n") + reply.quoted.split("\n")
    assert [
        line for line in text.split("\n") if line.strip() and line.strip() not in map(str.strip, kept)
    ] == []


NEW = "Thanks, that works."


@pytest.mark.parametrize(
    ("history", "client"),
    [
        ("On Mon, 7 Dec 2026 at 10:00, Ahmet Yılmaz <ahmet@example.com> wrote:\n> Hi", "Gmail"),
        ("On Mon, 7 Dec 2026 at 10:00, Ahmet Yılmaz <\nahmet@example.com> wrote:\n\n> Hi", "Gmail, wrapped"),
        ("On 7 Dec 2026, at 10:00, Ahmet <ahmet@example.com> wrote:\n\n> Hi", "Apple Mail"),
        ("7 Ara 2026 Pzt, 10:00 tarihinde Ahmet <a@example.com> şunu yazdı:\n> Merhaba", "Gmail (Turkish)"),
        (
            "Ahmet <a@example.com>, 7 Ara 2026 Pzt, 10:00 tarihinde şunu yazdı:\n> Merhaba",
            "Turkish, name first",
        ),
        ("Am 07.12.2026 um 10:00 schrieb Ahmet <a@example.com>:\n> Hallo", "German"),
        ("Le lun. 7 déc. 2026 à 10:00, Ahmet <a@example.com> a écrit :\n> Bonjour", "French"),
        ("Le lun. 7 déc. 2026 à 10:00, Ahmet <a@example.com> a écrit\u00a0:\n> Bonjour", "French, nbsp"),
        ("El lun, 7 dic 2026 a las 10:00, Ahmet (<a@example.com>) escribió:\n> Hola", "Spanish"),
        (
            "-----Original Message-----\nFrom: Support\nSent: Monday\nTo: Ahmet\nSubject: Order",
            "Outlook (old)",
        ),
        (
            "-----Özgün İleti-----\nKimden: Destek\nGönderildi: Pazartesi\nKime: Ahmet\nKonu: Sipariş",
            "Outlook TR",
        ),
        (
            "________________________________\nFrom: Support <s@example.com>\n"
            "Sent: Monday, December 7, 2026\nTo: Ahmet\nSubject: RE: Order\n\nHello",
            "Outlook",
        ),
        (
            "*From:* Support <s@example.com>\n*Sent:* Monday\n*To:* Ahmet\n*Subject:* Order\n\nHi",
            "Outlook via Gmail",
        ),
        (
            "Kimden: Destek\nGönderildi: 7 Aralık 2026\nKime: Ahmet\nKonu: Sipariş\n\nMerhaba",
            "Outlook (Turkish)",
        ),
        ("Gönderen: Destek\nTarih: 7 Aralık 2026\nAlıcı: Ahmet\nKonu: Sipariş", "Outlook (Turkish, old)"),
        (
            "Von: Support\nGesendet: Montag, 7. Dezember 2026 10:00\nAn: Ahmet\nBetreff: Bestellung",
            "Outlook DE",
        ),
        ("> Hi\n> there", "plain quote"),
        ("-- \nAhmet Yılmaz\n+90 555 000 00 00", "signature"),
        ("Sent from my iPhone", "iPhone"),
        ("iPhone'umdan gönderildi", "iPhone (Turkish)"),
        ("Von meinem iPhone gesendet", "iPhone (German)"),
        ("Get Outlook for Android", "Outlook for Android"),
        ("Samsung Galaxy akıllı telefonumdan gönderildi", "Samsung (Turkish)"),
        (
            "---------- Forwarded message ---------\nFrom: X <x@example.com>\nDate: Mon\nSubject: a\n\nbody",
            "forward",
        ),
    ],
)
def test_history_and_signatures_are_folded(history: str, client: str) -> None:
    text = f"{NEW}\n\n{history}\n"
    reply = split_reply(text)
    assert reply.new == NEW, client
    assert reply.quoted == history.strip(), client


def test_signature_before_the_history_goes_with_it() -> None:
    reply = split_reply("Fine.\n-- \nAhmet\n\nOn Mon, 7 Dec 2026 at 10:00, S <s@example.com> wrote:\n> Hi\n")
    assert reply == Reply(
        new="Fine.", quoted="-- \nAhmet\n\nOn Mon, 7 Dec 2026 at 10:00, S <s@example.com> wrote:\n> Hi"
    )


@pytest.mark.parametrize(
    "text",
    [
        "Hi\n\n> Is the order paid?\nYes, yesterday.\n> And shipped?\nNot yet.",  # answers between the quotes
        # a pure forward
        "---------- Forwarded message ---------\nFrom: X <x@example.com>\nSubject: a\n\nplease see",
        "> only a quote",
        "Sent from my iPhone",
        "",
    ],
)
def test_text_that_would_lose_its_meaning_stays_whole(text: str) -> None:
    reply = split_reply(text)
    assert reply.new == text.strip()
    assert reply.quoted == ""


def test_inline_answers_after_an_attribution_stay_visible() -> None:
    text = "Hi,\n\nOn Mon, 7 Dec 2026 at 10:00, S <s@example.com> wrote:\n> Paid?\nYes.\n> Shipped?\nNo.\n"
    assert split_reply(text).new == text.strip()


@pytest.mark.parametrize(
    "text",
    [
        "Please book:\nFrom: Istanbul\nTo: Ankara\nDate: 7 Dec\n\nThanks",  # a request, not Outlook's block
        "On the form you wrote:\nmy old address",  # no date, no address: not an attribution
        "I wrote -- twice -- already.\nStill waiting.",
        "Price list:\n--\nA 10\nB 20\n" + "line\n" * 20,  # a bare "--" far from the end is not a signature
    ],
)
def test_ordinary_text_is_not_taken_for_history(text: str) -> None:
    assert split_reply(text).new == text.strip()


def test_crlf_and_whitespace() -> None:
    reply = split_reply("Yes.\r\n\r\nOn Mon, 7 Dec 2026 at 10:00, S <s@example.com> wrote:\r\n> Hi\r\n")
    assert reply == Reply(new="Yes.", quoted="On Mon, 7 Dec 2026 at 10:00, S <s@example.com> wrote:\n> Hi")


def test_a_long_mail_is_split_quickly() -> None:
    text = "Hello\n" + ("On and on it goes, a line that is not an attribution at all\n" * 20000) + "> quoted"
    reply = split_reply(text)
    assert reply.quoted == "> quoted"
