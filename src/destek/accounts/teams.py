"""Teams: who works together, at which tier (L1 general, L2 technical, L3 engineering).

Every function takes the session first and keyword-only arguments; none commits.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts.models import Team, TeamMember
from destek.accounts.service import Actor, require_active_members, require_admin
from destek.errors import Conflict, Invalid, NotFound


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
