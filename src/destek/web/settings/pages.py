"""GET pages of /app/{account_id}/settings/... (administrators and owners; agents get a 403 page)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from destek.accounts import inboxes as inbox_service
from destek.accounts import invitations, people
from destek.accounts import service as accounts
from destek.accounts import teams as team_service
from destek.accounts.models import Inbox
from destek.bot import service as bot_service
from destek.canned import service as canned
from destek.canned.service import VARIABLES
from destek.channels.widget.settings import of_inbox
from destek.conversations import labels as conversation_labels
from destek.db import MAX_ID
from destek.deps import StateDep, public_url
from destek.web import i18n
from destek.web.dashboard.pages import AgentPage, AgentPageDep, PageRoute, iso, require_admin_page
from destek.web.settings.channel import email_context
from destek.web.settings.reach import reach_context

router = APIRouter(route_class=PageRoute, include_in_schema=False)

InboxId = Annotated[int, Path(ge=1, le=MAX_ID)]
SECTIONS = ("agents", "teams", "inboxes", "canned", "labels")
# The widget's languages offered by the form (others already stored are kept and shown too).
FORM_LOCALES = ("en", "tr")
TIERS = ((1, "L1"), (2, "L2"), (3, "L3"))


def _render(request: Request, page: AgentPage, template: str, section: str, **context: Any) -> HTMLResponse:
    return page.render(
        request,
        f"settings/{template}",
        section=section,
        sections=SECTIONS,
        settings_messages=i18n.messages(page.locale, "settings"),
        **context,
    )


@router.get("/app/{account_id}/settings", response_class=RedirectResponse)
async def settings_home(page: AgentPageDep) -> Response:
    require_admin_page(page)
    return RedirectResponse(f"/app/{page.account_id}/settings/agents", status_code=303)


@router.get("/app/{account_id}/settings/agents", response_class=HTMLResponse)
async def agents_page(request: Request, page: AgentPageDep, state: StateDep) -> HTMLResponse:
    require_admin_page(page)
    async with state.read() as session:
        members = await accounts.list_members(session, account_id=page.account_id)
        teams = {t.id: t.name for t in await team_service.list_teams(session, account_id=page.account_id)}
        team_ids = await people.team_ids_by_user(session, account_id=page.account_id)
        waiting = await invitations.list_invitations(session, actor=page.actor)
        account = await accounts.get_account(session, account_id=page.account_id)
    rows = [
        {
            "id": user.id,
            "name": user.name,
            "email": user.email,
            "role": membership.role,
            "active": membership.active,
            "teams": [teams[t] for t in team_ids.get(user.id, []) if t in teams],
            # Owners outrank admins: an admin cannot change an owner (the server refuses it too).
            "locked": membership.role == "owner" and page.role != "owner",
            "me": user.id == page.user_id,
            "never_logged_in": user.last_login_at is None,
            "second_factor": user.has_second_factor,
        }
        for membership, user in members
    ]
    invited = [
        {
            "id": i.id,
            "name": i.name,
            "email": i.email,
            "role": i.role,
            "pending": invitations.is_pending(i),
            "expires_at": iso(i.expires_at),
            "locked": i.role == "owner" and page.role != "owner",
        }
        for i in waiting
    ]
    roles = ("agent", "admin", "owner") if page.role == "owner" else ("agent", "admin")
    return _render(
        request,
        page,
        "agents.html",
        "agents",
        agents=rows,
        roles=roles,
        invitations=invited,
        require_second_factor=account.require_second_factor,
    )


async def _agent_choices(state: StateDep, account_id: int) -> list[dict[str, Any]]:
    async with state.read() as session:
        members = await accounts.list_members(session, account_id=account_id)
    return [
        {"id": user.id, "name": user.name, "email": user.email, "role": m.role}
        for m, user in members
        if m.active
    ]


@router.get("/app/{account_id}/settings/teams", response_class=HTMLResponse)
async def teams_page(request: Request, page: AgentPageDep, state: StateDep) -> HTMLResponse:
    require_admin_page(page)
    async with state.read() as session:
        teams = await team_service.list_teams(session, account_id=page.account_id)
        members = await people.member_ids_by_team(session, account_id=page.account_id)
    rows = [
        {
            "id": t.id,
            "name": t.name,
            "tier": t.tier,
            "description": t.description,
            "member_ids": set(members.get(t.id, [])),
        }
        for t in teams
    ]
    agents = await _agent_choices(state, page.account_id)
    return _render(request, page, "teams.html", "teams", teams=rows, agents=agents, tiers=TIERS)


@router.get("/app/{account_id}/settings/inboxes", response_class=HTMLResponse)
async def inboxes_page(request: Request, page: AgentPageDep, state: StateDep) -> HTMLResponse:
    require_admin_page(page)
    async with state.read() as session:
        inboxes = await inbox_service.list_inboxes(session, actor=page.actor)
        members = await people.member_ids_by_inbox(session, account_id=page.account_id)
        looks = {inbox.id: await of_inbox(session, inbox) for inbox in inboxes}
    rows = [
        {
            "id": inbox.id,
            "name": inbox.name,
            "channel_type": inbox.channel_type,
            "members": len(members.get(inbox.id, [])),
            "color": looks[inbox.id].color,
            "identity_verification": inbox.identity_verification,
        }
        for inbox in inboxes
    ]
    return _render(request, page, "inboxes.html", "inboxes", inboxes=rows)


def embed_snippet(base: str, inbox: Inbox) -> str:
    return f'<script src="{base}/widget.js" data-inbox="{inbox.public_token}" async></script>'


@router.get("/app/{account_id}/settings/inboxes/{inbox_id}", response_class=HTMLResponse)
async def inbox_page(
    request: Request, page: AgentPageDep, state: StateDep, inbox_id: InboxId
) -> HTMLResponse:
    require_admin_page(page)
    async with state.read() as session:
        inbox = await inbox_service.access_inbox(session, actor=page.actor, inbox_id=inbox_id)
        member_ids = set(await inbox_service.inbox_member_ids(session, inbox_id=inbox.id))
        teams = await team_service.list_teams(session, account_id=page.account_id)
        base = public_url(request, state.settings)
        channel: dict[str, Any] = {}
        if inbox.channel_type == "email":
            channel = await email_context(session, state=state, request=request, inbox=inbox)
        elif inbox.channel_type in ("widget", "api"):
            channel = await reach_context(session, state=state, base=base, inbox=inbox)
        widget = await of_inbox(session, inbox)
    locales = list(dict.fromkeys([*FORM_LOCALES, *widget.greetings, *widget.reply_notice]))
    bot = bot_service.settings_out(inbox)  # as the API shows it: no webhook secret, no token hash
    return _render(
        request,
        page,
        "inbox.html",
        "inboxes",
        inbox=inbox,
        widget=widget,
        widget_locales=locales,
        members=member_ids,
        agents=await _agent_choices(state, page.account_id),
        snippet=embed_snippet(base, inbox),
        bot=bot,
        bot_locales=list(
            dict.fromkeys(
                [*FORM_LOCALES, *bot.greeting, *bot.handoff_message, *bot.offline_message]
                + [lang for topic in bot.topics for lang in topic.labels]
            )
        ),
        teams=[{"id": t.id, "name": t.name, "tier": t.tier} for t in teams],
        **channel,
    )


@router.get("/app/{account_id}/settings/canned", response_class=HTMLResponse)
async def canned_page(request: Request, page: AgentPageDep, state: StateDep) -> HTMLResponse:
    require_admin_page(page)
    async with state.read() as session:
        rows = await canned.search(session, account_id=page.account_id, limit=1000)
    return _render(request, page, "canned.html", "canned", items=rows, variables=VARIABLES)


@router.get("/app/{account_id}/settings/labels", response_class=HTMLResponse)
async def labels_page(request: Request, page: AgentPageDep, state: StateDep) -> HTMLResponse:
    require_admin_page(page)
    async with state.read() as session:
        labels = await conversation_labels.list_labels(session, account_id=page.account_id)
    return _render(request, page, "labels.html", "labels", labels=labels)
