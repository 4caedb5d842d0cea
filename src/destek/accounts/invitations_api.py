"""Invitations: administrators invite by e-mail (agent API); the invited person opens the link, and
accepts logged in, or by choosing a name and password for a new login (public, by the link's token)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel, Field

from destek.accounts import invitations
from destek.accounts import service as accounts
from destek.accounts.auth_api import profile_of, start_session
from destek.accounts.invitations import INVITE_PATH
from destek.accounts.models import Invitation
from destek.accounts.profile_schemas import InvitationRegister
from destek.accounts.schemas import InvitationCreate, InvitationCreated, InvitationOut, ProfileOut, Role
from destek.db import MAX_ID
from destek.deps import ActorDep, LoggedInDep, StateDep, public_url
from destek.ratelimit.guards import TOO_MANY, LimitedRoute, client_ip
from destek.ratelimit.rules import LOGIN_PER_IP

account_router = APIRouter(prefix="/api/v1/accounts/{account_id}/invitations", tags=["agents"])
public_router = APIRouter(prefix="/api/v1/invitations", tags=["profile"], route_class=LimitedRoute)

InvitationId = Annotated[int, Path(ge=1, le=MAX_ID)]
Token = Annotated[str, Path(min_length=8, max_length=100, description="The token of the invitation's link")]


def invitation_out(invitation: Invitation) -> InvitationOut:
    return InvitationOut.model_validate(
        {
            "id": invitation.id,
            "email": invitation.email,
            "name": invitation.name,
            "role": invitation.role,
            "status": "pending" if invitations.is_pending(invitation) else "expired",
            "invited_by": invitation.invited_by,
            "created_at": invitation.created_at,
            "expires_at": invitation.expires_at,
        }
    )


def _created(request: Request, state: StateDep, invitation: Invitation, token: str) -> InvitationCreated:
    url = public_url(request, state.settings) + INVITE_PATH + token
    return InvitationCreated(**invitation_out(invitation).model_dump(), url=url)


@account_router.get(
    "", response_model=list[InvitationOut], summary="Invitations not yet accepted (administrators)"
)
async def list_invitations(state: StateDep, actor: ActorDep) -> list[InvitationOut]:
    async with state.read() as session:
        return [invitation_out(i) for i in await invitations.list_invitations(session, actor=actor)]


@account_router.post(
    "",
    status_code=201,
    response_model=InvitationCreated,
    summary="Invite someone by e-mail (administrators); they join when they accept",
    description="The answer is the same whether or not the address already has a Destek login. Pass the "
    "link on to the person: with a login they log in and accept (the invitation also waits in their "
    "profile), without one they choose their own name and password. The link works for 7 days; an "
    "earlier invitation of the same address to this account stops working.",
    responses={409: {"description": "The address is an agent of this account already"}},
)
async def invite(
    body: InvitationCreate, request: Request, response: Response, state: StateDep, actor: ActorDep
) -> InvitationCreated:
    async with state.uow() as session:
        invitation, token = await invitations.invite(
            session, actor=actor, email=body.email, name=body.name, role=body.role
        )
        created = _created(request, state, invitation, token)
    response.headers["Cache-Control"] = "no-store"
    return created


@account_router.post(
    "/{invitation_id}/renew",
    response_model=InvitationCreated,
    summary="A new link for an invitation (and 7 more days); the old link stops working",
)
async def renew(
    invitation_id: InvitationId, request: Request, response: Response, state: StateDep, actor: ActorDep
) -> InvitationCreated:
    async with state.uow() as session:
        invitation, token = await invitations.renew(session, actor=actor, invitation_id=invitation_id)
        created = _created(request, state, invitation, token)
    response.headers["Cache-Control"] = "no-store"
    return created


@account_router.delete(
    "/{invitation_id}", status_code=204, response_model=None, summary="Withdraw an invitation"
)
async def revoke(invitation_id: InvitationId, state: StateDep, actor: ActorDep) -> Response:
    async with state.uow() as session:
        await invitations.revoke(session, actor=actor, invitation_id=invitation_id)
    return Response(status_code=204)


# --- the invited person, by the link ------------------------------------------------------------


class InvitationView(BaseModel):
    """What the link's page shows. Nothing says whether the address already has a login."""

    account_name: str
    role: Role
    email: str
    name: str = Field(description="The name the administrator gave; a new login may keep or change it")
    invited_by: str | None
    expires_at: dt.datetime


@public_router.get(
    "/{token}",
    response_model=InvitationView,
    summary="The invitation of a link (no login needed): the account, role and address",
    description="404 for a link that never was; 410 once it was used, withdrawn, or has expired.",
    responses={410: {"description": "The invitation was used, withdrawn or has expired: ask for a new one"}},
)
async def view(token: Token, state: StateDep) -> InvitationView:
    async with state.read() as session:
        invitation, account = await invitations.by_token(session, token=token)
        inviter = await accounts.users_by_id(session, ids=[invitation.invited_by])
    return InvitationView.model_validate(
        {
            "account_name": account.name,
            "role": invitation.role,
            "email": invitation.email,
            "name": invitation.name,
            "invited_by": inviter[0].name if inviter else None,
            "expires_at": invitation.expires_at,
        }
    )


@public_router.post(
    "/{token}/accept",
    response_model=ProfileOut,
    summary="Accept the invitation as the logged-in person (the address must be their login's)",
    responses={
        401: {"description": "Not logged in"},
        403: {"description": "Another address's invitation, or no X-Requested-With with the cookie"},
        409: {"description": "You were deactivated in this account: its administrator reactivates you"},
        410: {"description": "The invitation was used, withdrawn or has expired: ask for a new one"},
    },
)
async def accept(token: Token, state: StateDep, me: LoggedInDep) -> ProfileOut:
    async with state.uow() as session:
        invitation, _account = await invitations.by_token(session, token=token)
        user = await accounts.get_user(session, user_id=me.user.id)
        await invitations.accept(session, invitation=invitation, user=user)
        return await profile_of(session, user)


async def _limit_registrations(request: Request, state: StateDep) -> None:
    await state.limits.check((LOGIN_PER_IP, client_ip(request)))


@public_router.post(
    "/{token}/register",
    response_model=ProfileOut,
    summary="Accept the invitation with a new login: your name and your own password; logs you in",
    description="409 when the address already has a login: log in with it and accept instead.",
    responses={
        **TOO_MANY,
        409: {"description": "The address has a login: log in and accept"},
        410: {"description": "The invitation was used, withdrawn or has expired: ask for a new one"},
    },
    dependencies=[Depends(_limit_registrations)],
)
async def register(
    token: Token, body: InvitationRegister, request: Request, response: Response, state: StateDep
) -> ProfileOut:
    async with state.uow() as session:
        invitation, _account = await invitations.by_token(session, token=token)
        user = await invitations.register(
            session, invitation=invitation, name=body.name, password=body.password, locale=body.locale
        )
        return await start_session(session, request, response, state, user)
