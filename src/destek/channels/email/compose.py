"""Building an outgoing e-mail that threads in the customer's mail client.

An agent's reply must land in the customer's existing thread (In-Reply-To and References, RFC 5322
§3.6.4), show the agent's name beside the inbox's address, survive any language in names, subject and
attachment names (RFC 2047 / RFC 2231 via the stdlib's `email.policy.default`), and never leak Bcc.
"""

from __future__ import annotations

import email.policy
import html as html_lib
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

# Mail clients cope with long References, but some servers cut headers around 1,000 characters;
# the first id (the thread's root) and the most recent ones are what threading needs.
MAX_REFERENCES = 20

# Headers that build_message sets itself; extra headers may not replace them.
_OWN_HEADERS = frozenset(
    h.lower()
    for h in (
        "From", "To", "Cc", "Bcc", "Reply-To", "Subject", "Date", "Message-ID", "In-Reply-To",
        "References", "MIME-Version", "Content-Type", "Content-Transfer-Encoding",
    )
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Recipient:
    name: str  # may be ""
    email: str


@dataclass(frozen=True, slots=True)
class OutgoingAttachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class OutgoingMail:
    from_name: str  # the agent's name, e.g. "Ayşe from Lokanta Support"
    from_address: str  # the inbox's address
    to: list[Recipient]
    cc: list[Recipient] = field(default_factory=list)
    bcc: list[Recipient] = field(default_factory=list)
    reply_to: str | None = None
    subject: str = ""
    text: str = ""  # plain text body (signature already appended by the caller)
    html: str | None = None  # sanitised HTML body, or None to derive a simple one from the text
    message_id: str = ""  # without <>; made by new_message_id and stored before sending
    in_reply_to: str | None = None  # without <>
    references: list[str] = field(default_factory=list)  # without <>
    attachments: list[OutgoingAttachment] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # extra, e.g. {"Auto-Submitted": "auto-replied"}


def new_message_id(domain: str) -> str:
    """A unique Message-ID for `domain`, without the angle brackets: "<time>.<random>@domain"."""
    domain = domain.strip().lower()
    if not domain or any(c in domain for c in "<>@ \t\r\n"):
        raise ValueError(f"not a domain for a Message-ID: {domain!r}")
    return f"{int(time.time() * 1000):x}.{secrets.token_hex(10)}@{domain}"


def envelope_recipients(mail: OutgoingMail) -> list[str]:
    """Every address the message goes to (to + cc + bcc), each once, in that order."""
    seen: set[str] = set()
    out: list[str] = []
    for recipient in [*mail.to, *mail.cc, *mail.bcc]:
        address = recipient.email.strip()
        if address and address.lower() not in seen:
            seen.add(address.lower())
            out.append(address)
    return out


def references_for(in_reply_to: str | None, references: list[str]) -> list[str]:
    """The References of a reply (RFC 5322 §3.6.4): the parent's References then its Message-ID,
    each once, kept to the root plus the most recent ids."""
    ids: list[str] = []
    for raw in [*references, *([in_reply_to] if in_reply_to else [])]:
        msg_id = _bare_id(raw)
        if msg_id and msg_id not in ids:
            ids.append(msg_id)
    if len(ids) > MAX_REFERENCES:
        ids = [ids[0], *ids[-(MAX_REFERENCES - 1) :]]
    return ids


def build_message(mail: OutgoingMail) -> EmailMessage:
    """The MIME message: text and HTML alternatives (inside multipart/mixed when there are
    attachments), UTF-8, threading headers; Bcc goes only to the envelope (envelope_recipients)."""
    if not mail.message_id:
        raise ValueError("OutgoingMail.message_id is empty: make one with new_message_id and store it first")
    if not mail.to and not mail.cc and not mail.bcc:
        raise ValueError("OutgoingMail has no recipient")
    msg = EmailMessage(policy=email.policy.default)
    msg["From"] = _address(mail.from_name, mail.from_address)
    if mail.to:
        msg["To"] = [_address(r.name, r.email) for r in mail.to]
    if mail.cc:
        msg["Cc"] = [_address(r.name, r.email) for r in mail.cc]
    if mail.reply_to:
        msg["Reply-To"] = mail.reply_to
    msg["Subject"] = mail.subject
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = f"<{_bare_id(mail.message_id)}>"
    if mail.in_reply_to:
        msg["In-Reply-To"] = f"<{_bare_id(mail.in_reply_to)}>"
    references = references_for(mail.in_reply_to, mail.references)
    if references:
        msg["References"] = " ".join(f"<{msg_id}>" for msg_id in references)
    for name, value in mail.headers.items():
        if name.lower() in _OWN_HEADERS:
            raise ValueError(f"the extra header {name!r} is set by build_message itself")
        msg[name] = value

    msg.set_content(mail.text, charset="utf-8", cte=_transfer_encoding(mail.text))
    body_html = _html_document(mail.html if mail.html is not None else text_to_html(mail.text))
    msg.add_alternative(body_html, subtype="html", charset="utf-8", cte=_transfer_encoding(body_html))
    for attachment in mail.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        if not maintype or not subtype:
            maintype, subtype = "application", "octet-stream"
        msg.add_attachment(attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename)
    for part in msg.walk():
        if part is not msg:
            del part["MIME-Version"]  # the stdlib adds it to the parts it makes; it belongs on top only
    return msg


_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""


def text_to_html(text: str) -> str:
    """A plain-text body as simple HTML: escaped, blank lines make paragraphs, line breaks kept,
    web addresses linked."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()) if p.strip()]
    return "\n".join(f"<p>{_linkify(p).replace(chr(10), '<br>' + chr(10))}</p>" for p in paragraphs)


def _linkify(text: str) -> str:
    out: list[str] = []
    pos = 0
    for match in _URL.finditer(text):
        url = match.group(0)
        # Punctuation after an address belongs to the sentence; a ")" only when unbalanced.
        while url and url[-1] in _TRAILING and not (url[-1] == ")" and url.count("(") >= url.count(")")):
            url = url[:-1]
        start, end = match.start(), match.start() + len(url)
        href = url if "://" in url else f"https://{url}"
        out.append(html_lib.escape(text[pos:start], quote=False))
        out.append(f'<a href="{html_lib.escape(href)}">{html_lib.escape(url, quote=False)}</a>')
        pos = end
    out.append(html_lib.escape(text[pos:], quote=False))
    return "".join(out)


def _html_document(body: str) -> str:
    if re.match(r"\s*<(!doctype|html)\b", body, re.IGNORECASE):
        return body
    return f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body>\n{body}\n</body></html>\n'


def _transfer_encoding(text: str) -> str:
    # 8bit bodies need the relay's 8BITMIME; quoted-printable goes everywhere and stays readable.
    if text.isascii() and all(len(line) <= 900 for line in text.splitlines()):
        return "7bit"
    return "quoted-printable"


def _address(name: str, address: str) -> Address:
    return Address(display_name=name.strip(), addr_spec=address.strip())


def _bare_id(msg_id: str) -> str:
    return msg_id.strip().removeprefix("<").removesuffix(">").strip()
