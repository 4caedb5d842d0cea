"""A person's login: e-mail, password, login sessions and API tokens.

The credentials are the person's own (docs/security.md): nobody else sets their password. Two narrow
exceptions: an administrator may give a one-time password to a login that was never used and works in
their account alone (the person must replace it at once), and an operator with shell access resets one
(`destek reset-password`). Every function takes the session first and keyword-only arguments; none
commits.
"""

from __future__ import annotations

import asyncio
import datetime as dt

from pydantic import EmailStr, TypeAdapter, ValidationError
from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts.models import ApiToken, LoginSession, Membership, User
from destek.accounts.schemas import MAX_PASSWORD
from destek.db import utcnow
from destek.errors import Conflict, Invalid, NotFound
from destek.events import log as event_log
from destek.events.schemas import AgentSignedOut
from destek.security import hash_password, random_token, readable_code, sha256_hex, verify_password

MIN_PASSWORD = 8
_EMAIL: TypeAdapter[str] = TypeAdapter(EmailStr)


def normalize_email(email: str) -> str:
    return email.strip().lower()


def check_email(email: str) -> str:
    """The address as login reads it (validated and lower-cased); Invalid where login would refuse it,
    so that no login is ever made that cannot log in."""
    try:
        valid = _EMAIL.validate_python(email.strip())
    except ValidationError as exc:
        reason = str(exc.errors()[0].get("msg", "invalid")).removeprefix(
            "value is not a valid email address: "
        )
        raise Invalid(f"{email.strip()!r} is not a usable e-mail address: {reason}", field="email") from None
    return normalize_email(valid)


def check_password(password: str, *, field: str = "password") -> str:
    if len(password) < MIN_PASSWORD:
        raise Invalid(f"the password must have at least {MIN_PASSWORD} characters", field=field)
    if len(password) > MAX_PASSWORD:
        raise Invalid(f"the password may have at most {MAX_PASSWORD} characters", field=field)
    return password


async def create_user(
    session: AsyncSession, *, email: str, name: str, password: str | None, locale: str | None = None
) -> User:
    email = check_email(email)
    if password is not None:
        check_password(password)
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


async def get_user_by_email(session: AsyncSession, *, email: str) -> User | None:
    found: User | None = await session.scalar(select(User).where(User.email == normalize_email(email)))
    return found


async def authenticate(session: AsyncSession, *, email: str, password: str) -> User | None:
    user = await get_user_by_email(session, email=email)
    # Argon2 takes ~0.1 s of CPU: off the event loop, so other requests keep flowing.
    ok = await asyncio.to_thread(verify_password, user.password_hash if user else None, password)
    return user if ok and user is not None else None


# --- passwords -----------------------------------------------------------------------------------


async def change_password(
    session: AsyncSession,
    *,
    user: User,
    current: str,
    new: str,
    keep_session_id: int | None,
    end_other_sessions: bool,
    revoke_api_tokens: bool,
) -> None:
    """The person changes their own password; the current one proves it is them."""
    await confirm_password(user, current, field="current_password")
    check_password(new, field="new_password")
    if new == current:
        raise Invalid("choose a password different from the current one", field="new_password")
    _set_password(user, new, temporary=False)
    ended = 0
    if end_other_sessions:
        ended += await end_login_sessions(session, user_id=user.id, keep=keep_session_id)
    if revoke_api_tokens:
        ended += await revoke_api_tokens_of(session, user_id=user.id)
    if ended:
        await announce_signed_out(session, user_id=user.id)


async def confirm_password(user: User, password: str, *, field: str = "password") -> None:
    """The person proves it is them (before a change to their login); Invalid when wrong."""
    if not await asyncio.to_thread(verify_password, user.password_hash, password):
        raise Invalid(f"the {field.replace('_', ' ')} is wrong", field=field)


def _set_password(user: User, password: str, *, temporary: bool) -> None:
    user.password_hash = hash_password(password)
    user.must_change_password = temporary
    user.password_changed_at = utcnow()


async def give_one_time_password(session: AsyncSession, *, user: User, account_id: int) -> str:
    """A one-time password for a login that was never used and belongs to `account_id` alone (the
    caller checked the administrator's rights there). The person must replace it when logging in."""
    elsewhere = await session.scalar(
        select(Membership.id)
        .where(Membership.user_id == user.id, Membership.account_id != account_id)
        .limit(1)
    )
    if user.last_login_at is not None or elsewhere is not None:
        raise Invalid(
            "a one-time password can be given only to a person who has never logged in and works in no "
            "other account; anyone else changes their own password (or an operator runs "
            "`destek reset-password`)",
            field="user_id",
        )
    password = readable_code()
    _set_password(user, password, temporary=True)
    return password


async def reset_password(session: AsyncSession, *, user: User, password: str | None) -> str | None:
    """An operator's reset (`destek reset-password`): the given password, or a one-time password to
    replace at the next login (returned). Every session and API token of the person ends."""
    if password is not None:
        check_password(password)
    chosen = password or readable_code()
    _set_password(user, chosen, temporary=password is None)
    await end_login_sessions(session, user_id=user.id)
    await revoke_api_tokens_of(session, user_id=user.id)
    await announce_signed_out(session, user_id=user.id)
    return None if password is not None else chosen


async def announce_signed_out(session: AsyncSession, *, user_id: int) -> None:
    """Record in every account of the person that some of their credentials ended: the realtime hub
    then closes the sockets opened with them (realtime/hub.py)."""
    account_ids = await session.scalars(
        select(Membership.account_id).where(Membership.user_id == user_id, Membership.active.is_(True))
    )
    for account_id in account_ids:
        event_log.record(session, AgentSignedOut(user_id=user_id), account_id=account_id)


# --- login sessions ------------------------------------------------------------------------------

# A session's last_seen_at is written at most this often (it costs a write).
SEEN_EVERY = dt.timedelta(minutes=5)


async def create_login_session(
    session: AsyncSession, *, user: User, days: int, user_agent: str = "", ip: str = ""
) -> str:
    token = random_token(nbytes=32)
    now = utcnow()
    session.add(
        LoginSession(
            user_id=user.id,
            token_hash=sha256_hex(token),
            expires_at=now + dt.timedelta(days=days),
            last_seen_at=now,
            user_agent=user_agent[:300],
            ip=ip[:64],
        )
    )
    user.last_login_at = now
    await session.flush()
    return token


async def login_session(session: AsyncSession, *, token: str) -> tuple[LoginSession, User] | None:
    """The live login session of a cookie value and its person, or None."""
    row = (
        await session.execute(
            select(LoginSession, User)
            .join(User, User.id == LoginSession.user_id)
            .where(LoginSession.token_hash == sha256_hex(token), LoginSession.expires_at > utcnow())
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


async def user_for_login_session(session: AsyncSession, *, token: str) -> User | None:
    found = await login_session(session, token=token)
    return found[1] if found is not None else None


async def session_is_live(session: AsyncSession, *, session_id: int) -> bool:
    found = await session.scalar(
        select(LoginSession.id).where(LoginSession.id == session_id, LoginSession.expires_at > utcnow())
    )
    return found is not None


async def touch_login_session(session: AsyncSession, *, session_id: int) -> None:
    now = utcnow()
    await session.execute(
        update(LoginSession)
        .where(
            LoginSession.id == session_id,
            or_(LoginSession.last_seen_at.is_(None), LoginSession.last_seen_at < now - SEEN_EVERY),
        )
        .values(last_seen_at=now)
    )


async def list_login_sessions(session: AsyncSession, *, user_id: int) -> list[LoginSession]:
    rows = await session.scalars(
        select(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.expires_at > utcnow())
        .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc())
    )
    return list(rows)


async def end_login_session(session: AsyncSession, *, token: str) -> int | None:
    """Log out: the session of this cookie value ends. Returns its person's id, if there was one."""
    user_id: int | None = await session.scalar(
        delete(LoginSession)
        .where(LoginSession.token_hash == sha256_hex(token))
        .returning(LoginSession.user_id)
    )
    return user_id


async def end_one_login_session(session: AsyncSession, *, user_id: int, session_id: int) -> None:
    """The person ends one of their sessions (another device's); someone else's is not found."""
    ended = await session.scalar(
        delete(LoginSession)
        .where(LoginSession.id == session_id, LoginSession.user_id == user_id)
        .returning(LoginSession.id)
    )
    if ended is None:
        raise NotFound(f"session {session_id} not found")


async def end_login_sessions(session: AsyncSession, *, user_id: int, keep: int | None = None) -> int:
    """End every login session of the person (but `keep`); how many ended."""
    query = delete(LoginSession).where(LoginSession.user_id == user_id)
    if keep is not None:
        query = query.where(LoginSession.id != keep)
    ended = await session.scalars(query.returning(LoginSession.id))
    return len(list(ended))


# --- API tokens ----------------------------------------------------------------------------------


async def create_api_token(
    session: AsyncSession, *, account_id: int, user_id: int, name: str
) -> tuple[ApiToken, str]:
    """A new token; the plaintext is returned once and never stored."""
    if not name.strip():
        raise Invalid("a token needs a name", field="name")
    member = await session.scalar(
        select(Membership.id).where(Membership.account_id == account_id, Membership.user_id == user_id)
    )
    if member is None:
        raise NotFound(f"agent {user_id} not found")
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


async def token_is_live(session: AsyncSession, *, token_id: int) -> bool:
    found = await session.scalar(
        select(ApiToken.id).where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
    )
    return found is not None


async def revoke_api_tokens_of(session: AsyncSession, *, user_id: int) -> int:
    revoked = await session.scalars(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .returning(ApiToken.id)
    )
    return len(list(revoked))


async def purge_expired_sessions(session: AsyncSession, *, now: dt.datetime) -> int:
    """Remove login sessions that expired (housekeeping); how many."""
    ended = await session.scalars(
        delete(LoginSession).where(LoginSession.expires_at <= now).returning(LoginSession.id)
    )
    return len(list(ended))
