"""Who may act in an account, with which credential: one check for the API, the pages and the sockets.

A person acts in an account through a login session (the browser) or an API token (one account). Both
need an active membership there; a browser session also needs the person's own password (not a
one-time one), and an account may require a second factor of everyone. Open sockets are checked again
with the same function when the person's access changes (realtime/hub.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts import credentials
from destek.accounts.models import Account, Membership, User
from destek.accounts.service import Actor, actor_of
from destek.errors import Forbidden, NotFound, Unauthorized


class PasswordChangeRequired(Forbidden):
    code = "password_change_required"


class SecondFactorSetupRequired(Forbidden):
    code = "second_factor_setup_required"


class Deactivated(Forbidden):
    code = "deactivated"


@dataclass(frozen=True, slots=True)
class Credential:
    """What a request or socket proved: a login session or an API token (by row id) of a person."""

    kind: Literal["session", "token"]
    id: int
    user_id: int


async def authorize(session: AsyncSession, *, credential: Credential, account_id: int) -> Actor:
    """The person acting in the account with this credential, or the error that says why not."""
    row = (
        await session.execute(
            select(Membership, User, Account.require_second_factor)
            .join(User, User.id == Membership.user_id)
            .join(Account, Account.id == Membership.account_id)
            .where(Membership.account_id == account_id, Membership.user_id == credential.user_id)
        )
    ).first()
    if row is None:
        raise NotFound(f"account {account_id} not found")
    membership, user, second_factor_required = row
    if not membership.active:
        if credential.kind == "token":
            raise Unauthorized(f"this API token's person is deactivated in account {account_id}")
        raise Deactivated("you were deactivated in this account: ask one of its administrators")
    if credential.kind == "session" and user.must_change_password:
        raise PasswordChangeRequired(
            "choose your own password first: the one-time password works only for that"
        )
    if second_factor_required and not user.has_second_factor:
        raise SecondFactorSetupRequired(
            "this account requires a second factor: turn it on in your profile, then try again"
        )
    return await actor_of(session, membership=membership, user=user)


async def recheck(session: AsyncSession, *, credential: Credential, account_id: int) -> Actor:
    """`authorize` for a credential proved earlier (an open socket): it must still be live."""
    if credential.kind == "session":
        live = await credentials.session_is_live(session, session_id=credential.id)
    else:
        live = await credentials.token_is_live(session, token_id=credential.id)
    if not live:
        raise Unauthorized("signed out: log in again")
    return await authorize(session, credential=credential, account_id=account_id)


async def token_credential(session: AsyncSession, *, plaintext: str) -> tuple[Credential, int]:
    """The credential of an API token and the one account it acts in; Unauthorized if none."""
    token = await credentials.resolve_api_token(session, plaintext=plaintext)
    if token is None:
        raise Unauthorized("the API token is invalid or revoked")
    return Credential("token", token.id, token.user_id), token.account_id


async def session_credential(session: AsyncSession, *, cookie: str) -> tuple[Credential, User] | None:
    found = await credentials.login_session(session, token=cookie)
    if found is None:
        return None
    row, user = found
    return Credential("session", row.id, user.id), user
