"""Agent login (session cookie) and logout: with the profile, the only agent routes outside an account."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts import credentials, invitations
from destek.accounts import login as login_flow
from destek.accounts import service as accounts
from destek.accounts.models import User
from destek.accounts.schemas import AccountRole, LoginIn, ProfileOut, UserOut
from destek.deps import SESSION_COOKIE, StateDep, check_csrf
from destek.errors import Unauthorized
from destek.ratelimit.guards import TOO_MANY, LimitedRoute, check_login, client_ip
from destek.state import AppState

router = APIRouter(prefix="/api/v1", tags=["auth"], route_class=LimitedRoute)

BAD_LOGIN = "wrong e-mail or password"


async def profile_of(session: AsyncSession, user: User, *, only_account: int | None = None) -> ProfileOut:
    rows = await accounts.memberships_of(session, user_id=user.id)
    waiting = await invitations.pending_for(session, user=user) if only_account is None else []
    return ProfileOut(
        user=UserOut(id=user.id, email=user.email, name=user.name, locale=user.locale),
        accounts=[
            AccountRole.model_validate({"id": account.id, "name": account.name, "role": membership.role})
            for membership, account in rows
            if only_account is None or account.id == only_account
        ],
        must_change_password=user.must_change_password,
        second_factor=user.has_second_factor,
        invitations=len(waiting),
    )


async def start_session(
    session: AsyncSession, request: Request, response: Response, state: AppState, user: User
) -> ProfileOut:
    """A new login session for the person: the cookie on the response, their profile as the body."""
    token = await credentials.create_login_session(
        session,
        user=user,
        days=state.settings.session_days,
        user_agent=request.headers.get("user-agent", ""),
        ip=client_ip(request),
    )
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
    return await profile_of(session, user)


@router.post(
    "/auth/login",
    response_model=ProfileOut,
    summary="Log in with e-mail and password (and the second factor's code); sets the session cookie",
    description="Sets the HttpOnly `destek_session` cookie. Requests with it that change something "
    "must also send the `X-Requested-With` header. A wrong e-mail or password gives 401 either way. "
    "With a second factor on, a request without `code` gets 401 `second_factor_required`; send it again "
    "with the code. A login that is deactivated in every account gets 401 `deactivated`. Attempts are "
    "limited per e-mail and per client address (429 with Retry-After; docs/api.md).",
    responses={
        **TOO_MANY,
        401: {
            "description": "Wrong e-mail or password; the second factor's code missing "
            "(second_factor_required) or wrong; or a login deactivated in every account (deactivated)"
        },
        503: {"description": "Second factors cannot be checked: the server's secret key changed"},
    },
)
async def login(request: Request, body: LoginIn, response: Response, state: StateDep) -> ProfileOut:
    await check_login(request, state, email=body.email)
    # Checking the password takes a while: done in a read session, not while holding a write lock.
    async with state.read() as session:
        found = await credentials.authenticate(session, email=body.email, password=body.password)
    if found is None:
        raise Unauthorized(BAD_LOGIN)
    async with state.uow() as session:
        user = await accounts.get_user(session, user_id=found.id)
        await login_flow.check(session, user=user, code=body.code, sealer=state.sealer)
        return await start_session(session, request, response, state, user)


@router.post(
    "/auth/logout",
    status_code=204,
    response_model=None,
    summary="End the login session and clear its cookie",
    description="Like every change made with the session cookie, it needs the `X-Requested-With` header. "
    "The session's open websockets close.",
    responses={403: {"description": "The session cookie without the X-Requested-With header"}},
)
async def logout(request: Request, state: StateDep) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        check_csrf(request)
        async with state.uow() as session:
            user_id = await credentials.end_login_session(session, token=cookie)
            if user_id is not None:
                await credentials.announce_signed_out(session, user_id=user_id)
    response = Response(status_code=204)
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=state.settings.cookie_secure
    )
    return response
