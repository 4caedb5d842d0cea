"""The contacts a channel's senders are: one person across channels, found in a few queries per batch.

A sender (an e-mail address, a phone number, a chat id) is known by the inbox's identity, else is the
account's contact with that e-mail address or phone number, else a new contact. The inbox's identity
is recorded either way. A batch of senders (a mailbox's new mails) costs a handful of statements,
whatever its size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts.models import Inbox
from destek.contacts.models import Contact, ContactIdentity
from destek.contacts.schemas import ContactCreate
from destek.contacts.service import new_contact, record_created
from destek.db import utcnow


@dataclass(frozen=True, slots=True)
class Sender:
    source_id: str  # the channel's id of the sender (an address, a number, a chat id)
    name: str = ""
    email: str | None = None
    phone: str | None = None


async def from_channel(
    session: AsyncSession,
    *,
    inbox: Inbox,
    source_id: str,
    name: str = "",
    email: str | None = None,
    phone: str | None = None,
) -> Contact:
    """The contact one sender is (see the module's note)."""
    return (await from_channel_many(session, inbox=inbox, senders=[Sender(source_id, name, email, phone)]))[0]


async def from_channel_many(
    session: AsyncSession, *, inbox: Inbox, senders: Sequence[Sender]
) -> list[Contact]:
    """The contact of each sender, in the order given (the same sender twice: the same contact)."""
    account_id = inbox.account_id
    wanted = list(dict.fromkeys(s.source_id[:200] for s in senders))
    found: dict[str, Contact] = {}
    if wanted:
        rows = await session.execute(
            select(ContactIdentity.source_id, Contact)
            .join(Contact, ContactIdentity.contact_id == Contact.id)
            .where(ContactIdentity.inbox_id == inbox.id, ContactIdentity.source_id.in_(wanted))
        )
        found = {source_id: contact for source_id, contact in rows}
    known = set(found)  # these have the inbox's identity already
    first: dict[str, Sender] = {}
    for sender in senders:
        first.setdefault(sender.source_id[:200], sender)
    missing = [first[s] for s in wanted if s not in found]
    by_email = await _by_key(session, account_id, "email", {s.email.lower() for s in missing if s.email})
    by_phone = await _by_key(session, account_id, "phone", {s.phone for s in missing if s.phone})
    new: list[Contact] = []
    for sender in missing:
        contact = (by_email.get(sender.email.lower()) if sender.email else None) or (
            by_phone.get(sender.phone) if sender.phone else None
        )
        if contact is None:
            data = ContactCreate.model_construct(
                name=sender.name[:200] or None, email=sender.email, phone=sender.phone
            )
            contact = new_contact(account_id=account_id, data=data)
            new.append(contact)
            # One person in one batch, whichever address form came first.
            if sender.email:
                by_email[sender.email.lower()] = contact
            if sender.phone:
                by_phone[sender.phone] = contact
        found[sender.source_id[:200]] = contact
    if new:
        session.add_all(new)
        await session.flush()
        for contact in new:
            record_created(session, contact)
    now = utcnow()
    for source_id, contact in found.items():
        if not contact.name and first[source_id].name:
            contact.name = first[source_id].name[:200]
        contact.last_seen_at = now
    session.add_all(
        ContactIdentity(account_id=account_id, contact_id=found[s].id, inbox_id=inbox.id, source_id=s)
        for s in wanted
        if s not in known
    )
    await session.flush()
    return [found[s.source_id[:200]] for s in senders]


async def _by_key(session: AsyncSession, account_id: int, key: str, values: set[str]) -> dict[str, Contact]:
    """The account's oldest contact for each e-mail address (case-blind) or phone number."""
    if not values:
        return {}
    column = func.lower(Contact.email) if key == "email" else Contact.phone
    rows = await session.execute(
        select(column, Contact)
        .where(Contact.account_id == account_id, column.in_(sorted(values)))
        .order_by(Contact.id.desc())
    )
    return {str(value): contact for value, contact in rows}  # the oldest (lowest id) wins
