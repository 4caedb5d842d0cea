"""The person's own pages: the profile (in an account's frame), and the plain pages a login passes
through before it can work: replacing a one-time password, setting up a second factor an account
requires, accepting an invitation. Everything they change goes through the API (/api/v1/profile,
/api/v1/invitations), called by their scripts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRouter

from destek.accounts import invitations, second_factor
from destek.accounts import service as accounts
from destek.deps import StateDep
from destek.errors import DestekError
from destek.web import i18n, templating
from destek.web.dashboard.pages import (
    PASSWORD_PATH,
    SECOND_FACTOR_PATH,
    AgentPageDep,
    PageRoute,
    iso,
    logged_in_user,
    login_url,
    module_map,
    safe_next,
)

router = APIRouter(route_class=PageRoute, include_in_schema=False)

Token = Annotated[str, Path(min_length=8, max_length=100)]


def _plain(
    request: Request, template: str, *, locale: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """A page outside any account (the login's frame), with the profile scripts' translations."""
    return templating.render(
        request,
        template,
        locale=locale,
        status_code=status_code,
        headers={"Cache-Control": "no-store"},
        importmap=module_map(),
        page_messages=i18n.messages(locale, "profile"),
        **context,
    )


def _locale(request: Request, user_locale: str | None = None) -> str:
    return i18n.negotiate(user_locale, accept_language=request.headers.get("accept-language"))


@router.get(PASSWORD_PATH, response_class=HTMLResponse)
async def password_page(request: Request, state: StateDep, next: str | None = None) -> Response:
    """Choose your own password: where a one-time password leads, before anything else."""
    user = await logged_in_user(request, state)
    if user is None:
        return RedirectResponse(login_url(request), status_code=303)
    return _plain(
        request,
        "profile/password.html",
        locale=_locale(request, user.locale),
        next_url=safe_next(next),
        forced=user.must_change_password,
        email=user.email,
    )


@router.get(SECOND_FACTOR_PATH, response_class=HTMLResponse)
async def second_factor_page(request: Request, state: StateDep, next: str | None = None) -> Response:
    """Set up the second factor an account requires (or any time)."""
    user = await logged_in_user(request, state)
    if user is None:
        return RedirectResponse(login_url(request), status_code=303)
    async with state.read() as session:
        requiring = await second_factor.accounts_requiring(session, user_id=user.id)
    return _plain(
        request,
        "profile/second_factor.html",
        locale=_locale(request, user.locale),
        next_url=safe_next(next),
        enabled=user.has_second_factor,
        requiring=requiring,
    )


@router.get("/invite/{token}", response_class=HTMLResponse)
async def invitation_page(request: Request, token: Token, state: StateDep) -> Response:
    """An invitation's link: accept it logged in, or with a new login."""
    user = await logged_in_user(request, state)
    locale = _locale(request, user.locale if user else None)
    try:
        async with state.read() as session:
            invitation, account = await invitations.by_token(session, token=token)
            inviter = await accounts.users_by_id(session, ids=[invitation.invited_by])
    except DestekError as exc:
        return _plain(
            request, "profile/invite.html", locale=locale, status_code=exc.status_code, problem=exc.code
        )
    return _plain(
        request,
        "profile/invite.html",
        locale=locale,
        problem=None,
        token=token,
        account_name=account.name,
        account_id=account.id,
        role=invitation.role,
        email=invitation.email,
        name=invitation.name,
        inviter=inviter[0].name if inviter else None,
        expires_at=iso(invitation.expires_at),
        user=user,
    )


@router.get("/app/{account_id}/profile", response_class=HTMLResponse)
async def profile_page(request: Request, state: StateDep, page: AgentPageDep) -> HTMLResponse:
    async with state.read() as session:
        user = await accounts.get_user(session, user_id=page.user_id)
        left = await second_factor.remaining_recovery_codes(session, user_id=page.user_id)
        requiring = await second_factor.accounts_requiring(session, user_id=page.user_id)
        waiting = await invitations.pending_for(session, user=user)
    return page.render(
        request,
        "profile/profile.html",
        user=user,
        recovery_codes_left=left,
        requiring=requiring,
        invitations=[{"id": i.id, "account_name": a.name, "role": i.role} for i, a in waiting],
        page_messages=i18n.messages(page.locale, "profile"),
    )
