"""Accounts, agents, roles, teams, inboxes, API tokens and login sessions.

Every function takes the session first and keyword-only arguments; none commits.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts.models import (
    Account,
    ApiToken,
    Inbox,
    InboxMember,
    LoginSession,
    Membership,
    Team,
    TeamMember,
    User,
)
from destek.channels.widget import settings as widget_settings
from destek.db import utcnow
from destek.errors import Conflict, Forbidden, Invalid, NotFound
from destek.security import hash_password, random_token, sha256_hex, verify_password

ROLES = ("owner", "admin", "agent")
CHANNEL_TYPES = ("widget", "api", "email", "whatsapp", "telegram", "sms", "messenger")
MIN_PASSWORD = 8


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
) -> Account:
    require_admin(actor)
    account = await get_account(session, account_id=actor.account_id)
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


def normalize_email(email: str) -> str:
    return email.strip().lower()


async def create_user(
    session: AsyncSession, *, email: str, name: str, password: str | None, locale: str | None = None
) -> User:
    email = normalize_email(email)
    if password is not None and len(password) < MIN_PASSWORD:
        raise Invalid(f"the password must have at least {MIN_PASSWORD} characters", field="password")
    if await session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"a user with e-mail {email} already exists", field="email")
    user = User(
        email=email,
        name=name.strip() or email,
        password_hash=hash_password(password) if password else None,
        locale=locale,
    )
    session.add(user)
    await session.flush()
    return user


async def set_password(session: AsyncSession, *, user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise Invalid(f"the password must have at least {MIN_PASSWORD} characters", field="password")
    user.password_hash = hash_password(password)


async def set_user_locale(session: AsyncSession, *, user_id: int, locale: str | None) -> User:
    """The user's own UI language (None: follow the browser's)."""
    user = await get_user(session, user_id=user_id)
    user.locale = locale
    await session.flush()
    return user


async def get_user_by_email(session: AsyncSession, *, email: str) -> User | None:
    found: User | None = await session.scalar(select(User).where(User.email == normalize_email(email)))
    return found


async def authenticate(session: AsyncSession, *, email: str, password: str) -> User | None:
    user = await get_user_by_email(session, email=email)
    # Argon2 takes ~0.1 s of CPU: off the event loop, so other requests keep flowing.
    ok = await asyncio.to_thread(verify_password, user.password_hash if user else None, password)
    return user if ok and user is not None else None


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


async def update_member(
    session: AsyncSession,
    *,
    actor: Actor,
    user_id: int,
    role: str | None,
    active: bool | None,
    name: str | None = None,
) -> tuple[Membership, User]:
    require_admin(actor)
    membership, user = await get_member(session, account_id=actor.account_id, user_id=user_id)
    if membership.role == "owner" and actor.role != "owner" and (role is not None or active is not None):
        # An admin may not demote, deactivate (or reactivate) an owner: owners outrank admins.
        raise Forbidden("only an owner can change an owner")
    if name is not None:
        await _rename(session, actor=actor, user=user, name=name)
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
    return membership, user


async def _rename(session: AsyncSession, *, actor: Actor, user: User, name: str) -> None:
    if not name.strip():
        raise Invalid("an agent needs a name", field="name")
    if user.id != actor.user_id:
        # A user is one login across accounts: one account's admin must not rename them in another.
        elsewhere = await session.scalar(
            select(Membership.id)
            .where(Membership.user_id == user.id, Membership.account_id != actor.account_id)
            .limit(1)
        )
        if elsewhere is not None:
            raise Forbidden("this person also belongs to another account: only they can change their name")
    user.name = name.strip()


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
    membership, user = row
    inbox_ids: frozenset[int] | None = None
    if membership.role == "agent":
        ids = await session.scalars(
            select(InboxMember.inbox_id).where(
                InboxMember.account_id == account_id, InboxMember.user_id == user_id
            )
        )
        inbox_ids = frozenset(ids)
    return Actor(account_id, user_id, membership.role, user.name, inbox_ids)


# --- login sessions and API tokens ---------------------------------------------------------------


async def create_login_session(session: AsyncSession, *, user_id: int, days: int) -> str:
    token = random_token(nbytes=32)
    session.add(
        LoginSession(
            user_id=user_id,
            token_hash=sha256_hex(token),
            expires_at=utcnow() + dt.timedelta(days=days),
        )
    )
    await session.flush()
    return token


async def user_for_login_session(session: AsyncSession, *, token: str) -> User | None:
    row = await session.scalar(
        select(LoginSession).where(
            LoginSession.token_hash == sha256_hex(token), LoginSession.expires_at > utcnow()
        )
    )
    if row is None:
        return None
    return await session.get(User, row.user_id)


async def end_login_session(session: AsyncSession, *, token: str) -> None:
    await session.execute(delete(LoginSession).where(LoginSession.token_hash == sha256_hex(token)))


async def create_api_token(
    session: AsyncSession, *, account_id: int, user_id: int, name: str
) -> tuple[ApiToken, str]:
    """A new token; the plaintext is returned once and never stored."""
    if not name.strip():
        raise Invalid("a token needs a name", field="name")
    await get_member(session, account_id=account_id, user_id=user_id)
    plaintext = random_token("dtk_", 32)
    token = ApiToken(
        account_id=account_id,
        user_id=user_id,
        name=name.strip(),
        token_hash=sha256_hex(plaintext),
        prefix=plaintext[:10],
    )
    session.add(token)
    await session.flush()
    return token, plaintext


async def resolve_api_token(session: AsyncSession, *, plaintext: str) -> ApiToken | None:
    token: ApiToken | None = await session.scalar(
        select(ApiToken).where(ApiToken.token_hash == sha256_hex(plaintext), ApiToken.revoked_at.is_(None))
    )
    return token


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


# --- teams ---------------------------------------------------------------------------------------


async def create_team(
    session: AsyncSession, *, actor: Actor, name: str, tier: int = 1, description: str = ""
) -> Team:
    require_admin(actor)
    if tier not in (1, 2, 3):
        raise Invalid("tier must be 1 (general), 2 (technical) or 3 (engineering)", field="tier")
    if not name.strip():
        raise Invalid("a team needs a name", field="name")
    team = Team(account_id=actor.account_id, name=name.strip(), tier=tier, description=description)
    try:
        async with session.begin_nested():
            session.add(team)
            await session.flush()
    except IntegrityError:
        raise Conflict(f"a team named {name!r} already exists", field="name") from None
    return team


async def get_team(session: AsyncSession, *, account_id: int, team_id: int) -> Team:
    team = await session.get(Team, team_id)
    if team is None or team.account_id != account_id:
        raise NotFound(f"team {team_id} not found")
    return team


async def list_teams(session: AsyncSession, *, account_id: int) -> list[Team]:
    return list(
        await session.scalars(
            select(Team).where(Team.account_id == account_id).order_by(Team.tier, Team.name)
        )
    )


async def update_team(session: AsyncSession, *, actor: Actor, team_id: int, **changes: Any) -> Team:
    require_admin(actor)
    team = await get_team(session, account_id=actor.account_id, team_id=team_id)
    if "tier" in changes and changes["tier"] is not None and changes["tier"] not in (1, 2, 3):
        raise Invalid("tier must be 1, 2 or 3", field="tier")
    name = changes.get("name")
    if name is not None and not str(name).strip():
        raise Invalid("a team needs a name", field="name")
    try:
        # Inside the savepoint, so a taken name is a Conflict and the transaction stays usable.
        async with session.begin_nested():
            if name is not None:
                team.name = str(name).strip()
            for key in ("tier", "description"):
                if changes.get(key) is not None:
                    setattr(team, key, changes[key])
            await session.flush()
    except IntegrityError:
        raise Conflict(f"a team named {str(name).strip()!r} already exists", field="name") from None
    return team


async def delete_team(session: AsyncSession, *, actor: Actor, team_id: int) -> None:
    require_admin(actor)
    team = await get_team(session, account_id=actor.account_id, team_id=team_id)
    await session.delete(team)


async def team_member_ids(session: AsyncSession, *, team_id: int) -> list[int]:
    return list(await session.scalars(select(TeamMember.user_id).where(TeamMember.team_id == team_id)))


async def set_team_members(session: AsyncSession, *, actor: Actor, team_id: int, user_ids: list[int]) -> None:
    require_admin(actor)
    await get_team(session, account_id=actor.account_id, team_id=team_id)
    await require_active_members(session, account_id=actor.account_id, user_ids=user_ids)
    await session.execute(delete(TeamMember).where(TeamMember.team_id == team_id))
    for user_id in dict.fromkeys(user_ids):
        session.add(TeamMember(account_id=actor.account_id, team_id=team_id, user_id=user_id))
    await session.flush()


# --- inboxes -------------------------------------------------------------------------------------


async def create_inbox(
    session: AsyncSession,
    *,
    account_id: int,
    name: str,
    channel_type: str,
    settings: dict[str, Any] | None = None,
    identity_verification: bool = False,
) -> Inbox:
    if channel_type not in CHANNEL_TYPES:
        raise Invalid(f"channel_type must be one of {', '.join(CHANNEL_TYPES)}", field="channel_type")
    if not name.strip():
        raise Invalid("an inbox needs a name", field="name")
    inbox = Inbox(
        account_id=account_id,
        name=name.strip(),
        channel_type=channel_type,
        public_token=random_token(nbytes=18),
        secret=random_token(nbytes=32),
        identity_verification=identity_verification,
        settings=widget_settings.validated(settings or {}),
    )
    session.add(inbox)
    await session.flush()
    return inbox


async def get_inbox(session: AsyncSession, *, account_id: int, inbox_id: int) -> Inbox:
    inbox = await session.get(Inbox, inbox_id)
    if inbox is None or inbox.account_id != account_id:
        raise NotFound(f"inbox {inbox_id} not found")
    return inbox


async def access_inbox(session: AsyncSession, *, actor: Actor, inbox_id: int) -> Inbox:
    """The inbox if the actor may see it; NotFound otherwise (also for another account's)."""
    inbox = await get_inbox(session, account_id=actor.account_id, inbox_id=inbox_id)
    if not actor.can_see_inbox(inbox_id):
        raise NotFound(f"inbox {inbox_id} not found")
    return inbox


async def inbox_by_public_token(session: AsyncSession, *, public_token: str) -> Inbox:
    inbox: Inbox | None = await session.scalar(select(Inbox).where(Inbox.public_token == public_token))
    if inbox is None:
        raise NotFound("inbox not found: check the inbox token")
    return inbox


async def list_inboxes(session: AsyncSession, *, actor: Actor) -> list[Inbox]:
    query = select(Inbox).where(Inbox.account_id == actor.account_id)
    if actor.inbox_ids is not None:
        query = query.where(Inbox.id.in_(actor.inbox_ids))
    return list(await session.scalars(query.order_by(Inbox.id)))


async def update_inbox(session: AsyncSession, *, actor: Actor, inbox_id: int, **changes: Any) -> Inbox:
    """Change an inbox (admins). `settings` is merged key by key into the stored ones.

    The row is read afresh and locked until commit before the merge: each feature (widget, bot, bot
    token) writes its own keys, and a concurrent writer must not put back an old value of another's
    (a revoked bot token's hash, say). Callers that compute a key's value from the stored settings
    lock first too (bot.service.update_settings)."""
    require_admin(actor)
    inbox = await get_inbox(session, account_id=actor.account_id, inbox_id=inbox_id)
    await session.refresh(inbox, with_for_update=True)
    if changes.get("name") is not None:
        inbox.name = str(changes["name"]).strip() or inbox.name
    if changes.get("identity_verification") is not None:
        inbox.identity_verification = bool(changes["identity_verification"])
    if changes.get("settings") is not None:
        inbox.settings = {**inbox.settings, **widget_settings.validated(changes["settings"])}
    if changes.get("rotate_secret"):
        inbox.secret = random_token(nbytes=32)
    return inbox


async def set_inbox_members(
    session: AsyncSession, *, actor: Actor, inbox_id: int, user_ids: list[int]
) -> None:
    require_admin(actor)
    await get_inbox(session, account_id=actor.account_id, inbox_id=inbox_id)
    await require_active_members(session, account_id=actor.account_id, user_ids=user_ids)
    await session.execute(delete(InboxMember).where(InboxMember.inbox_id == inbox_id))
    for user_id in dict.fromkeys(user_ids):
        session.add(InboxMember(account_id=actor.account_id, inbox_id=inbox_id, user_id=user_id))
    await session.flush()


async def inbox_member_ids(session: AsyncSession, *, inbox_id: int) -> list[int]:
    return list(await session.scalars(select(InboxMember.user_id).where(InboxMember.inbox_id == inbox_id)))


async def next_conversation_number(session: AsyncSession, *, account_id: int) -> int:
    number = (
        await session.execute(
            update(Account)
            .where(Account.id == account_id)
            .values(last_conversation_number=Account.last_conversation_number + 1)
            .returning(Account.last_conversation_number)
        )
    ).scalar_one()
    return int(number)
