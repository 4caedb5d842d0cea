"""Logging in, after the password was checked: is the login usable, and the second factor.

A login works while its person is active in some account (or has an invitation waiting); with a second
factor on, the code of the authenticator app (or a recovery code) is asked too. None of these commits.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts import second_factor
from destek.accounts.invitations import has_pending_invitation
from destek.accounts.models import Membership, User
from destek.errors import DestekError, Unauthorized
from destek.lib.sealing import Sealer, Unsealable

logger = logging.getLogger(__name__)


class Unavailable(DestekError):
    status_code = 503
    code = "unavailable"


class LoginDeactivated(Unauthorized):
    code = "deactivated"


class SecondFactorRequired(Unauthorized):
    code = "second_factor_required"


class SecondFactorInvalid(Unauthorized):
    code = "second_factor_invalid"


async def can_log_in(session: AsyncSession, *, user: User) -> bool:
    active = await session.scalar(
        select(Membership.id).where(Membership.user_id == user.id, Membership.active.is_(True)).limit(1)
    )
    return active is not None or await has_pending_invitation(session, email=user.email)


async def check(session: AsyncSession, *, user: User, code: str | None, sealer: Sealer) -> None:
    """After the right password: refuse a login that works nowhere, and ask for the second factor."""
    if not await can_log_in(session, user=user):
        raise LoginDeactivated(
            "this login is deactivated in every account: ask an administrator of your account to "
            "reactivate you"
        )
    if not user.has_second_factor:
        return
    if not code or not code.strip():
        raise SecondFactorRequired("enter the 6-digit code of your authenticator app, or a recovery code")
    try:
        verified = await second_factor.verify(session, user=user, sealer=sealer, code=code)
    except Unsealable:
        logger.error("the second factor of user %s cannot be unsealed with the configured keys", user.id)
        raise Unavailable(
            "second factors cannot be checked right now: the server's secret key changed (its operator "
            "must list the previous key in DESTEK_OLD_SECRET_KEYS); try again later"
        ) from None
    if not verified:
        raise SecondFactorInvalid(
            "that code is not right or was already used: enter the code the app shows now"
        )
