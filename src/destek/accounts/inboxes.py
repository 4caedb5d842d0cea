"""Inboxes: where conversations arrive (the in-app chat, an e-mail address, a WhatsApp number...), and
which agents see each one.

Every function takes the session first and keyword-only arguments; none commits.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts.models import Inbox, InboxMember
from destek.accounts.service import (
    Actor,
    get_member,
    record_agent_change,
    require_active_members,
    require_admin,
)
from destek.errors import Invalid, NotFound
from destek.security import random_token


async def create_inbox(
    session: AsyncSession,
    *,
    account_id: int,
    name: str,
    channel_type: str,
    identity_verification: bool = False,
) -> Inbox:
    """A new inbox. Its channel's settings are the channel's own row (channels/service.py)."""
    from destek.channels import registry  # the adapters import domains that import this one

    registry.get(channel_type)  # Invalid for a kind no adapter handles
    if not name.strip():
        raise Invalid("an inbox needs a name", field="name")
    inbox = Inbox(
        account_id=account_id,
        name=name.strip(),
        channel_type=channel_type,
        public_token=random_token(nbytes=18),
        secret=random_token(nbytes=32),
        identity_verification=identity_verification,
        settings={},
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


async def update_inbox(
    session: AsyncSession,
    *,
    actor: Actor,
    inbox_id: int,
    name: str | None = None,
    identity_verification: bool | None = None,
    rotate_secret: bool = False,
    settings: dict[str, Any] | None = None,
) -> Inbox:
    """Change an inbox (admins): its name, identity verification, secret, and `settings` merged key by
    key (the bot's key: bot.service.update_settings). Its channel's settings are the channel's own row
    (channels/service.py), not these.

    The row is read afresh and locked until commit: each feature (the bot settings, the bot token)
    writes its own key, and a concurrent writer must not put back an old value of another's (a revoked
    bot token's hash, say). Callers that compute a key's value from the stored settings lock first too."""
    require_admin(actor)
    inbox = await get_inbox(session, account_id=actor.account_id, inbox_id=inbox_id)
    await session.refresh(inbox, with_for_update=True)
    if name is not None:
        inbox.name = name.strip() or inbox.name
    if identity_verification is not None:
        inbox.identity_verification = identity_verification
    if rotate_secret:
        inbox.secret = random_token(nbytes=32)
    if settings is not None:
        inbox.settings = {**inbox.settings, **settings}
    return inbox


async def set_inbox_members(
    session: AsyncSession, *, actor: Actor, inbox_id: int, user_ids: list[int]
) -> None:
    require_admin(actor)
    await get_inbox(session, account_id=actor.account_id, inbox_id=inbox_id)
    await require_active_members(session, account_id=actor.account_id, user_ids=user_ids)
    before = set(await inbox_member_ids(session, inbox_id=inbox_id))
    await session.execute(delete(InboxMember).where(InboxMember.inbox_id == inbox_id))
    for user_id in dict.fromkeys(user_ids):
        session.add(InboxMember(account_id=actor.account_id, inbox_id=inbox_id, user_id=user_id))
    await session.flush()
    # Who now sees more or less: their open sockets take the new inboxes at once (realtime/hub.py).
    for user_id in sorted(before.symmetric_difference(user_ids)):
        membership, user = await get_member(session, account_id=actor.account_id, user_id=user_id)
        record_agent_change(session, membership=membership, user=user, changed=["inboxes"])


async def inbox_member_ids(session: AsyncSession, *, inbox_id: int) -> list[int]:
    return list(await session.scalars(select(InboxMember.user_id).where(InboxMember.inbox_id == inbox_id)))
