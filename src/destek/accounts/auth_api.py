"""Agent login (session cookie), logout and the profile: the only agent routes outside an account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts import service as accounts
from destek.accounts.models import User
from destek.accounts.schemas import AccountRole, LoginIn, ProfileOut, UserOut
from destek.deps import SESSION_COOKIE, StateDep, bearer, current_user_id
from destek.errors import NotFound, Unauthorized
from destek.ratelimit.guards import TOO_MANY, LimitedRoute, check_login

router = APIRouter(prefix="/api/v1", tags=["auth"], route_class=LimitedRoute)

BAD_LOGIN = "wrong e-mail or password"


async def _profile(session: AsyncSession, user: User, *, only_account: int | None = None) -> ProfileOut:
    rows = await accounts.memberships_of(session, user_id=user.id)
    return ProfileOut(
        user=UserOut(id=user.id, email=user.email, name=user.name, locale=user.locale),
        accounts=[
            AccountRole.model_validate({"id": account.id, "name": account.name, "role": membership.role})
            for membership, account in rows
            if only_account is None or account.id == only_account
        ],
    )


async def profile_user(request: Request, state: StateDep) -> tuple[int, int | None]:
    """(user id, the API token's account or None for a login session)."""
    token = bearer(request)
    if token is None:
        return await current_user_id(request, state), None
    async with state.read() as session:
        api_token = await accounts.resolve_api_token(session, plaintext=token)
        if api_token is None:
            raise Unauthorized("the API token is invalid or revoked")
        try:
            await accounts.actor_for(session, account_id=api_token.account_id, user_id=api_token.user_id)
        except NotFound:
            raise Unauthorized("the API token's agent is no longer active in its account") from None
        return api_token.user_id, api_token.account_id


ProfileUserDep = Annotated[tuple[int, int | None], Depends(profile_user)]


@router.post(
    "/auth/login",
    response_model=ProfileOut,
    summary="Log in with e-mail and password; sets the session cookie",
    description="Sets the HttpOnly `destek_session` cookie. Requests with it that change something "
    "must also send the `X-Requested-With` header. A wrong e-mail or password gives 401 either way. "
    "Attempts are limited per e-mail and per client address (429 with Retry-After; docs/api.md).",
    responses=TOO_MANY,
)
async def login(request: Request, body: LoginIn, response: Response, state: StateDep) -> ProfileOut:
    await check_login(request, state, email=body.email)
    # Checking the password takes a while: done in a read session, not while holding a write lock.
    async with state.read() as session:
        user = await accounts.authenticate(session, email=body.email, password=body.password)
    if user is None:
        raise Unauthorized(BAD_LOGIN)
    async with state.uow() as session:
        token = await accounts.create_login_session(
            session, user_id=user.id, days=state.settings.session_days
        )
        profile = await _profile(session, user)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=state.settings.session_days * 86400,
        path="/",
        httponly=True,
        samesite="lax",
        secure=state.settings.cookie_secure,
    )
    response.headers["Cache-Control"] = "no-store"
    return profile


@router.post(
    "/auth/logout",
    status_code=204,
    response_model=None,
    summary="End the login session and clear its cookie",
)
async def logout(request: Request, state: StateDep) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        async with state.uow() as session:
            await accounts.end_login_session(session, token=cookie)
    response = Response(status_code=204)
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=state.settings.cookie_secure
    )
    return response


@router.get(
    "/profile",
    response_model=ProfileOut,
    summary="Who is logged in, and in which accounts with which role",
    description="With the session cookie: every account of the user. With an API token: only the "
    "token's account (a token acts in one account and learns nothing of the others).",
)
async def profile(state: StateDep, who: ProfileUserDep) -> ProfileOut:
    user_id, only_account = who
    async with state.read() as session:
        user = await accounts.get_user(session, user_id=user_id)
        return await _profile(session, user, only_account=only_account)
