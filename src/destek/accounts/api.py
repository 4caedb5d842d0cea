"""Agent API: the account, its API tokens and its agents. Teams, inboxes, invitations, login and the
profile are mounted here."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from destek.accounts import credentials, people
from destek.accounts import service as accounts
from destek.accounts.auth_api import router as auth_router
from destek.accounts.inboxes_api import router as inboxes_router
from destek.accounts.invitations_api import account_router as invitations_router
from destek.accounts.invitations_api import public_router as public_invitations_router
from destek.accounts.models import Account, ApiToken, Membership, User
from destek.accounts.profile_api import router as profile_router
from destek.accounts.schemas import (
    AccountOut,
    AccountUpdate,
    AgentOut,
    AgentUpdate,
    OneTimePassword,
    TokenCreate,
    TokenCreated,
    TokenOut,
)
from destek.accounts.teams_api import router as teams_router
from destek.db import MAX_ID
from destek.deps import ActorDep, StateDep, public_url
from destek.errors import Forbidden, Invalid

router = APIRouter()
account_router = APIRouter(prefix="/api/v1/accounts/{account_id}")

TokenId = Annotated[int, Path(ge=1, le=MAX_ID)]
UserId = Annotated[int, Path(ge=1, le=MAX_ID, description="The agent's user id")]


LOGIN_PATH = "/login"


def account_out(account: Account) -> AccountOut:
    return AccountOut(
        id=account.id,
        name=account.name,
        locale=account.locale,
        timezone=account.timezone,
        require_second_factor=account.require_second_factor,
    )


def token_out(token: ApiToken) -> TokenOut:
    return TokenOut(
        id=token.id,
        name=token.name,
        prefix=token.prefix,
        user_id=token.user_id,
        created_at=token.created_at,
        last_used_at=token.last_used_at,
    )


def agent_out(membership: Membership, user: User, team_ids: list[int]) -> AgentOut:
    return AgentOut.model_validate(
        {
            "id": user.id,
            "email": user.email,
            "name": user.name,
            "role": membership.role,
            "active": membership.active,
            "team_ids": team_ids,
            "never_logged_in": user.last_login_at is None,
        }
    )


# --- the account ---------------------------------------------------------------------------------


@account_router.get("", response_model=AccountOut, tags=["account"], summary="The account's settings")
async def get_account(state: StateDep, actor: ActorDep) -> AccountOut:
    async with state.read() as session:
        return account_out(await accounts.get_account(session, account_id=actor.account_id))


@account_router.patch(
    "",
    response_model=AccountOut,
    tags=["account"],
    summary="Rename the account, change its locale or time zone, or require a second factor (administrators)",
)
async def update_account(body: AccountUpdate, state: StateDep, actor: ActorDep) -> AccountOut:
    async with state.uow() as session:
        account = await accounts.update_account(
            session,
            actor=actor,
            name=body.name,
            locale=body.locale,
            timezone=body.timezone,
            require_second_factor=body.require_second_factor,
        )
        return account_out(account)


# --- API tokens ----------------------------------------------------------------------------------


@account_router.get(
    "/tokens",
    response_model=list[TokenOut],
    tags=["tokens"],
    summary="API tokens in use (administrators see everyone's, agents their own); never the secret",
)
async def list_tokens(state: StateDep, actor: ActorDep) -> list[TokenOut]:
    async with state.read() as session:
        return [token_out(t) for t in await accounts.list_api_tokens(session, actor=actor)]


@account_router.post(
    "/tokens",
    status_code=201,
    response_model=TokenCreated,
    tags=["tokens"],
    summary="Create an API token acting as you in this account; the secret is shown only now",
)
async def create_token(
    body: TokenCreate, response: Response, state: StateDep, actor: ActorDep
) -> TokenCreated:
    async with state.uow() as session:
        token, plaintext = await credentials.create_api_token(
            session, account_id=actor.account_id, user_id=actor.user_id, name=body.name
        )
        created = TokenCreated(**token_out(token).model_dump(), token=plaintext)
    response.headers["Cache-Control"] = "no-store"
    return created


@account_router.delete(
    "/tokens/{token_id}",
    status_code=204,
    response_model=None,
    tags=["tokens"],
    summary="Revoke an API token; it stops working at once",
)
async def revoke_token(token_id: TokenId, state: StateDep, actor: ActorDep) -> Response:
    async with state.uow() as session:
        await accounts.revoke_api_token(session, actor=actor, token_id=token_id)
    return Response(status_code=204)


# --- agents --------------------------------------------------------------------------------------


@account_router.get(
    "/agents",
    response_model=list[AgentOut],
    tags=["agents"],
    summary="Everyone who works in the account, with their role and teams",
)
async def list_agents(state: StateDep, actor: ActorDep) -> list[AgentOut]:
    async with state.read() as session:
        rows = await accounts.list_members(session, account_id=actor.account_id)
        teams = await people.team_ids_by_user(session, account_id=actor.account_id)
    return [agent_out(m, u, teams.get(u.id, [])) for m, u in rows]


@account_router.patch(
    "/agents/{user_id}",
    response_model=AgentOut,
    tags=["agents"],
    summary="Change an agent's role, or deactivate or reactivate them in this account (administrators)",
    description="A deactivated agent's API tokens of this account stop working and their open sockets "
    "close at once. Name, e-mail, password and second factor belong to the person: nobody else changes them.",
)
async def update_agent(user_id: UserId, body: AgentUpdate, state: StateDep, actor: ActorDep) -> AgentOut:
    async with state.uow() as session:
        membership, user = await accounts.update_member(
            session, actor=actor, user_id=user_id, role=body.role, active=body.active
        )
        teams = await people.team_ids_by_user(session, account_id=actor.account_id, user_id=user.id)
        return agent_out(membership, user, teams.get(user.id, []))


@account_router.post(
    "/agents/{user_id}/one-time-password",
    response_model=OneTimePassword,
    tags=["agents"],
    summary="A one-time password for an agent whose login was never used (administrators)",
    description="Only for a login that has never been used and works in no other account (someone who "
    "lost the first one); the person must choose their own password when they log in with it. Anyone "
    "else changes their own password.",
)
async def one_time_password(
    user_id: UserId, request: Request, response: Response, state: StateDep, actor: ActorDep
) -> OneTimePassword:
    accounts.require_admin(actor)
    async with state.uow() as session:
        membership, user = await accounts.get_member(session, account_id=actor.account_id, user_id=user_id)
        if membership.role == "owner" and actor.role != "owner":
            raise Forbidden("only an owner can change an owner")
        if user.id == actor.user_id:
            raise Invalid("change your own password in your profile", field="user_id")
        password = await credentials.give_one_time_password(session, user=user, account_id=actor.account_id)
        teams = await people.team_ids_by_user(session, account_id=actor.account_id, user_id=user.id)
        agent = agent_out(membership, user, teams.get(user.id, []))
    response.headers["Cache-Control"] = "no-store"
    return OneTimePassword(
        agent=agent, password=password, login_url=public_url(request, state.settings) + LOGIN_PATH
    )


account_router.include_router(teams_router)
account_router.include_router(inboxes_router)
router.include_router(auth_router)
router.include_router(profile_router)
router.include_router(public_invitations_router)
router.include_router(account_router)
router.include_router(invitations_router)
