"""Who works in an account: adding agents, and who is in which team and inbox (for listings).

Split from service.py, which keeps the single-row functions; none of these commits.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts.models import InboxMember, Membership, TeamMember, User
from destek.accounts.service import (
    Actor,
    add_member,
    create_user,
    get_user_by_email,
    require_admin,
)
from destek.errors import Conflict, Forbidden, Invalid


async def add_agent(
    session: AsyncSession, *, actor: Actor, email: str, name: str, role: str, password: str | None
) -> tuple[Membership, User]:
    """Create the user if the e-mail is new, else add the existing user to the actor's account."""
    require_admin(actor)
    if role == "owner" and actor.role != "owner":
        raise Forbidden("only an owner can make another owner")
    user = await get_user_by_email(session, email=email)
    if user is None:
        user = await create_user(session, email=email, name=name, password=password)
    else:
        if password is not None:
            # The login is shared with other accounts: an admin here must not take it over.
            raise Invalid(
                "this e-mail already has a Destek login: add it without a password", field="password"
            )
        taken = await session.scalar(
            select(Membership.id).where(
                Membership.account_id == actor.account_id, Membership.user_id == user.id
            )
        )
        if taken is not None:
            raise Conflict(
                f"{user.email} is already an agent of this account: change them with PATCH /agents/{user.id}",
                field="email",
            )
    membership = await add_member(session, account_id=actor.account_id, user_id=user.id, role=role)
    return membership, user


async def team_ids_by_user(
    session: AsyncSession, *, account_id: int, user_id: int | None = None
) -> dict[int, list[int]]:
    query = select(TeamMember.user_id, TeamMember.team_id).where(TeamMember.account_id == account_id)
    if user_id is not None:
        query = query.where(TeamMember.user_id == user_id)
    rows = await session.execute(query.order_by(TeamMember.team_id))
    found: defaultdict[int, list[int]] = defaultdict(list)
    for member_id, team_id in rows:
        found[member_id].append(team_id)
    return dict(found)


async def member_ids_by_team(session: AsyncSession, *, account_id: int) -> dict[int, list[int]]:
    rows = await session.execute(
        select(TeamMember.team_id, TeamMember.user_id)
        .where(TeamMember.account_id == account_id)
        .order_by(TeamMember.user_id)
    )
    found: defaultdict[int, list[int]] = defaultdict(list)
    for team_id, user_id in rows:
        found[team_id].append(user_id)
    return dict(found)


async def member_ids_by_inbox(session: AsyncSession, *, account_id: int) -> dict[int, list[int]]:
    rows = await session.execute(
        select(InboxMember.inbox_id, InboxMember.user_id)
        .where(InboxMember.account_id == account_id)
        .order_by(InboxMember.user_id)
    )
    found: defaultdict[int, list[int]] = defaultdict(list)
    for inbox_id, user_id in rows:
        found[inbox_id].append(user_id)
    return dict(found)
