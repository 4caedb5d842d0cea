"""Request dependencies: the app state, the acting agent, the acting contact."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from destek.accounts import service as accounts
from destek.accounts.service import Actor
from destek.db import MAX_ID
from destek.errors import Forbidden, NotFound, Unauthorized
from destek.state import AppState

SESSION_COOKIE = "destek_session"
CSRF_HEADER = "x-requested-with"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_state(request: Request) -> AppState:  # async: no thread hop per request
    state: AppState = request.app.state.destek
    return state


StateDep = Annotated[AppState, Depends(get_state)]


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


async def current_user_id(request: Request, state: StateDep) -> int:
    """The logged-in user (session cookie). Used by endpoints outside an account."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        async with state.read() as session:
            user = await accounts.user_for_login_session(session, token=token)
        if user is not None:
            return user.id
    raise Unauthorized("log in first (POST /api/v1/auth/login)")


async def current_actor(
    request: Request, state: StateDep, account_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> Actor:
    """The agent acting in `account_id`, by API token (Authorization: Bearer) or session cookie."""
    async with state.read() as session:
        token = bearer(request)
        if token is not None:
            api_token = await accounts.resolve_api_token(session, plaintext=token)
            if api_token is None:
                raise Unauthorized("the API token is invalid or revoked")
            if api_token.account_id != account_id:
                raise NotFound(f"account {account_id} not found")
            return await accounts.actor_for(session, account_id=account_id, user_id=api_token.user_id)
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            user = await accounts.user_for_login_session(session, token=cookie)
            if user is not None:
                if request.method not in SAFE_METHODS and CSRF_HEADER not in request.headers:
                    raise Forbidden("requests with a session cookie must send the X-Requested-With header")
                return await accounts.actor_for(session, account_id=account_id, user_id=user.id)
    raise Unauthorized("send an API token (Authorization: Bearer ...) or log in")


ActorDep = Annotated[Actor, Depends(current_actor)]
