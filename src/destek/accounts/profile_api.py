"""The person's own profile: name and language, password, login sessions, second factor, invitations.

What concerns the login itself (password, sessions, second factor, invitations) takes the browser's
login session only, never an API token: a token acts in one account and must not be able to take over
the person. Name and language also accept a token.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

from destek.accounts import credentials, invitations, second_factor
from destek.accounts import service as accounts
from destek.accounts.access import authorize, token_credential
from destek.accounts.auth_api import profile_of
from destek.accounts.models import LoginSession
from destek.accounts.profile_schemas import (
    LocaleChange,
    PasswordChange,
    PasswordConfirm,
    PendingInvitation,
    ProfileUpdate,
    RecoveryCodes,
    SecondFactorConfirm,
    SecondFactorSetup,
    SecondFactorStatus,
    SessionOut,
)
from destek.accounts.schemas import ProfileOut, UserOut
from destek.db import MAX_ID
from destek.deps import SESSION_COOKIE, LoggedIn, LoggedInDep, StateDep, bearer, logged_in
from destek.lib import useragent
from destek.ratelimit.guards import TOO_MANY, LimitedRoute, check_login

router = APIRouter(prefix="/api/v1/profile", tags=["profile"], route_class=LimitedRoute)

SessionId = Annotated[int, Path(ge=1, le=MAX_ID)]
InvitationId = Annotated[int, Path(ge=1, le=MAX_ID)]


async def profile_user(request: Request, state: StateDep) -> tuple[int, int | None]:
    """(user id, the API token's account or None for a login session)."""
    token = bearer(request)
    if token is None:
        return (await logged_in(request, state)).user.id, None
    async with state.read() as session:
        credential, account_id = await token_credential(session, plaintext=token)
        # The token must still act somewhere: a deactivated person's token gets a 401 here too.
        await authorize(session, credential=credential, account_id=account_id)
        return credential.user_id, account_id


ProfileUserDep = Annotated[tuple[int, int | None], Depends(profile_user)]


def _user_out(user_id: int, email: str, name: str, locale: str | None) -> UserOut:
    return UserOut(id=user_id, email=email, name=name, locale=locale)


@router.get(
    "",
    response_model=ProfileOut,
    summary="Who is logged in, and in which accounts with which role",
    description="With the session cookie: every account of the person. With an API token: only the "
    "token's account (a token acts in one account and learns nothing of the others).",
)
async def get_profile(state: StateDep, who: ProfileUserDep) -> ProfileOut:
    user_id, only_account = who
    async with state.read() as session:
        user = await accounts.get_user(session, user_id=user_id)
        return await profile_of(session, user, only_account=only_account)


@router.patch("", response_model=UserOut, summary="Change your own name (yours alone: no administrator can)")
async def update_profile(body: ProfileUpdate, state: StateDep, who: ProfileUserDep) -> UserOut:
    user_id, _account = who
    async with state.uow() as session:
        user = await accounts.get_user(session, user_id=user_id)
        if body.name is not None:
            user = await accounts.rename_user(session, user_id=user_id, name=body.name)
        return _user_out(user.id, user.email, user.name, user.locale)


@router.put(
    "/locale",
    response_model=UserOut,
    summary="Choose your own UI language (en, tr), or null to follow the browser's",
)
async def set_locale(body: LocaleChange, state: StateDep, who: ProfileUserDep) -> UserOut:
    user_id, _account = who
    async with state.uow() as session:
        user = await accounts.set_user_locale(session, user_id=user_id, locale=body.locale)
        return _user_out(user.id, user.email, user.name, user.locale)


# --- password ------------------------------------------------------------------------------------


@router.post(
    "/password",
    response_model=ProfileOut,
    summary="Change your password (the current one is needed); end your other sessions and tokens",
    description="Also how a one-time password is replaced. `end_other_sessions` logs out every other "
    "browser; `revoke_api_tokens` revokes every API token of yours, in every account. Wrong current "
    "passwords count against the login limit (429).",
    responses=TOO_MANY,
)
async def change_password(
    request: Request, body: PasswordChange, state: StateDep, me: LoggedInDep
) -> ProfileOut:
    await check_login(request, state, email=me.user.email)
    async with state.uow() as session:
        user = await accounts.get_user(session, user_id=me.user.id)
        await credentials.change_password(
            session,
            user=user,
            current=body.current_password,
            new=body.new_password,
            keep_session_id=me.session_id,
            end_other_sessions=body.end_other_sessions,
            revoke_api_tokens=body.revoke_api_tokens,
        )
        return await profile_of(session, user)


# --- sessions ------------------------------------------------------------------------------------


def _session_out(row: LoginSession, *, current: int) -> SessionOut:
    browser, system = useragent.describe(row.user_agent)
    return SessionOut(
        id=row.id,
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
        expires_at=row.expires_at,
        user_agent=row.user_agent,
        browser=browser,
        system=system,
        ip=row.ip,
        current=row.id == current,
    )


@router.get(
    "/sessions", response_model=list[SessionOut], summary="Your login sessions (browsers), newest first"
)
async def list_sessions(state: StateDep, me: LoggedInDep) -> list[SessionOut]:
    async with state.read() as session:
        rows = await credentials.list_login_sessions(session, user_id=me.user.id)
    return [_session_out(row, current=me.session_id) for row in rows]


@router.delete(
    "/sessions/{session_id}",
    status_code=204,
    response_model=None,
    summary="End one of your sessions (a browser elsewhere is logged out; its sockets close)",
)
async def end_session(session_id: SessionId, state: StateDep, me: LoggedInDep) -> Response:
    async with state.uow() as session:
        await credentials.end_one_login_session(session, user_id=me.user.id, session_id=session_id)
        await credentials.announce_signed_out(session, user_id=me.user.id)
    response = Response(status_code=204)
    if session_id == me.session_id:
        response.delete_cookie(
            SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=state.settings.cookie_secure
        )
    return response


@router.delete(
    "/sessions",
    status_code=204,
    response_model=None,
    summary="End every session of yours but this one",
)
async def end_other_sessions(state: StateDep, me: LoggedInDep) -> Response:
    async with state.uow() as session:
        if await credentials.end_login_sessions(session, user_id=me.user.id, keep=me.session_id):
            await credentials.announce_signed_out(session, user_id=me.user.id)
    return Response(status_code=204)


# --- second factor -------------------------------------------------------------------------------


@router.get("/second-factor", response_model=SecondFactorStatus, summary="Whether your second factor is on")
async def second_factor_status(state: StateDep, me: LoggedInDep) -> SecondFactorStatus:
    async with state.read() as session:
        left = await second_factor.remaining_recovery_codes(session, user_id=me.user.id)
        requiring = await second_factor.accounts_requiring(session, user_id=me.user.id)
    return SecondFactorStatus(
        enabled=me.user.has_second_factor, recovery_codes_left=left, required_by=requiring
    )


@router.post(
    "/second-factor/setup",
    response_model=SecondFactorSetup,
    summary="Start setting up a second factor: a new key for your authenticator app (password needed)",
    description="Scan the QR code (or type the key) into any authenticator app, then confirm with a code "
    "it shows. Nothing changes until then.",
    responses={**TOO_MANY, 409: {"description": "A second factor is on already"}},
)
async def setup_second_factor(
    request: Request, body: PasswordConfirm, response: Response, state: StateDep, me: LoggedInDep
) -> SecondFactorSetup:
    await check_login(request, state, email=me.user.email)
    async with state.uow() as session:
        user = await accounts.get_user(session, user_id=me.user.id)
        await credentials.confirm_password(user, body.password)
        enrolment = await second_factor.begin(session, user=user, sealer=state.sealer)
    response.headers["Cache-Control"] = "no-store"
    return SecondFactorSetup(secret=enrolment.secret, uri=enrolment.uri, qr_svg=enrolment.qr_svg)


@router.post(
    "/second-factor/confirm",
    response_model=RecoveryCodes,
    summary="Turn the second factor on with a code from the app; returns recovery codes (shown once)",
)
async def confirm_second_factor(
    body: SecondFactorConfirm, response: Response, state: StateDep, me: LoggedInDep
) -> RecoveryCodes:
    async with state.uow() as session:
        user = await accounts.get_user(session, user_id=me.user.id)
        codes = await second_factor.confirm(session, user=user, sealer=state.sealer, code=body.code)
    response.headers["Cache-Control"] = "no-store"
    return RecoveryCodes(codes=codes)


@router.post(
    "/second-factor/disable",
    status_code=204,
    response_model=None,
    summary="Turn the second factor off (password needed; refused where an account requires it)",
    responses={**TOO_MANY, 409: {"description": "No second factor is on, or an account requires one"}},
)
async def disable_second_factor(
    request: Request, body: PasswordConfirm, state: StateDep, me: LoggedInDep
) -> Response:
    await check_login(request, state, email=me.user.email)
    async with state.uow() as session:
        user = await accounts.get_user(session, user_id=me.user.id)
        await second_factor.disable(session, user=user, password=body.password)
    return Response(status_code=204)


@router.post(
    "/second-factor/recovery-codes",
    response_model=RecoveryCodes,
    summary="New recovery codes (password needed); the old ones stop working",
    responses={**TOO_MANY, 409: {"description": "No second factor is on"}},
)
async def new_recovery_codes(
    request: Request, body: PasswordConfirm, response: Response, state: StateDep, me: LoggedInDep
) -> RecoveryCodes:
    await check_login(request, state, email=me.user.email)
    async with state.uow() as session:
        user = await accounts.get_user(session, user_id=me.user.id)
        codes = await second_factor.regenerate_recovery_codes(session, user=user, password=body.password)
    response.headers["Cache-Control"] = "no-store"
    return RecoveryCodes(codes=codes)


# --- invitations waiting for the person ---------------------------------------------------------


@router.get(
    "/invitations",
    response_model=list[PendingInvitation],
    summary="Invitations to accounts waiting for you (sent to your login's e-mail address)",
)
async def my_invitations(state: StateDep, me: LoggedInDep) -> list[PendingInvitation]:
    async with state.read() as session:
        rows = await invitations.pending_for(session, user=me.user)
        inviters = {
            u.id: u.name for u in await accounts.users_by_id(session, ids=[i.invited_by for i, _a in rows])
        }
    return [
        PendingInvitation.model_validate(
            {
                "id": invitation.id,
                "account_id": account.id,
                "account_name": account.name,
                "role": invitation.role,
                "email": invitation.email,
                "invited_by": inviters.get(invitation.invited_by or 0),
                "expires_at": invitation.expires_at,
            }
        )
        for invitation, account in rows
    ]


@router.post(
    "/invitations/{invitation_id}/accept",
    response_model=ProfileOut,
    summary="Accept an invitation: you join the account with its role",
    responses={
        409: {"description": "You were deactivated in this account: its administrator reactivates you"},
        410: {"description": "The invitation was used, withdrawn or has expired: ask for a new one"},
    },
)
async def accept_invitation(invitation_id: InvitationId, state: StateDep, me: LoggedInDep) -> ProfileOut:
    return await accept_as(state, me, invitation_id=invitation_id)


async def accept_as(state: StateDep, me: LoggedIn, *, invitation_id: int) -> ProfileOut:
    async with state.uow() as session:
        user = await accounts.get_user(session, user_id=me.user.id)
        invitation = await invitations.for_person(session, user=user, invitation_id=invitation_id)
        await invitations.accept(session, invitation=invitation, user=user)
        return await profile_of(session, user)


@router.post(
    "/invitations/{invitation_id}/decline",
    status_code=204,
    response_model=None,
    summary="Decline an invitation",
)
async def decline_invitation(invitation_id: InvitationId, state: StateDep, me: LoggedInDep) -> Response:
    async with state.uow() as session:
        invitation = await invitations.for_person(session, user=me.user, invitation_id=invitation_id)
        await invitations.decline(session, invitation=invitation)
    return Response(status_code=204)
