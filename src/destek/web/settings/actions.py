"""JSON actions of the Settings pages that the agent API does not offer as such:

- inviting an agent: a new login gets a temporary password, shown once to the administrator (there is
  no e-mail delivery yet; they pass it on and the agent changes it);
- saving an inbox's chat widget, validated by the widget's own WidgetSettings.

Like the API they need the session cookie with the X-Requested-With header (or an API token), and
answer errors as {"error": {"code", "message", "field"}}.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, EmailStr, Field

from destek.accounts import people
from destek.accounts import service as accounts
from destek.accounts.schemas import Name, Role
from destek.channels.widget.settings import WidgetSettings
from destek.db import MAX_ID
from destek.deps import ActorDep, StateDep
from destek.errors import Forbidden, Invalid
from destek.web.dashboard.pages import LOGIN_PATH
from destek.web.settings.pages import public_url

router = APIRouter(include_in_schema=False)

InboxId = Annotated[int, Path(ge=1, le=MAX_ID)]


class Invitation(BaseModel):
    email: EmailStr
    name: Name
    role: Role = "agent"


def temporary_password() -> str:
    """Easy to read out and type: 4 groups of 4 letters and digits, no look-alikes (0/O, 1/l/I)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


@router.post("/app/{account_id}/settings/agents/invite")
async def invite(request: Request, body: Invitation, state: StateDep, actor: ActorDep) -> JSONResponse:
    password: str | None = temporary_password()
    async with state.uow() as session:
        existing = await accounts.get_user_by_email(session, email=body.email)
        if existing is not None:
            password = None  # a login shared with another account keeps its own password
        membership, user = await people.add_agent(
            session, actor=actor, email=body.email, name=body.name, role=body.role, password=password
        )
        agent: dict[str, Any] = {
            "id": user.id,
            "email": user.email,
            "name": user.name,
            "role": membership.role,
            "active": membership.active,
        }
    login = public_url(request, state.settings) + LOGIN_PATH
    return JSONResponse(
        {"agent": agent, "password": password, "login_url": login},
        status_code=201,
        headers={"Cache-Control": "no-store"},
    )


UserId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.post("/app/{account_id}/settings/agents/{user_id}/password")
async def reset_password(request: Request, user_id: UserId, state: StateDep, actor: ActorDep) -> JSONResponse:
    """A new temporary password for an agent who lost theirs (or never received the first one)."""
    accounts.require_admin(actor)
    password = temporary_password()
    async with state.uow() as session:
        membership, user = await accounts.get_member(session, account_id=actor.account_id, user_id=user_id)
        if membership.role == "owner" and actor.role != "owner":
            raise Forbidden("only an owner can change an owner")
        if user.id == actor.user_id:
            raise Invalid(
                "you cannot reset your own password here: ask another administrator", field="user_id"
            )
        if len(await accounts.memberships_of(session, user_id=user.id)) > 1:
            # One login across accounts: one account's admin must not take it over in the others.
            raise Forbidden("this person also works in another account: only they can change their password")
        await accounts.set_password(session, user=user, password=password)
    login = public_url(request, state.settings) + LOGIN_PATH
    return JSONResponse(
        {
            "agent": {"id": user.id, "email": user.email, "name": user.name},
            "password": password,
            "login_url": login,
        },
        headers={"Cache-Control": "no-store"},
    )


class WidgetForm(WidgetSettings):
    """The widget form: the whole WidgetSettings (what is left out returns to its default), and the
    inbox's name."""

    name: Name | None = Field(default=None, description="The inbox's name, changed with the widget")


@router.post("/app/{account_id}/settings/inboxes/{inbox_id}/widget")
async def save_widget(inbox_id: InboxId, body: WidgetForm, state: StateDep, actor: ActorDep) -> JSONResponse:
    widget = WidgetSettings.model_validate(body.model_dump(exclude={"name"}))
    async with state.uow() as session:
        inbox = await accounts.update_inbox(
            session, actor=actor, inbox_id=inbox_id, settings=widget.stored(), name=body.name
        )
        return JSONResponse({"id": inbox.id, "name": inbox.name, "settings": widget.stored()})
