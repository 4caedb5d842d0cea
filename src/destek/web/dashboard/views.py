"""The agents' web app: login, the inbox (list + conversation + contact), and its HTML fragments.

Pages are thin: they resolve the agent (pages.agent_page), read through the services and render.
Everything that changes data goes through the agent API (/api/v1/...), called by the page's scripts.
"""

from __future__ import annotations

import importlib.util
import re
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts import inboxes as inbox_service
from destek.accounts import invitations
from destek.accounts import service as accounts
from destek.accounts import teams as team_service
from destek.accounts.models import Inbox
from destek.bot import service as bot_service
from destek.channels import registry
from destek.channels import service as channels
from destek.contacts import service as contacts
from destek.conversations import labels as conversation_labels
from destek.conversations import listing
from destek.conversations import service as conversations
from destek.conversations import views as view_counts
from destek.db import MAX_INT32
from destek.deps import StateDep
from destek.web import i18n, templating
from destek.web.dashboard.mail import router as mail_router
from destek.web.dashboard.pages import (
    AgentPage,
    AgentPageDep,
    PageRoute,
    iso,
    logged_in_user,
    module_map,
    safe_next,
)

COLOR = re.compile(r"^#[0-9a-fA-F]{3,8}$")


def safe_color(color: str) -> str:
    """A label colour fit for a style attribute (anything else falls back to grey)."""
    return color if COLOR.match(color) else "#6b7280"


router = APIRouter(route_class=PageRoute, include_in_schema=False)
router.include_router(mail_router)  # an e-mail's original HTML, for the conversation's "HTML" view

Number = Annotated[int, Path(ge=1, le=MAX_INT32)]
PREVIOUS_CONVERSATIONS = 10


@router.get("/", response_class=RedirectResponse)
async def home(request: Request, state: StateDep) -> Response:
    user = await logged_in_user(request, state)
    return RedirectResponse("/app" if user else "/login", status_code=303)


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, state: StateDep, next: str | None = None) -> Response:
    target = safe_next(next)
    if await logged_in_user(request, state) is not None:
        return RedirectResponse(target, status_code=303)
    return templating.render(
        request, "dashboard/login.html", headers={"Cache-Control": "no-store"}, next_url=target
    )


@router.get("/app", response_class=RedirectResponse)
async def app_home(request: Request, state: StateDep) -> Response:
    """The user's first account (the switcher in the page reaches the others)."""
    user = await logged_in_user(request, state)
    if user is None:
        return RedirectResponse("/login", status_code=303)
    async with state.read() as session:
        memberships = await accounts.memberships_of(session, user_id=user.id)
        waiting = [] if memberships else await invitations.pending_for(session, user=user)
    if not memberships:
        locale = i18n.negotiate(user.locale, accept_language=request.headers.get("accept-language"))
        return templating.render(
            request,
            "dashboard/no_account.html",
            locale=locale,
            status_code=403,
            invitations=[{"id": i.id, "account_name": a.name, "role": i.role} for i, a in waiting],
            importmap=module_map(),
            page_messages=i18n.messages(locale, "profile"),
        )
    return RedirectResponse(f"/app/{memberships[0][1].id}", status_code=303)


async def _boot(state: StateDep, page: AgentPage, *, number: int | None) -> dict[str, Any]:
    """What the inbox's scripts start from: the people, teams, inboxes and labels to show and pick."""
    async with state.read() as session:
        members = await accounts.list_members(session, account_id=page.account_id)
        teams = await team_service.list_teams(session, account_id=page.account_id)
        inboxes = await inbox_service.list_inboxes(session, actor=page.actor)
        labels = await conversation_labels.list_labels(session, account_id=page.account_id)
        channel_info = {i.id: await _channel_info(session, i) for i in inboxes}
    return {
        "account_id": page.account_id,
        "account_name": page.account_name,
        "user": {"id": page.user_id, "name": page.user_name, "role": page.role},
        "locale": page.locale,
        "agents": [{"id": u.id, "name": u.name, "active": m.active} for m, u in members],
        "teams": [{"id": t.id, "name": t.name, "tier": t.tier} for t in teams],
        "inboxes": [
            {
                "id": i.id,
                "name": i.name,
                "channel_type": i.channel_type,
                "bot": bot_service.settings_out(i).enabled,
                **channel_info[i.id],
            }
            for i in inboxes
        ],
        "labels": [{"name": label.name, "color": safe_color(label.color)} for label in labels],
        "number": number,
        "can_merge": _merge_available(),
        "messages": i18n.messages(page.locale, "dashboard"),
    }


async def _channel_info(session: AsyncSession, inbox: Inbox) -> dict[str, Any]:
    """What the inbox's scripts need of its channel: whether replies leave through it (then each shows
    its delivery status), and for e-mail the inbox's own addresses (never copied on a reply)."""
    adapter = registry.get(inbox.channel_type)
    info: dict[str, Any] = {"sends": adapter.capabilities.sends, "own_addresses": []}
    if adapter.capabilities.cc:
        settings = channels.settings_of(adapter, await channels.get_config(session, inbox_id=inbox.id))
        own = [getattr(settings, "address", None), getattr(settings, "imap_username", None)]
        info["own_addresses"] = sorted({str(a).lower() for a in own if a and "@" in str(a)})
    return info


def _merge_available() -> bool:
    """Merging ships with the conversations package when it is there (conversations/merge_api.py)."""
    return importlib.util.find_spec("destek.conversations.merge_api") is not None


async def _inbox(request: Request, state: StateDep, page: AgentPage, number: int | None) -> HTMLResponse:
    boot = await _boot(state, page, number=number)
    nav = await _nav_context(state, page)
    return page.render(request, "dashboard/inbox.html", boot=boot, **nav)


@router.get("/app/{account_id}", response_class=HTMLResponse)
async def inbox_page(request: Request, state: StateDep, page: AgentPageDep) -> HTMLResponse:
    return await _inbox(request, state, page, None)


@router.get("/app/{account_id}/conversations/{number}", response_class=HTMLResponse)
async def conversation_page(
    request: Request, number: Number, state: StateDep, page: AgentPageDep
) -> HTMLResponse:
    async with state.read() as session:  # a number the agent may not see is a 404 page
        await conversations.access_conversation(session, actor=page.actor, number=number)
    return await _inbox(request, state, page, number)


async def _nav_context(state: StateDep, page: AgentPage) -> dict[str, Any]:
    async with state.read() as session:
        counts = await listing.status_counts(session, actor=page.actor)
        grouped = await view_counts.open_counts(session, actor=page.actor)
        teams = await team_service.list_teams(session, account_id=page.account_id)
        inboxes = await inbox_service.list_inboxes(session, actor=page.actor)
        labels = await conversation_labels.list_labels(session, account_id=page.account_id)
    return {
        "counts": counts,
        "nav_teams": [(t.id, t.name, t.tier, grouped.by_team.get(t.id, 0)) for t in teams],
        "nav_inboxes": [(i.id, i.name, grouped.by_inbox.get(i.id, 0)) for i in inboxes],
        "nav_labels": [
            (label.name, safe_color(label.color), grouped.by_label.get(label.name, 0)) for label in labels
        ],
    }


@router.get("/app/{account_id}/_nav", response_class=HTMLResponse)
async def nav_fragment(request: Request, state: StateDep, page: AgentPageDep) -> HTMLResponse:
    """The left navigation with fresh counts (the inbox reloads it when events arrive)."""
    return page.render(request, "dashboard/_nav.html", **await _nav_context(state, page))


@router.get("/app/{account_id}/conversations/{number}/_contact", response_class=HTMLResponse)
async def contact_fragment(
    request: Request,
    number: Number,
    state: StateDep,
    page: AgentPageDep,
) -> HTMLResponse:
    """The contact panel: identity, channels, app and device, attributes, previous conversations."""
    async with state.read() as session:
        conversation = await conversations.access_conversation(session, actor=page.actor, number=number)
        detail = await listing.conversation_detail(session, conversation)
        contact = await contacts.get_contact(
            session, account_id=page.account_id, contact_id=conversation.contact_id
        )
        identities = await contacts.identities_of(
            session, contact_id=contact.id, inbox_ids=page.actor.inbox_ids
        )
        inbox_names = {i.id: i.name for i in await inbox_service.list_inboxes(session, actor=page.actor)}
        rows, _cursor = await listing.list_conversations(
            session,
            actor=page.actor,
            filters=listing.ConversationFilter(contact_id=contact.id),
            cursor=None,
            limit=PREVIOUS_CONVERSATIONS + 1,
        )
        previous = await listing.conversation_items(session, [r for r in rows if r.id != conversation.id])
    return page.render(
        request,
        "dashboard/_contact.html",
        conversation=detail,
        contact=contact,
        verified=contact.identity_verified,
        identities=[(inbox_names.get(i.inbox_id, ""), i.source_id) for i in identities],
        previous=previous[:PREVIOUS_CONVERSATIONS],
        iso=iso,
    )
