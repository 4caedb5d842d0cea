"""Accounts, their members and roles, inboxes, and the account's API tokens.

Logins and passwords: credentials.py; invitations: invitations.py; teams: teams.py; who may act with
which credential: access.py. Every function takes the session first and keyword-only arguments; none
commits.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts import credentials
from destek.accounts.models import Account, ApiToken, InboxMember, Membership, User
from destek.accounts.schemas import AgentBrief
from destek.db import utcnow
from destek.errors import Forbidden, Invalid, NotFound
from destek.events import log as event_log
from destek.events.schemas import AgentUpdated

ROLES = ("owner", "admin", "agent")


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts, in which account, with which role. `inbox_ids` None: every inbox of the account."""

    account_id: int
    user_id: int
    role: str
    name: str
    inbox_ids: frozenset[int] | None

    @property
    def is_admin(self) -> bool:
        return self.role in ("owner", "admin")

    def can_see_inbox(self, inbox_id: int) -> bool:
        return self.inbox_ids is None or inbox_id in self.inbox_ids


def require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("only an administrator of the account can do this")


# --- accounts and users ------------------------------------------------------------------------


def check_timezone(timezone: str) -> str:
    """The IANA name if it is one (Europe/Istanbul); Invalid otherwise."""
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise Invalid(
            f"unknown time zone {timezone!r}: use an IANA name such as Europe/Istanbul or UTC",
            field="timezone",
        ) from None
    return timezone


async def create_account(
    session: AsyncSession, *, name: str, locale: str = "en", timezone: str = "UTC"
) -> Account:
    if not name.strip():
        raise Invalid("an account needs a name", field="name")
    check_timezone(timezone)
    account = Account(name=name.strip(), locale=locale, timezone=timezone)
    session.add(account)
    await session.flush()
    return account


async def get_account(session: AsyncSession, *, account_id: int) -> Account:
    account = await session.get(Account, account_id)
    if account is None:
        raise NotFound(f"account {account_id} not found")
    return account


async def update_account(
    session: AsyncSession,
    *,
    actor: Actor,
    name: str | None = None,
    locale: str | None = None,
    timezone: str | None = None,
    require_second_factor: bool | None = None,
) -> Account:
    require_admin(actor)
    account = await get_account(session, account_id=actor.account_id)
    if require_second_factor and not account.require_second_factor:
        me = await get_user(session, user_id=actor.user_id)
        if not me.has_second_factor:
            # Else the administrator would lock themselves out of their own account.
            raise Invalid(
                "turn on your own second factor (Profile) before requiring one of everyone",
                field="require_second_factor",
            )
    if require_second_factor is not None:
        account.require_second_factor = require_second_factor
    if name is not None:
        if not name.strip():
            raise Invalid("an account needs a name", field="name")
        account.name = name.strip()
    if locale is not None:
        account.locale = locale
    if timezone is not None:
        account.timezone = check_timezone(timezone)
    await session.flush()
    return account


async def get_user(session: AsyncSession, *, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    return user


async def users_by_id(session: AsyncSession, *, ids: list[int | None]) -> list[User]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return []
    return list(await session.scalars(select(User).where(User.id.in_(wanted))))


async def set_user_locale(session: AsyncSession, *, user_id: int, locale: str | None) -> User:
    """The user's own UI language (None: follow the browser's)."""
    user = await get_user(session, user_id=user_id)
    user.locale = locale
    await session.flush()
    return user


async def add_member(session: AsyncSession, *, account_id: int, user_id: int, role: str) -> Membership:
    if role not in ROLES:
        raise Invalid(f"role must be one of {', '.join(ROLES)}", field="role")
    existing = await session.scalar(
        select(Membership).where(Membership.account_id == account_id, Membership.user_id == user_id)
    )
    if existing is not None:
        existing.role = role
        existing.active = True
        return existing
    membership = Membership(account_id=account_id, user_id=user_id, role=role)
    session.add(membership)
    await session.flush()
    return membership


async def list_members(session: AsyncSession, *, account_id: int) -> list[tuple[Membership, User]]:
    rows = await session.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.account_id == account_id)
        .order_by(User.name, User.id)
    )
    return [(m, u) for m, u in rows]


async def get_member(session: AsyncSession, *, account_id: int, user_id: int) -> tuple[Membership, User]:
    row = (
        await session.execute(
            select(Membership, User)
            .join(User, User.id == Membership.user_id)
            .where(Membership.account_id == account_id, Membership.user_id == user_id)
        )
    ).first()
    if row is None:
        raise NotFound(f"agent {user_id} not found")
    return row[0], row[1]


def agent_brief(membership: Membership, user: User) -> AgentBrief:
    return AgentBrief.model_validate(
        {"id": user.id, "name": user.name, "role": membership.role, "active": membership.active}
    )


def record_agent_change(
    session: AsyncSession, *, membership: Membership, user: User, changed: list[str]
) -> None:
    """The account's log says the person's place changed; their open sockets are checked again."""
    event_log.record(
        session,
        AgentUpdated(agent=agent_brief(membership, user), changed=changed),
        account_id=membership.account_id,
    )


async def update_member(
    session: AsyncSession, *, actor: Actor, user_id: int, role: str | None, active: bool | None
) -> tuple[Membership, User]:
    """Change a person's role or deactivate/reactivate them, in the actor's account only: their name,
    e-mail, password and second factor are theirs alone."""
    require_admin(actor)
    membership, user = await get_member(session, account_id=actor.account_id, user_id=user_id)
    if membership.role == "owner" and actor.role != "owner" and (role is not None or active is not None):
        # An admin may not demote, deactivate (or reactivate) an owner: owners outrank admins.
        raise Forbidden("only an owner can change an owner")
    role_before, active_before = membership.role, membership.active
    was_owner = membership.role == "owner" and membership.active
    if role is not None:
        if role not in ROLES:
            raise Invalid(f"role must be one of {', '.join(ROLES)}", field="role")
        if role == "owner" and actor.role != "owner":
            raise Forbidden("only an owner can make another owner")
        membership.role = role
    if active is not None:
        if not active and user_id == actor.user_id:
            raise Invalid("you cannot deactivate yourself", field="active")
        membership.active = active
    if was_owner and not (membership.role == "owner" and membership.active):
        other_owner = await session.scalar(
            select(Membership.id)
            .where(
                Membership.account_id == actor.account_id,
                Membership.role == "owner",
                Membership.active.is_(True),
                Membership.id != membership.id,
            )
            .limit(1)
        )
        if other_owner is None:
            raise Invalid("an account must keep at least one active owner", field="role")
    changed = [
        name
        for name, was in (("role", role_before), ("active", active_before))
        if getattr(membership, name) != was
    ]
    if changed:
        record_agent_change(session, membership=membership, user=user, changed=changed)
    if active_before and not membership.active:
        await session.flush()
        still_active = await session.scalar(
            select(Membership.id).where(Membership.user_id == user.id, Membership.active.is_(True)).limit(1)
        )
        if still_active is None:
            # Active nowhere now: no login at all, so every browser session of theirs ends too.
            await credentials.end_login_sessions(session, user_id=user.id)
    return membership, user


async def rename_user(session: AsyncSession, *, user_id: int, name: str) -> User:
    """The person's own name (their profile): no account's administrator changes it."""
    if not name.strip():
        raise Invalid("a name is needed", field="name")
    user = await get_user(session, user_id=user_id)
    user.name = name.strip()
    rows = await session.execute(
        select(Membership).where(Membership.user_id == user_id, Membership.active.is_(True))
    )
    for membership in rows.scalars():
        record_agent_change(session, membership=membership, user=user, changed=["name"])
    await session.flush()
    return user


async def require_active_members(session: AsyncSession, *, account_id: int, user_ids: list[int]) -> None:
    """Every id must be an active agent of the account; another account's user is not found (404)."""
    if not user_ids:
        return
    rows = await session.execute(
        select(Membership.user_id, Membership.active).where(
            Membership.account_id == account_id, Membership.user_id.in_(set(user_ids))
        )
    )
    active = {user_id: is_active for user_id, is_active in rows}
    for user_id in user_ids:
        if user_id not in active:
            raise NotFound(f"agent {user_id} not found", field="user_ids")
        if not active[user_id]:
            raise Invalid(f"agent {user_id} is deactivated: reactivate them first", field="user_ids")


async def memberships_of(session: AsyncSession, *, user_id: int) -> list[tuple[Membership, Account]]:
    rows = await session.execute(
        select(Membership, Account)
        .join(Account, Account.id == Membership.account_id)
        .where(Membership.user_id == user_id, Membership.active.is_(True))
        .order_by(Account.id)
    )
    return [(m, a) for m, a in rows]


async def actor_for(session: AsyncSession, *, account_id: int, user_id: int) -> Actor:
    """The actor for a user in an account; NotFound when the user is not an active member."""
    row = (
        await session.execute(
            select(Membership, User)
            .join(User, User.id == Membership.user_id)
            .where(
                Membership.account_id == account_id,
                Membership.user_id == user_id,
                Membership.active.is_(True),
            )
        )
    ).first()
    if row is None:
        raise NotFound(f"account {account_id} not found")
    return await actor_of(session, membership=row[0], user=row[1])


async def actor_of(session: AsyncSession, *, membership: Membership, user: User) -> Actor:
    """The person acting in the membership's account: an agent sees their inboxes only."""
    inbox_ids: frozenset[int] | None = None
    if membership.role == "agent":
        ids = await session.scalars(
            select(InboxMember.inbox_id).where(
                InboxMember.account_id == membership.account_id, InboxMember.user_id == user.id
            )
        )
        inbox_ids = frozenset(ids)
    return Actor(membership.account_id, user.id, membership.role, user.name, inbox_ids)


# --- the account's API tokens --------------------------------------------------------------------


async def list_api_tokens(session: AsyncSession, *, actor: Actor) -> list[ApiToken]:
    query = select(ApiToken).where(ApiToken.account_id == actor.account_id, ApiToken.revoked_at.is_(None))
    if not actor.is_admin:
        query = query.where(ApiToken.user_id == actor.user_id)
    return list(await session.scalars(query.order_by(ApiToken.id)))


async def revoke_api_token(session: AsyncSession, *, actor: Actor, token_id: int) -> None:
    token = await session.get(ApiToken, token_id)
    if (
        token is None
        or token.account_id != actor.account_id
        or token.revoked_at is not None
        or (token.user_id != actor.user_id and not actor.is_admin)
    ):
        raise NotFound(f"token {token_id} not found")
    token.revoked_at = utcnow()
    await credentials.announce_signed_out(session, user_id=token.user_id)


async def next_conversation_number(session: AsyncSession, *, account_id: int, count: int = 1) -> int:
    """Take `count` numbers; returns the last (they run from last - count + 1)."""
    number = (
        await session.execute(
            update(Account)
            .where(Account.id == account_id)
            .values(last_conversation_number=Account.last_conversation_number + count)
            .returning(Account.last_conversation_number)
        )
    ).scalar_one()
    return int(number)
