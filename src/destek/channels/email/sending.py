"""A reply sent as a mail that threads: to the contact (their Reply-To when they gave one), keeping
everyone the conversation copied, from "Agent (Inbox)" at the inbox's address, with In-Reply-To and
References to the thread, our marker in the subject, the signature, a text and an HTML part and the
attachments. Its Message-ID is derived from the message, so a retried send is the same mail."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from destek.channels.base import ChannelContext, Delivered, Failed, Outbound, Outcome, RetryLater
from destek.channels.email import compose, markers, smtp
from destek.channels.email.credentials import LoginProblem, forget, login
from destek.channels.email.settings import EmailSettings

REFERENCES = 20


def message_id_for(outbound: Outbound, context: ChannelContext, domain: str) -> str:
    """Stable across retries, unguessable from outside (keyed with the server's secret)."""
    key = f"{context.account_id}:{outbound.message_id}".encode()
    tag = hmac.new(context.state.settings.secret, key, hashlib.sha256).hexdigest()[:16]
    return f"destek.{outbound.message_id}.{tag}@{domain}"


def _people(values: Any) -> list[compose.Recipient]:
    out: list[compose.Recipient] = []
    for value in values or []:
        if isinstance(value, Mapping) and value.get("email"):
            out.append(compose.Recipient(name=str(value.get("name") or ""), email=str(value["email"])))
        elif isinstance(value, str) and "@" in value:
            out.append(compose.Recipient(name="", email=value))
    return out


def _unique(people: list[compose.Recipient], skip: set[str]) -> list[compose.Recipient]:
    seen = set(skip)
    out: list[compose.Recipient] = []
    for person in people:
        if person.email.lower() not in seen:
            seen.add(person.email.lower())
            out.append(person)
    return out


def build(outbound: Outbound, context: ChannelContext) -> compose.OutgoingMail | Failed:
    settings = context.settings
    assert isinstance(settings, EmailSettings)
    if not settings.address:
        return Failed("this inbox has no e-mail address: set it in Settings → Inboxes")
    address = str(settings.address)
    own = {address.lower()}
    previous: Mapping[str, Any] = outbound.last_inbound.get("email") or {}
    mine: Mapping[str, Any] = outbound.attributes.get("email") or {}
    to = _people(mine.get("to")) or _people(previous.get("reply_to")) or _people([previous.get("from")])
    if not to and outbound.recipient.email:
        to = [compose.Recipient(name=outbound.recipient.name, email=outbound.recipient.email)]
    to = _unique(to, own)
    if not to:
        return Failed("the contact has no e-mail address to reply to")
    sent_to = {p.email.lower() for p in to} | own
    # Reply to all: everyone the customer's last mail went to or copied, unless the agent chose.
    if "cc" in mine:
        cc = _unique(_people(mine.get("cc")), sent_to)
    else:
        cc = _unique([*_people(previous.get("to")), *_people(previous.get("cc"))], sent_to)
    bcc = _unique(_people(mine.get("bcc")), sent_to | {p.email.lower() for p in cc})
    in_reply_to = str(previous.get("message_id") or "") or (outbound.thread[-1] if outbound.thread else None)
    subject = str(mine.get("subject") or "")
    if not subject and not outbound.thread:  # we write first: no "Re:"
        subject = (
            f"{outbound.subject} {markers.marker(settings.subject_marker, outbound.conversation_number)}"
        )
    elif not subject:
        subject = markers.reply_subject(
            outbound.subject or str(previous.get("subject") or ""),
            settings.subject_marker,
            outbound.conversation_number,
        )
    text = outbound.text
    if settings.signature.strip():
        text = f"{text}\n\n-- \n{settings.signature.strip()}"
    domain = address.rsplit("@", 1)[-1]
    return compose.OutgoingMail(
        from_name=f"{outbound.sender_name} ({settings.display_name or context.inbox_name})",
        from_address=address,
        to=to,
        cc=cc,
        bcc=bcc,
        subject=subject,
        text=text,
        message_id=message_id_for(outbound, context, domain),
        in_reply_to=in_reply_to or None,
        references=list(outbound.thread)[-REFERENCES:],
        attachments=[
            compose.OutgoingAttachment(filename=a.filename, content_type=a.content_type, data=a.data)
            for a in outbound.attachments
        ],
    )


async def send(outbound: Outbound, context: ChannelContext) -> Outcome:
    settings = context.settings
    assert isinstance(settings, EmailSettings)
    mail = build(outbound, context)
    if isinstance(mail, Failed):
        return mail
    if not settings.smtp_host:
        return Failed("this inbox has no outgoing mail server: set SMTP in Settings → Inboxes")
    try:
        credentials = await login(context, which="smtp")
    except LoginProblem as exc:
        return RetryLater(str(exc)) if exc.transient else Failed(str(exc))
    outcome = await smtp.send(
        smtp.SmtpSettings(
            host=settings.smtp_host,
            port=settings.smtp_port,
            security=settings.smtp_security,
            username=settings.smtp_username or settings.imap_username or str(settings.address),
            password=credentials.password,
            oauth_token=credentials.oauth_token,
            verify_tls=settings.verify_tls,
        ),
        compose.build_message(mail),
        recipients=compose.envelope_recipients(mail),
    )
    if isinstance(outcome, smtp.Sent):
        customer = {r.email.strip().lower() for r in mail.to}
        missed = [f"{a} ({why})" for a, why in outcome.refused.items() if a.strip().lower() in customer]
        if missed:
            # The copies went out, but the customer has nothing: the agent must know, and may retry.
            return Failed(f"the server refused {', '.join(missed)}; the copies went to the others")
        return Delivered(provider_id=mail.message_id)
    if isinstance(outcome, smtp.TryAgain):
        return RetryLater(outcome.reason, delay=outcome.retry_after)
    if credentials.oauth_token:
        forget(context)  # a refused login may be an expired token: fetch a new one next time
    return Failed(outcome.reason)
