"""Request dependencies: the app state, the acting agent, the logged-in person."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request

from destek.accounts import access
from destek.accounts.access import Credential
from destek.accounts.models import User
from destek.accounts.service import Actor
from destek.config import Settings
from destek.db import MAX_ID
from destek.errors import Forbidden, NotFound, Unauthorized
from destek.state import AppState

SESSION_COOKIE = "destek_session"
CSRF_HEADER = "x-requested-with"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOG_IN = "log in first (POST /api/v1/auth/login)"


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


def public_url(request: Request, settings: Settings) -> str:
    """How browsers reach this server, for links it hands out (invitations, the embed snippet): the
    public URL the operator set (DESTEK_PUBLIC_URL), else the origin this request came to (the derived
    default, http://host:port, is the bind address, which is wrong behind a proxy or a port mapping)."""
    derived = f"http://{settings.host}:{settings.port}"
    if settings.public_url and settings.public_url.rstrip("/") != derived:
        return settings.public_url.rstrip("/")
    return str(request.base_url).rstrip("/")


def check_csrf(request: Request) -> None:
    """A cookie-authenticated request that changes something must carry the header that another
    site's form or image cannot send."""
    if request.method not in SAFE_METHODS and CSRF_HEADER not in request.headers:
        raise Forbidden("requests with a session cookie must send the X-Requested-With header")


@dataclass(frozen=True, slots=True)
class LoggedIn:
    """The person of a browser's login session (cookie), and that session."""

    credential: Credential
    user: User

    @property
    def session_id(self) -> int:
        return self.credential.id


async def logged_in(request: Request, state: StateDep) -> LoggedIn:
    """The person of the session cookie (CSRF checked for changes). Routes about the person themselves
    (their profile, password, sessions, second factor): never an API token."""
    if bearer(request) is not None:
        raise Unauthorized("an API token cannot do this: it needs the person's own login session")
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        async with state.read() as session:
            found = await access.session_credential(session, cookie=cookie)
        if found is not None:
            check_csrf(request)
            return LoggedIn(*found)
    raise Unauthorized(LOG_IN)


LoggedInDep = Annotated[LoggedIn, Depends(logged_in)]


async def current_actor(
    request: Request, state: StateDep, account_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> Actor:
    """The agent acting in `account_id`, by API token (Authorization: Bearer) or session cookie."""
    async with state.read() as session:
        token = bearer(request)
        if token is not None:
            credential, token_account = await access.token_credential(session, plaintext=token)
            if token_account != account_id:
                raise NotFound(f"account {account_id} not found")
            return await access.authorize(session, credential=credential, account_id=account_id)
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            found = await access.session_credential(session, cookie=cookie)
            if found is not None:
                check_csrf(request)
                return await access.authorize(session, credential=found[0], account_id=account_id)
    raise Unauthorized("send an API token (Authorization: Bearer ...) or log in")


ActorDep = Annotated[Actor, Depends(current_actor)]
