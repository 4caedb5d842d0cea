"""What every page of the agents' web app needs: the logged-in agent, the account, the UI language.

A page router uses `PageRoute`, so that a logged-out visitor is sent to the login page and a foreign
account gets an HTML 404 (not the API's JSON):

    router = APIRouter(route_class=PageRoute)

    @router.get("/app/{account_id}/settings/teams", response_class=HTMLResponse)
    async def teams(request: Request, page: AgentPageDep) -> HTMLResponse:
        require_admin_page(page)                       # agents get a 403 page
        return page.render(request, "settings/teams.html", teams=...)

Templates extend "dashboard/base.html" (left navigation, account switcher, profile menu) and fill
`{% block content %}`; `page` is in their context.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2.utils import htmlsafe_json_dumps
from starlette.responses import Response

from destek.accounts import access, credentials
from destek.accounts import service as accounts
from destek.accounts.access import Credential, Deactivated, PasswordChangeRequired, SecondFactorSetupRequired
from destek.accounts.models import LoginSession, User
from destek.accounts.service import Actor
from destek.db import MAX_ID, utcnow
from destek.deps import SESSION_COOKIE, StateDep
from destek.errors import DestekError, Forbidden, NotFound
from destek.web import i18n, templating

LOGIN_PATH = "/login"
# Where a one-time password is replaced before anything else (a path, not a secret).
PASSWORD_PATH = "/password"  # noqa: S105
SECOND_FACTOR_PATH = "/second-factor"  # where an account that requires one sends the person to set it up


class LoginRequired(Exception):
    """No valid login session: the page redirects to the login page (and back afterwards)."""


@dataclass(frozen=True, slots=True)
class AccountChoice:
    id: int
    name: str
    role: str


@dataclass(frozen=True, slots=True)
class AgentPage:
    """The logged-in agent acting in one account, as a page sees them."""

    actor: Actor
    user_id: int
    user_name: str
    user_email: str
    user_locale: str | None  # the agent's own choice; None: the browser's language
    account_id: int
    account_name: str
    account_timezone: str
    accounts: tuple[AccountChoice, ...]
    locale: str  # the UI language of this page
    session_id: int  # the browser's login session
    has_second_factor: bool

    @property
    def is_admin(self) -> bool:
        return self.actor.is_admin

    @property
    def role(self) -> str:
        return self.actor.role

    def render(
        self, request: Request, template: str, *, status_code: int = 200, **context: Any
    ) -> HTMLResponse:
        return templating.render(
            request,
            template,
            locale=self.locale,
            status_code=status_code,
            headers={"Cache-Control": "no-store"},
            page=self,
            importmap=module_map(),
            **context,
        )


@functools.cache
def module_map() -> dict[str, dict[str, str]]:
    """An import map giving every dashboard and settings module its cache-busted URL, so that
    `import "./x.js"` inside a module loads the same (versioned) file as the page's <script src>: one
    instance, never a stale copy from the year-long cache."""
    paths = sorted(
        f"{folder}/{file.name}"
        for folder in ("dashboard", "settings", "profile")
        for file in (templating.STATIC / folder).glob("*.js")
    )
    return {"imports": {f"/static/{path}": templating.static_url(path) for path in paths}}


def safe_next(target: str | None) -> str:
    """Only a path of this site (no scheme, no //host): a login link cannot send anyone elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/app"
    # Browsers drop tabs and newlines from URLs ("/\t/evil.example" would become "//evil.example").
    if any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in target):
        return "/app"
    return target


def next_url(path: str, request: Request) -> str:
    """`path`, then back to the page asked for."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"{path}?next={quote(here, safe='')}"


def login_url(request: Request) -> str:
    return next_url(LOGIN_PATH, request)


async def logged_in_session(request: Request, state: StateDep) -> tuple[LoginSession, User] | None:
    """The login session of the cookie and its person, or None."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    async with state.read() as session:
        return await credentials.login_session(session, token=token)


async def logged_in_user(request: Request, state: StateDep) -> User | None:
    """The person of the session cookie, or None."""
    found = await logged_in_session(request, state)
    return found[1] if found is not None else None


async def agent_page(
    request: Request, state: StateDep, account_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> AgentPage:
    """The page's agent and account. LoginRequired when logged out; NotFound for an account the user
    is not a member of (as for anything of another tenant); PasswordChangeRequired and
    SecondFactorSetupRequired send the person to the page that ends them."""
    found = await logged_in_session(request, state)
    if found is None:
        raise LoginRequired()
    row, user = found
    credential = Credential("session", row.id, user.id)
    async with state.read() as session:
        actor = await access.authorize(session, credential=credential, account_id=account_id)
        memberships = await accounts.memberships_of(session, user_id=user.id)
    if row.last_seen_at is None or row.last_seen_at < utcnow() - credentials.SEEN_EVERY:
        async with state.uow() as session:
            await credentials.touch_login_session(session, session_id=row.id)
    choices = tuple(AccountChoice(a.id, a.name, m.role) for m, a in memberships)
    account = next(a for m, a in memberships if a.id == account_id)
    locale = i18n.negotiate(user.locale, accept_language=request.headers.get("accept-language"))
    return AgentPage(
        actor=actor,
        user_id=user.id,
        user_name=user.name,
        user_email=user.email,
        user_locale=i18n.normalize(user.locale),
        account_id=account.id,
        account_name=account.name,
        account_timezone=account.timezone,
        accounts=choices,
        locale=locale,
        session_id=row.id,
        has_second_factor=user.has_second_factor,
    )


AgentPageDep = Annotated[AgentPage, Depends(agent_page)]


def require_admin_page(page: AgentPage) -> None:
    """Administrators and owners only: anyone else gets the 403 page."""
    if not page.is_admin:
        raise Forbidden("only an administrator of the account can open this page")


def error_page(
    request: Request, status_code: int, *, locale: str | None = None, reason: str | None = None
) -> HTMLResponse:
    return templating.render(
        request,
        "dashboard/error.html",
        locale=locale,
        status_code=status_code,
        status=status_code,
        reason=reason,
    )


@functools.cache
def content_security_policy() -> str:
    """The dashboard's CSP, a second line of defence behind escaping: scripts only from our origin
    (plus the import map, allowed by its hash), no framing, no plugins, forms and links to ourselves.
    Styles allow inline attributes (label colours); htmx needs nothing more (no hx-on, no eval)."""
    importmap = str(htmlsafe_json_dumps(module_map(), sort_keys=True))  # as base.html's |tojson writes it
    digest = base64.b64encode(hashlib.sha256(importmap.encode()).digest()).decode()
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'sha256-{digest}'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob: https:",
            "media-src 'self' blob:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def secure_headers(response: Response) -> Response:
    """CSP and no framing on HTML pages (others' own CSP, if any, is kept)."""
    if response.headers.get("content-type", "").startswith("text/html"):
        response.headers.setdefault("Content-Security-Policy", content_security_policy())
        response.headers.setdefault("X-Frame-Options", "DENY")
    return response


class PageRoute(APIRoute):
    """A route answering with HTML pages: redirects to the login page, HTML 403/404 pages, each with
    the dashboard's Content-Security-Policy."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                response = await handler(request)
            except LoginRequired:
                return RedirectResponse(login_url(request), status_code=303)
            except PasswordChangeRequired:
                return RedirectResponse(next_url(PASSWORD_PATH, request), status_code=303)
            except SecondFactorSetupRequired:
                return RedirectResponse(next_url(SECOND_FACTOR_PATH, request), status_code=303)
            except Deactivated:
                response = error_page(request, 403, reason="deactivated")
            except NotFound:
                response = error_page(request, 404)
            except Forbidden:
                response = error_page(request, 403)
            except DestekError as exc:
                response = error_page(request, exc.status_code)
            return secure_headers(response)

        return page_handler


def iso(value: dt.datetime | None) -> str:
    """UTC ISO 8601 for <time datetime=...>; the browser shows it in the agent's zone and language."""
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if value else ""
