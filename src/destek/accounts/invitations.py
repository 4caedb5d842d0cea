"""Invitations: how a person joins an account, with their consent.

An administrator invites an e-mail address; the answer is the same whether or not the address already
has a Destek login, so an account learns nothing of the others. The person accepts: logged in as that
address (the invitation also waits in their profile), or, for a new address, by choosing their own
name and password on the invitation's page. Nobody is added to an account without accepting, and
no administrator ever sets a password. None of these commits.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts import credentials
from destek.accounts.models import Account, Invitation, Membership, User
from destek.accounts.service import ROLES, Actor, add_member, record_agent_change, require_admin
from destek.db import utcnow
from destek.errors import Conflict, DestekError, Forbidden, Invalid, NotFound
from destek.security import random_token, sha256_hex

VALID_FOR = dt.timedelta(days=7)
INVITE_PATH = "/invite/"


class Gone(DestekError):
    status_code = 410
    code = "gone"


def is_pending(invitation: Invitation, *, now: dt.datetime | None = None) -> bool:
    return (
        invitation.accepted_at is None
        and invitation.revoked_at is None
        and invitation.expires_at > (now or utcnow())
    )


def _pending_clause(now: dt.datetime) -> list[ColumnElement[bool]]:
    return [
        Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None),
        Invitation.expires_at > now,
    ]


async def invite(
    session: AsyncSession, *, actor: Actor, email: str, name: str, role: str
) -> tuple[Invitation, str]:
    """A new invitation and its link's token (returned once, stored only as a hash). An earlier
    invitation of the same address to this account is replaced."""
    require_admin(actor)
    if role not in ROLES:
        raise Invalid(f"role must be one of {', '.join(ROLES)}", field="role")
    if role == "owner" and actor.role != "owner":
        raise Forbidden("only an owner can make another owner")
    email = credentials.check_email(email)
    if not name.strip():
        raise Invalid("an invitation needs the person's name", field="name")
    member = (
        await session.execute(
            select(Membership.active)
            .join(User, User.id == Membership.user_id)
            .where(Membership.account_id == actor.account_id, User.email == email)
        )
    ).first()
    if member is not None:
        if member[0]:
            raise Conflict(f"{email} is already an agent of this account", field="email")
        raise Conflict(
            f"{email} is a deactivated agent of this account: reactivate them instead", field="email"
        )
    now = utcnow()
    await session.execute(
        update(Invitation)
        .where(Invitation.account_id == actor.account_id, Invitation.email == email, *_pending_clause(now))
        .values(revoked_at=now)
    )
    token = random_token("dti_", 32)
    invitation = Invitation(
        account_id=actor.account_id,
        email=email,
        name=name.strip(),
        role=role,
        token_hash=sha256_hex(token),
        invited_by=actor.user_id,
        created_at=now,
        expires_at=now + VALID_FOR,
    )
    session.add(invitation)
    await session.flush()
    return invitation, token


async def renew(session: AsyncSession, *, actor: Actor, invitation_id: int) -> tuple[Invitation, str]:
    """A new link (and a new week) for an invitation still waiting; the old link stops working."""
    invitation = await _of_account(session, actor=actor, invitation_id=invitation_id)
    if invitation.role == "owner" and actor.role != "owner":
        raise Forbidden("only an owner can invite another owner")
    token = random_token("dti_", 32)
    invitation.token_hash = sha256_hex(token)
    invitation.expires_at = utcnow() + VALID_FOR
    return invitation, token


async def revoke(session: AsyncSession, *, actor: Actor, invitation_id: int) -> None:
    invitation = await _of_account(session, actor=actor, invitation_id=invitation_id)
    invitation.revoked_at = utcnow()


async def _of_account(session: AsyncSession, *, actor: Actor, invitation_id: int) -> Invitation:
    """A not yet accepted or revoked invitation of the actor's account (administrators)."""
    require_admin(actor)
    invitation = await session.get(Invitation, invitation_id)
    if (
        invitation is None
        or invitation.account_id != actor.account_id
        or invitation.accepted_at is not None
        or invitation.revoked_at is not None
    ):
        raise NotFound(f"invitation {invitation_id} not found")
    return invitation


async def list_invitations(session: AsyncSession, *, actor: Actor) -> list[Invitation]:
    """The account's invitations not yet accepted or revoked (expired ones too: they can be renewed)."""
    require_admin(actor)
    rows = await session.scalars(
        select(Invitation)
        .where(
            Invitation.account_id == actor.account_id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    )
    return list(rows)


async def by_token(session: AsyncSession, *, token: str) -> tuple[Invitation, Account]:
    """The invitation of a link; Gone when it was used, withdrawn or has expired."""
    row = (
        await session.execute(
            select(Invitation, Account)
            .join(Account, Account.id == Invitation.account_id)
            .where(Invitation.token_hash == sha256_hex(token))
        )
    ).first()
    if row is None:
        raise NotFound("this invitation link is not valid: check that it was copied whole")
    invitation, account = row
    if not is_pending(invitation):
        raise Gone("this invitation has been used, withdrawn or has expired: ask for a new one")
    return invitation, account


async def has_pending_invitation(session: AsyncSession, *, email: str) -> bool:
    found = await session.scalar(
        select(Invitation.id).where(Invitation.email == email, *_pending_clause(utcnow())).limit(1)
    )
    return found is not None


async def pending_for(session: AsyncSession, *, user: User) -> list[tuple[Invitation, Account]]:
    """Invitations waiting for this person (by their login's e-mail address)."""
    rows = await session.execute(
        select(Invitation, Account)
        .join(Account, Account.id == Invitation.account_id)
        .where(Invitation.email == user.email, *_pending_clause(utcnow()))
        .order_by(Invitation.created_at)
    )
    return [(i, a) for i, a in rows]


async def for_person(session: AsyncSession, *, user: User, invitation_id: int) -> Invitation:
    """One of the person's own pending invitations; anyone else's is not found."""
    invitation = await session.get(Invitation, invitation_id)
    if invitation is None or invitation.email != user.email or not is_pending(invitation):
        raise NotFound(f"invitation {invitation_id} not found")
    return invitation


async def accept(session: AsyncSession, *, invitation: Invitation, user: User) -> Membership:
    """The invited person joins the account with the invitation's role."""
    if not is_pending(invitation):
        raise Gone("this invitation has been used, withdrawn or has expired: ask for a new one")
    if user.email != invitation.email:
        raise Forbidden(
            "this invitation is for another e-mail address: log in with the address it was sent to"
        )
    existing = await session.scalar(
        select(Membership).where(
            Membership.account_id == invitation.account_id, Membership.user_id == user.id
        )
    )
    if existing is not None and not existing.active:
        # Deactivated since the invitation was sent: only an administrator brings them back.
        raise Conflict("you were deactivated in this account: ask its administrator to reactivate you")
    membership = existing or await add_member(
        session, account_id=invitation.account_id, user_id=user.id, role=invitation.role
    )
    invitation.accepted_at = utcnow()
    invitation.accepted_by = user.id
    record_agent_change(session, membership=membership, user=user, changed=["joined"])
    await session.flush()
    return membership


async def decline(session: AsyncSession, *, invitation: Invitation) -> None:
    invitation.revoked_at = utcnow()


async def register(
    session: AsyncSession, *, invitation: Invitation, name: str, password: str, locale: str | None
) -> User:
    """A new login for the invited address, with the person's own name and password, and the
    membership. An address that already has a login logs in to accept instead."""
    if not is_pending(invitation):
        raise Gone("this invitation has been used, withdrawn or has expired: ask for a new one")
    if await credentials.get_user_by_email(session, email=invitation.email) is not None:
        raise Conflict(
            "this e-mail address already has a Destek login: log in with it to accept the invitation",
            field="email",
        )
    if not name.strip():
        raise Invalid("your name is needed", field="name")
    user = await credentials.create_user(
        session, email=invitation.email, name=name, password=password, locale=locale
    )
    await accept(session, invitation=invitation, user=user)
    return user
