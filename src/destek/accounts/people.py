"""Who works in an account: who is in which team and inbox (for listings).

Split from service.py, which keeps the single-row functions; none of these commits.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts.models import InboxMember, TeamMember


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
