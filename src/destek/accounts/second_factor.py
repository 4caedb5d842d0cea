"""A second factor for logging in: TOTP (RFC 6238, any authenticator app) and one-use recovery codes.

The TOTP secret is sealed at rest (lib/sealing.py). A code works once: the last step used is kept, and
a login with the same code (replayed, or raced by two requests) is refused. None of these commits.
"""

from __future__ import annotations

from dataclasses import dataclass

import segno
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts import credentials
from destek.accounts.models import Account, Membership, RecoveryCode, User
from destek.db import utcnow
from destek.errors import Conflict, Invalid
from destek.lib import totp
from destek.lib.sealing import Sealer
from destek.security import readable_code, sha256_hex

PURPOSE = "totp-secret"
ISSUER = "Destek"
RECOVERY_CODES = 10


@dataclass(frozen=True, slots=True)
class Enrolment:
    """What the person needs to add Destek to their authenticator app."""

    secret: str  # base32, for typing in by hand
    uri: str  # otpauth://totp/...
    qr_svg: str  # the URI as a QR code, an SVG data: URI for an <img>


async def begin(session: AsyncSession, *, user: User, sealer: Sealer) -> Enrolment:
    """A new secret, kept (sealed) but not in use until a code from it is confirmed."""
    if user.has_second_factor:
        raise Conflict("a second factor is already on: turn it off first to set up another device")
    secret = totp.new_secret()
    user.totp_secret = sealer.seal(secret, purpose=PURPOSE)
    user.totp_confirmed_at = None
    user.totp_last_step = None
    uri = totp.provisioning_uri(secret, account=user.email, issuer=ISSUER)
    qr = segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="#111827")
    return Enrolment(secret=secret, uri=uri, qr_svg=qr)


async def confirm(session: AsyncSession, *, user: User, sealer: Sealer, code: str) -> list[str]:
    """Turn the second factor on with a code from the app; returns the new recovery codes (shown once)."""
    if user.totp_secret is None or user.has_second_factor:
        raise Invalid("start setting up the second factor first", field="code")
    secret = sealer.open(user.totp_secret, purpose=PURPOSE)
    step = totp.matching_step(secret, code)
    if step is None:
        raise Invalid("that code is not right: enter the 6 digits the app shows now", field="code")
    user.totp_confirmed_at = utcnow()
    user.totp_last_step = step
    return await _new_recovery_codes(session, user_id=user.id)


async def accounts_requiring(session: AsyncSession, *, user_id: int) -> list[str]:
    """Names of the accounts where the person is active and a second factor is required."""
    rows = await session.scalars(
        select(Account.name)
        .join(Membership, Membership.account_id == Account.id)
        .where(
            Membership.user_id == user_id,
            Membership.active.is_(True),
            Account.require_second_factor.is_(True),
        )
        .order_by(Account.id)
    )
    return list(rows)


async def disable(session: AsyncSession, *, user: User, password: str) -> None:
    await credentials.confirm_password(user, password)
    if not user.has_second_factor:
        raise Conflict("the second factor is not on")
    requiring = await accounts_requiring(session, user_id=user.id)
    if requiring:
        raise Conflict(f"{', '.join(requiring)} requires a second factor: it cannot be turned off")
    await remove(session, user=user)


async def remove(session: AsyncSession, *, user: User) -> None:
    """No second factor any more (the person's own choice, or an operator's reset)."""
    user.totp_secret = None
    user.totp_confirmed_at = None
    user.totp_last_step = None
    await session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


async def regenerate_recovery_codes(session: AsyncSession, *, user: User, password: str) -> list[str]:
    """New recovery codes; the old ones stop working."""
    await credentials.confirm_password(user, password)
    if not user.has_second_factor:
        raise Conflict("turn the second factor on first")
    return await _new_recovery_codes(session, user_id=user.id)


async def remaining_recovery_codes(session: AsyncSession, *, user_id: int) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
    )
    return int(count or 0)


def _normalize_recovery(code: str) -> str:
    return "".join(char for char in code.lower() if char.isalnum())


async def _new_recovery_codes(session: AsyncSession, *, user_id: int) -> list[str]:
    await session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = [readable_code(groups=2) for _ in range(RECOVERY_CODES)]
    session.add_all(
        RecoveryCode(user_id=user_id, code_hash=sha256_hex(_normalize_recovery(code))) for code in codes
    )
    await session.flush()
    return codes


async def verify(session: AsyncSession, *, user: User, sealer: Sealer, code: str) -> bool:
    """At login: a code of the app (used at most once) or an unused recovery code (then used up)."""
    if user.totp_secret is None or not user.has_second_factor:
        return False
    compact = code.strip().replace(" ", "")
    if compact.isdigit():
        secret = sealer.open(user.totp_secret, purpose=PURPOSE)
        step = totp.matching_step(secret, compact, after=user.totp_last_step)
        if step is None:
            return False
        # Conditional, so two logins racing with one code cannot both pass.
        taken = await session.scalar(
            update(User)
            .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
            .values(totp_last_step=step)
            .returning(User.id)
        )
        return taken is not None
    used = await session.scalar(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == sha256_hex(_normalize_recovery(code)),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .returning(RecoveryCode.id)
    )
    return used is not None
