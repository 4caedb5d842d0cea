"""A raw mail turned into what the core stores: a message from its sender, threaded by its headers
and subject marker, with the quoted history folded away (kept beside it), the headers an agent needs,
and the reason it must never be answered automatically; a bounce becomes the failure of the message it
refers to."""

from __future__ import annotations

from destek.channels.base import (
    ContactDetails,
    Inbound,
    InboundAttachment,
    InboundMessage,
    Parsed,
    StatusUpdate,
)
from destek.channels.email import markers
from destek.channels.email.auto import auto_kind, read_bounce
from destek.channels.email.parse import Address, ParsedMail, parse_mail
from destek.channels.email.quoting import split_reply
from destek.channels.email.settings import EmailSettings

MAX_HTML = 512 * 1024  # the HTML part kept for the agent's view; the raw mail is kept whole anyway


def _address(a: Address) -> dict[str, str]:
    return {"name": a.name, "email": a.email}


def _own(settings: EmailSettings) -> set[str]:
    own = {str(settings.address).lower()} if settings.address else set()
    if settings.imap_username and "@" in settings.imap_username:
        own.add(settings.imap_username.lower())
    return own


def read(raw: bytes, settings: EmailSettings) -> Parsed:
    mail = parse_mail(raw)
    automatic = auto_kind(mail)
    if automatic == "bounce":
        bounce = read_bounce(raw, mail)
        if bounce is not None and bounce.original_message_id and bounce.permanent:
            reason = (
                bounce.reason or f"the mail to {bounce.recipient or 'the contact'} bounced ({bounce.status})"
            )
            status = StatusUpdate(external_id=bounce.original_message_id, status="failed", reason=reason)
            return Parsed(external_id=mail.message_id, items=[status])
    if mail.sender is None:
        raise ValueError("the mail has no sender address (From): kept, not stored as a message")
    if mail.sender.email.lower() in _own(settings):
        return Parsed(external_id=mail.message_id, items=[])  # our own mail, seen again: ignored
    return Parsed(external_id=mail.message_id, items=[message_of(mail, settings, automatic)])


def message_of(mail: ParsedMail, settings: EmailSettings, automatic: str | None) -> InboundMessage:
    assert mail.sender is not None
    reply = split_reply(mail.text)
    own = _own(settings)
    attributes = {
        "email": {
            "message_id": mail.message_id,
            "subject": mail.subject,
            "from": _address(mail.sender),
            "reply_to": [_address(a) for a in mail.reply_to],
            "to": [_address(a) for a in mail.to],
            "cc": [_address(a) for a in mail.cc if a.email.lower() not in own],
            "date": mail.date.isoformat() if mail.date else None,
            "quoted": reply.quoted,
            "html": (mail.html or "")[:MAX_HTML] or None,
            "problems": mail.problems,
        }
    }
    return InboundMessage(
        external_id=mail.message_id,
        contact=ContactDetails(
            identifier=mail.sender.email.lower(), name=mail.sender.name, email=mail.sender.email
        ),
        text=reply.new,
        html=mail.html,
        subject=markers.strip_prefixes(mail.subject),
        attachments=[
            InboundAttachment(
                filename=a.filename,
                content_type=a.content_type,
                data=a.data,
                content_id=a.content_id,
                inline=a.inline,
            )
            for a in mail.attachments
        ],
        replies_to=[*mail.references, *mail.in_reply_to],
        sent_at=mail.date,
        thread_number=markers.find_number(mail.subject, settings.subject_marker),
        automatic=automatic,
        attributes=attributes,
    )


def items_of(raw: bytes, settings: EmailSettings) -> list[Inbound]:
    return list(read(raw, settings).items)
