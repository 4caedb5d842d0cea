"""Agent API: teams (tier 1 general, 2 technical, 3 engineering) and their members."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from destek.accounts import people
from destek.accounts import teams as team_service
from destek.accounts.models import Team
from destek.accounts.schemas import TIER_NAMES, MembersIn, TeamCreate, TeamOut, TeamUpdate
from destek.db import MAX_ID
from destek.deps import ActorDep, StateDep

router = APIRouter(tags=["teams"])

TeamId = Annotated[int, Path(ge=1, le=MAX_ID)]


def team_out(team: Team, member_ids: list[int]) -> TeamOut:
    return TeamOut(
        id=team.id,
        name=team.name,
        tier=team.tier,
        tier_name=TIER_NAMES[team.tier],
        description=team.description,
        member_ids=sorted(member_ids),
        created_at=team.created_at,
    )


@router.get("/teams", response_model=list[TeamOut], summary="Teams, by tier then name, with their members")
async def list_teams(state: StateDep, actor: ActorDep) -> list[TeamOut]:
    async with state.read() as session:
        teams = await team_service.list_teams(session, account_id=actor.account_id)
        members = await people.member_ids_by_team(session, account_id=actor.account_id)
    return [team_out(team, members.get(team.id, [])) for team in teams]


@router.post(
    "/teams",
    status_code=201,
    response_model=TeamOut,
    summary="Create a team (administrators)",
    responses={409: {"description": "A team of this name exists"}},
)
async def create_team(body: TeamCreate, state: StateDep, actor: ActorDep) -> TeamOut:
    async with state.uow() as session:
        team = await team_service.create_team(
            session, actor=actor, name=body.name, tier=body.tier, description=body.description
        )
        return team_out(team, [])


@router.get("/teams/{team_id}", response_model=TeamOut, summary="One team with its members")
async def get_team(team_id: TeamId, state: StateDep, actor: ActorDep) -> TeamOut:
    async with state.read() as session:
        team = await team_service.get_team(session, account_id=actor.account_id, team_id=team_id)
        return team_out(team, await team_service.team_member_ids(session, team_id=team.id))


@router.patch(
    "/teams/{team_id}",
    response_model=TeamOut,
    summary="Rename a team, change its tier or description",
    responses={409: {"description": "A team of this name exists"}},
)
async def update_team(team_id: TeamId, body: TeamUpdate, state: StateDep, actor: ActorDep) -> TeamOut:
    async with state.uow() as session:
        team = await team_service.update_team(
            session, actor=actor, team_id=team_id, **body.model_dump(exclude_none=True)
        )
        return team_out(team, await team_service.team_member_ids(session, team_id=team.id))


@router.delete(
    "/teams/{team_id}",
    status_code=204,
    response_model=None,
    summary="Delete a team; its conversations keep their assignee and lose the team",
)
async def delete_team(team_id: TeamId, state: StateDep, actor: ActorDep) -> Response:
    async with state.uow() as session:
        await team_service.delete_team(session, actor=actor, team_id=team_id)
    return Response(status_code=204)


@router.put(
    "/teams/{team_id}/members",
    response_model=TeamOut,
    summary="Replace the team's members with these agents (administrators)",
)
async def set_team_members(team_id: TeamId, body: MembersIn, state: StateDep, actor: ActorDep) -> TeamOut:
    async with state.uow() as session:
        await team_service.set_team_members(session, actor=actor, team_id=team_id, user_ids=body.user_ids)
        team = await team_service.get_team(session, account_id=actor.account_id, team_id=team_id)
        return team_out(team, await team_service.team_member_ids(session, team_id=team.id))
