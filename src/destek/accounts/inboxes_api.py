"""Agent API: inboxes (where conversations arrive) and who works in them.

Agents (role `agent`) see only the inboxes they are members of; the others are 404 to them.
The inbox secret is shown to administrators only.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts import inboxes as inbox_service
from destek.accounts import people
from destek.accounts import service as accounts
from destek.accounts.models import Inbox
from destek.accounts.schemas import InboxCreate, InboxOut, InboxUpdate, MembersIn
from destek.accounts.service import Actor
from destek.channels import registry
from destek.channels import service as channels
from destek.db import MAX_ID
from destek.deps import ActorDep, StateDep
from destek.errors import Invalid
from destek.state import AppState

router = APIRouter(tags=["inboxes"])

InboxId = Annotated[int, Path(ge=1, le=MAX_ID)]


def public_settings(settings: Any) -> Any:
    """The settings without secrets (e.g. the external bot's webhook secret): `x_secret: "..."` becomes
    `x_secret_set: true`. Nobody reads a secret back; administrators replace it through its own API."""
    if isinstance(settings, dict):
        out: dict[str, Any] = {}
        for key, value in settings.items():
            if "secret" in str(key).lower() and not isinstance(value, (dict, list)):
                out[f"{key}_set"] = bool(value)
            else:
                out[key] = public_settings(value)
        return out
    if isinstance(settings, list):
        return [public_settings(v) for v in settings]
    return settings


def _refuse_bot_settings(settings: dict[str, Any] | None) -> None:
    if settings and "bot" in settings:
        raise Invalid(
            "the bot is configured through PATCH /api/v1/accounts/{account_id}/inboxes/{inbox_id}/bot",
            field="settings.bot",
        )


async def _channel_settings(session: AsyncSession, inbox: Inbox) -> dict[str, Any]:
    """The channel row's settings, shown in `settings` beside the bot's (as before they had rows)."""
    config = await channels.get_config(session, inbox_id=inbox.id)
    return dict(config.settings) if config is not None else {}


async def _configure(
    session: AsyncSession, state: AppState, actor: Actor, inbox: Inbox, settings: dict[str, Any] | None
) -> None:
    """`settings` of an inbox create or PATCH: the channel's keys (the widget's look) go to its own row;
    any other key (another feature's) is merged into the inbox's settings, as before channels had rows."""
    if not settings:
        return
    fields = registry.get(inbox.channel_type).settings_model.model_fields
    channel = {k: v for k, v in settings.items() if k in fields}
    others = {k: v for k, v in settings.items() if k not in fields}
    if channel:
        await channels.configure(session, inbox=inbox, sealer=state.sealer, settings=channel)
    if others:
        await inbox_service.update_inbox(session, actor=actor, inbox_id=inbox.id, settings=others)


def inbox_out(
    inbox: Inbox, member_ids: list[int], actor: Actor, channel: dict[str, Any] | None = None
) -> InboxOut:
    """`secret` stays unset for agents; the routes exclude unset fields, so it is left out."""
    fields = {
        "id": inbox.id,
        "name": inbox.name,
        "channel_type": inbox.channel_type,
        "public_token": inbox.public_token,
        "identity_verification": inbox.identity_verification,
        "settings": public_settings({**inbox.settings, **(channel or {})}),
        "member_ids": sorted(member_ids),
        "created_at": inbox.created_at,
    }
    if actor.is_admin:
        fields["secret"] = inbox.secret
    return InboxOut.model_validate(fields)


@router.get(
    "/inboxes",
    response_model=list[InboxOut],
    response_model_exclude_unset=True,
    summary="The inboxes you may see (administrators: all)",
)
async def list_inboxes(state: StateDep, actor: ActorDep) -> list[InboxOut]:
    async with state.read() as session:
        inboxes = await inbox_service.list_inboxes(session, actor=actor)
        members = await people.member_ids_by_inbox(session, account_id=actor.account_id)
        return [
            inbox_out(inbox, members.get(inbox.id, []), actor, await _channel_settings(session, inbox))
            for inbox in inboxes
        ]


@router.post(
    "/inboxes",
    status_code=201,
    response_model=InboxOut,
    response_model_exclude_unset=True,
    summary="Create an inbox for a channel (administrators)",
)
async def create_inbox(body: InboxCreate, state: StateDep, actor: ActorDep) -> InboxOut:
    accounts.require_admin(actor)
    _refuse_bot_settings(body.settings)
    async with state.uow() as session:
        inbox = await inbox_service.create_inbox(
            session,
            account_id=actor.account_id,
            name=body.name,
            channel_type=body.channel_type,
            identity_verification=body.identity_verification,
        )
        await _configure(session, state, actor, inbox, body.settings)
        return inbox_out(inbox, [], actor, await _channel_settings(session, inbox))


@router.get(
    "/inboxes/{inbox_id}",
    response_model=InboxOut,
    response_model_exclude_unset=True,
    summary="One inbox",
)
async def get_inbox(inbox_id: InboxId, state: StateDep, actor: ActorDep) -> InboxOut:
    async with state.read() as session:
        inbox = await inbox_service.access_inbox(session, actor=actor, inbox_id=inbox_id)
        members = await inbox_service.inbox_member_ids(session, inbox_id=inbox.id)
        return inbox_out(inbox, members, actor, await _channel_settings(session, inbox))


@router.patch(
    "/inboxes/{inbox_id}",
    response_model=InboxOut,
    response_model_exclude_unset=True,
    summary="Rename an inbox, change its settings or identity verification, rotate its secret",
)
async def update_inbox(inbox_id: InboxId, body: InboxUpdate, state: StateDep, actor: ActorDep) -> InboxOut:
    _refuse_bot_settings(body.settings)
    async with state.uow() as session:
        inbox = await inbox_service.update_inbox(
            session,
            actor=actor,
            inbox_id=inbox_id,
            **body.model_dump(exclude_none=True, exclude={"settings"}),
        )
        await _configure(session, state, actor, inbox, body.settings)
        members = await inbox_service.inbox_member_ids(session, inbox_id=inbox.id)
        return inbox_out(inbox, members, actor, await _channel_settings(session, inbox))


@router.put(
    "/inboxes/{inbox_id}/members",
    response_model=InboxOut,
    response_model_exclude_unset=True,
    summary="Replace the agents who work in this inbox (administrators)",
)
async def set_inbox_members(inbox_id: InboxId, body: MembersIn, state: StateDep, actor: ActorDep) -> InboxOut:
    async with state.uow() as session:
        await inbox_service.set_inbox_members(session, actor=actor, inbox_id=inbox_id, user_ids=body.user_ids)
        inbox = await inbox_service.get_inbox(session, account_id=actor.account_id, inbox_id=inbox_id)
        members = await inbox_service.inbox_member_ids(session, inbox_id=inbox.id)
        return inbox_out(inbox, members, actor, await _channel_settings(session, inbox))
