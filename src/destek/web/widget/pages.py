"""The widget's pages: the loader script, the chat page (iframe and mobile WebViews) and the demo host.

GET /widget.js              the loader a web site embeds (adds the launcher and the iframe)
GET /widget/demo            "Demo Cafe", a host page with the widget (only when the server runs in demo mode)
GET /widget/{inbox_token}   the chat itself: in the loader's iframe, or full page in an app's WebView
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from destek.accounts import service as accounts
from destek.channels.widget.access import chat_inbox
from destek.channels.widget.settings import frame_ancestors, of_inbox, origin_allowed
from destek.deps import StateDep
from destek.errors import NotFound
from destek.security import identity_hash
from destek.web import i18n
from destek.web.templating import STATIC, render, static_url
from destek.web.widget.colors import text_color

router = APIRouter(include_in_schema=False)

LOADER = STATIC / "widget" / "loader.js"
# The loader's URL is fixed (sites paste it once), so it is cached briefly rather than for a year.
LOADER_CACHE = "public, max-age=300"


@router.get("/widget.js")
async def loader() -> Response:
    return Response(
        LOADER.read_bytes(),
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": LOADER_CACHE, "X-Content-Type-Options": "nosniff"},
    )


def parent_origin(given: str | None, allowed_domains: list[str]) -> str | None:
    """The embedding page's origin the loader announced (?origin=), if it may be trusted at all: a plain
    http(s) origin, and one of the inbox's allowed domains when it has any. The chat page then also checks
    it against the browser's idea of its parent before posting anything to it (chat.js)."""
    if not given:
        return None
    try:
        parts = urlsplit(given.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query:
        return None
    origin = f"{parts.scheme}://{parts.netloc}".lower()
    if (
        parts.username is not None
        or parts.password is not None
        or (port is not None and not 0 < port < 65536)
    ):
        return None
    if allowed_domains and not origin_allowed(origin, allowed_domains):
        return None
    return origin


@router.get("/widget/demo", response_class=HTMLResponse)
async def demo_page(request: Request, state: StateDep) -> HTMLResponse:
    from destek.demo import find_demo
    from destek.demo_stories import CONTACTS

    if not state.settings.demo:
        # It prints a valid identity hash for a demo contact: only ever on a server started as a demo.
        raise NotFound("the demo page is only served in demo mode (`destek demo`, or DESTEK_DEMO=true)")
    async with state.read() as session:
        info = await find_demo(session)
        if info is None:
            raise NotFound("the demo is not loaded: run `destek demo` (or `make run`)")
        inbox = await chat_inbox(session, inbox_token=info.inbox_public_token)
    person = CONTACTS[0]
    # Computed here, on the server, as a real site's backend would: the secret never reaches the page.
    user = {
        "id": person.identifier,
        "name": person.name,
        "email": person.email,
        "hash": identity_hash(inbox.secret, person.identifier),
    }
    base = str(request.base_url).rstrip("/")
    locale = i18n.negotiate(
        request.query_params.get("locale"), accept_language=request.headers.get("accept-language")
    )
    return render(
        request,
        "widget/demo.html",
        locale=locale,
        base=base,
        inbox_token=inbox.public_token,
        user=user,
        verification=inbox.identity_verification,
    )


@router.get("/widget/{inbox_token}", response_class=HTMLResponse)
async def chat_page(
    request: Request,
    state: StateDep,
    inbox_token: str,
    locale: Annotated[str | None, Query(max_length=16)] = None,
    embed: Annotated[str | None, Query(max_length=4)] = None,
    origin: Annotated[str | None, Query(max_length=300)] = None,
) -> HTMLResponse:
    async with state.read() as session:
        try:
            inbox = await chat_inbox(session, inbox_token=inbox_token)
        except NotFound:
            return render(request, "widget/unknown.html", status_code=404)
        account = await accounts.get_account(session, account_id=inbox.account_id)
        settings = await of_inbox(session, inbox)
    chosen = i18n.negotiate(locale, accept_language=request.headers.get("accept-language"))
    config: dict[str, Any] = {
        "inbox": inbox.public_token,
        "name": inbox.name,
        "color": settings.color,
        "text": text_color(settings.color),
        "locale": chosen,
        "locale_given": locale is not None,
        "account_locale": settings.locale or account.locale,
        "embed": embed == "1",
        # Where the loader says it runs; null when not acceptable. Nothing is posted to it unless the
        # browser confirms it is the embedding parent (chat.js).
        "parent_origin": parent_origin(origin, settings.allowed_domains) if embed == "1" else None,
        "catalogs": {code: i18n.messages(code, "widget") for code in i18n.SUPPORTED_LOCALES if code != "en"},
    }
    headers = {
        "Content-Security-Policy": f"{frame_ancestors(settings.allowed_domains)}; object-src 'none'; "
        "base-uri 'none'",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }
    return render(
        request,
        "widget/chat.html",
        locale=chosen,
        config=config,
        color=settings.color,
        text=text_color(settings.color),
        chat_js=static_url("widget/chat.js"),
        chat_css=static_url("widget/chat.css"),
        headers=headers,
    )
