"""Contacts: create, identify from an app, update, search. None of these commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts.models import Inbox
from destek.contacts.models import Contact, ContactIdentity
from destek.contacts.schemas import MAX_ATTRIBUTES, MAX_DEVICE_KEYS, ContactCreate, ContactFields, ContactOut
from destek.db import utcnow
from destek.errors import Conflict, Invalid, NotFound, Unauthorized
from destek.events import log
from destek.events.schemas import ContactCreated, ContactUpdated
from destek.security import check_identity_hash, random_token, sign, unsign

TOKEN_PURPOSE = "contact"  # noqa: S105 (a signing domain, not a secret)


def contact_out(contact: Contact) -> ContactOut:
    return ContactOut.model_validate(contact)


def _apply(contact: Contact, fields: ContactFields) -> list[str]:
    """Copy the given fields onto the contact; return the names that changed.

    Every check comes before the first change: a refused update leaves the contact as it was."""
    given = fields.model_dump(exclude_unset=True)
    attributes = contact.attributes
    if given.get("attributes") is not None:
        attributes = _merged(
            contact.attributes, given["attributes"], limit=MAX_ATTRIBUTES, field="attributes"
        )
    device = contact.device
    if fields.device is not None:
        sent = {k: v for k, v in fields.device.model_dump().items() if v is not None}
        device = _merged(contact.device, sent, limit=MAX_DEVICE_KEYS, field="device")
    changed: list[str] = []
    for key in ("name", "email", "phone", "locale"):
        if key in given and given[key] is not None and getattr(contact, key) != given[key]:
            setattr(contact, key, given[key])
            changed.append(key)
    if attributes != contact.attributes:
        contact.attributes = attributes
        changed.append("attributes")
    if device != contact.device:
        contact.device = device
        changed.append("device")
    if changed:
        contact.updated_at = utcnow()
    return changed


def _merged(stored: dict[str, Any], sent: dict[str, Any], *, limit: int, field: str) -> dict[str, Any]:
    """`sent` merged key by key into `stored`; Invalid when that would add keys past `limit`.

    Only new keys count: a contact stored with more keys (before the limit) can still change them."""
    merged = {**stored, **sent}
    if len(merged) > limit and len(merged) > len(stored):
        new = [key for key in sent if key not in stored]
        shown = ", ".join(new[:5]) + (", ..." if len(new) > 5 else "")
        raise Invalid(
            f"a contact keeps at most {limit} keys in {field}: it has {len(stored)}, and this would add "
            f"{len(new)} more ({shown}); send values for the keys it has, or fewer new keys",
            field=field,
        )
    return merged


def new_contact(*, account_id: int, data: ContactCreate, identity_verified: bool = False) -> Contact:
    """A contact row, not added yet (create_contact adds it; a batch adds many at once)."""
    contact = Contact(
        account_id=account_id,
        identifier=data.identifier,
        identity_verified=identity_verified,
        attributes={},
        device={},
    )
    _apply(contact, data)
    return contact


async def create_contact(
    session: AsyncSession, *, account_id: int, data: ContactCreate, identity_verified: bool = False
) -> Contact:
    contact = new_contact(account_id=account_id, data=data, identity_verified=identity_verified)
    if data.identifier is None:  # nothing unique to collide on: no savepoint needed
        session.add(contact)
        await session.flush()
    else:
        try:
            async with session.begin_nested():
                session.add(contact)
                await session.flush()
        except IntegrityError:
            raise Conflict(
                f"a contact with identifier {data.identifier!r} already exists", field="identifier"
            ) from None
    record_created(session, contact)
    return contact


def record_created(session: AsyncSession, contact: Contact) -> None:
    """Log a new contact (flushed: it has its id)."""
    log.record(
        session,
        ContactCreated(contact=contact_out(contact)),
        account_id=contact.account_id,
        contact_id=contact.id,
        private=True,
    )


async def update_contact(session: AsyncSession, *, contact: Contact, data: ContactFields) -> list[str]:
    changed = _apply(contact, data)
    if changed:
        await session.flush()
        log.record(
            session,
            ContactUpdated(contact=contact_out(contact), changed=changed),
            account_id=contact.account_id,
            contact_id=contact.id,
            private=True,
        )
    return changed


async def get_contact(session: AsyncSession, *, account_id: int, contact_id: int) -> Contact:
    contact = await session.get(Contact, contact_id)
    if contact is None or contact.account_id != account_id:
        raise NotFound(f"contact {contact_id} not found")
    return contact


async def search_contacts(
    session: AsyncSession, *, account_id: int, q: str | None, limit: int, after_id: int | None
) -> list[Contact]:
    query = select(Contact).where(Contact.account_id == account_id)
    if q and q.strip():
        # The user's text is matched literally: % and _ are not wildcards here.
        escaped = q.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{escaped}%"
        query = query.where(
            or_(
                func.lower(Contact.name).like(like, escape="\\"),
                func.lower(Contact.email).like(like, escape="\\"),
                Contact.phone.like(like, escape="\\"),
                func.lower(Contact.identifier).like(like, escape="\\"),
            )
        )
    if after_id is not None:
        query = query.where(Contact.id < after_id)
    return list(await session.scalars(query.order_by(Contact.id.desc()).limit(limit)))


async def delete_contact(session: AsyncSession, *, contact: Contact) -> None:
    await session.delete(contact)


async def identify(
    session: AsyncSession,
    *,
    inbox: Inbox,
    data: ContactCreate,
    identifier_hash: str | None,
    existing: Contact | None,
) -> Contact:
    """Find or create the contact an app speaks for in an inbox.

    With an `identifier` (the app's user id) the same person is one contact across devices; when the
    inbox demands identity verification, or a hash is given anyway, it must be
    HMAC-SHA256(inbox secret, identifier). A valid hash marks the contact identity_verified, and from
    then on a verified contact is only ever given out against a valid hash, on every inbox of the
    account. Without an identifier, `existing` (from the contact token the client kept) is reused when
    it is an anonymous visitor; otherwise (a new visitor, or a logged-in user logging out) an anonymous
    contact is made.
    """
    if data.identifier is not None:
        if inbox.identity_verification and not identifier_hash:
            raise Unauthorized(
                "this inbox requires identity verification: send identifier_hash", field="identifier_hash"
            )
        if identifier_hash is not None and not check_identity_hash(
            inbox.secret, data.identifier, identifier_hash
        ):
            raise Unauthorized("identifier_hash does not match the identifier", field="identifier_hash")
        verified = identifier_hash is not None
        contact = await session.scalar(
            select(Contact).where(
                Contact.account_id == inbox.account_id, Contact.identifier == data.identifier
            )
        )
        if contact is not None and contact.identity_verified and not verified:
            # Contacts are shared by the account's inboxes: an inbox without verification must not
            # hand out, or let anyone change, a user whom some inbox has verified.
            raise Unauthorized(
                "this user is verified: identify with identifier_hash", field="identifier_hash"
            )
        if contact is None and existing is not None and existing.identifier is None:
            # An anonymous visitor logs in: the conversation so far stays theirs.
            contact = existing
            contact.identifier = data.identifier
        if contact is None:
            contact = await create_contact(
                session, account_id=inbox.account_id, data=data, identity_verified=verified
            )
        else:
            if verified:
                contact.identity_verified = True
            await update_contact(session, contact=contact, data=data)
        source_id = f"user:{data.identifier}"
    elif existing is not None and existing.identifier is None:
        contact = existing
        await update_contact(session, contact=contact, data=data)
        source_id = f"anon:{contact.id}"
    else:
        # No token, or the token of a logged-in user: identifying without an identifier is how an
        # app logs its user out, so it starts a new anonymous visitor.
        contact = await create_contact(session, account_id=inbox.account_id, data=data)
        source_id = f"anon:{contact.id}"
    contact.last_seen_at = utcnow()
    await _ensure_identity(session, inbox=inbox, contact=contact, source_id=source_id)
    return contact


async def _ensure_identity(session: AsyncSession, *, inbox: Inbox, contact: Contact, source_id: str) -> None:
    found = await session.scalar(
        select(ContactIdentity).where(
            ContactIdentity.inbox_id == inbox.id, ContactIdentity.source_id == source_id
        )
    )
    if found is None:
        session.add(
            ContactIdentity(
                account_id=inbox.account_id, contact_id=contact.id, inbox_id=inbox.id, source_id=source_id
            )
        )
        await session.flush()
    elif found.contact_id != contact.id:
        found.contact_id = contact.id


async def identities_of(
    session: AsyncSession, *, contact_id: int, inbox_ids: frozenset[int] | None = None
) -> list[ContactIdentity]:
    """The contact's identities; with `inbox_ids` (an agent's inboxes), only those inboxes' ones."""
    query = select(ContactIdentity).where(ContactIdentity.contact_id == contact_id)
    if inbox_ids is not None:
        query = query.where(ContactIdentity.inbox_id.in_(inbox_ids))
    return list(await session.scalars(query.order_by(ContactIdentity.id)))


# --- contact tokens: what the widget or SDK keeps to act as its contact -------------------------


def contact_token(key: bytes, *, contact: Contact, inbox: Inbox) -> str:
    claims: dict[str, Any] = {
        "a": contact.account_id,
        "c": contact.id,
        "i": inbox.id,
        "n": random_token(nbytes=6),
    }
    if contact.identity_verified:
        # Issued against a valid identifier_hash (identify gives a verified contact out no other way).
        claims["v"] = 1
    return sign(key, TOKEN_PURPOSE, claims)


async def contact_from_token(
    session: AsyncSession, key: bytes, *, token: str, inbox: Inbox | None = None
) -> tuple[Contact, int]:
    """The contact a token speaks for and its inbox id; Unauthorized for a bad or foreign token."""
    claims = unsign(key, TOKEN_PURPOSE, token)
    if claims is None or not isinstance(claims.get("c"), int) or not isinstance(claims.get("i"), int):
        raise Unauthorized("the contact token is invalid: identify the contact again")
    if inbox is not None and claims["i"] != inbox.id:
        raise Unauthorized("the contact token belongs to another inbox")
    contact = await session.get(Contact, claims["c"])
    if contact is None or contact.account_id != claims.get("a"):
        raise Unauthorized("the contact of this token no longer exists: identify the contact again")
    if contact.identity_verified and claims.get("v") != 1:
        # A token issued before the contact was verified (perhaps to someone who only knew the user
        # id, on an inbox without verification) no longer speaks for it.
        raise Unauthorized("this user is verified: identify again with identifier_hash")
    return contact, int(claims["i"])
